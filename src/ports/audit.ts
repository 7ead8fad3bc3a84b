export interface AuditEvent {
  at: string;
  event: string;
  uid?: string;
  channel?: string;
  outcome: 'ok' | 'fail' | 'info';
  /** Masked or non-secret details only. */
  detail?: Record<string, string | number | boolean>;
}

/** Append-only audit trail. */
export interface AuditLog {
  append(event: AuditEvent): Promise<void>;
  read(filter?: { uid?: string }): Promise<AuditEvent[]>;
}

export interface AuditReadReport {
  events: AuditEvent[];
  /** One line per record that could not be read (a line torn by a crash): where, and that it was skipped. */
  warnings: string[];
}

/** The audit trail as the services keep it: a file under DATA_DIR (lowdb) or a table (PostgreSQL). */
export interface AuditTrail extends AuditLog {
  /** Every event, oldest first, with a warning for each record skipped. */
  readReport(filter?: { uid?: string }): Promise<AuditReadReport>;
  /** Drops records older than `cutoffMs`; resolves with how many were dropped. */
  prune(cutoffMs: number): Promise<number>;
  close(): Promise<void>;
}
