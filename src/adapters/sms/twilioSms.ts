import type { Twilio } from 'twilio';
import type { SmsMessage, SmsSender } from '../../ports/sms.js';

/** SMS through Twilio's Messages API. `from` is an E.164 number or a Messaging Service SID (MG...). */
export class TwilioSms implements SmsSender {
  private readonly client: Promise<Twilio>;
  /** `statusCallback`: where Twilio reports the delivery of codes (POST /api/sms/status), so undelivered codes are noticed. */
  constructor(accountSid: string, authToken: string, private readonly from: string, private readonly statusCallback?: string) {
    // Loaded only where Twilio is configured: the SDK alone adds ~0.2 s to every start.
    this.client = import('twilio').then((m) => m.default(accountSid, authToken));
    this.client.catch(() => undefined); // a failure is reported by send()
  }
  async send(m: SmsMessage): Promise<void> {
    const sender = this.from.startsWith('MG') ? { messagingServiceSid: this.from } : { from: this.from };
    await (await this.client).messages.create({ to: m.to, body: m.body, ...sender, ...(this.statusCallback && m.deliveryReport ? { statusCallback: this.statusCallback } : {}) });
  }
}
