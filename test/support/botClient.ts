import { recordTokensIn } from './secrets.js';
import { randomUUID } from 'node:crypto';

/** Talks to the real server over HTTP as a Bot Framework client with deliveryMode expectReplies. */
export class BotClient {
  readonly conversationId = `conv-${randomUUID()}`;
  constructor(private readonly baseUrl: string, private readonly userId = `user-${randomUUID().slice(0, 8)}`, private readonly channelId = 'emulator') {}

  async send(text: string): Promise<string[]> {
    const res = await fetch(`${this.baseUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'message',
        id: randomUUID(),
        text,
        channelId: this.channelId,
        serviceUrl: 'http://localhost/unused',
        from: { id: this.userId },
        recipient: { id: 'bot' },
        conversation: { id: this.conversationId },
        deliveryMode: 'expectReplies',
      }),
    });
    if (res.status !== 200) throw new Error(`POST /api/messages answered ${res.status}: ${await res.text()}`);
    const body = (await res.json()) as { activities: { type: string; text?: string }[] };
    const texts = body.activities.filter((a) => a.type === 'message').map((a) => a.text ?? '');
    // A PIN-page link given in a reply is a secret for the end-of-run scan.
    for (const t of texts) recordTokensIn(t);
    return texts;
  }
}
