import type { AuditEvent, AuditReadReport, AuditTrail } from '../../ports/audit.js';
import type { AuditHistory } from '../../ports/auditHistory.js';
import type { Database } from '../store/postgres/database.js';

/** Rows read at a time when the service desk reads a period back. */
const READ_BATCH = 5000;
const COLUMNS = 'id, at, event, uid, channel, outcome, detail';

/** Events of concurrent turns appended within this long go in one INSERT (one commit for all). */
const BATCH_WINDOW_MS = 10;

/**
 * The audit trail as the `audit_events` table (STORE=postgres), shared by every instance and read
 * by `admin audit` in the order written. Events appended within a couple of milliseconds go in one
 * INSERT (one commit for all of them); each append resolves once its row is committed.
 */
export class PgAuditLog implements AuditTrail, AuditHistory {
  private pending: { event: AuditEvent; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private flushing: Promise<void> | null = null;

  constructor(private readonly db: Database) {}

  append(event: AuditEvent): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ event, resolve, reject });
      this.flushing ??= new Promise<void>((r) => setTimeout(r, BATCH_WINDOW_MS)).then(() => this.flush());
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      const column = <K extends keyof AuditEvent>(k: K) => batch.map(({ event }) => event[k] ?? null);
      try {
        await this.db.query(
          'INSERT INTO audit_events (at, event, uid, channel, outcome, detail) SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::json[])',
          [column('at'), column('event'), column('uid'), column('channel'), column('outcome'), batch.map(({ event }) => (event.detail ? JSON.stringify(event.detail) : null))],
          'prb.audit.append',
        );
        for (const p of batch) p.resolve();
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
    this.flushing = null;
  }

  async read(filter: { uid?: string } = {}): Promise<AuditEvent[]> {
    return (await this.readReport(filter)).events;
  }

  async readReport(filter: { uid?: string } = {}): Promise<AuditReadReport> {
    const where = filter.uid ? ' WHERE uid = $1' : '';
    const { rows } = await this.db.query(`SELECT ${COLUMNS} FROM audit_events${where} ORDER BY id`, filter.uid ? [filter.uid] : []);
    return { events: rows.map(eventOf), warnings: [] };
  }

  /** A period in batches of rows, in the order written (keyset pages on the id, so a busy table is never read twice). */
  async *since(sinceMs: number, events?: ReadonlySet<string>): AsyncIterable<AuditEvent[]> {
    const names = events ? [...events] : null;
    let after = '0';
    for (;;) {
      const { rows } = await this.db.query(
        `SELECT ${COLUMNS} FROM audit_events WHERE at >= $1 AND id > $2 AND ($3::text[] IS NULL OR event = ANY($3)) ORDER BY id LIMIT ${READ_BATCH}`,
        [new Date(sinceMs).toISOString(), after, names],
        'prb.audit.since',
      );
      if (rows.length === 0) return;
      after = String(rows[rows.length - 1]![0]);
      yield rows.map(eventOf);
      if (rows.length < READ_BATCH) return;
    }
  }

  async forAccount(uid: string, sinceMs: number, limit: number): Promise<AuditEvent[]> {
    const { rows } = await this.db.query(
      `SELECT ${COLUMNS} FROM audit_events WHERE uid = $1 AND at >= $2 ORDER BY id DESC LIMIT $3`,
      [uid, new Date(sinceMs).toISOString(), limit],
      'prb.audit.forAccount',
    );
    return rows.map(eventOf).reverse();
  }

  async prune(cutoffMs: number): Promise<number> {
    const { rowCount } = await this.db.query('DELETE FROM audit_events WHERE at < $1', [new Date(cutoffMs).toISOString()]);
    return rowCount;
  }

  async close(): Promise<void> {
    await this.flushing;
  }
}

/** A row of audit_events (in the order of COLUMNS) as the event it holds. */
function eventOf([, at, event, uid, channel, outcome, detail]: unknown[]): AuditEvent {
  const e: AuditEvent = { at: new Date(at as number).toISOString(), event: event as string, outcome: outcome as AuditEvent['outcome'] };
  if (uid !== null) e.uid = uid as string;
  if (channel !== null) e.channel = channel as string;
  if (detail !== null) e.detail = detail as AuditEvent['detail'];
  return e;
}
