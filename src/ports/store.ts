import type { DeskTables } from './deskStore.js';

/**
 * The store: named tables of records, each with a primary key and secondary indexes. Two adapters
 * implement it: lowdb (embedded, one process per DATA_DIR) and PostgreSQL (any number of instances
 * on one database). Every rule that guards codes, links, limits and state is one atomic operation
 * of this port (`update`, `insert`, `putIfVersion`, `countInClockHour`, `purge`), so it holds
 * whichever instance runs it; no rule may depend on an in-process lock. The domain decides what
 * each rule is; the store makes each step atomic. Every write resolves only once it is durable.
 *
 * A new record type: its interface here, a table in `Store`, then in each adapter one line
 * (lowStore.ts: a TableSpec with its zod schema in records.ts; postgres/tables.ts: a PgTableSpec,
 * which the compiler holds to every field) and, for PostgreSQL, a numbered migration.
 */

/** What an update decides about the record it was shown. */
export interface Decision<T, R> {
  /** The record to store (under the same key), or `null` to delete it; absent: leave it as it is. */
  next?: T | null;
  /** What `update` resolves with. */
  answer: R;
}

/** Names of a record's fields that hold numbers (times, counts) or lists of numbers. */
export type NumberField<T> = { [K in keyof T]-?: NonNullable<T[K]> extends number | number[] ? K : never }[keyof T];

/** A purge condition: each named field is absent from the record, or at most the given value (a list: every number in it). */
export type AtMost<T> = Partial<Record<NumberField<T>, number>>;

export interface Table<T> {
  get(key: string): Promise<T | undefined>;
  /** The records of several keys in one lookup, in the order asked (undefined where there is none). */
  getMany(keys: readonly string[]): Promise<(T | undefined)[]>;
  /** Records whose index `index` has the value `value` (indexes are declared by the store). */
  findBy(index: string, value: string): Promise<T[]>;
  /** Stores a new record; resolves false, writing nothing, if one with its key exists. */
  insert(record: T): Promise<boolean>;
  /** Stores the record, replacing any with its key. */
  put(record: T): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * One atomic read-modify-write: `decide` is shown the current record (a copy; undefined if there
   * is none) and says what to store and what to answer, and no other write to that record, from any
   * instance, comes in between. `decide` must be synchronous and have no side effects: on PostgreSQL
   * it runs again, on the newer record, when another instance changed it first.
   */
  update<R>(key: string, decide: (current: T | undefined) => Decision<T, R>): Promise<R>;
  /**
   * Deletes, atomically, every record matching `atMost` (see AtMost); resolves with how many.
   * `keepAbsent`: a record without one of the named fields does not match (it is kept).
   */
  purge(atMost: AtMost<T>, options?: { keepAbsent?: boolean }): Promise<number>;
  /** Every record: for the admin CLI, copies and tests, never on a turn's path. */
  all(): Promise<T[]>;
  count(): Promise<number>;
}

/**
 * The rate-limit counters. The service-wide count of SMS in the clock hour is one record that every
 * instance counts at once, so counting it is one statement, not a read-decide-write: a busy counter
 * then never makes its writers retry or queue behind a lock.
 */
export interface ThrottleTable extends Table<ThrottleRecord> {
  /**
   * Counts one event under `key` in the clock hour starting at `hourStart` (ThrottleRecord.clockHour),
   * in one atomic step, unless `limit` are counted in that hour already (`force`: counted anyway).
   * A record of an earlier hour starts the count afresh; a record without a clock hour (written
   * before they were counted) starts it with its `sends` of the hour before `now`. Counting empties
   * `sends`, sets `updatedAt` to `now` and drops a `refusedAt` older than the hour; a refusal
   * changes nothing. Resolves with whether the event was counted.
   */
  countInClockHour(key: string, hourStart: number, limit: number, force: boolean, now: number): Promise<boolean>;
}

/** A table whose records carry a version (BotStateRecord.eTag) that writes can be made conditional on. */
export interface VersionedTable<T> extends Table<T> {
  /** Compare-and-set: stores `record` if nothing is stored under its key or the stored version is `ifVersion`; false, writing nothing, otherwise. */
  putIfVersion(record: T, ifVersion: string): Promise<boolean>;
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
  /** The version: a new one on every write (see VersionedTable). */
  eTag: string;
  value: Record<string, unknown>;
  updatedAt: number;
}

/** Things a person chose, kept apart from the directory (an LDAP directory will not hold them). */
export interface PreferenceRecord {
  uid: string;
  /** The language they chose, as a catalog language (`en`, `zh-hk`). */
  language: string;
  updatedAt: number;
}

/** A number that texted STOP (or the like): nothing is sent to it until it texts START. */
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

export interface StoreHealth {
  ok: boolean;
  /** What is wrong, for /healthz and the log: names the database, never a password. */
  problem?: string;
}

/** Events every instance on one store hears (PostgreSQL's LISTEN/NOTIFY); the sender does not hear its own. */
export interface Broadcast {
  publish(topic: string, message: string): Promise<void>;
  subscribe(topic: string, listener: (message: string) => void): void;
}

/** The service desk's tables (hand-off cases, reminders...) are declared in ./deskStore.ts. */
export interface Store extends DeskTables {
  readonly kind: 'lowdb' | 'postgres';
  readonly accounts: Table<AccountRecord>;
  readonly contacts: Table<ContactRecord>;
  readonly challenges: Table<ChallengeRecord>;
  readonly links: Table<LinkRecord>;
  readonly throttles: ThrottleTable;
  readonly botState: VersionedTable<BotStateRecord>;
  readonly preferences: Table<PreferenceRecord>;
  readonly smsOptOuts: Table<SmsOptOutRecord>;
  readonly smsDeliveries: Table<SmsDeliveryRecord>;
  /** Present where several instances share the store. */
  readonly broadcast?: Broadcast;
  /**
   * Runs `task` unless a task of that name runs now on another instance (then resolves undefined
   * without running it): maintenance, such as the purge, that one instance at a time is enough for.
   */
  runAlone<T>(name: string, task: () => Promise<T>): Promise<T | undefined>;
  /** Whether the store can take reads and writes now. */
  health(): Promise<StoreHealth>;
  /** Waits for pending writes and releases the store. */
  close(): Promise<void>;
}

/**
 * The store cannot be reached now (PostgreSQL down, a connection lost): the user is asked to try
 * again in a few minutes and nothing is changed; the store recovers by itself when it is back.
 */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** Whether `err` is, or wraps (as botbuilder-dialogs wraps a dialog's errors, in `error`, or as `cause`), a StoreUnavailableError. */
export function isStoreUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; depth++) {
    if (e.name === 'StoreUnavailableError') return true;
    e = (e as { error?: unknown }).error ?? e.cause;
  }
  return false;
}
