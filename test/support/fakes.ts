import type { Clock } from '../../src/ports/clock.js';
import type { Mailer, MailMessage } from '../../src/ports/mailer.js';
import type { SmsMessage, SmsSender } from '../../src/ports/sms.js';

/** A clock the test moves by hand, so expiry is tested without sleeping. */
export class ManualClock implements Clock {
  constructor(private t = Date.UTC(2026, 8, 1, 2, 0, 0)) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
  /** Every wait asked of this clock (a paced job), in order. */
  readonly slept: number[] = [];
  /** A wait moves the clock on at once. */
  async sleep(ms: number): Promise<void> {
    this.slept.push(ms);
    this.t += ms;
  }
}

/** A mailbox standing in for the transport, for dialog tests (end-to-end tests use a real SMTP server). */
export class RecordingMailer implements Mailer {
  readonly sent: MailMessage[] = [];
  failNext = 0;
  async send(message: MailMessage): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('mail transport down');
    }
    this.sent.push(message);
  }
  to(address: string): MailMessage[] {
    return this.sent.filter((m) => m.to.toLowerCase() === address.toLowerCase());
  }
  /** The newest 6-digit code mailed to `address`. */
  lastCode(address: string): string {
    const mail = this.to(address).at(-1);
    const code = /\b(\d{6})\b/.exec(mail?.text ?? '')?.[1];
    if (!code) throw new Error(`no code mailed to ${address}`);
    return code;
  }
}

export class RecordingSms implements SmsSender {
  readonly sent: SmsMessage[] = [];
  failNext = 0;
  async send(message: SmsMessage): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('sms transport down');
    }
    this.sent.push(message);
  }
  lastCode(to: string): string {
    const sms = this.sent.filter((m) => m.to === to).at(-1);
    const code = /\b(\d{6})\b/.exec(sms?.body ?? '')?.[1];
    if (!code) throw new Error(`no code texted to ${to}`);
    return code;
  }
}
