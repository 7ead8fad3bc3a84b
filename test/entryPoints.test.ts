import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import nock from 'nock';
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { randomUUID } from 'node:crypto';
import { startApp, type RunningApp } from './support/app.js';
import { openTestServices } from './support/services.js';
import { RecordingMailer, RecordingSms } from './support/fakes.js';
import { BotFrameworkTokens } from './support/botFrameworkTokens.js';
import { postInboundSms } from '../src/channels/sms/inboundRequest.js';
import { recordSecret } from './support/secrets.js';

const AUTH_TOKEN = 'entry-points-auth-token-0123456789';
const BOT_NUMBER = '+85230001234';
const APP_ID = '7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f';

interface Bot {
  running: RunningApp;
  mailer: RecordingMailer;
  sms: RecordingSms;
}

/** A bot with one account, jdoe, texted through the signed Twilio webhook (replies recorded, not sent). */
async function startBot(env: Record<string, string> = {}, host?: string): Promise<Bot> {
  const { services, dataDir } = await openTestServices();
  await services.directory.importAccount({ uid: 'jdoe', name: 'Jane Doe', email: 'jdoe@example.edu' });
  await services.close();
  const mailer = new RecordingMailer();
  const sms = new RecordingSms();
  const running = await startApp({ TWILIO_AUTH_TOKEN: AUTH_TOKEN, SMS_TRANSPORT: 'outbox', ...env }, dataDir, { mailer, sms }, host);
  return { running, mailer, sms };
}

/** The victim's phone: texts go through the signed webhook; what it receives is what the bot texted it. */
class Phone {
  constructor(readonly number: string, private readonly bot: Bot) {}

  async say(body: string): Promise<string[]> {
    const before = this.bot.sms.sent.length;
    const res = await postInboundSms({ baseUrl: this.bot.running.baseUrl, authToken: AUTH_TOKEN, from: this.number, to: BOT_NUMBER, body });
    expect(res.status).toBe(200);
    await this.bot.running.app.services.background.drain();
    return this.bot.sms.sent.slice(before).filter((m) => m.to === this.number).map((m) => m.body);
  }

  /** Registers up to the question for the alternate email, as in the first step. */
  async registerUpToAltEmail(): Promise<void> {
    await this.say('register');
    await this.say('jdoe');
    const code = this.bot.mailer.lastCode('jdoe@example.edu');
    recordSecret('code', code);
    expect(await this.say(code)).toEqual([expect.stringContaining('alternate email')]);
  }
}

/** The attacker's activity from the issue: channel sms, the victim's webhook conversation id. */
function hijack(victim: string, text: string) {
  return {
    type: 'message',
    id: randomUUID(),
    channelId: 'sms',
    serviceUrl: 'http://127.0.0.1:9/',
    deliveryMode: 'expectReplies',
    conversation: { id: `sms:${victim}:${BOT_NUMBER}`, conversationType: 'personal' },
    from: { id: victim },
    recipient: { id: 'bot' },
    text,
  };
}

async function postActivity(baseUrl: string, activity: object, headers: Record<string, string> = {}): Promise<{ status: number; body: { activities?: { type: string; text?: string }[]; code?: string; message?: string } }> {
  const res = await fetch(`${baseUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(activity) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {} };
}

const repliesOf = (body: { activities?: { type: string; text?: string }[] }) => (body.activities ?? []).filter((a) => a.type === 'message').map((a) => a.text ?? '');

describe('a conversation texted through the signed Twilio webhook cannot be driven from /api/messages', () => {
  let bot: Bot;
  beforeAll(async () => {
    bot = await startBot();
  });
  afterAll(async () => {
    await bot?.running.app.close();
  });

  test("an unauthenticated activity claiming the victim's SMS conversation is refused, and the victim's registration goes on", async () => {
    const victim = new Phone('+85291110001', bot);
    await victim.registerUpToAltEmail();
    const mailsBefore = bot.mailer.sent.length;

    const attack = await postActivity(bot.running.baseUrl, hijack(victim.number, 'attacker@evil.example'));
    expect(attack.status).toBe(401);
    expect(attack.body.message).toMatch(/verified Bot Framework token/);
    expect(repliesOf(attack.body)).toEqual([]);
    expect(bot.mailer.to('attacker@evil.example')).toEqual([]);
    expect(bot.mailer.sent.length).toBe(mailsBefore);

    // The victim's own conversation is where it was: the next text answers the alternate-email question.
    expect(await victim.say('jane.doe@gmail.com')).toEqual([expect.stringContaining('j***@gmail.com')]);
  });

  test("STOP posted to /api/messages for the victim's number opts nobody out", async () => {
    const victim = new Phone('+85291110002', bot);
    const attack = await postActivity(bot.running.baseUrl, hijack(victim.number, 'STOP'));
    expect(attack.status).toBe(401);
    expect(await bot.running.app.services.sms.optOuts.isOptedOut(victim.number)).toBe(false);
    expect(await victim.say('help')).not.toEqual([]);
  });
});

describe('with MicrosoftAppId set, the Azure Bot Service Twilio channel (channel sms on /api/messages)', () => {
  const tokens = new BotFrameworkTokens(APP_ID);
  let bot: Bot;
  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
    tokens.publish();
    bot = await startBot({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'not-a-real-secret' });
  });
  afterAll(async () => {
    await bot?.running.app.close();
    tokens.unpublish();
    nock.enableNetConnect();
  });

  test('is served with a verified token, and reads the same: numbered plain text, a number answers, STOP opts out', async () => {
    const user = '+85291110010';
    const serviceUrl = 'https://sms.botframework.com/';
    const conversation = `azure-${randomUUID()}`;
    const say = async (text: string) => {
      const activity = { ...hijack(user, text), serviceUrl, conversation: { id: conversation, conversationType: 'personal' } };
      const { status, body } = await postActivity(bot.running.baseUrl, activity, { authorization: tokens.authorization(serviceUrl) });
      expect(status).toBe(200);
      return repliesOf(body);
    };
    expect(await say('reset')).toEqual([expect.stringContaining('portal UID')]);
    const [methods] = await say('jdoe');
    expect(methods).toMatch(/1\. email[\s\S]*2\. sms/);
    expect(methods).not.toMatch(/\*\*[a-z]/i);
    expect(await say('stop')).toEqual([expect.stringContaining('unsubscribed')]);
    expect(await say('help')).toEqual([]);
    expect(await bot.running.app.services.sms.optOuts.isOptedOut(user)).toBe(true);
  });

  test('an activity without a token is refused, as on every channel', async () => {
    const { status } = await postActivity(bot.running.baseUrl, hijack('+85291110011', 'help'));
    expect(status).toBe(401);
  });

  test("even verified, an activity naming the webhook's conversation id lands in a conversation of its own", async () => {
    const victim = new Phone('+85291110012', bot);
    await victim.registerUpToAltEmail();
    const serviceUrl = 'https://sms.botframework.com/';
    const { status, body } = await postActivity(bot.running.baseUrl, { ...hijack(victim.number, 'attacker@evil.example'), serviceUrl }, { authorization: tokens.authorization(serviceUrl) });
    expect(status).toBe(200);
    expect(repliesOf(body).join('\n')).not.toMatch(/code/);
    await bot.running.app.services.background.drain();
    expect(bot.mailer.to('attacker@evil.example')).toEqual([]);
    expect(await victim.say('jane.doe@gmail.com')).toEqual([expect.stringContaining('j***@gmail.com')]);
  });
});

/** An address of this machine that is not loopback, so a request can come from outside 127.0.0.0/8. */
function outsideAddress(): string {
  const address = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
  if (!address) throw new Error('This test needs a network interface other than loopback (an IPv4 address on eth0 or the like).');
  return address;
}

/** POSTs an activity from `localAddress` to `host`, with extra headers. */
function postFrom(localAddress: string, host: string, port: number, activity: object, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(activity);
    const req = request({ host, port, localAddress, method: 'POST', path: '/api/messages', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('without MicrosoftAppId (local mode)', () => {
  let bot: Bot;
  let port: number;
  const emulator = () => ({ type: 'message', id: randomUUID(), text: 'help', channelId: 'emulator', serviceUrl: 'http://127.0.0.1:9/', from: { id: 'u' }, recipient: { id: 'b' }, conversation: { id: `c-${randomUUID()}` }, deliveryMode: 'expectReplies' });

  beforeAll(async () => {
    bot = await startBot({ TRUSTED_PROXY_HOPS: '1' }, '0.0.0.0');
    port = Number(new URL(bot.running.baseUrl).port);
  });
  afterAll(async () => {
    await bot?.running.app.close();
  });

  test('/api/messages serves loopback clients only, judged by the socket address, never X-Forwarded-For', async () => {
    const outside = outsideAddress();
    const local = await postFrom('127.0.0.1', '127.0.0.1', port, emulator());
    expect(local.status).toBe(200);
    expect(local.body).toContain('Here is what I can do');

    const remote = await postFrom(outside, outside, port, emulator());
    expect(remote.status).toBe(401);
    expect(JSON.parse(remote.body)).toEqual({ code: 'Unauthorized', message: expect.stringMatching(/only from this machine.*MicrosoftAppId/) });

    // A client that claims to be local in X-Forwarded-For (even behind TRUSTED_PROXY_HOPS) is still remote.
    const forged = await postFrom(outside, outside, port, emulator(), { 'x-forwarded-for': '127.0.0.1' });
    expect(forged.status).toBe(401);
    const forgedAll = await postFrom(outside, outside, port, emulator(), { 'x-forwarded-for': '127.0.0.1, 127.0.0.1' });
    expect(forgedAll.status).toBe(401);
  });

  test('the start logs one clear warning that the bot is in local mode', () => {
    const warnings = bot.running.logs().split('\n').filter((l) => /local mode/.test(l));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0]!)).toMatchObject({ level: 40, msg: expect.stringMatching(/MicrosoftAppId is not set.*loopback/) });
  });
});
