import type { SmsMessage, SmsSender } from '../../ports/sms.js';
import { SmsCeilingReached, type SmsOptOuts, type SmsSpendCeiling } from '../../domain/smsSafeguards.js';

export class SmsOptedOut extends Error {
  constructor() {
    super('the number has opted out of SMS');
    this.name = 'SmsOptedOut';
  }
}

/**
 * Every SMS the service sends goes through here: nothing to a number that texted STOP, and codes
 * and notices stop at the hourly ceiling. Refusals reject, so callers treat them as failed sends.
 */
export class GuardedSms implements SmsSender {
  constructor(private readonly inner: SmsSender, private readonly optOuts: SmsOptOuts, private readonly ceiling: SmsSpendCeiling) {}

  async send(m: SmsMessage): Promise<void> {
    if (await this.optOuts.isOptedOut(m.to)) throw new SmsOptedOut();
    if (!(await this.ceiling.take('send'))) throw new SmsCeilingReached();
    await this.inner.send(m);
  }

  /** A chat reply to a number that has just texted the bot: counted towards the ceiling, never refused by it. */
  async reply(m: SmsMessage): Promise<void> {
    // Not only the STOP middleware's check again: notices sent later (continueConversation) bypass it, and so does a turn that overlaps a STOP.
    if (await this.optOuts.isOptedOut(m.to)) throw new SmsOptedOut();
    await this.ceiling.take('reply');
    await this.inner.send(m);
  }
}
