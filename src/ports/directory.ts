import type { PinSetter } from './store.js';

/** A portal account as the directory knows it. Never carries the PIN or its hash. */
export interface Account {
  uid: string;
  name: string;
  /** Institutional email address on file. */
  email: string;
  upn?: string;
  aadObjectId?: string;
  /**
   * Two-factor contacts the directory itself holds (LDAP_MOBILE_ATTRIBUTE, LDAP_ALT_EMAIL_ATTRIBUTE),
   * already normalised: they count as verified, imported contacts.
   */
  contacts?: { email?: string; mobile?: string };
}

/**
 * Why the directory refused a new PIN under its own policy, each with its own sentence on the
 * PIN page: too short, not complex enough (AD), not good enough for the quality check (OpenLDAP),
 * one of the account's recent PINs (or the current one), changed too recently, or a rule the
 * directory did not name.
 */
export type DirectoryRefusal = 'too-short' | 'complexity' | 'quality' | 'history' | 'too-young' | 'other';

export const DIRECTORY_REFUSALS: readonly DirectoryRefusal[] = ['too-short', 'complexity', 'quality', 'history', 'too-young', 'other'];

/** The directory refused the PIN under its own policy; nothing was changed. */
export class PinRefusedError extends Error {
  constructor(
    readonly refusal: DirectoryRefusal,
    /** What the directory said, for the operator's log (it never contains the PIN). */
    readonly detail: string,
  ) {
    super(`The directory refused the new PIN (${refusal})`);
    this.name = 'PinRefusedError';
  }
}

/**
 * The directory could not be reached or answered too slowly, or refused the service account
 * itself (rights, TLS): nothing was changed, and the user should try again later. `reason` is
 * for the operator's log and never holds a secret.
 */
export class DirectoryUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(`The account directory is unavailable: ${reason}`);
    this.name = 'DirectoryUnavailableError';
  }
}

/** The rules the directory publishes for new PINs (AD: minPwdLength, pwdProperties, pwdHistoryLength on the domain). */
export interface PublishedPinRules {
  minLength?: number;
  /** AD complexity: three of capitals, small letters, digits and symbols, and not the account name. */
  complexity?: boolean;
  /** How many earlier PINs may not be used again (only where the directory checks them on a reset). */
  history?: number;
}

export interface DirectoryHealth {
  kind: DirectoryKind;
  /** `unknown` until the first operation (LDAP); the embedded directory is always `up` while the store is open. */
  state: 'up' | 'down' | 'unknown';
  /** When the state last changed (ms since the epoch). */
  since?: number;
}

export type DirectoryKind = 'embedded' | 'ad' | 'openldap';

/** `not-locked` when there was no lockout to clear; `unsupported` where the directory has no lockout (embedded). */
export type UnlockOutcome = 'unlocked' | 'not-locked' | 'unsupported';

/** What `directory check` prints: one line per finding, and the problem that stops resets from working, if any (exit 2). */
export interface DirectoryReport {
  lines: string[];
  problem?: string;
}

/**
 * The portal's account directory: the embedded one in the store, or Active Directory / OpenLDAP.
 * Lookups are exact after normalisation (uid trimmed and lower-cased; UPN and email lower-cased).
 * Every method may throw DirectoryUnavailableError; setPin may throw PinRefusedError.
 */
export interface Directory {
  readonly kind: DirectoryKind;
  /**
   * Whether `checkPin` can compare a PIN without a logon attempt (the embedded directory's hashes).
   * An LDAP directory cannot: a bind with a wrong PIN counts toward the account's lockout.
   */
  readonly comparesPins: boolean;
  /** Whether accounts can be locked out by failed logons (and so unlocked). */
  readonly locksOut: boolean;
  findByUid(uid: string): Promise<Account | undefined>;
  /** Matches a signed-in user's UPN or email against accounts' `upn` or `email`. */
  findByLogin(upnOrEmail: string): Promise<Account | undefined>;
  findByAadObjectId(objectId: string): Promise<Account | undefined>;
  /**
   * Whether `pin` is the account's current PIN. False for unknown accounts or accounts without a PIN.
   * Only where `comparesPins`; elsewhere it throws rather than make a logon attempt.
   */
  checkPin(uid: string, pin: string): Promise<boolean>;
  /**
   * Sets the PIN durably (and, on LDAP with LDAP_UNLOCK_ON_RESET, clears a lockout); resolves only
   * once it is saved. `by`: who set it (default the user, on the PIN page).
   */
  setPin(uid: string, pin: string, by?: PinSetter): Promise<void>;
  /** Clears a lockout without changing the PIN. */
  unlock(uid: string): Promise<UnlockOutcome>;
  /** The directory's own rules for new PINs, where it publishes them; empty where it does not. */
  pinRules(uid: string): Promise<PublishedPinRules>;
  /** The last known state, without a network call (for /healthz). */
  health(): DirectoryHealth;
  /** The operator's check (`directory check [UID]`): how the service account connects and, with a UID, how that account is found. */
  diagnose(uid?: string): Promise<DirectoryReport>;
  close(): Promise<void>;
  /**
   * Every account, in no set order: for the coverage report and the registration campaign, never on
   * a turn's path. Optional: without it those two commands say the directory cannot list accounts.
   */
  listAccounts?(): AsyncIterable<Account>;
}
