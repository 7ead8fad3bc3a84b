/**
 * Two (and a third, to kill) real bot processes on one PostgreSQL database, sharing SERVER_SECRET,
 * each with its own DATA_DIR: whichever instance takes each request, the security rules hold and a
 * conversation carries on.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import twilio from 'twilio';
import { newMessageSid, postInboundSms } from '../src/channels/sms/inboundRequest.js';
import { openServices, type Services } from '../src/services.js';
import { BotInstance, Conversation, waitForMessage } from './support/instances.js';
import { recordSecret } from './support/secrets.js';
import { createDatabase, postgresServer, sql } from './support/servers/postgres.js';
import { runCli } from '../src/admin/cli.js';
import { tempDataDir, testConfig, TEST_SERVER_SECRET } from './support/services.js';

const PUBLIC = 'https://pin.example.edu'; // the load balancer's address, the same for every instance
const AUTH_TOKEN = 'test-auth-token-instances-0123456789';
const BOT_NUMBER = '+85230001234';
const CODE = /\b(\d{6})\b/;
const LINK = /https:\/\/pin\.example\.edu\/reset\/([A-Za-z0-9_-]{32})/;

let url: string;
let a: BotInstance;
let b: BotInstance;
let both: BotInstance[];
let seedServices: Services;

const PIN_A = 'Instance-A-Kite-2026';
const PIN_B = 'Instance-B-Lamp-2026';

beforeAll(async () => {
  url = await createDatabase(await postgresServer());
  const env = { DATABASE_URL: url, PUBLIC_BASE_URL: PUBLIC, TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_FROM: BOT_NUMBER };
  a = await BotInstance.create('a', env);
  b = await BotInstance.create('b', env);
  both = [a, b];
  // Schema first, then both at once.
  await a.start();
  await b.start();
  // The service desk's tools on the same database (as `npm run admin` would): accounts and their imported contacts.
  seedServices = await openServices(testConfig({ DATA_DIR: await tempDataDir(), STORE: 'postgres', DATABASE_URL: url, SERVER_SECRET: TEST_SERVER_SECRET }), { logger: { info() {}, warn() {}, error() {}, debug() {} } });
  for (const [i, uid] of ['alt', 'race', 'page', 'wrong', 'guess', 'killed', 'texter', 'texter2'].entries()) {
    await seedServices.embeddedDirectory!.importAccount({ uid, name: uid, email: `${uid}@example.edu` });
    await seedServices.registration.importContact(uid, { email: `${uid}@gmail.com`, mobile: `+8526000000${i}` });
  }
  await seedServices.embeddedDirectory!.importAccount({ uid: 'fresh', name: 'fresh', email: 'fresh@example.edu' });
}, 120_000);

afterAll(async () => {
  await seedServices?.close();
  await Promise.all([a?.stop(), b?.stop()]);
});

/** The right code, as the user reads it from the phone or mailbox, whichever instance sent it. */
const code = (to: string, after = 0) => waitForMessage(both, to, CODE, after);

describe('two instances on one database', () => {
  test('a conversation whose turns alternate between the instances completes: registration, then a reset whose PIN page is posted to the other', async () => {
    const user = new Conversation();
    const on = (i: number) => both[i % 2]!;
    let turn = 0;
    const say = (text: string) => user.say(on(turn++), text);
    expect(await say('register')).toEqual([expect.stringContaining('portal UID')]);
    expect(await say('fresh')).toEqual([expect.stringContaining('6-digit code')]);
    expect(await say(await code('fresh@example.edu'))).toEqual([expect.stringContaining('alternate email')]);
    expect(await say('fresh@gmail.com')).toEqual([expect.stringContaining('I have sent')]);
    expect(await say(await code('fresh@gmail.com'))).toEqual([expect.stringContaining('mobile number')]);
    expect(await say('6111 2222')).toEqual([expect.stringContaining('by SMS')]);
    expect(await say(await code('+85261112222'))).toEqual([expect.stringContaining('All done')]);
    expect(await sql(url, "SELECT email, mobile, source FROM contacts WHERE uid = 'fresh'")).toEqual([{ email: 'fresh@gmail.com', mobile: '+85261112222', source: 'self' }]);

    const reset = new Conversation();
    expect(await reset.say(a, 'reset')).toEqual([expect.stringContaining('portal UID')]);
    expect(await reset.say(b, 'fresh')).toEqual([expect.stringContaining('How would you like to verify')]);
    expect(await reset.say(a, 'sms')).toEqual([expect.stringContaining('6-digit code')]);
    const [reply] = await reset.say(b, await code('+85261112222', 1));
    const token = LINK.exec(reply ?? '')?.[1];
    expect(token).toBeDefined();
    const form = await (await fetch(`${a.baseUrl}/reset/${token}`)).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(form)![1]!;
    recordSecret('pin', PIN_A);
    const done = await fetch(`${b.baseUrl}/reset/${token}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf, pin: PIN_A, confirm: PIN_A }).toString() });
    expect(done.status).toBe(200);
    const check = await runCli(['accounts', 'check-pin', 'fresh'], { env: { DATA_DIR: await tempDataDir(), STORE: 'postgres', DATABASE_URL: url, SERVER_SECRET: TEST_SERVER_SECRET, LOG_LEVEL: 'silent' }, envFile: null }, { readFile: async () => '', readStdin: async () => `${PIN_A}\n`, warn: () => {} });
    expect(check).toEqual({ stdout: 'PIN matches\n', stderr: '', exitCode: 0 });
  }, 60_000);

  test('20 simultaneous resets for one account, spread over both instances, send at most 5 links', async () => {
    const users = Array.from({ length: 20 }, () => new Conversation());
    for (const [i, user] of users.entries()) {
      await user.say(both[i % 2]!, 'reset');
      await user.say(both[i % 2]!, 'race');
    }
    const replies = await Promise.all(users.map((user, i) => user.say(both[(i + 1) % 2]!, 'email')));
    const sent = replies.filter((r) => r.some((t) => t.includes('I have sent a link'))).length;
    const paused = replies.filter((r) => r.some((t) => t.includes('self-service for this account is paused'))).length;
    expect({ sent, paused }).toEqual({ sent: 5, paused: 15 });
    // The mails go out in the background, on whichever instance took the request.
    await waitForMessage(both, 'race@gmail.com', LINK, 4);
    await new Promise((r) => setTimeout(r, 1000));
    expect(both.flatMap((i) => i.mails('race@gmail.com')).filter((m) => LINK.test(m.text))).toHaveLength(5);
    expect(await sql(url, "SELECT count(*)::int AS n FROM audit_events WHERE uid = 'race' AND event = 'link.sent'")).toEqual([{ n: 5 }]);
  }, 60_000);

  test('two simultaneous POSTs of one PIN link, one to each instance, set one PIN', async () => {
    const user = new Conversation();
    await user.say(a, 'reset');
    await user.say(b, 'page');
    await user.say(a, 'email');
    const token = await waitForMessage(both, 'page@gmail.com', LINK);
    const form = await (await fetch(`${b.baseUrl}/reset/${token}`)).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(form)![1]!;
    recordSecret('pin', PIN_A, PIN_B);
    const post = (instance: BotInstance, pin: string) =>
      fetch(`${instance.baseUrl}/reset/${token}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf, pin, confirm: pin }).toString() }).then((r) => r.status);
    const statuses = await Promise.all([post(a, PIN_A), post(b, PIN_B)]);
    expect([...statuses].sort()).toEqual([200, 410]);
    const matches = await Promise.all([PIN_A, PIN_B].map((pin) => seedServices.directory.checkPin('page', pin)));
    expect(matches).toEqual(statuses.map((s) => s === 200));
    expect(await sql(url, "SELECT count(*)::int AS n FROM audit_events WHERE uid = 'page' AND event = 'pin.set'")).toEqual([{ n: 1 }]);
  }, 60_000);

  test('wrong codes typed alternately on the two instances kill the code after the fifth; the right code is refused then', async () => {
    const user = new Conversation();
    await user.say(a, 'reset');
    await user.say(b, 'wrong');
    await user.say(a, 'sms');
    const right = await code('+85260000003');
    const wrong = right === '000000' ? '111111' : '000000';
    const answers: string[] = [];
    for (let i = 0; i < 5; i++) answers.push(...(await user.say(both[(i + 1) % 2]!, wrong)));
    expect(answers.slice(0, 4)).toEqual([4, 3, 2, 1].map((n) => expect.stringContaining(`You have ${n} ${n === 1 ? 'try' : 'tries'} left`)));
    expect(answers[4]).toContain('too many wrong tries');
    expect(await user.say(b, right)).toEqual([expect.stringContaining('too many wrong tries')]);
  }, 60_000);

  test('30 parallel wrong guesses split across the instances evaluate at most 5', async () => {
    const user = new Conversation();
    await user.say(a, 'reset');
    await user.say(b, 'guess');
    await user.say(a, 'sms');
    const right = await code('+85260000004');
    const guesses = Array.from({ length: 30 }, (_, i) => String((Number(right) + 1 + i) % 1_000_000).padStart(6, '0'));
    await Promise.all(guesses.map((g, i) => user.say(both[i % 2]!, g).catch(() => [])));
    const evaluated = await sql<{ n: number }>(url, "SELECT count(*)::int AS n FROM audit_events WHERE uid = 'guess' AND event IN ('code.wrong', 'code.dead')");
    expect(evaluated).toEqual([{ n: 5 }]);
    expect(await sql(url, "SELECT wrong_tries, status FROM challenges WHERE uid = 'guess' AND purpose = 'reset-sms'")).toEqual([{ wrong_tries: 5, status: 'dead' }]);
    expect(await sql(url, "SELECT consecutive_failures FROM throttles WHERE key = 'account:guess'")).toEqual([{ consecutive_failures: 5 }]);
    expect(await sql(url, "SELECT count(*)::int AS n FROM audit_events WHERE uid = 'guess' AND event = 'code.verified'")).toEqual([{ n: 0 }]);
  }, 60_000);

  test('a Twilio delivery report that reaches the other instance tells the user waiting on SMS at once', async () => {
    const phone = '+85260000006';
    const text = (instance: BotInstance, body: string) => postInboundSms({ baseUrl: PUBLIC, postTo: instance.baseUrl, authToken: AUTH_TOKEN, from: phone, to: BOT_NUMBER, body, sid: newMessageSid() });
    expect((await text(a, 'reset')).status).toBe(200);
    expect((await text(a, 'texter')).status).toBe(200);
    expect((await text(a, '2')).status).toBe(200);
    await code(phone);
    const status = { MessageSid: newMessageSid(), MessageStatus: 'undelivered', To: phone, From: BOT_NUMBER, ErrorCode: '30003' };
    const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${PUBLIC}/api/sms/status`, status);
    const report = await fetch(`${b.baseUrl}/api/sms/status`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, body: new URLSearchParams(status).toString() });
    expect(report.status).toBe(204);
    // Instance a, where the user waits, texts them without waiting for their next text.
    await waitForMessage([a], phone, /(could not be delivered by SMS)/);
    expect(b.texts(phone).filter((m) => m.body.includes('could not be delivered'))).toEqual([]);
  }, 60_000);
});

describe('an instance killed mid-conversation', () => {
  test('when one instance is killed with SIGKILL mid-conversation, the other carries the conversation on', async () => {
    const c = await BotInstance.create('c', { DATABASE_URL: url, PUBLIC_BASE_URL: PUBLIC, TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_FROM: BOT_NUMBER });
    await c.start();
    const user = new Conversation();
    await user.say(c, 'reset');
    await user.say(c, 'killed');
    expect(await user.say(c, 'sms')).toEqual([expect.stringContaining('6-digit code')]);
    const right = await waitForMessage([c], '+85260000005', CODE);
    await c.kill();
    const [reply] = await user.say(b, right);
    expect(reply).toMatch(LINK);

    // The user waits on SMS on an instance that dies; the delivery report and their next text go to the others: told then.
    const phone = '+85260000007';
    const text = (instance: BotInstance, body: string) => postInboundSms({ baseUrl: PUBLIC, postTo: instance.baseUrl, authToken: AUTH_TOKEN, from: phone, to: BOT_NUMBER, body, sid: newMessageSid() });
    await c.start();
    expect((await text(c, 'reset')).status).toBe(200);
    expect((await text(c, 'texter2')).status).toBe(200);
    expect((await text(c, '2')).status).toBe(200);
    await waitForMessage([c], phone, CODE);
    await c.kill();
    const status = { MessageSid: newMessageSid(), MessageStatus: 'failed', To: phone, From: BOT_NUMBER, ErrorCode: '30006' };
    const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${PUBLIC}/api/sms/status`, status);
    expect((await fetch(`${a.baseUrl}/api/sms/status`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, body: new URLSearchParams(status).toString() })).status).toBe(204);
    expect((await text(b, 'hello')).status).toBe(200);
    expect(b.texts(phone).map((m) => m.body)).toEqual([expect.stringContaining('could not be delivered by SMS')]);
  }, 90_000);
});
