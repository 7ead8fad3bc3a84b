import { createInterface } from 'node:readline/promises';
import { randomUUID } from 'node:crypto';
import { stdin, stdout } from 'node:process';
import { ConfigError, loadSettings } from '../config/load.js';

/**
 * A terminal chat client for a running bot: posts each line to /api/messages with
 * deliveryMode expectReplies and prints the replies; choices show as numbered options.
 * It finds the bot as the bot finds its port: PORT (and HOST) from the environment or `.env`.
 */

const USAGE = `Usage: npm run chat [-- --url URL] [--user ID] [--locale TAG]
Chat with a running bot from the terminal (start it first with: npm start).

  --url URL      the bot's /api/messages endpoint. Default: http://localhost:PORT/api/messages,
                 with PORT (and HOST) read from the environment or .env, as the bot reads them
                 (3978 when neither sets it).
  --user ID      the user id to chat as (default: a new random one each run).
  --locale TAG   the language the client says it speaks, e.g. zh-HK (default: en-US).
  --help         this text.

Type a message, or a number to pick a choice; Ctrl+D quits.
`;

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

/** Something the user should read instead of a stack trace: what happened, and, when it is the bot being away, how to bring it back. */
class ChatProblem extends Error {
  constructor(message: string, readonly botAway = false) {
    super(message);
  }
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** The bot's endpoint: --url, else where `npm start` in this folder listens. */
function botUrl(): string {
  const given = arg('url');
  if (given) return given;
  const { PORT, HOST } = loadSettings(['PORT', 'HOST']);
  // 0.0.0.0 and :: mean "every address": this machine's is the one to use.
  const host = ['0.0.0.0', '::', ''].includes(HOST) ? 'localhost' : HOST.includes(':') ? `[${HOST}]` : HOST;
  return `http://${host}:${PORT}/api/messages`;
}

/** The network error under fetch's "fetch failed": ECONNREFUSED, ECONNRESET... */
function networkCode(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: string; errors?: { code?: string }[] } }).cause;
  return cause?.code ?? cause?.errors?.find((e) => e.code)?.code;
}

const bold = (s: string) => (stdout.isTTY ? s.replace(/\*\*(.+?)\*\*/g, '\x1b[1m$1\x1b[22m') : s.replace(/\*\*(.+?)\*\*/g, '$1'));
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether the reply's own text already lists `options` as `1. email`, `2. sms`... in their order. */
function alreadyNumbered(text: string, options: CardAction[]): boolean {
  return options.every((o, i) => new RegExp(`^\\s*${i + 1}\\.\\s+(\\*\\*)?${escapeRegExp(o.title ?? String(o.value))}\\b`, 'im').test(text));
}

async function main(): Promise<void> {
  // Piped into `head` and the like: stop quietly when the reader goes away.
  stdout.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? 0 : 1));
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    stdout.write(USAGE);
    return;
  }
  let url: string;
  try {
    url = botUrl();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    stdout.write(`${err.message}\nFix it in .env or the environment, or give the bot's address: npm run chat -- --url http://localhost:3978/api/messages\n`);
    process.exit(2);
  }
  const userId = arg('user') ?? `chat-${randomUUID().slice(0, 8)}`;
  const locale = arg('locale') ?? 'en-US';
  const conversationId = `chat-${randomUUID()}`;
  let options: CardAction[] = [];

  const post = async (activity: Record<string, unknown>): Promise<Reply[]> => {
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
    let res: Response;
    try {
      res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    } catch (err) {
      const code = networkCode(err);
      if (code === 'ECONNREFUSED') throw new ChatProblem(`The bot at ${url} is not running (nothing answers there).`, true);
      if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') throw new ChatProblem(`Cannot find the host of ${url}. Check the address given with --url.`);
      throw new ChatProblem(`The bot at ${url} stopped answering (${code ?? (err as Error).message}): it may have stopped or restarted.`, true);
    }
    if (res.status === 401 || res.status === 403) throw new ChatProblem(`The bot at ${url} requires Bot Framework authentication (MicrosoftAppId is set), so this local client cannot talk to it.`);
    if (!res.ok) throw new ChatProblem(`The bot answered ${res.status} ${res.statusText}.`);
    const json = (await res.json().catch(() => ({}))) as { activities?: Reply[] };
    return json.activities ?? [];
  };

  const show = (replies: Reply[]) => {
    options = [];
    let said = '';
    for (const reply of replies) {
      if (reply.type !== 'message') continue;
      if (reply.text) {
        said += `${reply.text}\n`;
        stdout.write(`\nbot> ${bold(reply.text).replace(/\n/g, '\n     ')}\n`);
      }
      for (const a of reply.attachments ?? []) {
        const c = a.content ?? {};
        if (c.title) stdout.write(`     ${c.title}\n`);
        if (c.text) stdout.write(`     ${c.text}\n`);
        said += `${c.title ?? ''}\n${c.text ?? ''}\n`;
        options.push(...(c.buttons ?? []));
      }
      options.push(...(reply.suggestedActions?.actions ?? []));
    }
    // Listed once: a reply that already numbers its choices needs no second list (the numbers still pick them).
    if (!alreadyNumbered(said, options)) options.forEach((o, i) => stdout.write(`     ${i + 1}. ${o.title ?? String(o.value)}\n`));
  };

  stdout.write(`Talking to ${url} as ${userId}. Type a message, a number to pick an option, or Ctrl+D to quit.\n`);
  try {
    show(await post({ type: 'conversationUpdate', membersAdded: [{ id: userId }] }));
  } catch (err) {
    if (!(err instanceof ChatProblem)) throw err;
    const where = arg('url') ? '' : ' If it listens elsewhere, give its address with --url (npm run chat -- --help).';
    stdout.write(`${err.message}${err.botAway ? ` Start it with: npm start, then run npm run chat again.${where}` : ''}\n`);
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
        if (!(err instanceof ChatProblem)) throw err;
        stdout.write(`${err.message}${err.botAway ? ' Start it again with: npm start, then type your message again.' : ''}\n`);
      }
    }
    rl.prompt();
  }
  stdout.write('\n');
}

main().catch((err: unknown) => {
  stdout.write(`The chat client failed: ${(err as Error)?.message ?? String(err)}\n`);
  process.exit(1);
});
