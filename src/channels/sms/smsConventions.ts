import type { ConversationState, Middleware, TurnContext } from 'botbuilder';
import type { SmsOptOuts } from '../../domain/smsSafeguards.js';
import { say, type DialogDeps } from '../../../dialogs/deps.js';
import { smsKeyword } from './keywords.js';

/**
 * STOP and START on every SMS conversation (our /api/sms webhook and the Azure Bot Service Twilio
 * channel alike): STOP is confirmed once and then the number gets nothing, whatever it texts,
 * until START. The opt-out is in the store, so it survives restarts; codes and notices to the
 * number are refused by the guarded SMS transport as well.
 */
export class SmsConventions implements Middleware {
  constructor(private readonly optOuts: SmsOptOuts, private readonly conversationState: ConversationState, private readonly deps: DialogDeps) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const activity = context.activity;
    const number = activity.from?.id;
    if (activity.channelId !== 'sms' || activity.type !== 'message' || !number) return next();
    const audit = { channel: 'sms' };
    const keyword = smsKeyword(activity.text);
    // Confirmed in the conversation's language (this runs before the dialogs, which load it otherwise).
    if (keyword) await this.deps.language.load(context);
    switch (keyword) {
      case 'opt-out':
        if (await this.optOuts.isOptedOut(number)) return;
        await say(this.deps, context, 'sms.optedOut');
        await this.optOuts.optOut(number, audit);
        // Whatever flow was under way ends here; START begins afresh.
        await this.conversationState.delete(context);
        return;
      case 'opt-in':
        await this.optOuts.optIn(number, audit);
        await say(this.deps, context, 'sms.optedIn');
        return;
      default:
        if (await this.optOuts.isOptedOut(number)) return;
        return next();
    }
  }
}
