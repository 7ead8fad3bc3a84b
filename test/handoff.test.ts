import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TestSmtpServer } from './support/smtp.js';
import { BotClient } from './support/botClient.js';
import { readAllFiles, startApp, type RunningApp } from './support/app.js';
import { openTestServices } from './support/services.js';
import type { AuditEvent } from '../src/ports/audit.js';

const DESK = 'desk-tickets@example.edu';
const WEBHOOK_SECRET = 'a-webhook-secret-for-the-tests-0123456789';
const REFERENCE = /\*\*(PR-\d{8}-\d{4})\*\*/;
const HOUR = 3_600_000;

/** Accounts: jdoe with contacts; bsmith without. */
async function seededDataDir(): Promise<string> {
  const { services, dataDir, clock } = await openTestServices();
  await services.directory.importAccount({ uid: 'jdoe', name: 'Jane Doe', email: 'jdoe@example.edu', pin: 'Old-PIN-1234' });
  await services.directory.importAccount({ uid: 'bsmith', name: 'Bo Smith', email: 'bsmith@example.edu' });
  await services.directory.importAccount({ uid: 'kchan', name: 'Kim Chan', email: 'kchan@example.edu' });
  await services.directory.importAccount({ uid: 'pwong', name: 'Pat Wong', email: 'pwong@example.edu' });
  await services.store.contacts.put({ uid: 'jdoe', email: 'jane@gmail.com', mobile: '+85261234567', source: 'self', verifiedAt: clock.now(), updatedAt: clock.now() });
  await services.close();
  return dataDir;
}

async function auditOf(running: RunningApp, event: string): Promise<AuditEvent[]> {
  return (await running.app.services.auditLog.read()).filter((e) => e.event === event);
}

/** The codes texted so far, from the SMS outbox. */
async function textedCodes(running: RunningApp): Promise<string[]> {
  const text = await readFile(join(running.dataDir, 'outbox', 'sms.jsonl'), 'utf8').catch(() => '');
  return [...text.matchAll(/\b(\d{6})\b/g)].map((m) => m[1]!);
}

/** The same reply with the reference taken out, to compare replies across accounts. */
const withoutReference = (replies: string[]) => replies.map((r) => r.replace(/PR-\d{8}-\d{4}/g, 'PR-…'));

describe('hand-off by mail to the service desk', () => {
  const smtp = new TestSmtpServer();
  let running: RunningApp;

  beforeAll(async () => {
    const smtpUrl = await smtp.start();
    running = await startApp({ SMTP_URL: smtpUrl, SERVICE_DESK_EMAIL: DESK }, await seededDataDir());
  });
  afterAll(async () => {
    await running?.app.close();
    await smtp.stop();
  });

  test('“I never received the code” during a reset offers a hand-off; the case mail holds the reference, the UID marked unverified, channel, language, the steps and how to reach the user, and no code', async () => {
    const user = new BotClient(running.baseUrl);
    await user.send('reset');
    await user.send('jdoe');
    expect((await user.send('sms')).join()).toContain('Type the code here');
    const offer = await user.send('I never received the code');
    expect(offer).toEqual([expect.stringContaining('A person at the service desk can help. Shall I pass your request to them?')]);
    const told = await user.send('yes');
    expect(told).toHaveLength(1);
    expect(told[0]).toContain('I have passed your request to the service desk. Your reference is');
    const reference = REFERENCE.exec(told[0]!)![1]!;
    expect(reference).toMatch(/^PR-\d{8}-0001$/);

    const mail = smtp.to(DESK).find((m) => m.subject.includes(reference))!;
    expect(mail.subject).toBe(`[${reference}] PIN reset hand-off: jdoe (unverified), no-code`);
    expect(mail.text).toContain(`Reference: ${reference}`);
    expect(mail.text).toContain('Reason: no-code: The user says they never receive the verification code.');
    expect(mail.text).toContain('UID: jdoe (unverified: as typed, not proved)');
    expect(mail.text).toContain('Channel: Emulator or terminal chat');
    expect(mail.text).toContain('Language: English');
    expect(mail.text).toMatch(/When: .* HKT \(\d{4}-\d\d-\d\dT/);
    expect(mail.text).toContain(`conversation: ${user.conversationId}`);
    // The steps, from the audit: the request and the code sent, with masked details only.
    expect(mail.text).toMatch(/reset\.requested\s+info\s+via=sms outcome=code/);
    expect(mail.text).toMatch(/code\.sent\s+ok\s+purpose=reset-sms to=\+852 \*\*\*\*4567/);
    // No code, token or PIN: the code texted to jdoe is nowhere in the case, nor the full number.
    const codes = await textedCodes(running);
    expect(codes.length).toBeGreaterThan(0);
    for (const code of codes) expect(`${mail.subject}\n${mail.text}\n${mail.html}`).not.toContain(code);
    expect(mail.text).not.toContain('61234567');
    const stored = Object.values(await readAllFiles(join(running.dataDir, 'store'))).join('\n');
    expect(stored).toContain(reference);
    for (const code of codes) expect(stored.includes(`"${code}"`)).toBe(false);

    const [requested] = await auditOf(running, 'handoff.requested');
    expect(requested).toMatchObject({ uid: 'jdoe', channel: 'emulator', outcome: 'info', detail: { reference, reason: 'no-code', verified: false } });
    expect((await auditOf(running, 'handoff.delivered')).map((e) => e.detail?.['reference'])).toContain(reference);
  });

  test('asking for a person offers a hand-off, with identical words for an unknown UID, an account without contacts and a registered one', async () => {
    const conversation = async (uid: string) => {
      const user = new BotClient(running.baseUrl);
      return [...(await user.send('I want to talk to a human')), ...(await user.send('yes')), ...(await user.send(uid))];
    };
    const unknown = await conversation('nosuchuser');
    const unregistered = await conversation('bsmith');
    const registered = await conversation('jdoe');
    expect(unknown[0]).toBe('I can pass your request to a person at the service desk. Shall I do that?');
    expect(unknown[1]).toBe('What is your portal UID? The service desk needs it to look into your request.');
    expect(unknown[2]).toContain('I have passed your request to the service desk.');
    expect(withoutReference(unregistered)).toEqual(withoutReference(unknown));
    expect(withoutReference(registered)).toEqual(withoutReference(unknown));
    // A case was opened for each, the unknown UID included: the desk tells them apart, not the bot.
    const cases = smtp.received.filter((m) => m.to.includes(DESK)).map((m) => m.subject);
    expect(cases.some((s) => s.includes('nosuchuser (unverified), asked'))).toBe(true);
    expect(cases.some((s) => s.includes('bsmith (unverified), asked'))).toBe(true);
  });

  test('真人 and "service desk" are understood too, and "no" passes nothing on', async () => {
    const user = new BotClient(running.baseUrl);
    expect(await user.send('真人')).toEqual([expect.stringContaining('I can pass your request to a person at the service desk.')]);
    expect(await user.send('no')).toEqual(['OK, I have not passed anything on. Type **help** to see what I can do.']);
    const other = new BotClient(running.baseUrl);
    expect((await other.send('service desk'))[0]).toContain('Shall I do that?');
  });

  test('at most one case per conversation in an hour, and three per account a day; each refusal audited, in the same words for any UID', async () => {
    const user = new BotClient(running.baseUrl);
    const ask = async (uid: string) => [...(await user.send('agent')), ...(await user.send('yes')), ...(await user.send(uid))];
    expect((await ask('climit'))[2]).toContain('I have passed your request');
    const again = await ask('climit');
    expect(again[2]).toBe('A request from this chat has already gone to the service desk recently, so I have not sent another. They will contact you; if it is urgent, contact the IT Service Desk (2859 0000).');
    running.clock.advance(HOUR);
    expect((await ask('climit'))[2]).toContain('I have passed your request');

    // Per account: new conversations each time; the fourth case of the day for one UID is refused.
    const fresh = async (uid: string) => {
      const other = new BotClient(running.baseUrl);
      return [...(await other.send('agent')), ...(await other.send('yes')), ...(await other.send(uid))][2]!;
    };
    expect(await fresh('climit')).toContain('I have passed your request');
    expect(await fresh('climit')).toContain('already gone to the service desk recently');
    // The same words for a UID that is a real account.
    for (let i = 0; i < 3; i++) expect(await fresh('kchan')).toContain('I have passed your request');
    expect(await fresh('kchan')).toBe(again[2]);
    const limited = await auditOf(running, 'handoff.limited');
    expect(limited.map((e) => [e.uid, e.detail?.['limit']])).toEqual([
      ['climit', 'conversation'],
      ['climit', 'account'],
      ['kchan', 'account'],
    ]);
  });

  test('a reset paused by the limits is followed by the offer of a hand-off', async () => {
    const { services } = running.app;
    await services.store.throttles.put({ key: 'account:jdoe', sends: [], consecutiveFailures: 0, pausedUntil: running.clock.now() + 24 * HOUR, updatedAt: running.clock.now() });
    const user = new BotClient(running.baseUrl);
    await user.send('reset');
    await user.send('jdoe');
    const replies = await user.send('email');
    expect(replies).toEqual([
      expect.stringContaining('For your security, self-service for this account is paused until'),
      'A person at the service desk can help with this. Shall I pass your request to them?',
    ]);
    const told = (await user.send('yes')).join();
    expect(told).toContain('I have passed your request');
    const reference = REFERENCE.exec(told)![1]!;
    expect(smtp.to(DESK).find((m) => m.subject.includes(reference))?.subject).toContain('jdoe (unverified), paused');
    // The same for a UID that is no account: the pause and the offer read alike.
    await services.store.throttles.put({ key: 'account:ghost', sends: [], consecutiveFailures: 0, pausedUntil: running.clock.now() + 24 * HOUR, updatedAt: running.clock.now() });
    const stranger = new BotClient(running.baseUrl);
    await stranger.send('reset');
    await stranger.send('ghost');
    expect(await stranger.send('email')).toEqual(replies);
    await services.throttles.clear('jdoe');
  });

  test('a user who proved the account in this chat, whose last link died of refused PINs, is offered a hand-off, verified', async () => {
    const { services } = running.app;
    const now = running.clock.now();
    await services.store.links.put({ tokenHash: 'a'.repeat(64), uid: 'pwong', purpose: 'reset-pin', via: 'email', createdAt: now - 60_000, expiresAt: now + 20 * 60_000, status: 'revoked', delivery: 'sent', rejectedPins: 10 });
    const user = new BotClient(running.baseUrl);
    await user.send('status');
    const mailed = smtp.to('pwong@example.edu').length;
    await user.send('pwong');
    const code = await smtp.waitFor('pwong@example.edu', /code is (\d{6})/, mailed);
    const replies = await user.send(code);
    expect(replies.at(-1)).toBe('Every new PIN you tried was refused, so the link stopped working. A person at the service desk can help. Shall I pass your request to them?');
    const told = (await user.send('yes')).join();
    const reference = REFERENCE.exec(told)![1]!;
    const mail = smtp.to(DESK).find((m) => m.subject.includes(reference))!;
    expect(mail.subject).toBe(`[${reference}] PIN reset hand-off: pwong, pins-refused`);
    expect(mail.text).toContain('UID: pwong (verified: the user proved this account)');
    expect(mail.text).not.toContain(code);
    // Offered once in a conversation.
    expect(await user.send('help')).toHaveLength(1);
    await services.store.links.delete('a'.repeat(64));
  });

  test('a case the mail server does not take is kept and retried, and the user is never told it was passed on', async () => {
    await smtp.stop();
    try {
      const user = new BotClient(running.baseUrl);
      await user.send('agent');
      await user.send('yes');
      const told = (await user.send('retried')).join();
      expect(told).toContain('but I cannot reach the service desk right now. I will keep trying');
      expect(told).not.toContain('I have passed your request');
      const reference = REFERENCE.exec(told)![1]!;
      expect((await auditOf(running, 'handoff.send_failed')).map((e) => e.detail?.['reference'])).toContain(reference);
      expect((await running.app.services.desk.handoff.pending()).map((c) => c.reference)).toContain(reference);
    } finally {
      await smtp.start().then((url) => expect(url).toMatch(/^smtp:/));
    }
  });
});

/** A service desk's webhook receiver on 127.0.0.1: checks each case's signature as a real receiver would, answering 500 while told to fail. */
class DeskReceiver {
  readonly cases: { reference: string; body: Record<string, unknown>; idempotencyKey: string | undefined; signatureValid: boolean }[] = [];
  failNext = 0;
  private server: Server | undefined;
  url = '';

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void read(req).then((raw) => {
        const timestamp = String(req.headers['x-pin-reset-timestamp'] ?? '');
        const given = Buffer.from(String(req.headers['x-pin-reset-signature'] ?? ''));
        const expected = Buffer.from(`sha256=${createHmac('sha256', WEBHOOK_SECRET).update(`${timestamp}.${raw}`).digest('hex')}`);
        const signatureValid = given.length === expected.length && timingSafeEqual(given, expected) && Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
        if (this.failNext > 0) {
          this.failNext--;
          res.statusCode = 500;
          return res.end('busy');
        }
        const body = JSON.parse(raw) as Record<string, unknown>;
        this.cases.push({ reference: String(body['reference']), body, idempotencyKey: req.headers['idempotency-key'] as string | undefined, signatureValid });
        res.statusCode = signatureValid ? 201 : 401;
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/cases`;
    return this.url;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (text += c));
    req.on('end', () => resolve(text));
  });
}

describe('hand-off to the service desk webhook', () => {
  const receiver = new DeskReceiver();
  let running: RunningApp;

  beforeAll(async () => {
    const url = await receiver.start();
    running = await startApp({ SERVICE_DESK_WEBHOOK_URL: url, SERVICE_DESK_WEBHOOK_SECRET: WEBHOOK_SECRET }, await seededDataDir());
  });
  afterAll(async () => {
    await running?.app.close();
    await receiver.stop();
  });

  test('the case arrives as JSON with a valid HMAC signature under SERVICE_DESK_WEBHOOK_SECRET, its reference as the Idempotency-Key, and no secret in it', async () => {
    const user = new BotClient(running.baseUrl);
    await user.send('reset');
    await user.send('jdoe');
    await user.send('sms');
    expect((await user.send('I lost my phone'))[0]).toBe('If you no longer have that phone or mailbox, a person at the service desk can help. Shall I pass your request to them?');
    const reference = REFERENCE.exec((await user.send('yes')).join())![1]!;
    const received = receiver.cases.find((c) => c.reference === reference)!;
    expect(received.signatureValid).toBe(true);
    expect(received.idempotencyKey).toBe(reference);
    expect(received.body).toMatchObject({
      type: 'pin-reset.handoff',
      reference,
      reason: 'lost-contact',
      account: { uid: 'jdoe', verified: false },
      channel: 'emulator',
      language: 'en',
      reach: { conversation: user.conversationId },
    });
    const steps = received.body['steps'] as { event: string }[];
    expect(steps.map((s) => s.event)).toEqual(expect.arrayContaining(['reset.requested', 'code.sent']));
    const raw = JSON.stringify(received.body);
    for (const code of await textedCodes(running)) expect(raw).not.toContain(code);
    expect(raw).not.toContain(WEBHOOK_SECRET);
  });

  test('a case the webhook refuses is retried until it is taken, with the same reference; the user is told it is pending, never that it was sent', async () => {
    receiver.failNext = 2;
    const user = new BotClient(running.baseUrl);
    await user.send('human');
    await user.send('yes');
    const told = (await user.send('retryme')).join();
    expect(told).toContain('I have noted your request under the reference');
    expect(told).toContain('I cannot reach the service desk right now');
    const reference = REFERENCE.exec(told)![1]!;
    expect(receiver.cases.some((c) => c.reference === reference)).toBe(false);
    const { desk } = running.app.services;
    // Not due yet: nothing is sent again before the wait.
    await desk.handoff.retryDue();
    expect((await auditOf(running, 'handoff.send_failed')).filter((e) => e.detail?.['reference'] === reference)).toHaveLength(1);
    running.clock.advance(60_000);
    await desk.handoff.retryDue();
    expect((await auditOf(running, 'handoff.send_failed')).filter((e) => e.detail?.['reference'] === reference)).toHaveLength(2);
    running.clock.advance(2 * 60_000);
    await desk.handoff.retryDue();
    const taken = receiver.cases.filter((c) => c.reference === reference);
    expect(taken).toHaveLength(1);
    expect(taken[0]).toMatchObject({ signatureValid: true, idempotencyKey: reference });
    expect((await auditOf(running, 'handoff.delivered')).find((e) => e.detail?.['reference'] === reference)).toMatchObject({ uid: 'retryme', detail: { attempts: 3 } });
    expect((await desk.handoff.pending()).map((c) => c.reference)).not.toContain(reference);
    // Delivered: no further attempts.
    running.clock.advance(HOUR);
    await desk.handoff.retryDue();
    expect(receiver.cases.filter((c) => c.reference === reference)).toHaveLength(1);
  });

  test('references count up through the day: PR-YYYYMMDD-0001, -0002, ...', async () => {
    const refs: string[] = [];
    for (const uid of ['r1', 'r2']) {
      const user = new BotClient(running.baseUrl);
      await user.send('agent');
      await user.send('yes');
      refs.push(REFERENCE.exec((await user.send(uid)).join())![1]!);
    }
    const [a, b] = refs.map((r) => Number(r.slice(-4)));
    expect(b).toBe(a! + 1);
    expect(refs[0]!.slice(0, 12)).toBe(refs[1]!.slice(0, 12));
  });
});

describe('without a service desk destination', () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp({}, await seededDataDir());
  });
  afterAll(async () => {
    await running?.app.close();
  });

  test('asking for a person names the service desk instead of offering a hand-off', async () => {
    const user = new BotClient(running.baseUrl);
    expect(await user.send('agent')).toEqual(['I cannot pass requests to a person from here. Please contact the IT Service Desk (2859 0000), who can help.']);
    expect(await auditOf(running, 'handoff.requested')).toEqual([]);
  });
});
