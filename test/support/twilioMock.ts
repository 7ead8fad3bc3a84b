import nock from 'nock';

export interface SentSms {
  to: string;
  from: string;
  body: string;
  /** Where Twilio was asked to report delivery, if anywhere. */
  statusCallback?: string;
}

/**
 * Intercepts Twilio's REST API (Messages.create) with nock and keeps what would have been sent.
 * Everything on localhost still reaches the network.
 */
export class TwilioMock {
  readonly sent: SentSms[] = [];
  failures = 0;

  constructor(readonly accountSid = 'AC00000000000000000000000000000001') {}

  start(): void {
    nock.disableNetConnect();
    nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
    nock('https://api.twilio.com')
      .persist()
      .post(`/2010-04-01/Accounts/${this.accountSid}/Messages.json`)
      .reply((_uri, body) => {
        if (this.failures > 0) {
          this.failures--;
          return [503, { code: 20500, message: 'Service unavailable', status: 503 }];
        }
        const form = new URLSearchParams(typeof body === 'string' ? body : '');
        const sms: SentSms = { to: form.get('To') ?? '', from: form.get('From') ?? '', body: form.get('Body') ?? '' };
        const statusCallback = form.get('StatusCallback');
        if (statusCallback) sms.statusCallback = statusCallback;
        this.sent.push(sms);
        return [201, { sid: `SM${String(this.sent.length).padStart(32, '0')}`, status: 'queued', to: sms.to, from: sms.from, body: sms.body }];
      });
  }

  lastCode(to: string): string {
    const sms = this.sent.filter((m) => m.to === to).at(-1);
    const code = /\b(\d{6})\b/.exec(sms?.body ?? '')?.[1];
    if (!code) throw new Error(`no SMS code to ${to}`);
    return code;
  }

  stop(): void {
    nock.cleanAll();
    nock.enableNetConnect();
  }
}
