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
    return body.activities.filter((a) => a.type === 'message').map((a) => a.text ?? '');
  }
}
