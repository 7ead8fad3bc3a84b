#!/usr/bin/env node
/**
 * `npm test`'s pretest step: the tests start real servers from Debian's packages (PostgreSQL,
 * OpenLDAP, Samba as an AD domain controller) and drive Debian's Chromium. When one is missing:
 * as root with apt-get, install it; otherwise stop at once with the one line to run.
 * Services the packages would start on their own (slapd, smbd...) are kept from starting, so
 * they never hold the ports the tests use.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, unlinkSync, writeFileSync } from 'node:fs';

/** Each package, and a file whose presence shows it is installed (faster and surer than dpkg on a non-Debian host). */
export const PACKAGES = [
  { name: 'chromium', file: '/usr/bin/chromium', why: 'the PIN-page browser tests' },
  { name: 'fonts-wqy-microhei', file: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', why: "Chinese text in the service desk report's browser screenshot" },
  { name: 'postgresql', file: '/usr/lib/postgresql/15/bin/initdb', why: 'the PostgreSQL store tests' },
  { name: 'slapd', file: '/usr/sbin/slapd', why: 'the OpenLDAP directory tests' },
  { name: 'ldap-utils', file: '/usr/bin/ldapmodify', why: 'configuring the OpenLDAP test server' },
  { name: 'samba', file: '/usr/sbin/samba', why: 'the Active Directory tests (Samba 4 as a domain controller)' },
  { name: 'samba-ad-provision', file: '/usr/share/samba/setup/provision.ldif', why: 'provisioning the Active Directory test domain' },
  { name: 'samba-dsdb-modules', file: '/usr/lib/x86_64-linux-gnu/samba/ldb/samba_dsdb.so', why: 'the Active Directory database modules' },
  { name: 'openssl', file: '/usr/bin/openssl', why: "the directory tests' own CA and server certificates" },
];

function installed(pkg) {
  if (existsSync(pkg.file)) return true;
  // Another architecture's path, say: ask dpkg.
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg.name], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

const missing = PACKAGES.filter((p) => !installed(p));
if (missing.length === 0) process.exit(0);

const names = missing.map((p) => p.name);
const line = `apt-get install -y --no-install-recommends ${names.join(' ')}`;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' }).status === 0;
const list = missing.map((p) => `  - ${p.name}: ${p.why}`).join('\n');

if (!isRoot || !hasApt) {
  process.stderr.write(`npm test needs these Debian packages, which are not installed:\n${list}\n\nInstall them with:\n  sudo ${line}\n`);
  process.exit(1);
}

process.stderr.write(`pretest: installing the Debian packages the tests need:\n${list}\n`);
// A package's maintainer script must not start its service (slapd on 389, smbd...): the tests start their own.
const POLICY = '/usr/sbin/policy-rc.d';
const ownPolicy = !existsSync(POLICY);
if (ownPolicy) writeFileSync(POLICY, '#!/bin/sh\n# written by pin-reset-bot pretest while installing packages\nexit 101\n', { mode: 0o755 });
try {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...names], { stdio: ['ignore', 'ignore', 'inherit'], env });
} catch (err) {
  process.stderr.write(`pretest: the install failed (${err.message}). Run it by hand:\n  ${line}\n`);
  process.exit(1);
} finally {
  if (ownPolicy) unlinkSync(POLICY);
}
const still = PACKAGES.filter((p) => !installed(p)).map((p) => p.name);
if (still.length > 0) {
  process.stderr.write(`pretest: still missing after the install: ${still.join(', ')}\n`);
  process.exit(1);
}
process.stderr.write('pretest: done.\n');
