/**
 * Real bot processes (`node --import tsx src/main.ts`, as `npm start` runs it) for the tests that
 * run several instances on one PostgreSQL database: each has its own port and DATA_DIR (its outbox
 * and log), all share DATABASE_URL and SERVER_SECRET, as behind a load balancer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { freePort } from './freePort.js';
import { recordSecretsIn, recordTokensIn } from './secrets.js';
import { tempDataDir, TEST_SERVER_SECRET } from './services.js';

export interface OutboxMail {
  to: string;
  subject: string;
  text: string;
  at: string;
}
export interface OutboxSms {
  to: string;
  body: string;
  at: string;
}

export class BotInstance {
  child: ChildProcess | null = null;
  baseUrl = '';
  private exited: Promise<number | null> = Promise.resolve(null);
  private starts = 0;

  private constructor(readonly name: string, readonly dataDir: string, private readonly env: NodeJS.ProcessEnv) {}

  static async create(name: string, env: Record<string, string>): Promise<BotInstance> {
    const dataDir = await tempDataDir();
    await mkdir(join(dataDir, 'logs'), { recursive: true });
    return new BotInstance(name, dataDir, {
      PATH: process.env['PATH'],
      HOME: process.env['HOME'],
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      STORE: 'postgres',
      SERVER_SECRET: TEST_SERVER_SECRET,
      SMS_TRANSPORT: 'outbox',
      INSTITUTION_EMAIL_DOMAINS: 'example.edu',
      ...env,
    });
  }

  /** Starts the process and waits for /healthz 200; rejects with its output if it exits or never gets healthy. */
  async start(): Promise<void> {
    const port = await freePort();
    this.baseUrl = `http://127.0.0.1:${port}`;
    const log = createWriteStream(join(this.dataDir, 'logs', `${this.name}-${++this.starts}.log`));
    let output = '';
    const child = spawn(process.execPath, ['--import', 'tsx', '--disable-warning=DEP0111', 'src/main.ts'], { env: { ...this.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    for (const stream of [child.stdout!, child.stderr!]) {
      stream.on('data', (d: Buffer) => {
        output = (output + d.toString()).slice(-4000);
        log.write(d);
      });
    }
    this.exited = new Promise((done) => child.once('exit', (code) => done(code)));
    let exitCode: number | null | undefined;
    void this.exited.then((c) => {
      exitCode = c;
      log.end();
    });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (exitCode !== undefined) throw new Error(`${this.name} exited (${exitCode}) instead of starting: ${output}`);
      const ok = await fetch(`${this.baseUrl}/healthz`).then((r) => r.status === 200, () => false);
      if (ok) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
    throw new Error(`${this.name} did not become healthy within 60 s: ${output}`);
  }

  /** SIGKILL; from this call on the instance counts as down (a load balancer stops sending it requests). */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    child?.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<number | null> {
    const child = this.child;
    if (!child) return null;
    this.child = null;
    child.kill('SIGTERM');
    return this.exited;
  }

  get up(): boolean {
    return this.child !== null && this.child.exitCode === null;
  }

  /** Everything the instance logged, across its starts. */
  logs(): string {
    return Array.from({ length: this.starts }, (_, i) => join(this.dataDir, 'logs', `${this.name}-${i + 1}.log`))
      .map((p) => (existsSync(p) ? readFileSync(p, 'utf8') : ''))
      .join('\n');
  }

  /** Mail this instance wrote to its outbox (as a user's mailbox sees it). */
  mails(to?: string): OutboxMail[] {
    return readJsonl<OutboxMail>(join(this.dataDir, 'outbox', 'mail.jsonl')).filter((m) => !to || m.to.toLowerCase() === to.toLowerCase());
  }

  texts(to?: string): OutboxSms[] {
    return readJsonl<OutboxSms>(join(this.dataDir, 'outbox', 'sms.jsonl')).filter((m) => !to || m.to === to);
  }
}

/** Outbox lines already recorded for the secret scan, per file. */
const recorded = new Map<string, number>();

function readJsonl<T>(path: string): T[] {
  if (!existsSync(path)) return [];
  const out: T[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    try {
      if (line) out.push(JSON.parse(line) as T);
    } catch {
      /* a line being written */
    }
  }
  // Codes and links that were sent are secrets the bot's own files must never hold.
  for (const m of out.slice(recorded.get(path) ?? 0)) recordSecretsIn((m as { text?: string }).text ?? (m as { body?: string }).body);
  recorded.set(path, Math.max(recorded.get(path) ?? 0, out.length));
  return out;
}

/** The newest match of `pattern` in what `instances` sent to `to` (mail text or SMS body, in the order sent) once there are more than `after`, waiting for it. */
export async function waitForMessage(instances: BotInstance[], to: string, pattern: RegExp, after = 0, withinMs = 15_000): Promise<string> {
  const until = Date.now() + withinMs;
  for (;;) {
    const bodies = instances
      .flatMap((i) => [...i.mails(to).map((m) => ({ at: m.at, text: m.text })), ...i.texts(to).map((m) => ({ at: m.at, text: m.body }))])
      .sort((x, y) => x.at.localeCompare(y.at))
      .map((m) => m.text)
      .filter((b) => pattern.test(b));
    if (bodies.length > after) return pattern.exec(bodies.at(-1)!)![1] ?? bodies.at(-1)!;
    if (Date.now() > until) throw new Error(`nothing matching ${pattern} reached ${to}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A Bot Framework conversation whose every turn may go to another instance, as a load balancer sends it. */
export class Conversation {
  readonly id = `conv-${randomUUID()}`;
  private readonly user = `user-${randomUUID().slice(0, 8)}`;

  async say(instance: BotInstance, text: string, locale = 'en-US'): Promise<string[]> {
    const res = await fetch(`${instance.baseUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', id: randomUUID(), text, locale, channelId: 'emulator', serviceUrl: 'http://localhost/unused', from: { id: this.user }, recipient: { id: 'bot' }, conversation: { id: this.id }, deliveryMode: 'expectReplies' }),
    });
    if (res.status !== 200) throw new Error(`${instance.name}: POST /api/messages answered ${res.status}: ${await res.text()}`);
    const body = (await res.json()) as { activities?: { type: string; text?: string }[] };
    const texts = (body.activities ?? []).filter((a) => a.type === 'message').map((a) => a.text ?? '');
    for (const t of texts) recordTokensIn(t);
    return texts;
  }
}
