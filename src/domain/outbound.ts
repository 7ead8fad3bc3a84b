import type { Mailer, MailMessage } from '../ports/mailer.js';
import type { SmsSender } from '../ports/sms.js';
import type { Logger } from '../ports/logger.js';

/** Sends mail and SMS, turning a transport failure into `false` (logged without the message body). */
export class Outbound {
  constructor(private readonly mailer: Mailer, private readonly sms: SmsSender, private readonly logger: Logger) {}

  async email(message: MailMessage): Promise<boolean> {
    try {
      await this.mailer.send(message);
      return true;
    } catch (err) {
      this.logger.warn({ err: describe(err), channel: 'email' }, 'mail could not be sent');
      return false;
    }
  }

  /** `isCode`: a verification code, whose delivery is reported back (see SmsMessage.deliveryReport). */
  async text(to: string, body: string, isCode = false): Promise<boolean> {
    try {
      await this.sms.send({ to, body, ...(isCode ? { deliveryReport: true } : {}) });
      return true;
    } catch (err) {
      this.logger.warn({ err: describe(err), channel: 'sms' }, 'SMS could not be sent');
      return false;
    }
  }
}

/** The error's kind and status, never its full text (a provider may echo the message body back). */
function describe(err: unknown): Record<string, unknown> {
  const e = err as { name?: string; code?: unknown; status?: unknown; responseCode?: unknown };
  return { name: e?.name, code: e?.code, status: e?.status ?? e?.responseCode };
}
