import type { DeskTables } from './deskStore.js';

/**
 * The store: named tables of JSON records with a primary key and secondary indexes.
 * Kept narrow so that a PostgreSQL store can implement it. Every write resolves only once it is durable.
 */
export interface Table<T> {
  get(key: string): Promise<T | undefined>;
  /** Records whose index `index` has the value `value` (indexes are declared by the store). */
  findBy(index: string, value: string): Promise<T[]>;
  put(record: T): Promise<void>;
  delete(key: string): Promise<void>;
  /** Records whose key matches a predicate; for maintenance jobs and the admin CLI, never on a turn's path. */
  scan(predicate: (record: T) => boolean): Promise<T[]>;
}

/** Who set a PIN: the user (the PIN page), the service desk (`accounts set-pin`), or an `accounts import`. */
export type PinSetter = 'user' | 'service-desk' | 'import';

export interface AccountRecord {
  uid: string;
  name: string;
  email: string;
  upn?: string;
  aadObjectId?: string;
  /** scrypt$N$r$p$salt$hash, see src/domain/pinHash.ts. */
  pinHash?: string;
  /** When the PIN was last set, and by whom; absent on records from before these were kept (taken as set by an import). */
  pinSetAt?: number;
  pinSetBy?: PinSetter;
  createdAt: number;
  updatedAt: number;
}

export interface ContactRecord {
  uid: string;
  /** Alternate (non-institutional) email, verified. */
  email?: string;
  /** Mobile number in E.164, verified. */
  mobile?: string;
  /** 'self' when the user verified it with the bot; 'import' when it came from the two-factor registrations. */
  source: 'self' | 'import';
  verifiedAt: number;
  updatedAt: number;
  /**
   * Tombstones of contacts erased with `contacts delete`: an HMAC under the server key of each
   * erased value (never the value), so a later import cannot bring one back. A record holding only
   * these has no contacts.
   */
  erased?: string[];
  /** When contacts were last erased. */
  erasedAt?: number;
}

export type ChallengePurpose = 'identity' | 'alt-email' | 'mobile' | 'reset-sms' | 'unlock-sms';

/** A one-time code sent to the user. The code itself is never stored, only its HMAC. */
export interface ChallengeRecord {
  id: string;
  uid: string;
  purpose: ChallengePurpose;
  channel: 'email' | 'sms';
  /** Where the code went (the address or number being verified). */
  target: string;
  codeMac: string;
  createdAt: number;
  expiresAt: number;
  wrongTries: number;
  status: 'open' | 'used' | 'dead' | 'revoked';
  /** 'none': nothing was sent (unknown account or no contact), kept so replies look the same. */
  delivery: 'pending' | 'sent' | 'failed' | 'none';
}

/** A one-time link to the PIN page (or, with purpose `unlock`, to the unlock page). Only the SHA-256 of the token is stored. */
export interface LinkRecord {
  tokenHash: string;
  uid: string;
  purpose: 'reset-pin' | 'unlock';
  /** How the user proved control: the emailed link itself, or an SMS code. */
  via: 'email' | 'sms';
  createdAt: number;
  expiresAt: number;
  status: 'open' | 'used' | 'revoked';
  delivery: 'pending' | 'sent' | 'failed' | 'none';
  /** New PINs refused by the policy on this link; each may have been compared with the current PIN. */
  rejectedPins?: number;
}

/**
 * Counters for rate limits; key is `account:<uid>`, `dest:<address or number>`, `sms-inbound:<number>`
 * (sliding hourly windows over `sends`) or `sms-outbound:all` (a fixed window, `clockHour`).
 */
export interface ThrottleRecord {
  key: string;
  /** Times of recent sends, newest last, kept for a day (an hour for hourly-only keys). */
  sends: number[];
  consecutiveFailures: number;
  pausedUntil?: number;
  /** When the current run of refusals began (its first refusal is the one audited); a sliding window ends the run at the next counted event, a fixed window at the next clock hour. */
  refusedAt?: number;
  /** A fixed-window count: events counted in the clock hour starting at `start` (ms since the epoch). */
  clockHour?: { start: number; count: number };
  updatedAt: number;
}

/** Bot Framework conversation and user state, stored as the SDK gives it. */
export interface BotStateRecord {
  key: string;
  eTag: string;
  value: Record<string, unknown>;
  updatedAt: number;
}

/** A number that texted STOP (or the like): nothing is sent to it until it texts START. */
/** Things a person chose, kept apart from the directory (an LDAP directory will not hold them). */
export interface PreferenceRecord {
  uid: string;
  /** The language they chose, as a catalog language (`en`, `zh-hk`). */
  language: string;
  updatedAt: number;
}

export interface SmsOptOutRecord {
  /** E.164. */
  number: string;
  optedOutAt: number;
}

/** A Twilio MessageSid already handled, kept so a replayed webhook does nothing. */
export interface SmsDeliveryRecord {
  sid: string;
  expiresAt: number;
}

/** The service desk's tables (hand-off cases, reminders...) are declared in ./deskStore.ts. */
export interface Store extends DeskTables {
  readonly accounts: Table<AccountRecord>;
  readonly contacts: Table<ContactRecord>;
  readonly challenges: Table<ChallengeRecord>;
  readonly links: Table<LinkRecord>;
  readonly throttles: Table<ThrottleRecord>;
  readonly botState: Table<BotStateRecord>;
  readonly preferences: Table<PreferenceRecord>;
  readonly smsOptOuts: Table<SmsOptOutRecord>;
  readonly smsDeliveries: Table<SmsDeliveryRecord>;
  /** Waits for pending writes and releases the store. */
  close(): Promise<void>;
}
