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
