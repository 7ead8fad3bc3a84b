/**
 * A real Active Directory for the directory tests: Samba 4 as a domain controller (Debian's samba,
 * samba-ad-provision, samba-dsdb-modules), provisioned once per run into a temp folder and shared
 * by every test file (sharedServer). It serves LDAP and LDAPS on 127.0.0.1:389 and 636, fixed
 * ports, so only one can run at a time. Its domain password policy: at least 14 characters,
 * complexity on, a history of 3, lockout after 3 failed logons. A service account holds only the
 * rights the README asks for: Reset Password and write lockoutTime on the users' OU.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Attribute, Change, Client } from 'ldapts';
import { serverTempDir, sharedServer, type SharedServer } from './shared.js';
import { makeTestCertificates } from './tls.js';
import { waitUntilServing, type DirectoryCredentials } from './slapd.js';

export interface SambaServer extends SharedServer {
  kind: 'ad';
  /** StartTLS on this one. */
  ldapUrl: string;
  ldapsUrl: string;
  port: number;
  ldapsPort: number;
  caFile: string;
  domainDn: string;
  /** Where the portal accounts live (LDAP_BASE_DN). */
  peopleDn: string;
  upnSuffix: string;
  /** The service account the bot binds as (LDAP_BIND_DN). */
  serviceDn: string;
  /** Pass to every samba-tool call (`-s`), or its binds fail with error 49. */
  smbConf: string;
  /** Passwords live in this file, outside the secret-scanned run root; read them with sambaCredentials(). */
  credentialsFile: string;
}

export const SAMBA = '/usr/sbin/samba';
export const SAMBA_TOOL = '/usr/bin/samba-tool';
const REALM = 'PRB.TEST';
const DOMAIN_DN = 'DC=prb,DC=test';
/** The domain policy's minimum length: longer than the bot's own 8, so the directory's refusal can be seen. */
export const SAMBA_MIN_LENGTH = 14;
/** The Reset Password extended right, and the lockoutTime attribute, on user objects. */
const RESET_PASSWORD_RIGHT = '00299570-246d-11d0-a768-00aa006e0529';
const LOCKOUT_TIME_ATTRIBUTE = '28630ebf-41d5-11d1-a9c1-0000f80367c1';
const USER_CLASS = 'bf967aba-0de6-11d0-a285-00aa003049e2';

export function sharedSamba(): Promise<SambaServer> {
  // Provisioning takes a while and the machine is shared: a generous start timeout.
  return sharedServer('samba', startSamba, 300_000);
}

export function sambaCredentials(server: Pick<SambaServer, 'credentialsFile'>): DirectoryCredentials {
  return JSON.parse(readFileSync(server.credentialsFile, 'utf8')) as DirectoryCredentials;
}

export async function startSamba(): Promise<SambaServer> {
  for (const binary of [SAMBA, SAMBA_TOOL, '/usr/share/samba/setup/provision.ldif']) {
    if (!existsSync(binary)) throw new Error(`The Active Directory tests need ${binary}, from Debian's Samba packages: apt-get install samba samba-ad-provision samba-dsdb-modules`);
  }
  for (const port of [389, 636]) {
    if (!(await portFree(port))) throw new Error(`The Active Directory tests run Samba on 127.0.0.1:${port}, which is in use (another Samba or slapd?). Stop it and run the tests again.`);
  }
  const dir = serverTempDir('samba');
  const tls = makeTestCertificates(dir, 'samba test');
  const credentials: DirectoryCredentials = {
    adminDn: `CN=Administrator,CN=Users,${DOMAIN_DN}`,
    adminPassword: `Adm-${randomBytes(9).toString('hex')}-9aZ!`,
    servicePassword: `Svc-${randomBytes(9).toString('hex')}-7bQ!`,
  };
  const credentialsFile = join(dir, 'credentials.json');
  writeFileSync(credentialsFile, JSON.stringify(credentials), { mode: 0o600 });
  const smbConf = join(dir, 'etc', 'smb.conf');

  // vfs_posixacl is built into Debian's smbd; the default acl_xattr would need samba-vfs-modules just to set sysvol's ACL.
  tool(['domain', 'provision', '--server-role=dc', '--dns-backend=NONE', `--targetdir=${dir}`, `--realm=${REALM}`, '--domain=PRB', '--host-name=prbdc', `--adminpass=${credentials.adminPassword}`, '--option=vfs objects = posixacl']);
  writeFileSync(
    smbConf,
    `[global]
\tnetbios name = PRBDC
\tworkgroup = PRB
\trealm = ${REALM}
\tserver role = active directory domain controller
\tserver services = ldap cldap kdc
\tinterfaces = lo
\tbind interfaces only = yes
\tprivate dir = ${dir}/private
\tlock directory = ${dir}
\tstate directory = ${dir}/state
\tcache directory = ${dir}/cache
\tbinddns dir = ${dir}/bind-dns
\tpid directory = ${dir}
\tncalrpc dir = ${dir}/ncalrpc
\tlog file = ${dir}/log.%m
\tlogging = file
\told password allowed period = 0
\ttls enabled = yes
\ttls certfile = ${tls.certFile}
\ttls keyfile = ${tls.keyFile}
\ttls cafile = ${tls.caFile}
\tvfs objects = posixacl
`,
  );
  tool(['domain', 'passwordsettings', 'set', '-s', smbConf, `--min-pwd-length=${SAMBA_MIN_LENGTH}`, '--complexity=on', '--history-length=3', '--min-pwd-age=0', '--account-lockout-threshold=3']);

  const log = openSync(join(dir, 'samba.log'), 'a');
  const child = spawn(SAMBA, ['-i', '-M', 'single', '-s', smbConf], { stdio: ['ignore', log, log] });
  const peopleDn = `OU=People,${DOMAIN_DN}`;
  const serviceDn = `CN=svc-pinreset,${peopleDn}`;
  const server: SambaServer = {
    kind: 'ad',
    pids: [child.pid!],
    dir,
    ldapUrl: 'ldap://127.0.0.1:389',
    ldapsUrl: 'ldaps://127.0.0.1:636',
    port: 389,
    ldapsPort: 636,
    caFile: tls.caFile,
    domainDn: DOMAIN_DN,
    peopleDn,
    upnSuffix: 'prb.test',
    serviceDn,
    smbConf,
    credentialsFile,
  };
  try {
    await waitUntilServing(server.ldapsUrl, tls.caFile, () => (child.exitCode !== null ? `samba exited with ${child.exitCode}; see ${join(dir, 'samba.log')}` : undefined));
    const admin = new Client({ url: server.ldapsUrl, tlsOptions: { ca: [readFileSync(tls.caFile)] }, timeout: 20_000 });
    try {
      await admin.bind(credentials.adminDn, credentials.adminPassword);
      await admin.add(peopleDn, { objectClass: ['top', 'organizationalUnit'], ou: 'People' });
      await admin.add(serviceDn, { objectClass: ['top', 'person', 'organizationalPerson', 'user'], sAMAccountName: 'svc-pinreset', userPrincipalName: `svc-pinreset@${server.upnSuffix}`, displayName: 'PIN reset service' });
      await admin.modify(serviceDn, [
        new Change({ operation: 'replace', modification: new Attribute({ type: 'unicodePwd', values: [adPassword(credentials.servicePassword)] }) }),
        new Change({ operation: 'replace', modification: new Attribute({ type: 'userAccountControl', values: ['66048'] }) }), // normal account, password never expires
      ]);
      const { searchEntries } = await admin.search(serviceDn, { scope: 'base', attributes: ['objectSid'], explicitBufferAttributes: ['objectSid'] });
      const sid = sidToString(searchEntries[0]!['objectSid'] as Buffer);
      // Only what the README asks the operator to delegate: Reset Password, and write lockoutTime, on users in the OU.
      tool(['dsacl', 'set', '-s', smbConf, `--objectdn=${peopleDn}`, `--sddl=(OA;CIIO;CR;${RESET_PASSWORD_RIGHT};${USER_CLASS};${sid})(OA;CIIO;WP;${LOCKOUT_TIME_ATTRIBUTE};${USER_CLASS};${sid})`]);
    } finally {
      await admin.unbind().catch(() => {});
    }
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return server;
}

/** AD's unicodePwd value: the password in double quotes, UTF-16LE. */
export const adPassword = (password: string) => Buffer.from(`"${password}"`, 'utf16le');

function tool(args: string[]): void {
  try {
    execFileSync(SAMBA_TOOL, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000 });
  } catch (err) {
    const e = err as { stderr?: Buffer; stdout?: Buffer; message: string };
    const said = `${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}`.split('\n').filter((l) => !/^Repack/.test(l)).slice(-15).join('\n');
    throw new Error(`samba-tool ${args.slice(0, 2).join(' ')} failed: ${said || e.message}`);
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** objectSid as S-1-5-21-…. */
export function sidToString(sid: Buffer): string {
  const count = sid[1]!;
  const authority = sid.readUIntBE(2, 6);
  const subs = Array.from({ length: count }, (_, i) => sid.readUInt32LE(8 + 4 * i));
  return `S-${sid[0]}-${authority}${subs.map((s) => `-${s}`).join('')}`;
}
