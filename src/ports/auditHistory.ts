import type { AuditEvent } from './audit.js';

/**
 * Reading the audit trail back, for the service desk: a whole period in one streamed pass (the
 * report), or one account's recent events (the steps of a hand-off case). Oldest first.
 */
export interface AuditHistory {
  /**
   * Every event at or after `sinceMs`, streamed in batches (a year of audit need not fit in
   * memory); with `events`, only events of those names (the others need not even be parsed).
   */
  since(sinceMs: number, events?: ReadonlySet<string>): AsyncIterable<AuditEvent[]>;
  /** One account's events at or after `sinceMs`, at most `limit` (the newest ones). */
  forAccount(uid: string, sinceMs: number, limit: number): Promise<AuditEvent[]>;
}
