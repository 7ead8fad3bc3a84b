import type { Audit, AuditContext } from './audit.js';
import type { BackgroundWork } from './background.js';
import { maskEmail, maskMobile } from './contactFormats.js';
import { composeMail } from './mailContent.js';
import type { Outbound } from './outbound.js';
import type { Section } from '../messages/catalog.js';

export interface Notice {
  /** What the notice is about, for the audit log: 'contacts-changed', 'pin-changed'. */
  name: string;
  emails: (string | undefined)[];
  mobiles: (string | undefined)[];
  subject: string;
  /** One language, or a section per language when the reader's is unknown. */
  text: string | Section[];
  sms: string;
}

/**
 * Security notices to a user's addresses and numbers (after their contacts or PIN change), sent
 * off the reply path; each delivery is audited, masked. An address listed twice gets one mail.
 */
export class Notices {
  constructor(private readonly outbound: Outbound, private readonly audit: Audit, private readonly background: BackgroundWork) {}

  send(notice: Notice, ctx: AuditContext): void {
    const emails = [...new Map(notice.emails.filter((e): e is string => Boolean(e)).map((e) => [e.toLowerCase(), e])).values()];
    const mobiles = [...new Set(notice.mobiles.filter((m): m is string => Boolean(m)))];
    this.background.run(`${notice.name} notice`, async () => {
      for (const to of emails) {
        const ok = await this.outbound.email(composeMail(to, notice.subject, notice.text));
        await this.audit.record(ok ? 'notice.sent' : 'notice.failed', ctx, ok ? 'ok' : 'fail', { notice: notice.name, to: maskEmail(to) });
      }
      for (const to of mobiles) {
        const ok = await this.outbound.text(to, notice.sms);
        await this.audit.record(ok ? 'notice.sent' : 'notice.failed', ctx, ok ? 'ok' : 'fail', { notice: notice.name, to: maskMobile(to) });
      }
    });
  }
}
