import { Attribute, Change, ConstraintViolationError, ResultCodeError, type Entry } from 'ldapts';
import { DirectoryUnavailableError, PinRefusedError, type Account, type DirectoryRefusal, type PublishedPinRules, type UnlockOutcome } from '../../ports/directory.js';
import type { LdapConnection } from './ldapConnection.js';
import type { LdapDialect } from './ldapDirectory.js';
import { POLICY_HINTS_OIDS, PolicyHintsControl, SecurityDescriptorFlagsControl } from './ldapControls.js';
import { grantsControlAccess, RESET_PASSWORD_RIGHT } from './adSecurity.js';

/** userAccountControl-computed's lockout bit (UF_LOCKOUT). */
const UF_LOCKOUT = 0x10;
/** pwdProperties' DOMAIN_PASSWORD_COMPLEX bit. */
const DOMAIN_PASSWORD_COMPLEX = 0x1;
const RULES_TTL_MS = 10 * 60_000;

interface ServerFacts {
  /** The policy-hints control this server supports, if any. */
  policyHints?: string;
  domainDn?: string;
}

/** Per connection: what the root DSE said, and the domain's published rules (read again every 10 minutes). */
const facts = new WeakMap<LdapConnection, Promise<ServerFacts>>();
const rules = new WeakMap<LdapConnection, { at: number; rules: Promise<PublishedPinRules> }>();

function serverFacts(connection: LdapConnection): Promise<ServerFacts> {
  let known = facts.get(connection);
  if (!known) {
    known = connection
      .run(async (c) => {
        const { searchEntries } = await c.search('', { scope: 'base', attributes: ['supportedControl', 'defaultNamingContext'] });
        const root = searchEntries[0] ?? { dn: '' };
        const controls = ([] as unknown[]).concat(root['supportedControl'] ?? []).map(String);
        const policyHints = POLICY_HINTS_OIDS.find((oid) => controls.includes(oid));
        const domainDn = root['defaultNamingContext'] ? String(([] as unknown[]).concat(root['defaultNamingContext'])[0]) : undefined;
        return { ...(policyHints ? { policyHints } : {}), ...(domainDn ? { domainDn } : {}) };
      }, { retry: true })
      .catch((err: unknown) => {
        facts.delete(connection);
        throw err;
      });
    facts.set(connection, known);
  }
  return known;
}

const number = (value: Entry[string] | undefined): number | undefined => {
  const v = Number(([] as unknown[]).concat(value ?? [])[0]);
  return Number.isFinite(v) ? v : undefined;
};

/** AD's unicodePwd value: the password in double quotes, as UTF-16LE. */
export const unicodePwd = (pin: string) => Buffer.from(`"${pin}"`, 'utf16le');

/**
 * Active Directory (and Samba as a domain controller): the PIN is written by replacing unicodePwd,
 * an administrator's reset that needs the Reset Password right and an encrypted connection. Where
 * the server supports the policy-hints control it is sent, so the reset obeys the password history
 * as a user's own change would. A lockout is cleared by writing lockoutTime = 0.
 */
export const activeDirectory: LdapDialect = {
  extraAttributes: ['lockoutTime', 'msDS-User-Account-Control-Computed'],

  async setPin(connection, found, pin) {
    const { policyHints } = await serverFacts(connection);
    try {
      await connection.run((c) => c.modify(found.dn, new Change({ operation: 'replace', modification: new Attribute({ type: 'unicodePwd', values: [unicodePwd(pin)] }) }), policyHints ? [new PolicyHintsControl(policyHints)] : []));
    } catch (err) {
      if (err instanceof ConstraintViolationError) {
        const published = await this.pinRules(connection, found).catch(() => ({}));
        throw new PinRefusedError(adRefusal(err.message, pin, published, found.account), firstLine(err.message));
      }
      if (err instanceof ResultCodeError) throw new DirectoryUnavailableError(`AD refused to set the PIN (error ${err.code}: ${firstLine(err.message)}); see "Connecting your directory" in the README`);
      throw err;
    }
  },

  async unlock(connection, found, afterReset) {
    // Read afresh: the entry found before a reset may predate a lockout cleared by it.
    const { searchEntries } = await connection.run((c) => c.search(found.dn, { scope: 'base', attributes: ['lockoutTime', 'msDS-User-Account-Control-Computed'] }), { retry: true });
    const entry = searchEntries[0] ?? found.entry;
    const lockoutTime = number(entry['lockoutTime']) ?? 0;
    const locked = ((number(entry['msDS-User-Account-Control-Computed']) ?? 0) & UF_LOCKOUT) !== 0;
    if (lockoutTime === 0) return 'not-locked' satisfies UnlockOutcome;
    await connection.run((c) => c.modify(found.dn, new Change({ operation: 'replace', modification: new Attribute({ type: 'lockoutTime', values: ['0'] }) })));
    return locked || afterReset ? 'unlocked' : 'not-locked';
  },

  async pinRules(connection) {
    const cached = rules.get(connection);
    if (cached && Date.now() - cached.at < RULES_TTL_MS) return cached.rules;
    const read = (async (): Promise<PublishedPinRules> => {
      const { domainDn, policyHints } = await serverFacts(connection);
      if (!domainDn) return {};
      const { searchEntries } = await connection.run((c) => c.search(domainDn, { scope: 'base', attributes: ['minPwdLength', 'pwdProperties', 'pwdHistoryLength'] }), { retry: true });
      const domain = searchEntries[0] ?? { dn: '' };
      const minLength = number(domain['minPwdLength']);
      const properties = number(domain['pwdProperties']) ?? 0;
      const history = number(domain['pwdHistoryLength']) ?? 0;
      return {
        ...(minLength ? { minLength } : {}),
        ...((properties & DOMAIN_PASSWORD_COMPLEX) !== 0 ? { complexity: true } : {}),
        // Without the policy-hints control an administrator's reset does not check the history, so it is not promised.
        ...(policyHints && history > 0 ? { history } : {}),
      };
    })();
    rules.set(connection, { at: Date.now(), rules: read });
    read.catch(() => rules.delete(connection));
    return read;
  },

  async diagnose(connection, settings, found, say) {
    const { policyHints } = await serverFacts(connection);
    say(
      policyHints
        ? `Password history on a reset: checked (the server supports the policy-hints control ${policyHints}).`
        : 'Password history on a reset: NOT checked: this server has no policy-hints control (Samba has none), so a reset may set a recent PIN again.',
    );
    const published = await this.pinRules(connection, found);
    say(`Published rules: ${describeRules(published)}.`);
    if (!found) {
      say('Reset rights: give a UID (directory check UID) to check them on that account.');
      return undefined;
    }
    const { searchEntries } = await connection.run((c) =>
      c.search(found.dn, { scope: 'base', attributes: ['allowedAttributesEffective', 'nTSecurityDescriptor'], explicitBufferAttributes: ['nTSecurityDescriptor'] }, new SecurityDescriptorFlagsControl(4)),
    );
    const entry = searchEntries[0] ?? { dn: '' };
    const writable = ([] as unknown[]).concat(entry['allowedAttributesEffective'] ?? []).map((a) => String(a).toLowerCase());
    const descriptor = ([] as unknown[]).concat(entry['nTSecurityDescriptor'] ?? [])[0];
    const sids = await serviceAccountSids(connection, settings.bindDn);
    const resetRight = Buffer.isBuffer(descriptor) && sids.length > 0 ? grantsControlAccess(descriptor, sids, RESET_PASSWORD_RIGHT) : undefined;
    const canReset = writable.includes('unicodepwd') || resetRight === true;
    say(
      canReset
        ? `Reset rights on ${found.dn}: the service account may reset the PIN (${writable.includes('unicodepwd') ? 'unicodePwd is in allowedAttributesEffective' : 'it holds the Reset Password right'}).`
        : `Reset rights on ${found.dn}: the service account may NOT reset the PIN (unicodePwd is not in allowedAttributesEffective${resetRight === false ? ', and it holds no Reset Password right' : resetRight === undefined ? ', and its security descriptor could not be read' : ''}). Delegate Reset Password on the users' OU.`,
    );
    const canUnlock = writable.includes('lockouttime');
    say(canUnlock ? 'Unlock rights: lockoutTime is writable.' : `Unlock rights: lockoutTime is NOT writable: delegate "Write lockoutTime" on the users' OU${settings.unlockOnReset ? ' (LDAP_UNLOCK_ON_RESET is on)' : ''}.`);
    if (!canReset) return 'the service account may not reset PINs on this account';
    return canUnlock ? undefined : 'the service account may not clear lockouts (write lockoutTime) on this account';
  },
};

/** The SIDs an access check counts for the service account: its own, its groups', Everyone and Authenticated Users. */
async function serviceAccountSids(connection: LdapConnection, bindDn: string): Promise<Buffer[]> {
  try {
    // A UPN or DOMAIN\name bind DN is found by the server's own notion of who we are.
    const base = /=/.test(bindDn) ? bindDn : undefined;
    const entries = base
      ? (await connection.run((c) => c.search(base, { scope: 'base', attributes: ['objectSid', 'tokenGroups'], explicitBufferAttributes: ['objectSid', 'tokenGroups'] }))).searchEntries
      : [];
    const entry = entries[0];
    if (!entry) return [];
    const sids = ([] as unknown[]).concat(entry['objectSid'] ?? [], entry['tokenGroups'] ?? []).filter(Buffer.isBuffer);
    return [...sids, Buffer.from('010100000000000100000000', 'hex'), Buffer.from('01010000000000050b000000', 'hex')];
  } catch {
    return [];
  }
}

export function describeRules(published: PublishedPinRules): string {
  const parts = [
    published.minLength ? `at least ${published.minLength} characters` : undefined,
    published.complexity ? 'complexity on (three of capitals, small letters, digits, symbols; not the account name)' : undefined,
    published.history ? `not one of the last ${published.history}` : undefined,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join('; ') : 'none published';
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.slice(0, 300);
}

/**
 * Which rule AD applied. Samba says it in words; Windows says only 0000052D, so the published
 * rules decide: too short, then complexity, then the history (with policy hints), else unnamed.
 */
export function adRefusal(message: string, pin: string, published: PublishedPinRules, account: Account): DirectoryRefusal {
  if (/too short/i.test(message)) return 'too-short';
  if (/complexity/i.test(message)) return 'complexity';
  if (/history/i.test(message)) return 'history';
  if (/too young|minimum password age|too recent/i.test(message)) return 'too-young';
  if (published.minLength && [...pin].length < published.minLength) return 'too-short';
  if (published.complexity && !meetsAdComplexity(pin, account)) return 'complexity';
  if (published.history) return 'history';
  return 'other';
}

/**
 * AD's "passwords must meet complexity requirements": not the account name, nor a part of the
 * display name three or more characters long; characters from three of capitals, small letters,
 * digits, symbols and other letters.
 */
export function meetsAdComplexity(pin: string, account: Pick<Account, 'uid' | 'name'>): boolean {
  const lower = pin.toLowerCase();
  if (account.uid.length > 2 && lower.includes(account.uid.toLowerCase())) return false;
  for (const part of account.name.split(/[,.\-_#\t ]+/)) {
    if (part.length >= 3 && lower.includes(part.toLowerCase())) return false;
  }
  const kinds = [/\p{Lu}/u, /\p{Ll}/u, /\p{Nd}/u, /[^\p{L}\p{N}\s]/u, /[\p{Lo}\p{Lt}\p{Lm}]/u].filter((re) => re.test(pin)).length;
  return kinds >= 3;
}

