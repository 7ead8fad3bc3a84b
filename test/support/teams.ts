import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

export const TENANT = '11111111-2222-3333-4444-555555555555';

export interface TeamsMember {
  id: string;
  name: string;
  aadObjectId: string;
  userPrincipalName?: string;
  email?: string;
}

export interface SentActivity {
  type: string;
  text?: string;
  attachments?: { contentType: string; content: { text?: string; buttons?: { type: string; title: string; value: unknown }[] } }[];
  conversation?: { id: string };
}

/**
 * A Bot Connector on this machine, standing in for Teams' service: answers
 * GET /v3/conversations/{id}/members/{id} from its member list and records the bot's replies.
 */
export class FakeConnector {
  readonly members = new Map<string, TeamsMember>();
  readonly sent: SentActivity[] = [];
  readonly memberLookups: string[] = [];
  readonly authorizations: (string | undefined)[] = [];
  /** While true, every message the bot posts is refused with 403 (as for a user who removed the app). */
  refusePosts = false;
  private server: Server | undefined;
  url = '';

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void (async () => {
        this.authorizations.push(req.headers.authorization);
        const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
        const member = /^\/v3\/conversations\/[^/]+\/members\/(.+)$/.exec(path);
        res.setHeader('content-type', 'application/json');
        if (req.method === 'GET' && member) {
          this.memberLookups.push(member[1]!);
          const found = this.members.get(member[1]!);
          res.statusCode = found ? 200 : 404;
          res.end(JSON.stringify(found ?? { error: { code: 'MemberNotFoundInConversation', message: 'The member was not found.' } }));
          return;
        }
        if (req.method === 'POST' && /^\/v3\/conversations\/[^/]+\/activities(\/[^/]+)?$/.test(path)) {
          if (this.refusePosts) {
            res.statusCode = 403;
            res.end(JSON.stringify({ error: { code: 'BotNotInConversationRoster', message: 'The bot is not part of the conversation roster.' } }));
            return;
          }
          this.sent.push(JSON.parse(await body(req)) as SentActivity);
          res.end(JSON.stringify({ id: randomUUID() }));
          return;
        }
        res.statusCode = 404;
        res.end('{}');
      })();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

/**
 * One Teams user in a personal chat with the bot: posts Teams-shaped activities (channelId msteams,
 * channelData.tenant, from.aadObjectId) to the real server and reads what the bot sent to the connector.
 */
export class TeamsUser {
  readonly conversationId = `a:${randomUUID()}`;
  readonly id: string;

  constructor(
    private readonly baseUrl: string,
    private readonly connector: FakeConnector,
    readonly aadObjectId: string = randomUUID(),
    private readonly tenantId = TENANT,
    private readonly serviceUrl = connector.url,
  ) {
    this.id = `29:${aadObjectId}`;
  }

  private activity(extra: Record<string, unknown>) {
    return {
      id: randomUUID(),
      channelId: 'msteams',
      serviceUrl: this.serviceUrl,
      from: { id: this.id, name: 'Teams User', aadObjectId: this.aadObjectId },
      recipient: { id: '28:bot-id', name: 'PIN reset' },
      conversation: { id: this.conversationId, conversationType: 'personal', tenantId: this.tenantId },
      channelData: { tenant: { id: this.tenantId } },
      locale: 'en-US',
      ...extra,
    };
  }

  /** Posts an activity; resolves with the HTTP status and body once the bot has handled it. */
  async post(extra: Record<string, unknown>, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${this.baseUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(this.activity(extra)),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  }

  /** Sends a message and returns every activity the bot sent to this conversation in reply. */
  async send(text: string, extra: Record<string, unknown> = {}): Promise<SentActivity[]> {
    const before = this.connector.sent.length;
    const { status } = await this.post({ type: 'message', text, ...extra });
    if (status !== 200) throw new Error(`POST /api/messages answered ${status}`);
    return this.connector.sent.slice(before).filter((a) => a.conversation?.id === this.conversationId);
  }

  /** Sends a message and returns the text of the bot's replies, card text included. */
  async say(text: string): Promise<string[]> {
    return (await this.send(text)).map(textOf);
  }

  async invoke(name: string, value: unknown): Promise<{ status: number; body: unknown; replies: SentActivity[] }> {
    const before = this.connector.sent.length;
    const { status, body } = await this.post({ type: 'invoke', name, value });
    return { status, body, replies: this.connector.sent.slice(before).filter((a) => a.conversation?.id === this.conversationId) };
  }
}

/** The words of a reply: its text, or the text of its card. */
export function textOf(a: SentActivity): string {
  return [a.text, ...(a.attachments ?? []).map((c) => c.content.text)].filter(Boolean).join('\n');
}

export function buttonsOf(a: SentActivity): { type: string; title: string; value: unknown }[] {
  return (a.attachments ?? []).flatMap((c) => c.content.buttons ?? []);
}
