import type { AuditEvent, AuditReadReport, AuditTrail } from '../../ports/audit.js';
import type { Database } from '../store/postgres/database.js';

/** Events of concurrent turns appended within this long go in one INSERT (one commit for all). */
const BATCH_WINDOW_MS = 10;

/**
 * The audit trail as the `audit_events` table (STORE=postgres), shared by every instance and read
 * by `admin audit` in the order written. Events appended within a couple of milliseconds go in one
 * INSERT (one commit for all of them); each append resolves once its row is committed.
 */
export class PgAuditLog implements AuditTrail {
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
    const { rows } = await this.db.query(`SELECT at, event, uid, channel, outcome, detail FROM audit_events${where} ORDER BY id`, filter.uid ? [filter.uid] : []);
    const events = rows.map(([at, event, uid, channel, outcome, detail]) => {
      const e: AuditEvent = { at: new Date(at as number).toISOString(), event: event as string, outcome: outcome as AuditEvent['outcome'] };
      if (uid !== null) e.uid = uid as string;
      if (channel !== null) e.channel = channel as string;
      if (detail !== null) e.detail = detail as AuditEvent['detail'];
      return e;
    });
    return { events, warnings: [] };
  }

  async prune(cutoffMs: number): Promise<number> {
    const { rowCount } = await this.db.query('DELETE FROM audit_events WHERE at < $1', [new Date(cutoffMs).toISOString()]);
    return rowCount;
  }

  async close(): Promise<void> {
    await this.flushing;
  }
}
