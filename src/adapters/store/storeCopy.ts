import { existsSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import type { AuditEvent } from '../../ports/audit.js';
import type { Table } from '../../ports/store.js';
import { JsonlAuditLog } from '../audit/jsonlAuditLog.js';
import { StoreError } from './errors.js';
import { LowStore } from './lowStore.js';
import { Database, LOCK_NAMESPACE } from './postgres/database.js';
import { migrate } from './postgres/migrate.js';
import { PgTable, type PgTableSpec } from './postgres/pgTable.js';
import * as specs from './postgres/tables.js';

/** One table of the copy: records in the source, added to PostgreSQL now, and of the source's keys found there afterwards. */
export interface CopiedTable {
  name: string;
  source: number;
  added: number;
  present: number;
}

export interface CopyReport {
  dataDir: string;
  target: string;
  tables: CopiedTable[];
  /** Audit events: in the source's files, added now, and in PostgreSQL afterwards. */
  audit: { source: number; added: number; present: number };
  /** True when an earlier run had copied this DATA_DIR. */
  rerun: boolean;
  /** Torn audit lines skipped (file and line). */
  warnings: string[];
}

const COPY_LOCK = 3;

/** Where the last copied audit event is, so that a rerun adds only the events written since. */
interface AuditMark {
  at: string;
  /** Events with exactly that time already copied. */
  n: number;
}

/**
 * `store copy --to postgres`: everything in a lowdb DATA_DIR (held under its lock, so no bot may
 * be running on it) into PostgreSQL, in one transaction. The database must be empty, or hold an
 * earlier copy of the same DATA_DIR: then only what is missing is added and nothing already there
 * is overwritten (an instance may have changed it since). Before committing, every source record's
 * key is looked up in PostgreSQL; a missing one rolls the whole copy back.
 */
export async function copyLowdbToPostgres(dataDirPath: string, url: string, onWarning: (message: string) => void): Promise<CopyReport> {
  if (!existsSync(join(dataDirPath, 'store'))) {
    throw new StoreError(`${dataDirPath} holds no lowdb store (no store/ folder): there is nothing to copy. Set DATA_DIR to the folder the bot ran on.`);
  }
  const dataDir = await realpath(dataDirPath);
  const source = await LowStore.open(dataDir, { role: 'admin CLI (store copy)', onWarning });
  try {
    const db = await Database.connect({ url, poolSize: 2, onWarning });
    try {
      await migrate(db);
      const audit = await new JsonlAuditLog(join(dataDir, 'audit.jsonl')).readReport();
      const report = await db.transaction((client) => copyInto(client, db, dataDir, source, audit.events));
      return { ...report, warnings: audit.warnings };
    } finally {
      await db.close();
    }
  } finally {
    await source.close();
  }
}

async function copyInto(client: pg.PoolClient, db: Database, dataDir: string, source: LowStore, events: AuditEvent[]): Promise<Omit<CopyReport, 'warnings'>> {
  // Two copies at once would each think the database empty.
  await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NAMESPACE, COPY_LOCK]);
  const earlier = await client.query<{ counts: { audit?: AuditMark } }>('SELECT counts FROM store_copies WHERE source = $1', [dataDir]);
  const rerun = earlier.rows.length > 0;
  const pairs = tablePairs(db, source);
  if (!rerun) {
    const held: string[] = [];
    for (const { name, target } of pairs) {
      const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${target.tableName}`);
      if (rows[0]!.n > 0) held.push(`${rows[0]!.n} ${name}`);
    }
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events');
    if (rows[0]!.n > 0) held.push(`${rows[0]!.n} audit events`);
    if (held.length > 0) {
      throw new StoreError(`${db.where} already holds data that is not a copy of ${dataDir} (${held.join(', ')}). store copy fills an empty database only; nothing was copied.`);
    }
  }

  const tables: CopiedTable[] = [];
  for (const { name, from, target, key } of pairs) {
    const records = await from.all();
    const added = await target.insertMissing(client, records);
    const present = await target.countKeys(client, records.map(key));
    if (present !== records.length) {
      throw new StoreError(`Copying ${name}: ${records.length - present} of ${records.length} records are missing from ${db.where} after the copy; it was rolled back and nothing was copied.`);
    }
    tables.push({ name, source: records.length, added, present });
  }

  // The audit files are append-only: a rerun adds the events after the last one copied before.
  const mark = earlier.rows[0]?.counts.audit;
  const fresh = eventsAfter(events, mark);
  if (fresh.length > 0) {
    for (let start = 0; start < fresh.length; start += 5000) {
      const batch = fresh.slice(start, start + 5000);
      const column = <K extends keyof AuditEvent>(k: K) => batch.map((e) => e[k] ?? null);
      await client.query(
        'INSERT INTO audit_events (at, event, uid, channel, outcome, detail) SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::json[])',
        [column('at'), column('event'), column('uid'), column('channel'), column('outcome'), batch.map((e) => (e.detail ? JSON.stringify(e.detail) : null))],
      );
    }
  }
  const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events');
  const presentEvents = rows[0]!.n;
  if (!rerun && presentEvents !== events.length) {
    throw new StoreError(`Copying the audit log: ${events.length} events in the files but ${presentEvents} in ${db.where}; it was rolled back and nothing was copied.`);
  }
  const last = events.at(-1);
  const newMark: AuditMark | undefined = last ? { at: last.at, n: events.filter((e) => e.at === last.at).length } : mark;
  const counts = { ...Object.fromEntries(tables.map((t) => [t.name, t.source])), auditEvents: events.length, ...(newMark ? { audit: newMark } : {}) };
  await client.query(
    'INSERT INTO store_copies (source, copied_at, counts) VALUES ($1, now(), $2) ON CONFLICT (source) DO UPDATE SET copied_at = now(), counts = EXCLUDED.counts',
    [dataDir, JSON.stringify(counts)],
  );
  return { dataDir, target: db.where, tables, audit: { source: events.length, added: fresh.length, present: presentEvents }, rerun };
}

/** The events after `mark` (all of them when nothing was copied before); the file's order is kept. */
function eventsAfter(events: AuditEvent[], mark: AuditMark | undefined): AuditEvent[] {
  if (!mark) return events;
  let sameTime = 0;
  return events.filter((e) => {
    if (e.at < mark.at) return false;
    if (e.at === mark.at) return ++sameTime > mark.n;
    return true;
  });
}

interface TablePair {
  name: string;
  from: Table<unknown>;
  target: PgTable<unknown>;
  key: (record: unknown) => string;
}

function tablePairs(db: Database, source: LowStore): TablePair[] {
  const pair = <T>(name: string, from: Table<T>, spec: PgTableSpec<T>): TablePair => ({
    name,
    from: from as Table<unknown>,
    target: new PgTable(db, spec) as unknown as PgTable<unknown>,
    key: (record) => (record as Record<string, unknown>)[spec.key] as string,
  });
  return [
    pair('accounts', source.accounts, specs.accounts),
    pair('contacts', source.contacts, specs.contacts),
    pair('preferences', source.preferences, specs.preferences),
    pair('challenges', source.challenges, specs.challenges),
    pair('links', source.links, specs.links),
    pair('throttles', source.throttles, specs.throttles),
    pair('conversations', source.botState, specs.botState),
    pair('sms opt-outs', source.smsOptOuts, specs.smsOptOuts),
    pair('sms deliveries', source.smsDeliveries, specs.smsDeliveries),
    pair('hand-off cases', source.handoffCases, specs.handoffCases),
    pair('desk counters', source.deskCounters, specs.deskCounters),
    pair('Teams conversations', source.conversationRefs, specs.conversationRefs),
    pair('reminders', source.reminders, specs.reminders),
    pair('contact confirmations', source.contactConfirmations, specs.contactConfirmations),
  ];
}
