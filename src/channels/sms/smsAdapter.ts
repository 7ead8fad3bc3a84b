import { randomUUID } from 'node:crypto';
import { ActivityTypes, BotAdapter, TurnContext, type Activity, type ConversationReference, type ResourceResponse } from 'botbuilder';
import type { Logger } from '../../ports/logger.js';
import type { SmsMessage } from '../../ports/sms.js';

/** One text received on the Twilio number, as the webhook gives it. */
export interface InboundSms {
  /** Twilio's MessageSid. */
  sid: string;
  /** The sender, E.164. */
  from: string;
  /** The bot's number that received it. */
  to: string;
  body: string;
}

/** Where replies go: the guarded transport's reply path (Twilio messages.create, or the outbox). */
export interface SmsReplies {
  reply(message: SmsMessage): Promise<void>;
}

/**
 * The SMS channel adapter: a text becomes a message Activity (channelId `sms`, the conversation
 * keyed by sender and receiving number) run through the same bot, and every reply is sent back
 * to the sender by SMS before the webhook answers.
 */
export class SmsAdapter extends BotAdapter {
  constructor(private readonly replies: SmsReplies, private readonly logger: Logger, private readonly serviceUrl: string) {
    super();
  }

  async processInbound(sms: InboundSms, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    const activity: Partial<Activity> = {
      type: ActivityTypes.Message,
      id: sms.sid,
      channelId: 'sms',
      serviceUrl: this.serviceUrl,
      timestamp: new Date(),
      from: { id: sms.from, name: sms.from },
      recipient: { id: sms.to, name: sms.to },
      conversation: { id: `sms:${sms.from}:${sms.to}`, isGroup: false, conversationType: 'personal', name: '' },
      text: sms.body,
      textFormat: 'plain',
    };
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }

  async sendActivities(_context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      const to = activity.recipient?.id;
      if (activity.type === ActivityTypes.Message && activity.text && to) {
        try {
          await this.replies.reply({ to, body: activity.text });
        } catch (err) {
          // The turn goes on (the state is saved); the failure is logged without the text.
          const e = err as { name?: string; status?: unknown; code?: unknown };
          this.logger.warn({ err: { name: e?.name, status: e?.status, code: e?.code }, channel: 'sms' }, 'SMS reply could not be sent');
        }
      }
      responses.push({ id: randomUUID() });
    }
    return responses;
  }

  async updateActivity(): Promise<void> {
    throw new Error('A sent SMS cannot be changed.');
  }

  async deleteActivity(): Promise<void> {
    throw new Error('A sent SMS cannot be deleted.');
  }

  async continueConversation(reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    const activity = TurnContext.applyConversationReference({ type: ActivityTypes.Event, name: 'continueConversation' }, reference, true);
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }
}
