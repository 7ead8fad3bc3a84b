/**
 * The two real directories the LDAP tests run against (OpenLDAP's slapd and Samba as an AD domain
 * controller), seen the same way: the bot's settings for each, and what a test does to a
 * directory by hand as its administrator (add an account, lock it, try a PIN by binding).
 * Each test adds its own accounts under a fresh UID, so tests share the servers without meddling.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Attribute, Change, Client } from 'ldapts';
import { escapeDnValue } from '../../src/adapters/directory/ldapEscape.js';
import { recordSecret } from './secrets.js';
import { sharedSlapd, slapdCredentials, type DirectoryCredentials, type SlapdServer } from './servers/slapd.js';
import { adPassword, sambaCredentials, sharedSamba, type SambaServer } from './servers/samba.js';

export interface NewUser {
  /** A UID prefix; a few random characters are added so every test has its own account. */
  uid: string;
  pin: string;
  name?: string;
  mobile?: string;
  altEmail?: string;
  /** OpenLDAP only: a policy under which a PIN set now is too young to change. */
  youngPolicy?: boolean;
}

export interface TestDirectory {
  kind: 'ad' | 'openldap';
  /** The minimum length the directory's own policy demands. */
  minLength: number;
  /** What DIRECTORY=ldap needs for this server, through `url` (e.g. a proxy in front of it). */
  env(overrides?: { url?: string; extra?: Record<string, string> }): Record<string, string>;
  /** The LDAP URL without a proxy; `port` is where a proxy must forward to. */
  ldapsUrl: string;
  ldapUrl: string;
  port: number;
  ldapsPort: number;
  caFile: string;
  /** Adds an account; returns its UID (lower case, as the bot knows it). */
  addUser(user: NewUser): Promise<string>;
  /** Whether `pin` is the account's PIN: a real bind, as a person logging on would do. */
  canBind(uid: string, pin: string): Promise<boolean>;
  /** Locks the account the way an attacker would: wrong PINs until the directory locks it. */
  lockOut(uid: string): Promise<void>;
  isLocked(uid: string): Promise<boolean>;
  /** AD only: disables the account (userAccountControl). */
  disable(uid: string): Promise<void>;
  dnOf(uid: string): string;
  /** Everything the administrator sees of the entry (to check what the bot wrote). */
  entry(uid: string, attributes: string[]): Promise<Record<string, unknown>>;
}

const suffix = () => randomBytes(3).toString('hex').slice(0, 5);

async function asAdmin<T>(url: string, caFile: string, dn: string, password: string, work: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ url, tlsOptions: { ca: [readFileSync(caFile)] }, timeout: 20_000 });
  try {
    await client.bind(dn, password);
    return await work(client);
  } finally {
    await client.unbind().catch(() => {});
  }
}

async function bindsAs(url: string, caFile: string, dn: string, pin: string): Promise<boolean> {
  const client = new Client({ url, tlsOptions: { ca: [readFileSync(caFile)] }, timeout: 20_000 });
  try {
    await client.bind(dn, pin);
    return true;
  } catch (err) {
    if ((err as { code?: number }).code === 49) return false;
    throw err;
  } finally {
    await client.unbind().catch(() => {});
  }
}

/** Where a test server answers, as both servers describe themselves. */
type ServerAddress = Pick<SlapdServer, 'ldapsUrl' | 'ldapUrl' | 'port' | 'ldapsPort' | 'caFile' | 'serviceDn' | 'peopleDn'>;
type Admin = <T>(work: (c: Client) => Promise<T>) => Promise<T>;

/** What sets one kind of directory apart; the rest of a TestDirectory is the same for both. */
interface Particulars {
  kind: TestDirectory['kind'];
  minLength: number;
  /** Where the bot connects when no proxy stands in front. */
  url: string;
  dnOf(uid: string): string;
  /** Adds the account `uid` for `user`, as the administrator. */
  add(admin: Admin, uid: string, user: NewUser): Promise<void>;
  /** The UID for a new account from the test's prefix (random characters added). */
  uidFor(prefix: string): string;
  isLocked(entry: (attributes: string[]) => Promise<Record<string, unknown>>): Promise<boolean>;
  disable(admin: Admin, uid: string): Promise<void>;
}

function testDirectory(server: ServerAddress, credentials: DirectoryCredentials, particulars: Particulars): TestDirectory {
  recordSecret('password', credentials.adminPassword, credentials.servicePassword);
  const { dnOf } = particulars;
  const admin: Admin = (work) => asAdmin(server.ldapsUrl, server.caFile, credentials.adminDn, credentials.adminPassword, work);
  const entry = (uid: string, attributes: string[]) => admin(async (c) => (await c.search(dnOf(uid), { scope: 'base', attributes })).searchEntries[0] ?? {});
  return {
    kind: particulars.kind,
    minLength: particulars.minLength,
    ldapsUrl: server.ldapsUrl,
    ldapUrl: server.ldapUrl,
    port: server.port,
    ldapsPort: server.ldapsPort,
    caFile: server.caFile,
    env: ({ url, extra } = {}) => ({
      DIRECTORY: 'ldap',
      LDAP_KIND: particulars.kind,
      LDAP_URL: url ?? particulars.url,
      LDAP_CA_FILE: server.caFile,
      LDAP_BIND_DN: server.serviceDn,
      LDAP_BIND_PASSWORD: credentials.servicePassword,
      LDAP_BASE_DN: server.peopleDn,
      LDAP_MOBILE_ATTRIBUTE: 'mobile',
      LDAP_ALT_EMAIL_ATTRIBUTE: 'otherMailbox',
      ...extra,
    }),
    async addUser(user) {
      const uid = particulars.uidFor(user.uid).toLowerCase();
      recordSecret('pin', user.pin);
      await particulars.add(admin, uid, user);
      return uid;
    },
    canBind: (uid, pin) => bindsAs(server.ldapsUrl, server.caFile, dnOf(uid), pin),
    async lockOut(uid) {
      for (let i = 0; i < 3; i++) await bindsAs(server.ldapsUrl, server.caFile, dnOf(uid), `wrong-${i}-${suffix()}`);
    },
    isLocked: (uid) => particulars.isLocked((attributes) => entry(uid, attributes)),
    disable: (uid) => particulars.disable(admin, uid),
    dnOf,
    entry,
  };
}

export async function openLdapForTests(): Promise<TestDirectory> {
  const server: SlapdServer = await sharedSlapd();
  const dnOf = (uid: string) => `uid=${escapeDnValue(uid)},${server.peopleDn}`;
  return testDirectory(server, slapdCredentials(server), {
    kind: 'openldap',
    minLength: 12,
    url: server.ldapUrl,
    dnOf,
    uidFor: (prefix) => `${prefix}${suffix()}`,
    add: (admin, uid, user) =>
      admin((c) =>
        c.add(dnOf(uid), {
          objectClass: ['inetOrgPerson', 'extensibleObject'],
          uid,
          cn: user.name ?? uid,
          sn: uid,
          mail: `${uid}@example.edu`,
          userPassword: user.pin,
          ...(user.mobile ? { mobile: user.mobile } : {}),
          ...(user.altEmail ? { otherMailbox: user.altEmail } : {}),
          ...(user.youngPolicy ? { pwdPolicySubentry: server.youngPolicyDn } : {}),
        }),
      ),
    async isLocked(entry) {
      const found = await entry(['pwdAccountLockedTime']);
      return [found['pwdAccountLockedTime'] ?? []].flat().length > 0;
    },
    async disable() {
      throw new Error('OpenLDAP has no disabled flag');
    },
  });
}

export async function activeDirectoryForTests(): Promise<TestDirectory> {
  const server: SambaServer = await sharedSamba();
  const dnOf = (uid: string) => `CN=${escapeDnValue(uid)},${server.peopleDn}`;
  return testDirectory(server, sambaCredentials(server), {
    kind: 'ad',
    minLength: 14,
    url: server.ldapsUrl,
    dnOf,
    // sAMAccountName holds at most 20 characters.
    uidFor: (prefix) => `${prefix.slice(0, 14)}${suffix()}`,
    add: (admin, uid, user) =>
      admin(async (c) => {
        await c.add(dnOf(uid), {
          objectClass: ['top', 'person', 'organizationalPerson', 'user'],
          sAMAccountName: uid,
          userPrincipalName: `${uid}@${server.upnSuffix}`,
          displayName: user.name ?? uid.toUpperCase(),
          mail: `${uid}@example.edu`,
          ...(user.mobile ? { mobile: user.mobile } : {}),
          ...(user.altEmail ? { otherMailbox: user.altEmail } : {}),
        });
        await c.modify(dnOf(uid), [
          new Change({ operation: 'replace', modification: new Attribute({ type: 'unicodePwd', values: [adPassword(user.pin)] }) }),
          new Change({ operation: 'replace', modification: new Attribute({ type: 'userAccountControl', values: ['512'] }) }),
        ]);
      }),
    async isLocked(entry) {
      const found = await entry(['msDS-User-Account-Control-Computed']);
      return (Number(found['msDS-User-Account-Control-Computed'] ?? 0) & 0x10) !== 0;
    },
    async disable(admin, uid) {
      await admin((c) => c.modify(dnOf(uid), new Change({ operation: 'replace', modification: new Attribute({ type: 'userAccountControl', values: ['514'] }) })));
    },
  });
}

/** Both directories, for tests that run against each (`describe.each`). */
export const DIRECTORIES = [
  ['OpenLDAP', 'openldap', openLdapForTests],
  ['Active Directory (Samba)', 'ad', activeDirectoryForTests],
] as const;
