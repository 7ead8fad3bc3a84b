import { createInterface } from 'node:readline/promises';
import { randomUUID } from 'node:crypto';
import { stdin, stdout } from 'node:process';

/**
 * A terminal chat client for a running bot: posts each line to /api/messages with
 * deliveryMode expectReplies and prints the replies; choices show as numbered options.
 *   npm run chat [-- --url http://localhost:3978/api/messages --user alice --locale en-US]
 */

interface CardAction {
  title?: string;
  value?: unknown;
}
interface Reply {
  type: string;
  text?: string;
  suggestedActions?: { actions?: CardAction[] };
  attachments?: { content?: { text?: string; title?: string; buttons?: CardAction[] } }[];
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const url = arg('url') ?? `http://localhost:${process.env['PORT'] ?? 3978}/api/messages`;
const userId = arg('user') ?? `chat-${randomUUID().slice(0, 8)}`;
const locale = arg('locale') ?? 'en-US';
const conversationId = `chat-${randomUUID()}`;
let options: CardAction[] = [];

const bold = (s: string) => (stdout.isTTY ? s.replace(/\*\*(.+?)\*\*/g, '\x1b[1m$1\x1b[22m') : s.replace(/\*\*(.+?)\*\*/g, '$1'));

async function post(activity: Record<string, unknown>): Promise<Reply[]> {
  const body = {
    ...activity,
    id: randomUUID(),
    channelId: 'emulator',
    serviceUrl: 'http://localhost/chat-client',
    from: { id: userId, name: userId },
    recipient: { id: 'pin-reset-bot' },
    conversation: { id: conversationId },
    locale,
    timestamp: new Date().toISOString(),
    deliveryMode: 'expectReplies',
  };
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status === 401 || res.status === 403) throw new Error(`The bot at ${url} requires Bot Framework authentication (MicrosoftAppId is set), so this local client cannot talk to it.`);
  if (!res.ok) throw new Error(`The bot answered ${res.status} ${res.statusText}.`);
  const json = (await res.json().catch(() => ({}))) as { activities?: Reply[] };
  return json.activities ?? [];
}

function show(replies: Reply[]): void {
  options = [];
  for (const reply of replies) {
    if (reply.type !== 'message') continue;
    if (reply.text) stdout.write(`\nbot> ${bold(reply.text).replace(/\n/g, '\n     ')}\n`);
    for (const a of reply.attachments ?? []) {
      const c = a.content ?? {};
      if (c.title) stdout.write(`     ${c.title}\n`);
      if (c.text) stdout.write(`     ${c.text}\n`);
      options.push(...(c.buttons ?? []));
    }
    options.push(...(reply.suggestedActions?.actions ?? []));
  }
  options.forEach((o, i) => stdout.write(`     ${i + 1}. ${o.title ?? String(o.value)}\n`));
}

async function main(): Promise<void> {
  stdout.write(`Talking to ${url} as ${userId}. Type a message, a number to pick an option, or Ctrl+D to quit.\n`);
  try {
    show(await post({ type: 'conversationUpdate', membersAdded: [{ id: userId }] }));
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    stdout.write(cause?.code === 'ECONNREFUSED' ? `Cannot reach the bot at ${url}. Is it running? Start it with: npm start\n` : `${(err as Error).message}\n`);
    process.exit(1);
  }
  const rl = createInterface({ input: stdin, output: stdout, terminal: stdin.isTTY });
  rl.setPrompt('you> ');
  rl.prompt();
  for await (const line of rl) {
    const typed = line.trim();
    if (typed) {
      const picked = /^\d+$/.test(typed) && options.length > 0 ? options[Number(typed) - 1] : undefined;
      const text = picked ? String(picked.value ?? picked.title) : typed;
      try {
        show(await post({ type: 'message', text }));
      } catch (err) {
        stdout.write(`${(err as Error).message}\n`);
      }
    }
    rl.prompt();
  }
  stdout.write('\n');
}

void main();
