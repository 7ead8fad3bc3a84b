import twilio from 'twilio';
import type { SmsMessage, SmsSender } from '../../ports/sms.js';

/** SMS through Twilio's Messages API. `from` is an E.164 number or a Messaging Service SID (MG...). */
export class TwilioSms implements SmsSender {
  private readonly client: ReturnType<typeof twilio>;
  /** `statusCallback`: where Twilio reports delivery (POST /api/sms/status), so undelivered codes are noticed. */
  constructor(accountSid: string, authToken: string, private readonly from: string, private readonly statusCallback?: string) {
    this.client = twilio(accountSid, authToken);
  }
  async send(m: SmsMessage): Promise<void> {
    const sender = this.from.startsWith('MG') ? { messagingServiceSid: this.from } : { from: this.from };
    await this.client.messages.create({ to: m.to, body: m.body, ...sender, ...(this.statusCallback ? { statusCallback: this.statusCallback } : {}) });
  }
}
