import { randomUUID } from 'node:crypto';
import { ActivityTypes, BotAdapter, TurnContext, type Activity, type ConversationReference, type ResourceResponse } from 'botbuilder';
import type { Logger } from '../../ports/logger.js';
import type { SmsMessage } from '../../ports/sms.js';
import type { Clock } from '../../ports/clock.js';
import { renderForSms } from './smsRendering.js';
import type { PartitionedAdapter } from '../../bot/entryPointState.js';

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

interface WaitingForCode {
  reference: Partial<ConversationReference>;
  /** What to text if the code is not delivered (already in the user's language). */
  notice: string;
  since: number;
}

const HOUR = 3_600_000;

/**
 * The SMS channel adapter: a text becomes a message Activity (channelId `sms`, the conversation
 * keyed by sender and receiving number) run through the same bot, and every reply is sent back
 * to the sender by SMS before the webhook answers.
 *
 * Its conversations' state lives under its own prefix (`twilio-webhook/`), so no activity posted to
 * /api/messages can name one of them, whatever channel and conversation id it claims.
 *
 * It also tells a user who is waiting for a code when that code could not be delivered (a
 * refused send, or Twilio's status callback), without waiting for them to text again. Who waits
 * for which code is kept in memory only: after a restart the user is told when they next text.
 */
export class SmsAdapter extends BotAdapter implements PartitionedAdapter {
  readonly statePartition = 'twilio-webhook';
  private readonly waiting = new Map<string, WaitingForCode>();
  /** Conversations in a turn now: a notice waits until the turn's own replies are sent (then the store says it is due). */
  private readonly busy = new Set<string>();
  /** Codes whose failure was already told, so asking for the code again does not repeat it. */
  private readonly told = new Map<string, number>();
  /** What each conversation in a turn now has been texted so far. */
  private readonly saidInTurn = new Map<string, string[]>();

  constructor(
    private readonly replies: SmsReplies,
    private readonly logger: Logger,
    private readonly serviceUrl: string,
    private readonly clock: Clock,
    private readonly isUndelivered: (challengeId: string) => Promise<boolean>,
  ) {
    super();
  }

  /** The user of this (SMS) conversation now waits for code `challengeId`. Other adapters' conversations are ignored. */
  expectCode(context: TurnContext, challengeId: string, notice: string): void {
    if (context.adapter !== this || this.told.has(challengeId)) return;
    const now = this.clock.now();
    for (const [id, w] of this.waiting) if (now - w.since > HOUR) this.waiting.delete(id);
    for (const [id, at] of this.told) if (now - at > HOUR) this.told.delete(id);
    this.waiting.set(challengeId, { reference: TurnContext.getConversationReference(context.activity), notice, since: now });
  }

  /** Code `challengeId` was not delivered: tell whoever waits for it (once). */
  async codeUndelivered(challengeId: string): Promise<void> {
    const w = this.waiting.get(challengeId);
    if (!w) return;
    if (this.busy.has(w.reference.conversation?.id ?? '')) return;
    this.waiting.delete(challengeId);
    this.told.set(challengeId, this.clock.now());
    await this.continueConversation(w.reference, async (context) => {
      await context.sendActivity(w.notice);
    });
  }

  async processInbound(sms: InboundSms, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    const conversationId = `sms:${sms.from}:${sms.to}`;
    this.busy.add(conversationId);
    const said: string[] = [];
    this.saidInTurn.set(conversationId, said);
    try {
      await this.runTurn(sms, conversationId, logic);
    } finally {
      this.busy.delete(conversationId);
      this.saidInTurn.delete(conversationId);
    }
    // Failures noticed during the turn, or before the user was waiting, are told after its replies:
    // a code is marked undelivered in the store before anyone is told, so the store is enough to ask.
    for (const [id, w] of this.waiting) {
      if (w.reference.conversation?.id !== conversationId) continue;
      if (!(await this.isUndelivered(id))) continue;
      // The turn itself told them (the code failed on another instance, and the prompt found it): once is enough.
      if (said.includes(renderForSms({ text: w.notice }).text)) {
        this.waiting.delete(id);
        this.told.set(id, this.clock.now());
        continue;
      }
      await this.codeUndelivered(id);
    }
  }

  private async runTurn(sms: InboundSms, conversationId: string, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    const activity: Partial<Activity> = {
      type: ActivityTypes.Message,
      id: sms.sid,
      channelId: 'sms',
      serviceUrl: this.serviceUrl,
      timestamp: new Date(),
      from: { id: sms.from, name: sms.from },
      recipient: { id: sms.to, name: sms.to },
      conversation: { id: conversationId, isGroup: false, conversationType: 'personal', name: '' },
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
        this.saidInTurn.get(activity.conversation?.id ?? '')?.push(activity.text);
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
