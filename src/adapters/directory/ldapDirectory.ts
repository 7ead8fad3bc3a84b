import { ResultCodeError, type Entry } from 'ldapts';
import type { Clock } from '../../ports/clock.js';
import { DirectoryUnavailableError, type Account, type Directory, type DirectoryHealth, type DirectoryReport, type PublishedPinRules, type UnlockOutcome } from '../../ports/directory.js';
import type { Logger } from '../../ports/logger.js';
import { maskEmail, maskMobile, normalizeEmail, normalizeMobile, normalizeUid } from '../../domain/contactFormats.js';
import { LdapConnection, describe, type LdapConnectionSettings } from './ldapConnection.js';
import { equals } from './ldapEscape.js';
import { activeDirectory } from './activeDirectory.js';
import { openLdap } from './openLdap.js';

export interface LdapSettings extends LdapConnectionSettings {
  baseDn: string;
  /** ANDed into every account search (LDAP_USER_FILTER). */
  userFilter?: string;
  attributes: { uid: string; mail: string; upn: string; name: string; mobile?: string; altEmail?: string };
  unlockOnReset: boolean;
  /** DEFAULT_PHONE_REGION: the country of a mobile attribute written without a country code. */
  phoneRegion?: string;
}

/** An account as found in the directory: its DN and entry beside what the bot uses. */
export interface LdapAccount {
  dn: string;
  account: Account;
  entry: Entry;
}

/** What differs between Active Directory and OpenLDAP: writing the PIN, lockouts, published rules, the rights check. */
export interface LdapDialect {
  /** Attributes read with every account, beyond the configured ones. */
  readonly extraAttributes: readonly string[];
  /** Sets the PIN as the service account; throws PinRefusedError for a policy refusal. */
  setPin(connection: LdapConnection, found: LdapAccount, pin: string): Promise<void>;
  /** Clears a lockout; `afterReset` when a PIN was just set (which may have cleared it already). */
  unlock(connection: LdapConnection, found: LdapAccount, afterReset: boolean): Promise<UnlockOutcome>;
  pinRules(connection: LdapConnection, found: LdapAccount | undefined): Promise<PublishedPinRules>;
  /** Adds the dialect's findings to `directory check`; returns what stops resets from working, if anything. */
  diagnose(connection: LdapConnection, settings: LdapSettings, found: LdapAccount | undefined, say: (line: string) => void): Promise<string | undefined>;
}

const first = (value: Entry[string] | undefined): string | undefined => {
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined ? undefined : Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
};
const all = (value: Entry[string] | undefined): string[] => (value === undefined ? [] : (Array.isArray(value) ? value : [value]).map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v))));

/**
 * The account directory in Active Directory or OpenLDAP (DIRECTORY=ldap), through ldapts. Accounts
 * are read from LDAP_BASE_DN; the new PIN is written there, as the service account, over one
 * shared TLS connection. Every value put in a filter is escaped (RFC 4515); a UID that is not
 * UID-shaped is never looked up. The PIN is never compared by a bind: a wrong one would count
 * toward the account's lockout.
 */
export class LdapDirectory implements Directory {
  readonly comparesPins = false;
  readonly locksOut = true;
  readonly kind: 'ad' | 'openldap';
  private readonly connection: LdapConnection;
  private readonly dialect: LdapDialect;

  constructor(
    private readonly settings: LdapSettings,
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {
    this.kind = settings.kind;
    this.connection = new LdapConnection(settings, logger, clock);
    this.dialect = settings.kind === 'ad' ? activeDirectory : openLdap;
  }

  async findByUid(uid: string): Promise<Account | undefined> {
    return (await this.lookUpUid(this.connection, uid))?.account;
  }

  async findByLogin(upnOrEmail: string): Promise<Account | undefined> {
    const login = normalizeEmail(upnOrEmail)?.toLowerCase();
    if (!login) return undefined;
    const { upn, mail } = this.settings.attributes;
    return (await this.findOne(this.connection, `(|${equals(upn, login)}${upn === mail ? '' : equals(mail, login)})`))?.account;
  }

  /** An Entra object id is not an on-premises attribute: Teams users are matched on their UPN instead. */
  async findByAadObjectId(): Promise<Account | undefined> {
    return undefined;
  }

  async checkPin(): Promise<boolean> {
    throw new Error('An LDAP directory cannot check a PIN without a logon attempt, which would count toward the account lockout.');
  }

  async setPin(uid: string, pin: string): Promise<void> {
    const found = await this.lookUpUid(this.connection, uid);
    if (!found) throw new Error('No such account');
    await this.dialect.setPin(this.connection, found, pin);
    if (!this.settings.unlockOnReset) return;
    try {
      await this.dialect.unlock(this.connection, found, true);
    } catch (err) {
      // The PIN is set; a lockout left in place is the operator's to see, not a failed reset.
      this.logger.warn({ directory: this.kind, uid: found.account.uid, reason: describe(err) }, 'the PIN was set, but clearing the lockout failed');
    }
  }

  async unlock(uid: string): Promise<UnlockOutcome> {
    const found = await this.lookUpUid(this.connection, uid);
    if (!found) throw new Error('No such account');
    return this.rightsOrUnavailable(() => this.dialect.unlock(this.connection, found, false));
  }

  async pinRules(uid: string): Promise<PublishedPinRules> {
    const found = await this.lookUpUid(this.connection, uid);
    return this.dialect.pinRules(this.connection, found);
  }

  health(): DirectoryHealth {
    return this.connection.health();
  }

  close(): Promise<void> {
    return this.connection.close();
  }

  /** `directory check`: a connection of its own, so it tests the configuration as it is now. */
  async diagnose(uid?: string): Promise<DirectoryReport> {
    const lines: string[] = [];
    const say = (line: string) => lines.push(line);
    const fail = (problem: string): DirectoryReport => (lines.push(`${problem}.`), { lines, problem });
    const connection = new LdapConnection(this.settings, this.logger, this.clock, false);
    try {
      say(`Directory: ${this.kind === 'ad' ? 'Active Directory' : 'OpenLDAP'} at ${this.settings.url}, as ${this.settings.bindDn}.`);
      let root: Entry;
      try {
        root = await connection.run(async (c) => (await c.search('', { scope: 'base', attributes: ['vendorName', 'vendorVersion', 'dnsHostName', 'defaultNamingContext', 'namingContexts'] })).searchEntries[0] ?? { dn: '' });
      } catch (err) {
        return fail(`Cannot connect and bind: ${err instanceof DirectoryUnavailableError ? err.reason : describe(err)}`);
      }
      const tlsInfo = connection.tlsInUse();
      if (tlsInfo) {
        say(`TLS: ${tlsInfo.protocol}, ${tlsInfo.cipher}${tlsInfo.startTls ? ' (StartTLS on ldap://)' : ' (ldaps://)'}; certificate ${tlsInfo.subject}, issued by ${tlsInfo.issuer}, valid until ${tlsInfo.validTo}.`);
      }
      const vendor = [first(root['vendorName']), first(root['vendorVersion'])].filter(Boolean).join(' ');
      say(`Server: ${[vendor, first(root['dnsHostName'])].filter(Boolean).join(', ') || 'answered'}; bound as the service account.`);
      try {
        await connection.run((c) => c.search(this.settings.baseDn, { scope: 'base', attributes: ['1.1'] }));
        say(`Base DN ${this.settings.baseDn}: found.`);
      } catch (err) {
        return fail(`Base DN ${this.settings.baseDn}: ${err instanceof ResultCodeError && err.code === 32 ? 'no such entry' : describe(err)}; check LDAP_BASE_DN`);
      }
      let found: LdapAccount | undefined;
      if (uid !== undefined) {
        const normalized = normalizeUid(uid);
        if (!normalized) {
          return fail(`"${uid}" is not UID-shaped (letters, digits, dot, dash, underscore), so the bot never looks it up`);
        }
        say(`Account search: base ${this.settings.baseDn}, scope subtree, filter ${this.uidFilter(normalized)}.`);
        const matches = await this.search(connection, this.uidFilter(normalized));
        if (matches.length !== 1) {
          return fail(matches.length === 0 ? `No account ${normalized}: nothing matches (disabled accounts are left out by LDAP_USER_FILTER on AD)` : `${matches.length} entries match ${normalized}; the bot needs exactly one, so it treats the UID as unknown: ${matches.map((m) => m.dn).join('; ')}`);
        }
        found = this.toLdapAccount(matches[0]!);
        if (!found) {
          return fail(`${matches[0]!.dn} matches, but it has no usable ${this.settings.attributes.uid} or ${this.settings.attributes.mail}, so the bot cannot use it`);
        }
        const { account } = found;
        say(`Found ${found.dn}.`);
        say(`The bot would use: UID ${account.uid}, name ${account.name}, institutional email ${maskEmail(account.email)}, UPN ${account.upn ?? '(none)'}.`);
        const contacts = [account.contacts?.email && `email ${maskEmail(account.contacts.email)}`, account.contacts?.mobile && `mobile ${maskMobile(account.contacts.mobile)}`].filter(Boolean);
        if (this.settings.attributes.mobile || this.settings.attributes.altEmail) say(`Contacts from the directory's attributes: ${contacts.length > 0 ? contacts.join(', ') : '(none)'}.`);
      }
      const problem = await this.dialect.diagnose(connection, this.settings, found, say);
      return problem ? { lines, problem } : { lines };
    } catch (err) {
      return fail(`The check failed: ${err instanceof DirectoryUnavailableError ? err.reason : describe(err)}`);
    } finally {
      await connection.close();
    }
  }

  private uidFilter(uid: string): string {
    return `(&${equals(this.settings.attributes.uid, uid)}${this.settings.userFilter ?? ''})`;
  }

  private async lookUpUid(connection: LdapConnection, uid: string): Promise<LdapAccount | undefined> {
    // A UID of the wrong shape (`*`, `)(`, control characters) is refused before any lookup.
    const normalized = normalizeUid(uid);
    if (!normalized) return undefined;
    return this.findOne(connection, equals(this.settings.attributes.uid, normalized));
  }

  private async findOne(connection: LdapConnection, filter: string): Promise<LdapAccount | undefined> {
    const matches = await this.search(connection, `(&${filter}${this.settings.userFilter ?? ''})`);
    if (matches.length > 1) {
      this.logger.warn({ directory: this.kind, matches: matches.length }, 'several directory entries match one account; treated as unknown');
      return undefined;
    }
    return matches[0] && this.toLdapAccount(matches[0]);
  }

  private async search(connection: LdapConnection, filter: string): Promise<Entry[]> {
    const { attributes } = this.settings;
    const wanted = [attributes.uid, attributes.mail, attributes.upn, attributes.name, attributes.mobile, attributes.altEmail, ...this.dialect.extraAttributes].filter((a): a is string => Boolean(a));
    try {
      const result = await connection.run((c) => c.search(this.settings.baseDn, { scope: 'sub', filter, attributes: [...new Set(wanted)], sizeLimit: 2 }), { retry: true });
      return result.searchEntries;
    } catch (err) {
      // More than one match: the server stops at the size limit.
      if (err instanceof ResultCodeError && err.code === 4) return [{ dn: '' }, { dn: '' }];
      throw err instanceof ResultCodeError ? new DirectoryUnavailableError(`the account search failed (error ${err.code}: ${err.message})`) : err;
    }
  }

  /** The entry as an account, through the same normalisers as typed input; undefined when it lacks a usable UID or email. */
  private toLdapAccount(entry: Entry): LdapAccount | undefined {
    const { attributes } = this.settings;
    const uid = normalizeUid(first(entry[attributes.uid]) ?? '');
    const email = normalizeEmail(first(entry[attributes.mail]) ?? '');
    if (!uid || !email) return undefined;
    const upn = normalizeEmail(first(entry[attributes.upn]) ?? '')?.toLowerCase();
    const mobile = attributes.mobile ? all(entry[attributes.mobile]).map((value) => normalizeMobile(value, this.settings.phoneRegion)).find(Boolean) : undefined;
    const altEmail = attributes.altEmail ? all(entry[attributes.altEmail]).map(normalizeEmail).find(Boolean) : undefined;
    const account: Account = { uid, name: first(entry[attributes.name]) ?? uid, email };
    if (upn) account.upn = upn;
    if (mobile || altEmail) account.contacts = { ...(altEmail ? { email: altEmail } : {}), ...(mobile ? { mobile } : {}) };
    return { dn: entry.dn, account, entry };
  }

  /** The service account lacking a right is the operator's problem: for the user, the directory is unavailable. */
  private async rightsOrUnavailable<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof ResultCodeError) throw new DirectoryUnavailableError(`the directory refused the service account (error ${err.code}: ${err.message})`);
      throw err;
    }
  }
}
