import { Agent, request } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import type { OutboxReader } from './outboxReader.js';
import { benchUid, INSTITUTION_DOMAIN, newEmail, newMobileTyped, seededEmail, seededMobile } from './seed.js';

export type FlowKind = 'reset-sms' | 'reset-email' | 'register';

/** 70% reset by SMS code, 20% reset by email link, 10% registration, interleaved. */
export function flowKind(i: number): FlowKind {
  const r = i % 10;
  return r < 7 ? 'reset-sms' : r < 9 ? 'reset-email' : 'register';
}

/** A keep-alive HTTP client, one socket per simulated user at most. */
export class HttpClient {
  private readonly agent: Agent;
  constructor(private readonly baseUrl: string, sockets: number) {
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets });
  }

  call(method: string, path: string, body?: string, contentType?: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
    const url = new URL(path, this.baseUrl);
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        { method, agent: this.agent, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': contentType ?? 'application/json', 'content-length': Buffer.byteLength(body) }) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Every turn's latency, and what was sent, so the echo baseline gets the very same requests. */
export interface TurnLog {
  latencies: number[];
  /** The texts each flow sent, in order, one list per flow. */
  scripts: string[][];
}

/** One Bot Framework conversation over `POST /api/messages` with `deliveryMode: expectReplies`. */
export class Conversation {
  private readonly conversationId = `bench-${randomUUID()}`;
  private readonly userId = `user-${randomUUID().slice(0, 8)}`;
  readonly sent: string[] = [];

  constructor(private readonly http: HttpClient, private readonly log: TurnLog) {}

  async say(text: string): Promise<string> {
    this.sent.push(text);
    const body = JSON.stringify({
      type: 'message',
      id: randomUUID(),
      text,
      channelId: 'emulator',
      serviceUrl: 'http://localhost/unused',
      from: { id: this.userId },
      recipient: { id: 'bot' },
      conversation: { id: this.conversationId },
      deliveryMode: 'expectReplies',
    });
    const started = performance.now();
    const res = await this.http.call('POST', '/api/messages', body);
    this.log.latencies.push(performance.now() - started);
    if (res.status !== 200) throw new Error(`POST /api/messages answered ${res.status}`);
    const parsed = JSON.parse(res.text) as { activities?: { type: string; text?: string }[] };
    return (parsed.activities ?? []).filter((a) => a.type === 'message').map((a) => a.text ?? '').join('\n');
  }

  /** Says `text` and checks the reply, as a user reads it before answering. */
  async expect(text: string, reply: RegExp): Promise<RegExpExecArray> {
    const got = await this.say(text);
    const m = reply.exec(got);
    if (!m) throw new Error(`after "${text.replace(/\d/g, '#')}" the bot said something unexpected: ${got.slice(0, 120).replace(/\d{6}/g, '######')}`);
    return m;
  }
}

const CODE = /\b(\d{6})\b/;
const RESET_URL = /(https?:\/\/\S+\/reset\/[A-Za-z0-9_-]{32})/;

/** A PIN-page visit left for later: the link a flow ended with. */
export interface PendingPage {
  url: string;
}

/**
 * Runs one flow's chat turns on account `i` and returns the PIN-page link it ends with (reset flows),
 * or nothing (registration, which ends in the chat).
 */
export async function runFlowChat(kind: FlowKind, i: number, http: HttpClient, outbox: OutboxReader, log: TurnLog): Promise<PendingPage | undefined> {
  const chat = new Conversation(http, log);
  const uid = benchUid(i);
  try {
    if (kind === 'register') {
      await chat.expect('register', /portal UID/);
      await chat.expect(uid, /institutional email/);
      const [, idCode] = await outbox.waitFor(`${uid}@${INSTITUTION_DOMAIN}`, CODE);
      await chat.expect(idCode!, /alternate email/);
      await chat.expect(newEmail(i), /I have sent a 6-digit code/);
      const [, emailCode] = await outbox.waitFor(newEmail(i), CODE);
      await chat.expect(emailCode!, /mobile number/);
      await chat.expect(newMobileTyped(i), /by SMS/);
      const [, smsCode] = await outbox.waitFor(`+852${newMobileTyped(i)}`, CODE);
      await chat.expect(smsCode!, /All done/);
      return undefined;
    }
    await chat.expect('reset', /portal UID/);
    await chat.expect(uid, /How would you like to verify/);
    if (kind === 'reset-email') {
      await chat.expect('email', /I have sent a link/);
      const [, url] = await outbox.waitFor(seededEmail(i), RESET_URL);
      return { url: url! };
    }
    await chat.expect('sms', /I have sent a 6-digit code/);
    const [, code] = await outbox.waitFor(seededMobile(i), CODE);
    const [, url] = await chat.expect(code!, RESET_URL);
    return { url: url! };
  } finally {
    log.scripts.push(chat.sent);
  }
}

/** Opens the PIN page (GET), then sets a new PIN (POST), as a browser would (it says which languages it reads). */
export async function setPinOnPage(page: PendingPage, http: HttpClient): Promise<void> {
  const path = new URL(page.url).pathname;
  const browser = { 'accept-language': 'en-GB,en;q=0.9' };
  const form = await http.call('GET', path, undefined, undefined, browser);
  const csrf = /name="csrf" value="([^"]+)"/.exec(form.text)?.[1];
  if (form.status !== 200 || !csrf) throw new Error(`GET of the PIN page answered ${form.status}`);
  const pin = `Bench-${randomBytes(6).toString('hex')}-Kite`;
  const body = new URLSearchParams({ csrf, pin, confirm: pin }).toString();
  const done = await http.call('POST', path, body, 'application/x-www-form-urlencoded', browser);
  if (done.status !== 200 || !done.text.includes('Your PIN has been changed')) throw new Error(`POST of the PIN page answered ${done.status}`);
}

/** Runs `tasks` with at most `concurrency` at a time. */
export async function pool<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
