import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PinReset } from '../src/domain/pinReset.js';
import { Outbound } from '../src/domain/outbound.js';
import { sha256Hex } from '../src/domain/secrets.js';
import type { Mailer, MailMessage } from '../src/ports/mailer.js';
import { silentLogger } from '../src/ports/logger.js';
import { addAccount, openTestServices, type TestServices } from './support/services.js';

const MINUTE = 60_000;
const OLD_PIN = 'old portal pin 2019';
const NEW_PIN = 'blue kettle on the hill';
const web = { channel: 'web' };
const chat = { channel: 'test' };

let t: TestServices;
let reset: PinReset;

beforeEach(async () => {
  t = await openTestServices();
  await addAccount(t.services, 'jdoe', 'jdoe@example.edu', { pin: OLD_PIN });
  await addAccount(t.services, 'asmith', 'asmith@example.edu', { pin: OLD_PIN });
  await addAccount(t.services, 'nocontacts', 'nocontacts@example.edu', { pin: OLD_PIN });
  await register('jdoe', 'tom.lee@gmail.com', '+85291234567');
  await register('asmith', 'amy.smith@gmail.com', '+85298765432');
  reset = t.services.pinReset;
});
afterEach(async () => {
  await t.services.close();
});

async function register(uid: string, email: string, mobile: string) {
  const now = t.clock.now();
  await t.services.store.contacts.put({ uid, email, mobile, source: 'self', verifiedAt: now, updatedAt: now });
}

/** Asks for an email link and returns the token taken from the mail, as a user would click it. */
async function emailedToken(uid = 'jdoe', to = 'tom.lee@gmail.com'): Promise<string> {
  expect(await reset.requestEmailLink(uid, chat)).toEqual({ kind: 'accepted' });
  await t.services.background.drain();
  const mail = t.mailer.to(to).at(-1);
  const token = /\/reset\/([A-Za-z0-9_-]+)/.exec(mail?.text ?? '')?.[1];
  if (!token) throw new Error(`no reset link mailed to ${to}`);
  return token;
}

async function openedCsrf(token: string): Promise<string> {
  const opened = await reset.openPage(token);
  if (opened.kind !== 'valid') throw new Error('link is not valid');
  return opened.csrf;
}

async function auditOf(uid: string) {
  return t.services.auditLog.read({ uid });
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('asking for a reset', () => {
  test('unknown, unregistered and registered UIDs get the same answers; only the registered one is sent anything', async () => {
    const email = await Promise.all(['jdoe', 'nocontacts', 'ghost'].map((uid) => reset.requestEmailLink(uid, chat)));
    expect(email).toEqual([{ kind: 'accepted' }, { kind: 'accepted' }, { kind: 'accepted' }]);
    const sms = await Promise.all(['jdoe', 'nocontacts', 'ghost'].map((uid) => reset.requestSmsCode(uid, chat)));
    for (const answer of sms) expect(answer).toEqual({ kind: 'sent', challengeId: expect.any(String), target: '' });

    await t.services.background.drain();
    expect(t.mailer.sent.map((m) => m.to)).toEqual(['tom.lee@gmail.com']);
    expect(t.sms.sent.map((m) => m.to)).toEqual(['+85291234567']);
    for (const uid of ['jdoe', 'nocontacts', 'ghost']) {
      expect((await auditOf(uid)).filter((e) => e.event === 'reset.requested')).toHaveLength(2);
    }
    expect((await auditOf('jdoe')).map((e) => e.event)).toEqual(expect.arrayContaining(['link.sent', 'code.sent']));
  });

  test('the reply does not wait for the mail to go out', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const sent: MailMessage[] = [];
    const slowMailer: Mailer = { send: async (m) => void (await gate, sent.push(m)) };
    const { services } = t;
    const slow = new PinReset({ ...services, contacts: services.store.contacts, links: services.store.links, outbound: new Outbound(slowMailer, t.sms, silentLogger) });

    expect(await slow.requestEmailLink('jdoe', chat)).toEqual({ kind: 'accepted' });
    expect(sent).toHaveLength(0);
    release();
    await services.background.drain();
    expect(sent.map((m) => m.to)).toEqual(['tom.lee@gmail.com']);
  });

  test('the sixth request in an hour pauses self-service, for unknown and real accounts alike', async () => {
    for (const uid of ['ghost', 'jdoe']) {
      for (let i = 0; i < 5; i++) expect(await reset.requestEmailLink(uid, chat)).toEqual({ kind: 'accepted' });
      // Each says when the pause ends: 24 hours from the request that began it.
      const until = t.clock.now() + 24 * 3_600_000;
      expect(await reset.requestEmailLink(uid, chat)).toEqual({ kind: 'paused', until });
      expect(await reset.requestSmsCode(uid, chat)).toEqual({ kind: 'paused', until });
    }
    await t.services.background.drain();
    expect(t.mailer.to('tom.lee@gmail.com')).toHaveLength(5);
  });

  test('the link is mailed to the alternate email, valid for 30 minutes, stored only as its SHA-256', async () => {
    const token = await emailedToken();
    expect(token.length).toBeGreaterThanOrEqual(32); // 192 bits as base64url
    const mail = t.mailer.to('tom.lee@gmail.com').at(-1)!;
    expect(mail.text).toContain(`http://localhost:3978/reset/${token}`);
    expect(mail.text).toContain('30 minutes');

    const link = await t.services.store.links.get(sha256Hex(token));
    expect(link).toMatchObject({ uid: 'jdoe', via: 'email', status: 'open', delivery: 'sent', expiresAt: t.clock.now() + 30 * MINUTE });

    // On disk: the store, the audit log and everything else under DATA_DIR hold the hash, never the token.
    await t.services.close();
    const onDisk = await Promise.all((await filesUnder(t.dataDir)).map((f) => readFile(f, 'utf8')));
    expect(onDisk.some((text) => text.includes(sha256Hex(token)))).toBe(true);
    expect(onDisk.filter((text) => text.includes(token))).toEqual([]);

    const reopened = await openTestServices({}, t.dataDir);
    reopened.clock.advance(t.clock.now() - reopened.clock.now());
    t = reopened;
    reset = t.services.pinReset;
    expect(await reset.openPage(token)).toMatchObject({ kind: 'valid', uid: 'jdoe' });
  });

  test('a link that could not be mailed is never usable', async () => {
    t.mailer.failNext = 1;
    await reset.requestEmailLink('jdoe', chat);
    await t.services.background.drain();
    const links = await t.services.store.links.findBy('uid', 'jdoe');
    expect(links).toEqual([expect.objectContaining({ status: 'revoked', delivery: 'failed' })]);
    expect((await auditOf('jdoe')).some((e) => e.event === 'link.send_failed')).toBe(true);
  });
});

describe('the PIN page', () => {
  test('opening the page (GET) twice changes nothing; then the POST sets the PIN', async () => {
    const token = await emailedToken();
    const before = await t.services.store.links.get(sha256Hex(token));
    const first = await reset.openPage(token);
    const second = await reset.openPage(token);
    expect(first).toEqual({ kind: 'valid', uid: 'jdoe', csrf: expect.any(String), expiresAt: before!.expiresAt });
    expect(second).toEqual(first);
    expect(await t.services.store.links.get(sha256Hex(token))).toEqual(before);

    const csrf = (first as { csrf: string }).csrf;
    expect(await reset.submit(token, { csrf, pin: NEW_PIN, confirm: NEW_PIN }, web)).toEqual({ kind: 'done', uid: 'jdoe' });
    expect(await t.services.directory.checkPin('jdoe', NEW_PIN)).toBe(true);
    expect(await t.services.directory.checkPin('jdoe', OLD_PIN)).toBe(false);
    const events = (await auditOf('jdoe')).map((e) => e.event);
    expect(events.filter((e) => e === 'page.opened')).toHaveLength(2);
    expect(events).toContain('pin.set');
  });

  test('a link works once', async () => {
    const token = await emailedToken();
    const csrf = await openedCsrf(token);
    expect(await reset.submit(token, { csrf, pin: NEW_PIN, confirm: NEW_PIN }, web)).toMatchObject({ kind: 'done' });
    expect(await reset.openPage(token)).toEqual({ kind: 'invalid' });
    expect(await reset.submit(token, { csrf, pin: 'another long pin phrase', confirm: 'another long pin phrase' }, web)).toEqual({ kind: 'invalid' });
    expect(await t.services.directory.checkPin('jdoe', NEW_PIN)).toBe(true);
    expect((await auditOf('jdoe')).filter((e) => e.event === 'link.invalid').map((e) => e.detail?.['reason'])).toEqual(['used', 'used']);
  });

  test('two POSTs at the same moment: only one sets a PIN', async () => {
    const token = await emailedToken();
    const csrf = await openedCsrf(token);
    const results = await Promise.all([
      reset.submit(token, { csrf, pin: NEW_PIN, confirm: NEW_PIN }, web),
      reset.submit(token, { csrf, pin: 'a different pin phrase', confirm: 'a different pin phrase' }, web),
    ]);
    expect(results.map((r) => r.kind).sort()).toEqual(['done', 'invalid']);
    expect((await auditOf('jdoe')).filter((e) => e.event === 'pin.set')).toHaveLength(1);
  });

  test('an expired link is refused once 30 minutes have passed', async () => {
    const token = await emailedToken();
    t.clock.advance(30 * MINUTE - 1);
    const csrf = await openedCsrf(token);
    t.clock.advance(1);
    expect(await reset.openPage(token)).toEqual({ kind: 'invalid' });
    expect(await reset.submit(token, { csrf, pin: NEW_PIN, confirm: NEW_PIN }, web)).toEqual({ kind: 'invalid' });
    expect(await t.services.directory.checkPin('jdoe', OLD_PIN)).toBe(true);
    expect((await auditOf('jdoe')).filter((e) => e.event === 'link.invalid').map((e) => e.detail?.['reason'])).toEqual(['expired', 'expired']);
  });

  test('unknown and malformed tokens are invalid', async () => {
    expect(await reset.openPage('A'.repeat(32))).toEqual({ kind: 'invalid' });
    expect(await reset.openPage('../../etc/passwd')).toEqual({ kind: 'invalid' });
    expect(await reset.submit('', { csrf: '', pin: NEW_PIN, confirm: NEW_PIN }, web)).toEqual({ kind: 'invalid' });
  });

  test("account A's link cannot set B's PIN: the CSRF value of another link is refused", async () => {
    const tokenA = await emailedToken('jdoe', 'tom.lee@gmail.com');
    const tokenB = await emailedToken('asmith', 'amy.smith@gmail.com');
    const csrfA = await openedCsrf(tokenA);
    const csrfB = await openedCsrf(tokenB);
    expect(csrfA).not.toEqual(csrfB);

    expect(await reset.submit(tokenA, { csrf: csrfB, pin: NEW_PIN, confirm: NEW_PIN }, web)).toEqual({ kind: 'invalid' });
    expect(await reset.submit(tokenA, { csrf: '', pin: NEW_PIN, confirm: NEW_PIN }, web)).toEqual({ kind: 'invalid' });
    expect(await t.services.directory.checkPin('jdoe', OLD_PIN)).toBe(true);
    expect(await t.services.directory.checkPin('asmith', OLD_PIN)).toBe(true);
    expect((await auditOf('jdoe')).filter((e) => e.event === 'link.invalid').map((e) => e.detail?.['reason'])).toEqual(['csrf', 'csrf']);

    // Each link still works for its own account only.
    expect(await reset.submit(tokenB, { csrf: csrfB, pin: NEW_PIN, confirm: NEW_PIN }, web)).toEqual({ kind: 'done', uid: 'asmith' });
    expect(await t.services.directory.checkPin('asmith', NEW_PIN)).toBe(true);
    expect(await t.services.directory.checkPin('jdoe', OLD_PIN)).toBe(true);
  });

  test('each PIN policy problem is reported and changes nothing', async () => {
    const token = await emailedToken();
    const csrf = await openedCsrf(token);
    const cases: [string, string, string[]][] = [
      ['kq7#Zt', 'kq7#Zt', ['too-short']],
      ['x'.repeat(65), 'x'.repeat(65), ['too-long', 'one-character']],
      ['JDoe is my PIN', 'JDoe is my PIN', ['is-uid']],
      [OLD_PIN, OLD_PIN, ['is-current']],
      ['Password1', 'Password1', ['common']],
      ['iloveyou', 'iloveyou', ['common']],
      ['correct horse battery', 'correct horse batterY', ['mismatch']],
      ['jdoe', 'jdoe2', ['too-short', 'is-uid', 'mismatch']],
    ];
    const expiresAt = (await t.services.store.links.get(sha256Hex(token)))!.expiresAt;
    for (const [pin, confirm, problems] of cases) {
      expect({ pin, result: await reset.submit(token, { csrf, pin, confirm }, web) }).toEqual({ pin, result: { kind: 'rejected', problems, uid: 'jdoe', expiresAt } });
    }
    expect(await t.services.directory.checkPin('jdoe', OLD_PIN)).toBe(true);
    expect(await t.services.store.links.get(sha256Hex(token))).toMatchObject({ status: 'open' });
    const rejected = (await auditOf('jdoe')).filter((e) => e.event === 'pin.rejected').map((e) => e.detail?.['rules']);
    expect(rejected).toEqual(cases.map(([, , problems]) => problems.join(',')));

    // The PINs typed never reach the audit log.
    const audit = await readFile(join(t.dataDir, 'audit.jsonl'), 'utf8');
    for (const [pin] of cases.filter(([pin]) => pin.length > 6)) expect(audit).not.toContain(pin);

    expect(await reset.submit(token, { csrf, pin: NEW_PIN, confirm: NEW_PIN }, web)).toMatchObject({ kind: 'done' });
  });

  test('after ten rejected PINs the link stops working', async () => {
    const token = await emailedToken();
    const csrf = await openedCsrf(token);
    for (let i = 0; i < 9; i++) expect(await reset.submit(token, { csrf, pin: 'short', confirm: 'short' }, web)).toMatchObject({ kind: 'rejected' });
    expect(await reset.submit(token, { csrf, pin: 'short', confirm: 'short' }, web)).toEqual({ kind: 'invalid' });
    expect(await reset.submit(token, { csrf, pin: NEW_PIN, confirm: NEW_PIN }, web)).toEqual({ kind: 'invalid' });
    expect((await auditOf('jdoe')).filter((e) => e.event === 'link.invalid').map((e) => e.detail?.['reason'])).toEqual(['too many rejected PINs', 'revoked']);
  });

  test('the count of rejected PINs survives a restart of the bot', async () => {
    const token = await emailedToken();
    const csrf = await openedCsrf(token);
    for (let i = 0; i < 9; i++) expect(await reset.submit(token, { csrf, pin: 'short', confirm: 'short' }, web)).toMatchObject({ kind: 'rejected' });
    const now = t.clock.now();
    await t.services.close();
    t = { ...(await openTestServices({}, t.dataDir)) };
    t.clock.advance(now - t.clock.now());
    reset = t.services.pinReset;
    expect(await reset.submit(token, { csrf, pin: 'short', confirm: 'short' }, web)).toEqual({ kind: 'invalid' });
  });

  test('a successful reset revokes the other links and codes, clears the limits and sets the PIN', async () => {
    const token = await emailedToken();
    const other = await emailedToken();
    const smsCode = await reset.requestSmsCode('jdoe', chat);
    const identity = await t.services.registration.startIdentity('jdoe', chat);
    await t.services.background.drain();
    expect(await t.services.store.throttles.get('account:jdoe')).toBeDefined();

    expect(await reset.submit(token, { csrf: await openedCsrf(token), pin: NEW_PIN, confirm: NEW_PIN }, web)).toMatchObject({ kind: 'done' });
    expect(await t.services.directory.checkPin('jdoe', NEW_PIN)).toBe(true);
    expect(await t.services.store.links.get(sha256Hex(other))).toMatchObject({ status: 'revoked' });
    expect(await reset.openPage(other)).toEqual({ kind: 'invalid' });
    for (const id of [(smsCode as { challengeId: string }).challengeId, (identity as { challengeId: string }).challengeId]) {
      expect(await t.services.codes.get(id)).toMatchObject({ status: 'revoked' });
    }
    expect(await t.services.store.throttles.get('account:jdoe')).toBeUndefined();
    expect((await auditOf('jdoe')).find((e) => e.event === 'pin.set')?.detail).toMatchObject({ via: 'email', revokedLinks: 1, revokedCodes: 2 });
  });

  test('every registered contact and the institutional email are told: when, how, and whom to call', async () => {
    const token = await emailedToken();
    await reset.submit(token, { csrf: await openedCsrf(token), pin: NEW_PIN, confirm: NEW_PIN }, web);
    await t.services.background.drain();
    // No language is remembered for jdoe, so the notice is in English and Chinese (English first).
    const notices = t.mailer.sent.filter((m) => m.subject.startsWith('Your portal PIN was changed'));
    expect(notices.map((m) => m.to).sort()).toEqual(['jdoe@example.edu', 'tom.lee@gmail.com']);
    for (const notice of notices) {
      expect(notice.text).toMatch(/The portal PIN of jdoe was changed on .+ HKT, using a reset link sent to the registered alternate email/);
      expect(notice.text).toContain('the IT Service Desk (2859 0000)');
      expect(notice.text).not.toContain(NEW_PIN);
    }
    const texts = t.sms.sent.filter((m) => m.to === '+85291234567');
    expect(texts).toHaveLength(1);
    expect(texts[0]!.body).toMatch(/PIN of jdoe was changed .*Contact the IT Service Desk/);
    expect((await auditOf('jdoe')).filter((e) => e.event === 'notice.sent')).toHaveLength(3);
  });
});

describe('reset by SMS code', () => {
  async function verifiedSmsCode(): Promise<string> {
    const sent = await reset.requestSmsCode('jdoe', chat);
    if (sent.kind !== 'sent') throw new Error('not sent');
    await t.services.background.drain();
    expect(await reset.issueLinkAfterSms(sent.challengeId, 'jdoe', chat)).toBeUndefined();
    const code = t.sms.lastCode('+85291234567');
    expect(t.sms.sent.at(-1)!.body).toContain('expires in 10 min');
    expect(await t.services.codes.check(sent.challengeId, code, { uid: 'jdoe', purpose: 'reset-sms' }, chat)).toMatchObject({ kind: 'ok' });
    return sent.challengeId;
  }

  test('a correct code gets a one-time link to the page, valid for 10 minutes, and the PIN can be set', async () => {
    const challengeId = await verifiedSmsCode();
    expect(await reset.issueLinkAfterSms(challengeId, 'asmith', chat)).toBeUndefined();
    const url = await reset.issueLinkAfterSms(challengeId, 'jdoe', chat);
    expect(url).toMatch(/^http:\/\/localhost:3978\/reset\/[A-Za-z0-9_-]{32}$/);
    const token = url!.split('/').at(-1)!;
    expect(await t.services.store.links.get(sha256Hex(token))).toMatchObject({ via: 'sms', delivery: 'none', expiresAt: t.clock.now() + 10 * MINUTE });

    expect(await reset.submit(token, { csrf: await openedCsrf(token), pin: NEW_PIN, confirm: NEW_PIN }, web)).toMatchObject({ kind: 'done' });
    expect(await t.services.directory.checkPin('jdoe', NEW_PIN)).toBe(true);
    // The same code cannot mint another link once the PIN was set with it.
    expect(await reset.issueLinkAfterSms(challengeId, 'jdoe', chat)).toBeUndefined();
    await t.services.background.drain();
    expect(t.mailer.to('jdoe@example.edu').at(-1)!.text).toContain('a code sent by SMS to the registered mobile');
  });

  test('an SMS link expires after 10 minutes', async () => {
    const challengeId = await verifiedSmsCode();
    const token = (await reset.issueLinkAfterSms(challengeId, 'jdoe', chat))!.split('/').at(-1)!;
    t.clock.advance(10 * MINUTE);
    expect(await reset.openPage(token)).toEqual({ kind: 'invalid' });
  });

  test('a new link from the same code replaces the earlier one', async () => {
    const challengeId = await verifiedSmsCode();
    const first = (await reset.issueLinkAfterSms(challengeId, 'jdoe', chat))!.split('/').at(-1)!;
    const second = (await reset.issueLinkAfterSms(challengeId, 'jdoe', chat))!.split('/').at(-1)!;
    expect(await reset.openPage(first)).toEqual({ kind: 'invalid' });
    expect(await reset.openPage(second)).toMatchObject({ kind: 'valid' });
  });

  test('resending replaces the code: the old one stops working, the new one works', async () => {
    const first = await reset.requestSmsCode('jdoe', chat);
    await t.services.background.drain();
    const oldCode = t.sms.lastCode('+85291234567');
    const second = await reset.resendSms((first as { challengeId: string }).challengeId, 'jdoe', chat);
    expect(second).toEqual({ kind: 'sent', challengeId: expect.any(String), target: '' });
    await t.services.background.drain();
    const expect1 = { uid: 'jdoe', purpose: 'reset-sms' as const };
    expect(await t.services.codes.check((first as { challengeId: string }).challengeId, oldCode, expect1, chat)).toEqual({ kind: 'expired' });
    expect(await t.services.codes.check((second as { challengeId: string }).challengeId, t.sms.lastCode('+85291234567'), expect1, chat)).toMatchObject({ kind: 'ok' });
  });
});
