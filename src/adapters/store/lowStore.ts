import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { AccountRecord, AtMost, BotStateRecord, ChallengeRecord, ContactRecord, Decision, LinkRecord, PreferenceRecord, SmsDeliveryRecord, SmsOptOutRecord, Store, StoreHealth, Table, ThrottleRecord, ThrottleTable, VersionedTable } from '../../ports/store.js';
import type { ContactConfirmationRecord, ConversationRefRecord, DeskCounterRecord, HandoffCaseRecord, ReminderRecord } from '../../ports/deskStore.js';
import { JournalDb, type TableSpec } from './journalDb.js';
import { contactConfirmationSchema, conversationRefSchema, deskCounterSchema, handoffCaseSchema, reminderSchema } from './deskRecords.js';
import { DataDirLock } from './lock.js';
import { accountSchema, botStateSchema, challengeSchema, contactSchema, linkSchema, looksLikeAccount, looksLikeContact, smsDeliverySchema, preferenceSchema, smsOptOutSchema, throttleSchema } from './records.js';

class JournalTable<T> implements VersionedTable<T> {
  constructor(private readonly db: JournalDb, private readonly name: string) {}
  async get(key: string) {
    return this.db.get<T>(this.name, key);
  }
  async getMany(keys: readonly string[]) {
    return keys.map((key) => this.db.get<T>(this.name, key));
  }
  async findBy(index: string, value: string) {
    return this.db.findBy<T>(this.name, index, value);
  }
  insert(record: T) {
    return this.db.insert(this.name, record);
  }
  put(record: T) {
    return this.db.put(this.name, record);
  }
  delete(key: string) {
    return this.db.delete(this.name, key);
  }
  update<R>(key: string, decide: (current: T | undefined) => Decision<T, R>) {
    return this.db.update(this.name, key, decide);
  }
  putIfVersion(record: T, ifVersion: string) {
    return this.db.putIfVersion(this.name, record, ifVersion);
  }
  purge(atMost: AtMost<T>, { keepAbsent = false }: { keepAbsent?: boolean } = {}) {
    const bounds = Object.entries(atMost) as [string, number][];
    return this.db.purge<T>(this.name, (record) =>
      bounds.every(([field, max]) => {
        const value = (record as Record<string, unknown>)[field];
        if (Array.isArray(value)) return value.every((v) => typeof v === 'number' && v <= max);
        if (value === undefined) return !keepAbsent;
        return typeof value === 'number' && value <= max;
      }),
    );
  }
  async all() {
    return this.db.all<T>(this.name);
  }
  async count() {
    return this.db.count(this.name);
  }
}

const HOUR = 3_600_000;

/** The throttles, with the hourly count of the whole service (see ThrottleTable). */
class JournalThrottleTable extends JournalTable<ThrottleRecord> implements ThrottleTable {
  countInClockHour(key: string, hourStart: number, limit: number, force: boolean, now: number): Promise<boolean> {
    return this.update(key, (current) => {
      const rec = current ?? { key, sends: [], consecutiveFailures: 0, updatedAt: now };
      const count = rec.clockHour ? (rec.clockHour.start === hourStart ? rec.clockHour.count : 0) : rec.sends.filter((t) => now - t < HOUR).length;
      if (count >= limit && !force) return { answer: false };
      const next: ThrottleRecord = { ...rec, clockHour: { start: hourStart, count: count + 1 }, sends: [], updatedAt: now };
      if (next.refusedAt !== undefined && next.refusedAt < hourStart) delete next.refusedAt;
      return { next, answer: true };
    });
  }
}

/** Declares a table; the cast erases the record type so tables of different types fit one list. */
const table = <T>(spec: TableSpec<T>) => spec as unknown as TableSpec<unknown>;

const lower = (v: string | undefined) => (v ? v.toLowerCase() : undefined);
const foldCase = (v: string) => v.toLowerCase();

// Cold data: the directory, contacts and preferences change rarely; the first two are large.
const directoryTables = [
  table<AccountRecord>({
    name: 'accounts',
    key: (r: AccountRecord) => r.uid,
    indexes: { upn: (r: AccountRecord) => lower(r.upn), email: (r: AccountRecord) => lower(r.email), aadObjectId: (r: AccountRecord) => lower(r.aadObjectId) },
    indexQuery: { upn: foldCase, email: foldCase, aadObjectId: foldCase },
    schema: accountSchema,
    quickCheck: looksLikeAccount,
  }),
  table<ContactRecord>({
    name: 'contacts',
    key: (r: ContactRecord) => r.uid,
    indexes: { mobile: (r: ContactRecord) => r.mobile, email: (r: ContactRecord) => lower(r.email) },
    indexQuery: { email: foldCase },
    schema: contactSchema,
    quickCheck: looksLikeContact,
  }),
  table<PreferenceRecord>({ name: 'preferences', key: (r: PreferenceRecord) => r.uid, schema: preferenceSchema }),
  // The service desk's per-account records: Teams conversations to write to first, reminders, re-confirmations.
  table<ConversationRefRecord>({ name: 'conversationRefs', key: (r: ConversationRefRecord) => r.key, indexes: { uid: (r: ConversationRefRecord) => r.uid }, schema: conversationRefSchema }),
  table<ReminderRecord>({ name: 'reminders', key: (r: ReminderRecord) => r.uid, schema: reminderSchema }),
  table<ContactConfirmationRecord>({ name: 'contactConfirmations', key: (r: ContactConfirmationRecord) => r.uid, schema: contactConfirmationSchema }),
];

// Hot data: codes, links, counters and conversation state, small and rewritten on every turn.
const sessionTables = [
  table<ChallengeRecord>({ name: 'challenges', key: (r: ChallengeRecord) => r.id, indexes: { uid: (r: ChallengeRecord) => r.uid, target: (r: ChallengeRecord) => r.target || undefined }, schema: challengeSchema }),
  table<LinkRecord>({ name: 'links', key: (r: LinkRecord) => r.tokenHash, indexes: { uid: (r: LinkRecord) => r.uid }, schema: linkSchema }),
  table<ThrottleRecord>({ name: 'throttles', key: (r: ThrottleRecord) => r.key, schema: throttleSchema }),
  table<BotStateRecord>({ name: 'botState', key: (r: BotStateRecord) => r.key, schema: botStateSchema, version: (r: BotStateRecord) => r.eTag }),
  table<SmsOptOutRecord>({ name: 'smsOptOuts', key: (r: SmsOptOutRecord) => r.number, schema: smsOptOutSchema }),
  table<SmsDeliveryRecord>({ name: 'smsDeliveries', key: (r: SmsDeliveryRecord) => r.sid, schema: smsDeliverySchema }),
  // Hand-off cases (those still to be delivered found by the `pending` index) and the desk's counters.
  table<HandoffCaseRecord>({ name: 'handoffCases', key: (r: HandoffCaseRecord) => r.reference, indexes: { pending: (r: HandoffCaseRecord) => (r.deliveredAt === undefined ? 'yes' : undefined) }, schema: handoffCaseSchema }),
  table<DeskCounterRecord>({ name: 'deskCounters', key: (r: DeskCounterRecord) => r.key, schema: deskCounterSchema }),
];

export interface LowStoreOptions {
  /** Who takes the DATA_DIR lock, shown to a second process that finds it taken. */
  role?: string;
  onWarning?: (message: string) => void;
  compactAfterBytes?: number;
}

/**
 * The embedded store under DATA_DIR/store: two lowdb snapshot+journal databases, `directory`
 * (accounts, contacts) and `sessions` (codes, links, counters, bot state), so a chat turn never
 * rewrites the directory. Holds the DATA_DIR lock while open.
 */
export class LowStore implements Store {
  readonly kind = 'lowdb';
  readonly accounts: Table<AccountRecord>;
  readonly contacts: Table<ContactRecord>;
  readonly challenges: Table<ChallengeRecord>;
  readonly links: Table<LinkRecord>;
  readonly throttles: ThrottleTable;
  readonly botState: VersionedTable<BotStateRecord>;
  readonly preferences: Table<PreferenceRecord>;
  readonly smsOptOuts: Table<SmsOptOutRecord>;
  readonly smsDeliveries: Table<SmsDeliveryRecord>;
  readonly handoffCases: Table<HandoffCaseRecord>;
  readonly deskCounters: Table<DeskCounterRecord>;
  readonly conversationRefs: Table<ConversationRefRecord>;
  readonly reminders: Table<ReminderRecord>;
  readonly contactConfirmations: Table<ContactConfirmationRecord>;

  private constructor(
    private readonly lock: DataDirLock,
    readonly directory: JournalDb,
    readonly sessions: JournalDb,
  ) {
    this.accounts = new JournalTable(directory, 'accounts');
    this.contacts = new JournalTable(directory, 'contacts');
    this.preferences = new JournalTable(directory, 'preferences');
    this.challenges = new JournalTable(sessions, 'challenges');
    this.links = new JournalTable(sessions, 'links');
    this.throttles = new JournalThrottleTable(sessions, 'throttles');
    this.botState = new JournalTable(sessions, 'botState');
    this.smsOptOuts = new JournalTable(sessions, 'smsOptOuts');
    this.smsDeliveries = new JournalTable(sessions, 'smsDeliveries');
    this.handoffCases = new JournalTable(sessions, 'handoffCases');
    this.deskCounters = new JournalTable(sessions, 'deskCounters');
    this.conversationRefs = new JournalTable(directory, 'conversationRefs');
    this.reminders = new JournalTable(directory, 'reminders');
    this.contactConfirmations = new JournalTable(directory, 'contactConfirmations');
  }

  static async open(dataDir: string, options: LowStoreOptions = {}): Promise<LowStore> {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const lock = DataDirLock.acquire(dataDir, options.role ?? 'pin-reset-bot');
    try {
      const dir = join(dataDir, 'store');
      const dbOptions = { onWarning: options.onWarning, compactAfterBytes: options.compactAfterBytes };
      const directory = await JournalDb.open(dir, 'directory', directoryTables, dbOptions);
      try {
        const sessions = await JournalDb.open(dir, 'sessions', sessionTables, dbOptions);
        return new LowStore(lock, directory, sessions);
      } catch (err) {
        await directory.close();
        throw err;
      }
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  /** One process per DATA_DIR: it is always alone. */
  runAlone<T>(_name: string, task: () => Promise<T>): Promise<T | undefined> {
    return task();
  }

  async health(): Promise<StoreHealth> {
    const problem = this.directory.problem() ?? this.sessions.problem();
    return problem ? { ok: false, problem } : { ok: true };
  }

  async flush(): Promise<void> {
    await Promise.all([this.directory.flush(), this.sessions.flush()]);
  }

  async close(): Promise<void> {
    try {
      await Promise.all([this.directory.close({ compact: true }), this.sessions.close({ compact: true })]);
    } finally {
      this.lock.release();
    }
  }
}
