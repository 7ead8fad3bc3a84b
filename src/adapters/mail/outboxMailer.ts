import type { Clock } from '../../ports/clock.js';
import type { Mailer, MailMessage } from '../../ports/mailer.js';
import { AppendLog, RECORD_SYNC_WITHIN_MS } from '../appendLog.js';

/** The embedded mail transport: each message becomes a line of DATA_DIR/outbox/mail.jsonl. */
export class OutboxMailer implements Mailer {
  private readonly file: AppendLog;
  constructor(path: string, private readonly clock: Clock) {
    this.file = new AppendLog(path, { syncWithinMs: RECORD_SYNC_WITHIN_MS });
  }
  async send(m: MailMessage): Promise<void> {
    await this.file.append({ to: m.to, subject: m.subject, text: m.text, html: m.html, at: new Date(this.clock.now()).toISOString() });
  }
  close(): Promise<void> {
    return this.file.close();
  }
}
