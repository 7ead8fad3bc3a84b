import type { Clock } from '../../ports/clock.js';
import type { SmsMessage, SmsSender } from '../../ports/sms.js';
import { AppendLog, RECORD_SYNC_WITHIN_MS } from '../appendLog.js';

/** The embedded SMS transport: each message becomes a line of DATA_DIR/outbox/sms.jsonl. */
export class OutboxSms implements SmsSender {
  private readonly file: AppendLog;
  constructor(path: string, private readonly from: string, private readonly clock: Clock) {
    this.file = new AppendLog(path, { syncWithinMs: RECORD_SYNC_WITHIN_MS });
  }
  async send(m: SmsMessage): Promise<void> {
    await this.file.append({ to: m.to, from: this.from, body: m.body, at: new Date(this.clock.now()).toISOString() });
  }
  close(): Promise<void> {
    return this.file.close();
  }
}
