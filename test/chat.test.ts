import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startApp, type RunningApp } from './support/app.js';
import { freePort } from './support/freePort.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const tsx = pathToFileURL(join(repo, 'node_modules/tsx/dist/loader.mjs')).href;

/** `npm run chat` as a user runs it, in a folder of its own (with its own `.env`), with nothing of the test's environment. */
class ChatClient {
  private readonly child: ChildProcessWithoutNullStreams;
  output = '';
  readonly exited: Promise<number | null>;

  constructor(cwd: string, args: string[] = [], env: Record<string, string> = {}) {
    this.child = spawn(process.execPath, ['--import', tsx, join(repo, 'src/chat/main.ts'), ...args], { cwd, env: { PATH: process.env['PATH'] ?? '', ...env } });
    this.child.stdout.on('data', (c: Buffer) => (this.output += c.toString()));
    this.child.stderr.on('data', (c: Buffer) => (this.output += c.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  /** Waits until the output holds `text` (or the client exits). */
  async waitFor(text: string | RegExp, timeoutMs = 20_000): Promise<void> {
    let gone = false;
    void this.exited.then(() => (gone = true));
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((r) => setTimeout(r, 25))) {
      if (typeof text === 'string' ? this.output.includes(text) : text.test(this.output)) return;
      if (gone) break;
    }
    throw new Error(`the chat client never printed ${String(text)}; it printed:\n${this.output}`);
  }

  /** Types a line and waits for the next prompt after the replies. */
  async say(line: string): Promise<string> {
    const before = this.output.length;
    const prompts = this.output.split('you> ').length;
    this.child.stdin.write(`${line}\n`);
    for (const deadline = Date.now() + 20_000; this.output.split('you> ').length <= prompts; await new Promise((r) => setTimeout(r, 25))) {
      if (Date.now() > deadline) throw new Error(`no prompt after "${line}"; the client printed:\n${this.output}`);
    }
    return this.output.slice(before);
  }

  async quit(): Promise<number | null> {
    this.child.stdin.end();
    return this.exited;
  }
}

let running: RunningApp;
let folder: string;

beforeAll(async () => {
  running = await startApp();
  await running.app.services.embeddedDirectory!.importAccount({ uid: 'jdoe', name: 'Jane Doe', email: 'jdoe@example.edu' });
});
afterAll(async () => {
  await running?.app.close();
});

/** The first line of a catalog sentence, as the client prints it (bold markers dropped). */
const said = (key: Parameters<RunningApp['app']['services']['messages']['t']>[0], params = {}) => running.app.services.messages.t(key, params).split('\n')[0]!.replace(/\*\*/g, '');

async function inFolder(env?: string): Promise<string> {
  folder = await mkdtemp(join(tmpdir(), 'chat-'));
  if (env !== undefined) await writeFile(join(folder, '.env'), env);
  return folder;
}

describe('npm run chat', () => {
  test('reads PORT from .env as the bot does, and talks to the bot there', async () => {
    const port = new URL(running.baseUrl).port;
    const chat = new ChatClient(await inFolder(`# as npm start reads it\nPORT=${port}\n`));
    try {
      await chat.waitFor('you> ');
      expect(chat.output).toContain(`Talking to http://localhost:${port}/api/messages`);
      expect(chat.output).toContain(said('welcome'));
      expect(await chat.say('help')).toContain(said('help'));
    } finally {
      expect(await chat.quit()).toBe(0);
      await rm(folder, { recursive: true, force: true });
    }
  });

  test('--help documents --url, --user and --locale; --url reaches a bot that .env does not describe', async () => {
    const help = new ChatClient(await inFolder(), ['--help']);
    expect(await help.exited).toBe(0);
    expect(help.output).toMatch(/--url URL +the bot's \/api\/messages endpoint\. Default: http:\/\/localhost:PORT\/api\/messages/);
    expect(help.output).toContain('--user ID');
    expect(help.output).toContain('--locale TAG');
    const chat = new ChatClient(folder, ['--url', `${running.baseUrl}/api/messages`, '--locale', 'zh-HK']);
    try {
      await chat.waitFor('you> ');
      expect(chat.output).toContain(`Talking to ${running.baseUrl}/api/messages`);
      expect(chat.output).toContain(running.app.services.messages.t('welcome', {}, 'zh-HK').split('\n')[0]!.replace(/\*\*/g, ''));
    } finally {
      await chat.quit();
      await rm(folder, { recursive: true, force: true });
    }
  });

  test('choices the reply already numbers are listed once, and their numbers still pick them', async () => {
    const chat = new ChatClient(await inFolder(), ['--url', `${running.baseUrl}/api/messages`]);
    try {
      await chat.waitFor('you> ');
      await chat.say('reset');
      const method = await chat.say('jdoe');
      // The question numbers its two choices itself; the client adds no second list.
      expect(method.match(/^\s+1\. /gm)).toHaveLength(1);
      expect(method.match(/^\s+2\. /gm)).toHaveLength(1);
      expect(await chat.say('2')).toContain(said('reset.smsSent', { uid: 'jdoe', digits: 6 }));
    } finally {
      await chat.quit();
      await rm(folder, { recursive: true, force: true });
    }
  });

  test('when the bot is not running, or stops, it says so and how to start it, never "fetch failed"', async () => {
    const nobody = await freePort();
    const early = new ChatClient(await inFolder(`PORT=${nobody}\n`));
    expect(await early.exited).toBe(1);
    expect(early.output).toContain(`The bot at http://localhost:${nobody}/api/messages is not running (nothing answers there). Start it with: npm start, then run npm run chat again. If it listens elsewhere, give its address with --url`);

    const bot = await startApp();
    const chat = new ChatClient(folder, ['--url', `${bot.baseUrl}/api/messages`]);
    try {
      await chat.waitFor('you> ');
      expect(await chat.say('help')).toContain(said('help'));
      await bot.app.close();
      const after = await chat.say('status');
      expect(after).toMatch(/The bot at http:\/\/127\.0\.0\.1:\d+\/api\/messages (is not running|stopped answering)[^\n]*Start it again with: npm start, then type your message again\./);
      expect(chat.output).not.toContain('fetch failed');
    } finally {
      await chat.quit();
      await bot.app.close();
      await rm(folder, { recursive: true, force: true });
    }
  });

  test('a bad PORT in .env is named, with the way round it, and nothing is sent', async () => {
    const chat = new ChatClient(await inFolder('PORT=thirty\n'));
    try {
      expect(await chat.exited).toBe(2);
      expect(chat.output).toBe('Configuration is not valid:\n  - PORT must be a whole number from 0 to 65535 (got "thirty")\nFix it in .env or the environment, or give the bot\'s address: npm run chat -- --url http://localhost:3978/api/messages\n');
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
