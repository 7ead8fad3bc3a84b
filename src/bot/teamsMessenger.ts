import { CardFactory, type CloudAdapter, type ConversationReference } from 'botbuilder';
import type { ProactiveMessage, TeamsMessenger } from '../ports/teamsMessenger.js';

/**
 * Proactive Teams messages through the Bot Framework SDK: continues the stored conversation and
 * sends a card whose buttons post their command back (imBack), as the bot's own menu does. With
 * MicrosoftAppId set the SDK signs the call with the bot's token; the service URL is the one a
 * verified Teams request gave.
 */
export class BotFrameworkTeamsMessenger implements TeamsMessenger {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string | undefined,
    /** A token service or connector that does not answer must not hold a campaign up: the reminder goes by mail instead. */
    private readonly timeoutMs = 15_000,
  ) {}

  async send(reference: Record<string, unknown>, message: ProactiveMessage): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Teams did not take the message within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      await Promise.race([this.continueWith(reference, message), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async continueWith(reference: Record<string, unknown>, message: ProactiveMessage): Promise<void> {
    await this.adapter.continueConversationAsync(this.appId ?? '', reference as Partial<ConversationReference>, async (context) => {
      const buttons = message.buttons.map((b) => ({ type: 'imBack', title: b.title, value: b.value }));
      await context.sendActivity({ type: 'message', text: message.text, attachments: [CardFactory.heroCard('', undefined, buttons)] });
    });
  }
}
