import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/browser.js';
import { TestSmtpServer } from './support/smtp.js';
import { TwilioMock } from './support/twilioMock.js';
import { BotClient } from './support/botClient.js';
import { readAllFiles, startApp, type RunningApp } from './support/app.js';
import { openTestServices } from './support/services.js';

const OLD_PIN = 'Old-PIN-1234';
const smtp = new TestSmtpServer();
const twilio = new TwilioMock();
let running: RunningApp;
let browser: Browser;
const LINK = /(https?:\/\/\S+\/reset\/[A-Za-z0-9_-]+)/;

// Each test has accounts of its own, so that none depends on another having run (or not) before it.
const ACCOUNTS = [
  { uid: 'jdoe', email: 'jane@gmail.com', mobile: '+85261234567' },
  { uid: 'asmith', email: 'alex@gmail.com', mobile: '+85269876543' },
  { uid: 'cwong', email: 'chris@gmail.com', mobile: '+85261110000' },
  { uid: 'kchan', email: 'kim@gmail.com', mobile: '+85261110001' },
];

beforeAll(async () => {
  const smtpUrl = await smtp.start();
  twilio.start();
  const { services, dataDir, clock } = await openTestServices();
  for (const { uid, email, mobile } of ACCOUNTS) {
    await services.directory.importAccount({ uid, name: uid, email: `${uid}@example.edu`, pin: OLD_PIN });
    await services.store.contacts.put({ uid, email, mobile, source: 'self', verifiedAt: clock.now(), updatedAt: clock.now() });
  }
  await services.close();
  running = await startApp(
    { SMTP_URL: smtpUrl, TWILIO_ACCOUNT_SID: twilio.accountSid, TWILIO_AUTH_TOKEN: 'test-auth-token-0123456789abcdef', TWILIO_FROM: '+85230001234' },
    dataDir,
  );
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await running?.app.close();
  await smtp.stop();
  twilio.stop();
});

async function checkPin(uid: string, pin: string): Promise<boolean> {
  return running.app.services.directory.checkPin(uid, pin);
}

/**
 * The account's audit events recorded since the last call for it (background sends drained first),
 * each as `event outcome` and the details that say what happened (never the masked contacts).
 */
const seen = new Map<string, number>();
async function newAudit(uid: string): Promise<string[]> {
  await running.app.services.background.drain();
  const events = await running.app.services.auditLog.read({ uid });
  const from = seen.get(uid) ?? 0;
  seen.set(uid, events.length);
  return events.slice(from).map((e) => {
    const { via, outcome, reason, rules, purpose, notice } = e.detail ?? {};
    const facts = Object.entries({ via, outcome, reason, rules, purpose, notice }).filter(([, v]) => v !== undefined);
    return [e.event, e.outcome, ...facts.map(([k, v]) => `${k}=${String(v)}`)].join(' ');
  });
}

async function setPinInBrowser(url: string, pin: string, confirm = pin): Promise<string> {
  const page = await browser.newPage();
  try {
    await page.goto(url);
    await page.getByLabel('New PIN', { exact: true }).fill(pin);
    await page.getByLabel('Type the new PIN again').fill(confirm);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Set PIN' }).click()]);
    return await page.locator('main').innerText();
  } finally {
    await page.close();
  }
}

/** Asks for a reset by email in chat and returns the link from the mail the real SMTP server received. */
async function emailedLink(uid: string, email: string): Promise<string> {
  const before = smtp.to(email).length;
  const user = new BotClient(running.baseUrl);
  await user.send('reset');
  await user.send(uid);
  expect(await user.send('email')).toEqual([expect.stringContaining('I have sent a link')]);
  return smtp.waitFor(email, LINK, before);
}

const PIN_CHANGED_NOTICES = ['notice.sent ok notice=pin-changed', 'notice.sent ok notice=pin-changed', 'notice.sent ok notice=pin-changed'];

describe('PIN reset end to end', () => {
  test('by email: the link from the received mail opens in Chromium, sets the PIN, and works only once', async () => {
    await newAudit('jdoe');
    const url = await emailedLink('jdoe', 'jane@gmail.com');
    expect(await newAudit('jdoe')).toEqual(['reset.requested info via=email outcome=link', 'link.sent ok via=email']);

    // Mail scanners open links: GET twice and HEAD consume nothing.
    expect((await fetch(url)).status).toBe(200);
    expect((await fetch(url, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(url)).status).toBe(200);
    expect(await newAudit('jdoe')).toEqual(['page.opened info via=email', 'page.opened info via=email', 'page.opened info via=email']);

    expect(await setPinInBrowser(url, 'Harbour-Lantern-42')).toContain('Your PIN has been changed');
    expect(await checkPin('jdoe', 'Harbour-Lantern-42')).toBe(true);
    expect(await checkPin('jdoe', OLD_PIN)).toBe(false);
    expect(await newAudit('jdoe')).toEqual(['page.opened info via=email', 'pin.set ok via=email', ...PIN_CHANGED_NOTICES]);

    // Reusing the link fails.
    const again = await fetch(url);
    expect(again.status).toBe(410);
    expect(await again.text()).toContain('This link is no longer valid');
    expect(await newAudit('jdoe')).toEqual(['link.invalid fail via=email reason=used']);

    // Every registered contact and the institutional email hear of it.
    await smtp.waitFor('jdoe@example.edu', /(PIN of jdoe was changed)/);
    await smtp.waitFor('jane@gmail.com', /(PIN of jdoe was changed)/);
    expect(twilio.sent.some((m) => m.to === '+85261234567' && m.body.includes('PIN of jdoe was changed'))).toBe(true);
  });

  test('by SMS: the code arrives through Twilio, a correct code yields a link, and the link sets the PIN', async () => {
    await newAudit('asmith');
    const user = new BotClient(running.baseUrl);
    await user.send('forgot pin');
    await user.send('asmith');
    expect(await user.send('2')).toEqual([expect.stringContaining('I have sent a 6-digit code')]);
    expect(await newAudit('asmith')).toEqual(['reset.requested info via=sms outcome=code', 'code.sent ok purpose=reset-sms']);
    const code = twilio.lastCode('+85269876543');
    const [reply] = await user.send(code);
    const url = LINK.exec(reply ?? '')?.[1];
    expect(url).toBeDefined();
    expect(await newAudit('asmith')).toEqual(['code.verified ok purpose=reset-sms', 'link.sent ok via=sms']);

    // A policy failure shows its message and changes nothing.
    expect(await setPinInBrowser(url!, 'password1')).toContain('common passwords');
    expect(await setPinInBrowser(url!, 'Quiet-Harbour-Kite-7', 'Quiet-Harbour-Kite-8')).toContain('do not match');
    expect(await checkPin('asmith', OLD_PIN)).toBe(true);
    expect(await newAudit('asmith')).toEqual([
      'page.opened info via=sms',
      'pin.rejected fail via=sms rules=common',
      'page.opened info via=sms',
      'pin.rejected fail via=sms rules=mismatch',
    ]);

    expect(await setPinInBrowser(url!, 'Quiet-Harbour-Kite-7')).toContain('Your PIN has been changed');
    expect(await checkPin('asmith', 'Quiet-Harbour-Kite-7')).toBe(true);
    expect(await newAudit('asmith')).toEqual(['page.opened info via=sms', 'pin.set ok via=sms', ...PIN_CHANGED_NOTICES]);
  });

  test('an expired link shows the same "no longer valid" page and sets nothing', async () => {
    await newAudit('cwong');
    const url = await emailedLink('cwong', 'chris@gmail.com');
    expect(await newAudit('cwong')).toEqual(['reset.requested info via=email outcome=link', 'link.sent ok via=email']);
    running.clock.advance(31 * 60_000);
    const res = await fetch(url);
    expect(res.status).toBe(410);
    expect(await res.text()).toContain('This link is no longer valid');
    const form = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'csrf=x&pin=Quiet-Harbour-Kite-7&confirm=Quiet-Harbour-Kite-7' });
    expect(form.status).toBe(410);
    expect(await newAudit('cwong')).toEqual(['link.invalid fail via=email reason=expired', 'link.invalid fail via=email reason=expired']);
    expect(await checkPin('cwong', OLD_PIN)).toBe(true);
  });

  test('no code, token or PIN from the run appears in the logs, the audit log or the store files', async () => {
    // A whole reset of its own, by SMS and then by email, with every secret it handles noted.
    const secrets = [OLD_PIN];
    const user = new BotClient(running.baseUrl);
    await user.send('reset');
    await user.send('kchan');
    await user.send('sms');
    await running.app.services.background.drain();
    const code = twilio.lastCode('+85261110001');
    const [reply] = await user.send(code);
    const smsUrl = LINK.exec(reply ?? '')![1]!;
    const mailUrl = await emailedLink('kchan', 'kim@gmail.com');
    secrets.push(code, smsUrl.split('/reset/')[1]!, mailUrl.split('/reset/')[1]!, 'Lantern-Quay-Morning-5', 'Kettle-Tram-Evening-8');
    expect(await setPinInBrowser(smsUrl, 'Lantern-Quay-Morning-5', 'Lantern-Quay-Morning-6')).toContain('do not match');
    expect(await setPinInBrowser(mailUrl, 'Kettle-Tram-Evening-8')).toContain('Your PIN has been changed');
    expect(await checkPin('kchan', 'Kettle-Tram-Evening-8')).toBe(true);

    await running.app.services.background.drain();
    const files = await readAllFiles(running.dataDir);
    const haystacks = { logs: running.logs(), ...files };
    for (const secret of secrets) {
      for (const [where, text] of Object.entries(haystacks)) {
        expect({ where, secret: secret.slice(0, 3), leaks: text.includes(secret) }).toEqual({ where, secret: secret.slice(0, 3), leaks: false });
      }
    }
  });
});
