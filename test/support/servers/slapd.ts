/**
 * A real OpenLDAP server (Debian's slapd) for the directory tests: cn=config in a temp folder,
 * its own free ports, TLS with its own CA and a certificate for 127.0.0.1, and the ppolicy overlay
 * with a default policy (minimum length, quality checking, history, lockout after 3 failures) and a
 * second policy that makes a PIN too young to change. Started once per run (sharedServer) and
 * shared by every test file; each test makes its own accounts.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'ldapts';
import { freePort } from '../freePort.js';
import { serverTempDir, sharedServer, type SharedServer } from './shared.js';
import { makeTestCertificates } from './tls.js';

export interface SlapdServer extends SharedServer {
  kind: 'openldap';
  /** StartTLS on this one. */
  ldapUrl: string;
  ldapsUrl: string;
  port: number;
  ldapsPort: number;
  caFile: string;
  suffix: string;
  /** Where the portal accounts live (LDAP_BASE_DN). */
  peopleDn: string;
  /** The service account the bot binds as (LDAP_BIND_DN). */
  serviceDn: string;
  /** A policy whose minimum age makes a freshly set PIN too young to change. */
  youngPolicyDn: string;
  /** Passwords live in this file, outside the secret-scanned run root; read them with slapdCredentials(). */
  credentialsFile: string;
}

export interface DirectoryCredentials {
  adminDn: string;
  adminPassword: string;
  servicePassword: string;
}

export const SLAPD = '/usr/sbin/slapd';
export const SLAPADD = '/usr/sbin/slapadd';
const SUFFIX = 'dc=prb,dc=test';

/** The minimum length the test server's default ppolicy demands (longer than the bot's 8). */
export const SLAPD_MIN_LENGTH = 12;

export function sharedSlapd(): Promise<SlapdServer> {
  return sharedServer('slapd', startSlapd);
}

export function slapdCredentials(server: Pick<SlapdServer, 'credentialsFile'>): DirectoryCredentials {
  return JSON.parse(readFileSync(server.credentialsFile, 'utf8')) as DirectoryCredentials;
}

/** Starts a new slapd; the caller (or the run's teardown, through sharedServer) stops it. */
export async function startSlapd(): Promise<SlapdServer> {
  for (const binary of [SLAPD, SLAPADD]) {
    if (!existsSync(binary)) throw new Error(`The OpenLDAP directory tests need ${binary}, from the Debian package slapd: apt-get install slapd ldap-utils`);
  }
  const dir = serverTempDir('slapd');
  const configDir = join(dir, 'config');
  const dbDir = join(dir, 'db');
  mkdirSync(configDir);
  mkdirSync(dbDir);
  const tls = makeTestCertificates(dir, 'slapd test');
  const credentials: DirectoryCredentials = {
    adminDn: `cn=admin,${SUFFIX}`,
    adminPassword: `adm-${randomBytes(12).toString('base64url')}`,
    servicePassword: `svc-${randomBytes(12).toString('base64url')}`,
  };
  const credentialsFile = join(dir, 'credentials.json');
  writeFileSync(credentialsFile, JSON.stringify(credentials), { mode: 0o600 });
  const serviceDn = `cn=pinreset,ou=services,${SUFFIX}`;
  const peopleDn = `ou=people,${SUFFIX}`;
  const youngPolicyDn = `cn=young,ou=policies,${SUFFIX}`;

  writeFileSync(join(dir, 'config.ldif'), configLdif({ dir, dbDir, ...tls, serviceDn, adminDn: credentials.adminDn, adminPassword: credentials.adminPassword }));
  run(SLAPADD, ['-n0', '-F', configDir, '-l', join(dir, 'config.ldif')]);
  writeFileSync(join(dir, 'base.ldif'), baseLdif({ serviceDn, servicePassword: credentials.servicePassword }));
  run(SLAPADD, ['-n1', '-F', configDir, '-l', join(dir, 'base.ldif')]);

  const port = await freePort();
  const ldapsPort = await freePort();
  const log = openSync(join(dir, 'slapd.log'), 'a');
  const child = spawn(SLAPD, ['-F', configDir, '-h', `ldap://127.0.0.1:${port}/ ldaps://127.0.0.1:${ldapsPort}/`, '-d', '0'], { stdio: ['ignore', log, log] });
  const server: SlapdServer = {
    kind: 'openldap',
    pids: [child.pid!],
    dir,
    ldapUrl: `ldap://127.0.0.1:${port}`,
    ldapsUrl: `ldaps://127.0.0.1:${ldapsPort}`,
    port,
    ldapsPort,
    caFile: tls.caFile,
    suffix: SUFFIX,
    peopleDn,
    serviceDn,
    youngPolicyDn,
    credentialsFile,
  };
  await waitUntilServing(server.ldapsUrl, tls.caFile, () => (child.exitCode !== null ? `slapd exited with ${child.exitCode}; see ${join(dir, 'slapd.log')}` : undefined));
  return server;
}

function run(binary: string, args: string[]): void {
  try {
    execFileSync(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    throw new Error(`${binary} ${args.join(' ')} failed: ${e.stderr?.toString() || e.message}`);
  }
}

/** Polls until an LDAPS connection with the test CA answers a root DSE search. */
export async function waitUntilServing(url: string, caFile: string, failed: () => string | undefined, timeoutMs = 60_000): Promise<void> {
  const ca = readFileSync(caFile);
  const until = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < until) {
    const reason = failed();
    if (reason) throw new Error(reason);
    const client = new Client({ url, tlsOptions: { ca: [ca] }, connectTimeout: 2000, timeout: 2000 });
    try {
      await client.search('', { scope: 'base', attributes: ['namingContexts'] });
      return;
    } catch (err) {
      last = (err as Error).message;
    } finally {
      await client.unbind().catch(() => {});
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not start serving within ${timeoutMs / 1000} s (${last})`);
}

function configLdif(o: { dir: string; dbDir: string; caFile: string; certFile: string; keyFile: string; serviceDn: string; adminDn: string; adminPassword: string }): string {
  return `dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: ${o.dir}/slapd.pid
olcTLSCACertificateFile: ${o.caFile}
olcTLSCertificateFile: ${o.certFile}
olcTLSCertificateKeyFile: ${o.keyFile}

dn: cn=module{0},cn=config
objectClass: olcModuleList
cn: module{0}
olcModulePath: /usr/lib/ldap
olcModuleLoad: back_mdb
olcModuleLoad: ppolicy

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

include: file:///etc/ldap/schema/core.ldif
include: file:///etc/ldap/schema/cosine.ldif
include: file:///etc/ldap/schema/inetorgperson.ldif

dn: olcDatabase={-1}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {-1}frontend
olcPasswordHash: {SSHA}

dn: olcDatabase={0}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {0}config
olcRootDN: cn=admin,cn=config

dn: olcDatabase={1}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {1}mdb
olcSuffix: ${SUFFIX}
olcDbDirectory: ${o.dbDir}
olcRootDN: ${o.adminDn}
olcRootPW: ${o.adminPassword}
olcDbMaxSize: 268435456
olcDbNoSync: TRUE
olcDbIndex: uid,mail eq
olcAccess: {0}to attrs=userPassword by dn.exact="${o.serviceDn}" write by self write by anonymous auth by * none
olcAccess: {1}to attrs=pwdAccountLockedTime by dn.exact="${o.serviceDn}" manage by * read
olcAccess: {2}to * by * read

dn: olcOverlay={0}ppolicy,olcDatabase={1}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcPPolicyConfig
olcOverlay: {0}ppolicy
olcPPolicyDefault: cn=default,ou=policies,${SUFFIX}
olcPPolicyHashCleartext: TRUE
olcPPolicyUseLockout: TRUE
`;
}

function baseLdif(o: { serviceDn: string; servicePassword: string }): string {
  return `dn: ${SUFFIX}
objectClass: dcObject
objectClass: organization
o: PIN reset bot tests
dc: prb

dn: ou=people,${SUFFIX}
objectClass: organizationalUnit
ou: people

dn: ou=services,${SUFFIX}
objectClass: organizationalUnit
ou: services

dn: ou=policies,${SUFFIX}
objectClass: organizationalUnit
ou: policies

dn: cn=default,ou=policies,${SUFFIX}
objectClass: device
objectClass: pwdPolicy
cn: default
pwdAttribute: userPassword
pwdMinLength: ${SLAPD_MIN_LENGTH}
pwdCheckQuality: 2
pwdInHistory: 3
pwdLockout: TRUE
pwdMaxFailure: 3
pwdMinAge: 0

dn: cn=young,ou=policies,${SUFFIX}
objectClass: device
objectClass: pwdPolicy
cn: young
pwdAttribute: userPassword
pwdMinLength: ${SLAPD_MIN_LENGTH}
pwdMinAge: 86400

dn: ${o.serviceDn}
objectClass: person
objectClass: simpleSecurityObject
cn: pinreset
sn: pinreset
userPassword: ${o.servicePassword}
`;
}
