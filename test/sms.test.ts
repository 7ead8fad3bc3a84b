import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import twilio from 'twilio';
import { TestSmtpServer } from './support/smtp.js';
import { TwilioMock } from './support/twilioMock.js';
import { BotClient } from './support/botClient.js';
import { readAllFiles, startApp, type RunningApp } from './support/app.js';
import { openTestServices } from './support/services.js';
import { inboundForm, newMessageSid, postInboundSms } from '../src/channels/sms/inboundRequest.js';
import { smsSize } from '../src/domain/smsSegments.js';
import { TwilioSms } from '../src/adapters/sms/twilioSms.js';
import { hasCode } from './support/secretScan.js';

const AUTH_TOKEN = 'test-auth-token-0123456789abcdef';
const BOT_NUMBER = '+85230001234';
const LINK = /(https?:\/\/\S+\/reset\/[A-Za-z0-9_-]+)/;
const SMS_CODE = /code is (\d{6})\b/;

const smtp = new TestSmtpServer();
const twilioApi = new TwilioMock();
let running: RunningApp;
let dataDir: string;
let env: Record<string, string>;

beforeAll(async () => {
  const smtpUrl = await smtp.start();
  twilioApi.start();
  const opened = await openTestServices();
  dataDir = opened.dataDir;
  const { services, clock } = opened;
  for (const uid of ['jdoe', 'asmith', 'bchan', 'cwong', 'ewu', 'klam', 'mng']) {
    await services.directory.importAccount({ uid, name: uid, email: `${uid}@example.edu`, pin: 'Old-PIN-1234' });
  }
  await services.store.contacts.put({ uid: 'asmith', email: 'alex@gmail.com', mobile: '+85269876543', source: 'import', verifiedAt: clock.now(), updatedAt: clock.now() });
  await services.store.contacts.put({ uid: 'bchan', email: 'bo@gmail.com', mobile: '+85268880000', source: 'import', verifiedAt: clock.now(), updatedAt: clock.now() });
  await services.store.contacts.put({ uid: 'ewu', email: 'ew@gmail.com', mobile: '+85264440000', source: 'import', verifiedAt: clock.now(), updatedAt: clock.now() });
  await services.store.contacts.put({ uid: 'cwong', email: 'cw@gmail.com', mobile: '+85267770000', source: 'import', verifiedAt: clock.now(), updatedAt: clock.now() });
  await services.close();
  env = {
    SMTP_URL: smtpUrl,
    TWILIO_ACCOUNT_SID: twilioApi.accountSid,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWILIO_FROM: BOT_NUMBER,
    SMS_INBOUND_PER_NUMBER_PER_HOUR: '12',
    SENDS_PER_ACCOUNT_PER_HOUR: '20',
    SENDS_PER_ACCOUNT_PER_DAY: '40',
  };
  running = await startApp(env, dataDir);
});

afterAll(async () => {
  await running?.app.close();
  await smtp.stop();
  twilioApi.stop();
});

/** A phone texting the bot's Twilio number; what it receives is what Twilio was asked to send it. */
class Phone {
  /** `app`: the bot it texts, if not the one shared by this file. */
  constructor(readonly number: string, private readonly app?: RunningApp) {}

  /** Texts the bot and returns the HTTP status and the texts this number received during the turn. */
  async text(body: string, sid = newMessageSid()): Promise<{ status: number; replies: string[]; type: string | null; answer: string; retryAfter: string | null }> {
    const before = twilioApi.sent.length;
    const res = await postInboundSms({ baseUrl: (this.app ?? running).baseUrl, authToken: AUTH_TOKEN, from: this.number, to: BOT_NUMBER, body, sid });
    const answer = await res.text();
    const replies = twilioApi.sent.slice(before).filter((m) => m.to === this.number && !SMS_CODE.test(m.body)).map((m) => m.body);
    return { status: res.status, replies, type: res.headers.get('content-type'), answer, retryAfter: res.headers.get('retry-after') };
  }

  async say(body: string): Promise<string[]> {
    const { status, replies } = await this.text(body);
    expect(status).toBe(200);
    return replies;
  }

  /** The newest code texted to this number. */
  lastCode(): string {
    const sms = twilioApi.sent.filter((m) => m.to === this.number && SMS_CODE.test(m.body)).at(-1);
    if (!sms) throw new Error(`no code texted to ${this.number}`);
    return SMS_CODE.exec(sms.body)![1]!;
  }
}

async function auditEvents(): Promise<{ event: string; uid?: string; channel?: string; outcome: string; detail?: Record<string, unknown> }[]> {
  await running.app.services.background.drain();
  const text = await readFile(join(dataDir, 'audit.jsonl'), 'utf8');
  return text.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

async function setPinByPost(url: string, pin: string): Promise<string> {
  const page = await fetch(url);
  expect(page.status).toBe(200);
  const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  expect(csrf).toBeDefined();
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf: csrf!, pin, confirm: pin }).toString() });
  return res.text();
}

describe('both flows complete over SMS alone', () => {
  test('registration by SMS, from the first text to the saved contacts', async () => {
    const phone = new Phone('+85291234567');
    expect(await phone.say('register')).toEqual([expect.stringContaining('portal UID')]);
    const mailsBefore = smtp.to('jdoe@example.edu').length;
    expect(await phone.say('jdoe')).toEqual([expect.stringContaining('institutional email')]);
    const identityCode = await smtp.waitFor('jdoe@example.edu', /code is (\d{6})/, mailsBefore);
    expect(await phone.say(identityCode)).toEqual([expect.stringContaining('alternate email')]);
    const altBefore = smtp.to('jane.sms@gmail.com').length;
    expect(await phone.say('jane.sms@gmail.com')).toEqual([expect.stringContaining('j***@gmail.com')]);
    const emailCode = await smtp.waitFor('jane.sms@gmail.com', /code is (\d{6})/, altBefore);
    expect(await phone.say(emailCode)).toEqual([expect.stringContaining('mobile number')]);
    expect(await phone.say('9123 4567')).toEqual([expect.stringContaining('+852 ****4567')]);
    const replies = await phone.say(phone.lastCode());
    expect(replies).toEqual([expect.stringContaining('All done')]);
    // Plain text: no markdown reaches a phone.
    expect(replies[0]).not.toMatch(/\*\*[a-z]/i);
    const saved = await running.app.services.store.contacts.get('jdoe');
    expect(saved).toMatchObject({ email: 'jane.sms@gmail.com', mobile: '+85291234567', source: 'self' });
    expect((await auditEvents()).some((e) => e.event === 'contacts.changed' && e.uid === 'jdoe' && e.channel === 'sms')).toBe(true);
  });

  test('reset by SMS code, from the first text to the PIN page POST', async () => {
    const phone = new Phone('+85269876543');
    expect(await phone.say('forgot pin')).toEqual([expect.stringContaining('portal UID')]);
    const [methods] = await phone.say('asmith');
    expect(methods).toMatch(/1\. email[\s\S]*2\. sms/);
    expect(await phone.say('2')).toEqual([expect.stringContaining('6-digit code')]);
    await running.app.services.background.drain();
    const [linkReply] = await phone.say(phone.lastCode());
    const url = LINK.exec(linkReply ?? '')?.[1];
    expect(url).toBeDefined();
    expect(await setPinByPost(url!, 'Quiet-Harbour-Kite-7')).toContain('Your PIN has been changed');
    expect(await running.app.services.directory.checkPin('asmith', 'Quiet-Harbour-Kite-7')).toBe(true);
  });

  test('a text from the registered mobile itself is still verified by a code (senders can be spoofed)', async () => {
    const phone = new Phone('+85268880000');
    await phone.say('reset');
    await phone.say('bchan');
    expect(await phone.say('sms')).toEqual([expect.stringContaining('6-digit code')]);
    await running.app.services.background.drain();
    const code = phone.lastCode();
    const wrong = code === '000000' ? '111111' : '000000';
    const replies = await phone.say(wrong);
    expect(replies).toEqual([expect.stringContaining("isn't right")]);
    expect(replies.join('\n')).not.toMatch(LINK);
  });

});

describe('the webhook accepts only what Twilio signed, once', () => {
  const post = (headers: Record<string, string>, form: Record<string, string>) =>
    fetch(`${running.baseUrl}/api/sms`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form).toString() });

  test('unsigned and forged webhooks get 403, do nothing, and are logged without the body', async () => {
    const form = inboundForm({ sid: newMessageSid(), from: '+85291000001', to: BOT_NUMBER, body: 'register secret-body-words' });
    const sentBefore = twilioApi.sent.length;
    expect((await post({}, form)).status).toBe(403);
    const forged = twilio.getExpectedTwilioSignature('not-the-auth-token', `${running.baseUrl}/api/sms`, form);
    expect((await post({ 'x-twilio-signature': forged }, form)).status).toBe(403);
    // Signed for another URL (as if rebuilt from a Host header) does not pass either.
    const elsewhere = twilio.getExpectedTwilioSignature(AUTH_TOKEN, 'https://attacker.example/api/sms', form);
    expect((await post({ 'x-twilio-signature': elsewhere, host: 'attacker.example' }, form)).status).toBe(403);
    // A good signature over different fields.
    const signed = twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${running.baseUrl}/api/sms`, form);
    expect((await post({ 'x-twilio-signature': signed }, { ...form, Body: 'reset' })).status).toBe(403);
    expect(twilioApi.sent.length).toBe(sentBefore);
    expect((await running.app.services.store.botState.all()).filter((r) => r.key.includes('+85291000001'))).toEqual([]);
    expect(running.logs()).toContain('Twilio webhook refused');
    expect(running.logs()).not.toContain('secret-body-words');
  });

  test('a signed text without a MessageSid, or from a number that is not E.164, gets 400 and no turn', async () => {
    const sentBefore = twilioApi.sent.length;
    for (const form of [
      { From: '+85291000004', To: BOT_NUMBER, Body: 'help' },
      { ...inboundForm({ sid: newMessageSid(), from: '90000004', to: BOT_NUMBER, body: 'help' }) },
    ]) {
      const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${running.baseUrl}/api/sms`, form);
      const res = await post({ 'x-twilio-signature': signature }, form);
      expect({ status: res.status, body: await res.json() }).toEqual({ status: 400, body: { code: 'BadRequest', message: 'MessageSid and From (an E.164 number) are required.' } });
    }
    expect(twilioApi.sent.length).toBe(sentBefore);
  });

  test('a body that is not form-encoded gets 415 with a reason', async () => {
    const res = await fetch(`${running.baseUrl}/api/sms`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ From: '+85291000005', Body: 'help' }) });
    expect({ status: res.status, body: await res.json() }).toEqual({ status: 415, body: { code: 'UnsupportedMediaType', message: 'Send the Twilio webhook as application/x-www-form-urlencoded.' } });
  });

  test('a replayed delivery (same MessageSid) does nothing the second time', async () => {
    const phone = new Phone('+85291000002');
    const sid = newMessageSid();
    const first = await phone.text('help', sid);
    expect(first.status).toBe(200);
    expect(first.replies).toHaveLength(1);
    const again = await phone.text('help', sid);
    expect(again.status).toBe(200);
    expect(again.replies).toEqual([]);
  });

  test('the webhook answers 200 with empty TwiML after the turn', async () => {
    const phone = new Phone('+85291000003');
    const { status, type, answer, replies } = await phone.text('status');
    expect(status).toBe(200);
    expect(type).toContain('text/xml');
    expect(answer).toContain('<Response/>');
    expect(replies).toHaveLength(1);
  });
});

describe('SMS conventions', () => {
  test('HELP answers with the service and the service desk', async () => {
    const [help] = await new Phone('+85291000010').say('HELP');
    expect(help).toContain('PIN reset service');
    expect(help).toContain('the IT Service Desk (2859 0000)');
    expect(smsSize(help!).segments).toBeLessThanOrEqual(2);
  });

  test('STOP and START are confirmed in the language of the conversation, Chinese included', async () => {
    const phone = new Phone('+85291000040');
    expect(await phone.say('中文')).toEqual([expect.stringContaining('好的，之後會以中文回覆')]);
    expect(await phone.say('STOP')).toEqual(['您已停止接收 PIN 重設短訊，之後不會再收到任何訊息。如要恢復，請回覆 START。']);
    expect(await phone.say('START')).toEqual([expect.stringContaining('您已恢復接收 PIN 重設短訊')]);
  });

  test('STOP opts out across a restart: no replies and no codes until START', async () => {
    const phone = new Phone('+85291000011');
    expect(await phone.say('Stop')).toEqual([expect.stringContaining('unsubscribed')]);
    expect(await phone.say('help')).toEqual([]);
    expect(await phone.say('STOP')).toEqual([]);

    await running.app.close();
    running = await startApp(env, dataDir);

    expect(await phone.say('register')).toEqual([]);
    // A code to the opted-out number is refused too, whoever asks for it.
    const teams = new BotClient(running.baseUrl);
    await teams.send('register');
    await teams.send('cwong');
    const identityCode = await smtp.waitFor('cwong@example.edu', /code is (\d{6})/);
    await teams.send(identityCode);
    await teams.send('cwong.new@gmail.com');
    await teams.send(await smtp.waitFor('cwong.new@gmail.com', /code is (\d{6})/));
    expect(await teams.send('+85291000011')).toEqual([expect.stringContaining('could not send a code to +852 ••••0011')]);
    expect(twilioApi.sent.filter((m) => m.to === '+85291000011')).toHaveLength(1);

    expect(await phone.say('START')).toEqual([expect.stringContaining('subscribed')]);
    expect(await phone.say('help')).toEqual([expect.stringContaining('PIN reset service')]);
    const events = (await auditEvents()).map((e) => e.event);
    expect(events).toEqual(expect.arrayContaining(['sms.opted_out', 'sms.opted_in']));
  });

  test('a bare CANCEL opts out; EXIT stops a flow in progress', async () => {
    const phone = new Phone('+85291000012');
    await phone.say('reset');
    expect(await phone.say('help')).toEqual([expect.stringContaining('text EXIT to stop'), expect.stringContaining('portal UID')]);
    expect(await phone.say('exit')).toEqual([expect.stringContaining('I have stopped')]);
    expect(await phone.say('cancel')).toEqual([expect.stringContaining('unsubscribed')]);
    expect(await phone.say('reset')).toEqual([]);
    await phone.say('start');
  });

  test('the per-number flood limit answers 429 and does no work; other numbers are unaffected', async () => {
    const flooder = new Phone('+85291000013');
    for (let i = 0; i < 12; i++) expect((await flooder.text('hello')).status).toBe(200);
    const refused = await flooder.text('reset');
    expect(refused.status).toBe(429);
    expect(refused.replies).toEqual([]);
    expect((await flooder.text('hello')).status).toBe(429);
    expect(await new Phone('+85291000014').say('help')).toHaveLength(1);
    expect((await auditEvents()).filter((e) => e.event === 'sms.flood_limited')).toHaveLength(1);
    running.clock.advance(61 * 60_000);
    expect((await flooder.text('help')).status).toBe(200);
  });

  test('the per-number 429 says how long to wait: until the oldest counted text leaves the hour; only the first refusal of a run is audited and stored', async () => {
    const flooder = new Phone('+85291000016');
    const audited = async () => (await auditEvents()).filter((e) => e.event === 'sms.flood_limited' && e.detail?.['number'] === '+852 ****0016').length;
    const counter = () => running.app.services.store.throttles.get('sms-inbound:+85291000016');
    expect((await flooder.text('hello')).status).toBe(200);
    running.clock.advance(10 * 60_000);
    for (let i = 0; i < 11; i++) expect((await flooder.text('hello')).status).toBe(200);
    running.clock.advance(5 * 60_000);
    const refused = await flooder.text('hello');
    expect(refused).toMatchObject({ status: 429, retryAfter: '2700', replies: [] });
    // The reason names the same wait (the one 429 answer every rate limit gives).
    expect(JSON.parse(refused.answer)).toEqual({ code: 'TooManyRequests', message: 'Too many texts from this number. Try again in 2700 s.' });
    expect(await audited()).toBe(1);
    const afterFirstRefusal = await counter();
    expect(await flooder.text('hello')).toMatchObject({ status: 429, retryAfter: '2700' });
    expect(await counter()).toEqual(afterFirstRefusal);
    expect(await audited()).toBe(1);

    running.clock.advance(2699_000);
    expect(await flooder.text('hello')).toMatchObject({ status: 429, retryAfter: '1' });
    running.clock.advance(1_000);
    // The oldest text has left the hour: one more is counted, and the refusals that follow begin a new run.
    expect((await flooder.text('hello')).status).toBe(200);
    running.clock.advance(500);
    expect(await flooder.text('hello')).toMatchObject({ status: 429, retryAfter: '600' });
    expect(await audited()).toBe(2);
  });

  test('STOP still works from a number over its flood limit', async () => {
    const flooder = new Phone('+85291000015');
    for (let i = 0; i < 12; i++) await flooder.text('hello');
    expect((await flooder.text('hello')).status).toBe(429);
    const stop = await flooder.text('STOP');
    expect(stop.status).toBe(200);
    expect(await running.app.services.sms.optOuts.isOptedOut('+85291000015')).toBe(true);
  });
});

describe('delivery failures are reported, audited and offer email', () => {
  test('a Twilio 5xx on the mobile code is reported to the user and audited', async () => {
    const phone = new Phone('+85291000020');
    await phone.say('register');
    await phone.say('bchan');
    const code = await smtp.waitFor('bchan@example.edu', /code is (\d{6})/);
    await phone.say(code);
    await phone.say('bchan.sms@gmail.com');
    await phone.say(await smtp.waitFor('bchan.sms@gmail.com', /code is (\d{6})/));
    twilioApi.failures = 1;
    const replies = await phone.say('+85291000020');
    expect(replies).toEqual([expect.stringContaining('could not send a code to +852 ****0020')]);
    expect((await auditEvents()).some((e) => e.event === 'code.send_failed' && e.uid === 'bchan' && e.detail?.['purpose'] === 'mobile')).toBe(true);
  });

  test('a Twilio 5xx on a reset code: the user is told and switches to email', async () => {
    const phone = new Phone('+85291000021');
    await phone.say('reset');
    await phone.say('cwong');
    twilioApi.failures = 1;
    const sentBefore = twilioApi.sent.length;
    expect((await phone.text('2')).status).toBe(200);
    await running.app.services.background.drain();
    // Told without having to text again, after the turn's own reply.
    expect(twilioApi.sent.slice(sentBefore).filter((m) => m.to === phone.number).map((m) => m.body)).toEqual([
      expect.stringContaining('6-digit code'),
      expect.stringContaining('could not be delivered by SMS. Type email to get a link'),
    ]);
    expect(await phone.say('123456')).toEqual([expect.stringContaining('could not be delivered')]);
    const before = smtp.to('cw@gmail.com').length;
    expect(await phone.say('email')).toEqual([expect.stringContaining('I have sent a link')]);
    await smtp.waitFor('cw@gmail.com', LINK, before);
    expect((await auditEvents()).some((e) => e.event === 'code.send_failed' && e.uid === 'cwong' && e.detail?.['purpose'] === 'reset-sms')).toBe(true);
  });

  test('each code sent through Twilio asks for a delivery report at PUBLIC_BASE_URL/api/sms/status; other texts do not, so their reports cannot fail a code', async () => {
    const twilio = new TwilioSms(twilioApi.accountSid, AUTH_TOKEN, BOT_NUMBER, 'https://pin.example.edu/api/sms/status');
    await twilio.send({ to: '+85291000023', body: 'hello', deliveryReport: true });
    expect(twilioApi.sent.at(-1)).toEqual({ to: '+85291000023', from: BOT_NUMBER, body: 'hello', statusCallback: 'https://pin.example.edu/api/sms/status' });
    await twilio.send({ to: '+85291000023', body: 'a chat reply' });
    expect(twilioApi.sent.at(-1)).toEqual({ to: '+85291000023', from: BOT_NUMBER, body: 'a chat reply' });
  });

  test('a signed "undelivered" status callback is audited and the user is offered email; an unsigned one is refused', async () => {
    const phone = new Phone('+85291000022');
    await phone.say('reset');
    await phone.say('bchan');
    await phone.say('sms');
    await running.app.services.background.drain();
    const status = { MessageSid: newMessageSid(), MessageStatus: 'undelivered', To: '+85268880000', From: BOT_NUMBER, ErrorCode: '30003', AccountSid: twilioApi.accountSid };
    const url = `${running.baseUrl}/api/sms/status`;
    const body = new URLSearchParams(status).toString();
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    expect((await fetch(url, { method: 'POST', headers, body })).status).toBe(403);
    const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, status);
    expect((await fetch(url, { method: 'POST', headers: { ...headers, 'x-twilio-signature': signature }, body })).status).toBe(204);
    const audited = (await auditEvents()).filter((e) => e.event === 'sms.undelivered');
    expect(audited).toEqual([expect.objectContaining({ uid: 'bchan', detail: expect.objectContaining({ to: '+852 ****0000', errorCode: '30003', codes: 1 }) })]);
    await running.app.services.background.drain();
    expect(twilioApi.sent.at(-1)).toEqual({ to: phone.number, from: BOT_NUMBER, body: expect.stringContaining('could not be delivered by SMS. Type email to get a link') });
    expect(await phone.say('email')).toEqual([expect.stringContaining('I have sent a link')]);
  });
});

describe('nothing reaches a number that opted out', () => {
  test('an undelivered-code notice is not texted to a number that texted STOP meanwhile (replies check the opt-out too: the notice runs outside the STOP middleware)', async () => {
    const phone = new Phone('+85291000024');
    await phone.say('reset');
    await phone.say('ewu');
    expect(await phone.say('sms')).toEqual([expect.stringContaining('6-digit code')]);
    await running.app.services.background.drain();
    expect(await phone.say('STOP')).toEqual([expect.stringContaining('unsubscribed')]);
    const sentBefore = twilioApi.sent.length;
    const logsBefore = running.logs().length;
    const status = { MessageSid: newMessageSid(), MessageStatus: 'undelivered', To: '+85264440000', From: BOT_NUMBER, ErrorCode: '30003', AccountSid: twilioApi.accountSid };
    const url = `${running.baseUrl}/api/sms/status`;
    const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, status);
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, body: new URLSearchParams(status).toString() });
    expect(res.status).toBe(204);
    await running.app.services.background.drain();
    expect((await auditEvents()).some((e) => e.event === 'sms.undelivered' && e.uid === 'ewu')).toBe(true);
    // The notice was tried, and refused by the transport rather than sent.
    expect(running.logs().slice(logsBefore)).toMatch(/"name":"SmsOptedOut"[^\n]*SMS reply could not be sent/);
    expect(twilioApi.sent.slice(sentBefore)).toEqual([]);
    await phone.say('START');
  });
});

// The Azure Bot Service Twilio channel (channel sms on /api/messages, with a verified token) is tested in entryPoints.test.ts.

/** The app with SMS_MAX_PER_HOUR=2 and one account, `uid`, whose email and mobile are registered. */
async function appWithCeiling(uid: string, altEmail: string, mobile: string): Promise<RunningApp> {
  const own = await openTestServices();
  await own.services.directory.importAccount({ uid, name: uid, email: `${uid}@example.edu` });
  await own.services.store.contacts.put({ uid, email: altEmail, mobile, source: 'import', verifiedAt: own.clock.now(), updatedAt: own.clock.now() });
  await own.services.close();
  return startApp({ ...env, SMS_MAX_PER_HOUR: '2' }, own.dataDir);
}

describe('the hourly ceiling on outbound SMS', () => {
  test('at the ceiling an alert is logged and audited, codes stop, and users are offered email', async () => {
    const capped = await appWithCeiling('dlee', 'dl@gmail.com', '+85266660000');
    try {
      const first = new BotClient(capped.baseUrl);
      await first.send('reset');
      await first.send('dlee');
      await first.send('sms');
      await first.send('resend');
      await capped.app.services.background.drain();
      expect(twilioApi.sent.filter((m) => m.to === '+85266660000')).toHaveLength(2);
      expect(capped.logs()).not.toMatch(/"alert"/);

      // The next code would pass the ceiling: it is not sent, an alert is logged and audited, and the user is offered email.
      await first.send('resend');
      await capped.app.services.background.drain();
      expect(twilioApi.sent.filter((m) => m.to === '+85266660000')).toHaveLength(2);
      expect(capped.logs()).toMatch(/"level":50[^\n]*"alert":"sms-ceiling"/);
      const audit = await readFile(join(capped.dataDir, 'audit.jsonl'), 'utf8');
      expect(audit).toContain('"event":"sms.ceiling_reached"');
      expect(await first.send('123456')).toEqual([expect.stringMatching(/could not be delivered by SMS. Type \*\*email\*\* to get a link/)]);
      expect(await first.send('email')).toEqual([expect.stringContaining('I have sent a link')]);

      const third = new BotClient(capped.baseUrl);
      await third.send('reset');
      await third.send('dlee');
      expect(await third.send('sms')).toEqual([expect.stringContaining('SMS codes are unavailable'), expect.stringContaining('How would you like to verify')]);
      expect(await third.send('email')).toEqual([expect.stringContaining('I have sent a link')]);

      // An hour later codes flow again.
      capped.clock.advance(61 * 60_000);
      const later = new BotClient(capped.baseUrl);
      await later.send('reset');
      await later.send('dlee');
      expect(await later.send('sms')).toEqual([expect.stringContaining('6-digit code')]);
    } finally {
      await capped.app.close();
    }
  });
});

describe('the hourly ceiling, hour by hour', () => {
  const HOUR = 3_600_000;
  const alerts = (logs: string) => logs.split('\n').filter((line) => line.includes('"alert":"sms-ceiling"')).length;
  const audited = async (dir: string) => (await readFile(join(dir, 'audit.jsonl'), 'utf8')).split('\n').filter((line) => line.includes('"event":"sms.ceiling_reached"')).length;
  /** Moves an app's clock to `at` (its clock starts at the real time). */
  const setClock = (app: RunningApp, at: number) => app.clock.advance(at - app.clock.now());

  test('the ceiling alert is logged and audited once an hour, however many SMS it refuses, even across a restart', async () => {
    const own = await openTestServices();
    await own.services.close();
    const cappedEnv = { ...env, SMS_MAX_PER_HOUR: '2' };
    let app = await startApp(cappedEnv, own.dataDir);
    const notice = (i: number) => app.app.services.outbound.text(`+852655500${String(i).padStart(2, '0')}`, 'Your contacts changed.');
    try {
      const hour = app.clock.now() - (app.clock.now() % HOUR) + HOUR;
      setClock(app, hour + 60_000);
      expect([await notice(1), await notice(2)]).toEqual([true, true]);
      for (let i = 3; i < 8; i++) expect(await notice(i)).toBe(false);
      expect(alerts(app.logs())).toBe(1);
      expect(await audited(own.dataDir)).toBe(1);

      await app.app.close();
      app = await startApp(cappedEnv, own.dataDir);
      setClock(app, hour + 30 * 60_000);
      for (let i = 8; i < 11; i++) expect(await notice(i)).toBe(false);
      expect(alerts(app.logs())).toBe(0);
      expect(await audited(own.dataDir)).toBe(1);

      // The next clock hour counts afresh, and its first refusal is an alert again.
      setClock(app, hour + HOUR);
      expect([await notice(11), await notice(12)]).toEqual([true, true]);
      for (let i = 13; i < 16; i++) expect(await notice(i)).toBe(false);
      expect(alerts(app.logs())).toBe(1);
      expect(await audited(own.dataDir)).toBe(2);
      expect(twilioApi.sent.filter((m) => m.to.startsWith('+852655500')).map((m) => m.to.slice(-2))).toEqual(['01', '02', '11', '12']);
    } finally {
      await app.app.close();
    }
  });

  test('at the ceiling, replies to someone who texted still go out by SMS (counted), and a reset there offers email instead of a code', async () => {
    const app = await appWithCeiling('fho', 'fh@gmail.com', '+85263330000');
    try {
      const phone = new Phone('+85291000025', app);
      for (let i = 0; i < 3; i++) expect(await phone.say('help')).toEqual([expect.stringContaining('PIN reset service')]);
      expect(await app.app.services.sms.ceiling.reached()).toBe(true);
      expect((await app.app.services.store.throttles.get('sms-outbound:all'))?.clockHour?.count).toBe(3);

      await phone.say('reset');
      await phone.say('fho');
      expect(await phone.say('sms')).toEqual([expect.stringContaining('SMS codes are unavailable'), expect.stringContaining('How would you like to verify')]);
      await app.app.services.background.drain();
      expect(twilioApi.sent.filter((m) => m.to === '+85263330000')).toEqual([]);
      const before = smtp.to('fh@gmail.com').length;
      expect(await phone.say('email')).toEqual([expect.stringContaining('I have sent a link')]);
      await smtp.waitFor('fh@gmail.com', LINK, before);
    } finally {
      await app.app.close();
    }
  });
});

/**
 * A registration and a reset, all by SMS, for `uid` (each test that needs flows runs its own, so
 * none depends on what ran before it): registered from `mobile`, then reset from `other`.
 * Returns the SMS and mails they caused.
 */
async function smsFlows(uid: string, email: string, mobile: string, other: string) {
  const sentBefore = twilioApi.sent.length;
  const mailBefore = smtp.received.length;
  const phone = new Phone(mobile);
  await phone.say('register');
  const institutional = smtp.to(`${uid}@example.edu`).length;
  await phone.say(uid);
  await phone.say(await smtp.waitFor(`${uid}@example.edu`, /code is (\d{6})/, institutional));
  await phone.say(email);
  await phone.say(await smtp.waitFor(email, /code is (\d{6})/));
  await phone.say(mobile.slice(4));
  expect(await phone.say(phone.lastCode())).toEqual([expect.stringContaining('All done')]);
  await phone.say('help');
  await phone.say('status');
  const resetter = new Phone(other);
  await resetter.say('reset');
  await resetter.say(uid);
  await resetter.say('2');
  await running.app.services.background.drain();
  expect((await resetter.say(phone.lastCode())).join('\n')).toMatch(LINK);
  await running.app.services.background.drain();
  return { sms: twilioApi.sent.slice(sentBefore), mail: smtp.received.slice(mailBefore) };
}

describe('SMS stays short', () => {
  test('every SMS sent in all the flows above (replies, codes, notices) fits in two segments', async () => {
    const { sms } = await smsFlows('klam', 'kelly.lam@gmail.com', '+85291001111', '+85291001112');
    // Everything this file's flows have sent so far, and at least the replies, codes and notices of a registration and a reset.
    expect(sms.length).toBeGreaterThan(12);
    for (const text of twilioApi.sent) expect({ body: text.body, segments: smsSize(text.body).segments <= 2 }).toEqual({ body: text.body, segments: true });
  });
});

describe('SMS secrets', () => {
  test('no code texted or mailed in this run appears in the logs, the audit log or the store files', async () => {
    const { sms, mail } = await smsFlows('mng', 'man.ng@gmail.com', '+85291002221', '+85291002222');
    const codes = new Set<string>();
    // This test's own codes, and every other one this file's flows have sent so far.
    for (const text of [...sms.map((m) => m.body), ...mail.map((m) => m.text), ...twilioApi.sent.map((m) => m.body), ...smtp.received.map((m) => m.text)]) {
      for (const m of text.matchAll(/code is (\d{6})/g)) codes.add(m[1]!);
    }
    expect([...codes].filter((code) => [...sms.map((m) => m.body), ...mail.map((m) => m.text)].some((text) => text.includes(code)))).toHaveLength(4);
    const haystacks = { logs: running.logs(), ...(await readAllFiles(dataDir)) };
    for (const code of codes) {
      // As text, not as digits inside a longer number (a stored time may hold any six digits).
      for (const [where, text] of Object.entries(haystacks)) expect({ where, leaks: hasCode(text, code) }).toEqual({ where, leaks: false });
    }
  });
});
