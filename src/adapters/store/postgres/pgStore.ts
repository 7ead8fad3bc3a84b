import pg from 'pg';
import type { AccountRecord, Broadcast, ChallengeRecord, ContactRecord, LinkRecord, PreferenceRecord, SmsDeliveryRecord, SmsOptOutRecord, Store, StoreHealth, Table, ThrottleTable, BotStateRecord, VersionedTable } from '../../../ports/store.js';
import type { ContactConfirmationRecord, ConversationRefRecord, DeskCounterRecord, HandoffCaseRecord, ReminderRecord } from '../../../ports/deskStore.js';
import { Database, LOCK_NAMESPACE, type DatabaseOptions } from './database.js';
import { migrate, type MigrationReport } from './migrate.js';
import { PgTable, PgThrottleTable } from './pgTable.js';
import * as specs from './tables.js';

export interface PgStoreOptions extends DatabaseOptions {
  /** Reports what the operator should know (idle connections lost, the listener reconnecting). */
  onWarning?: (message: string) => void;
}

/** Advisory lock keys of runAlone's task names (the second key of the two-key form). */
const TASK_LOCKS: Record<string, number> = { purge: 2 };
const CHANNEL = 'pin_reset_bot';

/**
 * The store on PostgreSQL: any number of instances on one database. Opening it applies pending
 * migrations (or refuses a schema newer than the code); every rule is an atomic statement or a
 * compare-and-set (see PgTable); maintenance runs under advisory locks; events reach the other
 * instances by LISTEN/NOTIFY.
 */
export class PgStore implements Store {
  readonly kind = 'postgres';
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
  readonly broadcast: Broadcast;
  private readonly listener: Listener;

  private constructor(readonly db: Database, readonly migrations: MigrationReport, options: PgStoreOptions) {
    this.accounts = new PgTable(db, specs.accounts);
    this.contacts = new PgTable(db, specs.contacts);
    this.preferences = new PgTable(db, specs.preferences);
    this.challenges = new PgTable(db, specs.challenges);
    this.links = new PgTable(db, specs.links);
    this.throttles = new PgThrottleTable(db, specs.throttles);
    this.botState = new PgTable(db, specs.botState);
    this.smsOptOuts = new PgTable(db, specs.smsOptOuts);
    this.smsDeliveries = new PgTable(db, specs.smsDeliveries);
    this.handoffCases = new PgTable(db, specs.handoffCases);
    this.deskCounters = new PgTable(db, specs.deskCounters);
    this.conversationRefs = new PgTable(db, specs.conversationRefs);
    this.reminders = new PgTable(db, specs.reminders);
    this.contactConfirmations = new PgTable(db, specs.contactConfirmations);
    this.listener = new Listener(db, options);
    this.broadcast = this.listener;
  }

  /** Connects, brings the schema up to date, and starts listening for other instances' events. */
  static async open(options: PgStoreOptions): Promise<PgStore> {
    const db = await Database.connect(options);
    try {
      const report = await migrate(db);
      return new PgStore(db, report, options);
    } catch (err) {
      await db.close().catch(() => undefined);
      throw err;
    }
  }

  async runAlone<T>(name: string, task: () => Promise<T>): Promise<T | undefined> {
    const lock = TASK_LOCKS[name];
    if (lock === undefined) throw new Error(`No advisory lock is assigned to "${name}"`);
    // A session lock on a connection of its own: if this instance dies, the server releases it with the connection.
    return this.db.withClient(async (client) => {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS locked', [LOCK_NAMESPACE, lock]);
      if (!rows[0]?.locked) return undefined;
      try {
        return await task();
      } finally {
        await client.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_NAMESPACE, lock]);
      }
    });
  }

  async health(): Promise<StoreHealth> {
    try {
      await this.db.query('SELECT 1');
      return { ok: true };
    } catch (err) {
      return { ok: false, problem: `the database (${this.db.where}) is not reachable: ${(err as Error).message}` };
    }
  }

  private closing: Promise<void> | undefined;

  close(): Promise<void> {
    return (this.closing ??= (async () => {
      await this.listener.close();
      await this.db.close();
    })());
  }
}

/**
 * LISTEN on a connection of its own, reconnecting (with a growing pause) when it is lost, so events
 * from other instances arrive again once the database is back. Payload: {"from","topic","message"}.
 */
class Listener implements Broadcast {
  private readonly id = Math.random().toString(36).slice(2, 10);
  private readonly topics = new Map<string, ((message: string) => void)[]>();
  private client: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;
  private failures = 0;

  constructor(private readonly db: Database, private readonly options: PgStoreOptions) {}

  async publish(topic: string, message: string): Promise<void> {
    await this.db.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify({ from: this.id, topic, message })], 'prb.notify');
  }

  subscribe(topic: string, listener: (message: string) => void): void {
    this.topics.set(topic, [...(this.topics.get(topic) ?? []), listener]);
    void this.connect();
  }

  private connect(): Promise<void> {
    if (this.closed || this.client) return Promise.resolve();
    this.connecting ??= (async () => {
      const client = new pg.Client(this.db.pool.options);
      client.on('error', () => this.lost(client));
      client.on('end', () => this.lost(client));
      client.on('notification', (n) => this.deliver(n.payload));
      try {
        await client.connect();
        await client.query(`LISTEN ${CHANNEL}`);
        if (this.closed) {
          await client.end();
          return;
        }
        this.client = client;
        this.failures = 0;
      } catch {
        client.removeAllListeners('end');
        await client.end().catch(() => undefined);
        this.scheduleRetry();
      }
    })().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    if (!this.closed) {
      this.options.onWarning?.(`${this.db.where}: the connection listening for other instances' events was lost; reconnecting.`);
      this.scheduleRetry();
    }
  }

  private scheduleRetry(): void {
    if (this.closed || this.retry) return;
    const wait = Math.min(30_000, 500 * 2 ** this.failures++);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.connect();
    }, wait);
    this.retry.unref();
  }

  private deliver(payload: string | undefined): void {
    let event: { from?: unknown; topic?: unknown; message?: unknown };
    try {
      event = JSON.parse(payload ?? '') as typeof event;
    } catch {
      return;
    }
    if (event.from === this.id || typeof event.topic !== 'string' || typeof event.message !== 'string') return;
    for (const listener of this.topics.get(event.topic) ?? []) listener(event.message);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    await this.connecting;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
