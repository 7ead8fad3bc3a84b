import type { AuditEvent, AuditLog } from '../ports/audit.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';

export type AuditName =
  | 'code.sent'
  | 'code.send_failed'
  | 'code.wrong'
  | 'code.expired'
  | 'code.dead'
  | 'code.verified'
  | 'contacts.changed'
  | 'contacts.imported'
  | 'contacts.deleted'
  | 'accounts.imported'
  | 'throttle.limited'
  | 'throttle.paused'
  | 'throttle.unlocked'
  | 'notice.sent'
  | 'notice.failed'
  | 'reset.requested'
  | 'link.sent'
  | 'link.send_failed'
  | 'page.opened'
  | 'link.invalid'
  | 'pin.rejected'
  | 'pin.set'
  | 'pin.checked'
  | 'turn.error'
  | 'sms.opted_out'
  | 'sms.opted_in'
  | 'sms.flood_limited'
  | 'sms.ceiling_reached'
  | 'sms.undelivered'
  | 'teams.tenant_refused'
  | 'contacts.restored'
  // The service desk: hand-offs to a person, the registration campaign, re-confirmed contacts.
  | 'handoff.requested'
  | 'handoff.delivered'
  | 'handoff.send_failed'
  | 'handoff.limited'
  | 'reminder.sent'
  | 'reminder.failed'
  | 'reminder.stopped'
  | 'contacts.confirmed'
  | 'directory.unreachable'
  | 'unlock.requested'
  | 'account.unlocked';

export interface AuditContext {
  uid?: string;
  channel?: string;
}

/** Records security events. Details must already be masked; no code, token or PIN is ever passed here. */
export class Audit {
  constructor(private readonly log: AuditLog, private readonly clock: Clock, private readonly logger: Logger) {}

  async record(event: AuditName, ctx: AuditContext, outcome: AuditEvent['outcome'], detail?: AuditEvent['detail']): Promise<void> {
    const entry: AuditEvent = { at: new Date(this.clock.now()).toISOString(), event, outcome };
    if (ctx.uid) entry.uid = ctx.uid;
    if (ctx.channel) entry.channel = ctx.channel;
    if (detail) entry.detail = detail;
    try {
      await this.log.append(entry);
    } catch (err) {
      // Losing an audit line must not stop a user; the operator sees it in the log.
      this.logger.error({ err, event }, 'audit write failed');
    }
  }
}
