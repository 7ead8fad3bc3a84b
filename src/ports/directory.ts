import type { PinSetter } from './store.js';

/** A portal account as the directory knows it. Never carries the PIN or its hash. */
export interface Account {
  uid: string;
  name: string;
  /** Institutional email address on file. */
  email: string;
  upn?: string;
  aadObjectId?: string;
}

/** An account as the directory lists it, with any contacts the directory itself holds. */
export interface ListedAccount extends Account {
  /** Contacts kept in the directory (LDAP attributes such as mobile); the embedded directory holds none. */
  directoryContacts?: { email?: string; mobile?: string };
}

/**
 * The portal's account directory. The embedded one lives in the store; an LDAP one can replace it.
 * Lookups are exact after normalisation (uid trimmed and lower-cased; UPN and email lower-cased).
 */
export interface Directory {
  findByUid(uid: string): Promise<Account | undefined>;
  /** Matches a signed-in user's UPN or email against accounts' `upn` or `email`. */
  findByLogin(upnOrEmail: string): Promise<Account | undefined>;
  findByAadObjectId(objectId: string): Promise<Account | undefined>;
  /** Whether `pin` is the account's current PIN. False for unknown accounts or accounts without a PIN. */
  checkPin(uid: string, pin: string): Promise<boolean>;
  /** Sets the PIN durably; resolves only once it is saved. `by`: who set it (default the user, on the PIN page). */
  setPin(uid: string, pin: string, by?: PinSetter): Promise<void>;
  /**
   * Every account, in no set order: for the coverage report and the registration campaign, never on
   * a turn's path. Optional: without it those two commands say the directory cannot list accounts.
   */
  listAccounts?(): AsyncIterable<ListedAccount>;
}
