import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/browser.js';
import { TestSmtpServer } from './support/smtp.js';
import { TwilioMock } from './support/twilioMock.js';
import { BotClient } from './support/botClient.js';
import { readAllFiles, startApp, type RunningApp } from './support/app.js';
import { openTestServices } from './support/services.js';

const smtp = new TestSmtpServer();
const twilio = new TwilioMock();
let running: RunningApp;
let browser: Browser;
const secrets: string[] = ['Old-PIN-1234'];
const LINK = /(https?:\/\/\S+\/reset\/[A-Za-z0-9_-]+)/;

beforeAll(async () => {
  const smtpUrl = await smtp.start();
  twilio.start();
  const { services, dataDir, clock } = await openTestServices();
  for (const uid of ['jdoe', 'asmith']) {
    await services.directory.importAccount({ uid, name: uid, email: `${uid}@example.edu`, pin: 'Old-PIN-1234' });
  }
  await services.store.contacts.put({ uid: 'jdoe', email: 'jane@gmail.com', mobile: '+85261234567', source: 'self', verifiedAt: clock.now(), updatedAt: clock.now() });
  await services.store.contacts.put({ uid: 'asmith', email: 'alex@gmail.com', mobile: '+85269876543', source: 'import', verifiedAt: clock.now(), updatedAt: clock.now() });
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

describe('PIN reset end to end', () => {
  test('by email: the link from the received mail opens in Chromium, sets the PIN, and works only once', async () => {
    const user = new BotClient(running.baseUrl);
    await user.send('reset');
    await user.send('jdoe');
    expect(await user.send('email')).toEqual([expect.stringContaining('I have sent a link')]);
    const url = await smtp.waitFor('jane@gmail.com', LINK);
    secrets.push(url.split('/reset/')[1]!, 'Harbour-Lantern-42');

    // Mail scanners open links: GET twice and HEAD consume nothing.
    expect((await fetch(url)).status).toBe(200);
    expect((await fetch(url, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(url)).status).toBe(200);

    expect(await setPinInBrowser(url, 'Harbour-Lantern-42')).toContain('Your PIN has been changed');
    expect(await checkPin('jdoe', 'Harbour-Lantern-42')).toBe(true);
    expect(await checkPin('jdoe', 'Old-PIN-1234')).toBe(false);

    // Reusing the link fails.
    const again = await fetch(url);
    expect(again.status).toBeGreaterThanOrEqual(400);
    expect(await again.text()).toContain('This link is no longer valid');

    // Every registered contact and the institutional email hear of it.
    await running.app.services.background.drain();
    await smtp.waitFor('jdoe@example.edu', /(PIN of jdoe was changed)/);
    await smtp.waitFor('jane@gmail.com', /(PIN of jdoe was changed)/);
    expect(twilio.sent.some((m) => m.to === '+85261234567' && m.body.includes('PIN of jdoe was changed'))).toBe(true);
  });

  test('by SMS: the code arrives through Twilio, a correct code yields a link, and the link sets the PIN', async () => {
    const user = new BotClient(running.baseUrl);
    await user.send('forgot pin');
    await user.send('asmith');
    expect(await user.send('2')).toEqual([expect.stringContaining('I have sent a 6-digit code')]);
    await running.app.services.background.drain();
    const code = twilio.lastCode('+85269876543');
    secrets.push(code, 'Quiet-Harbour-Kite-7');
    const [reply] = await user.send(code);
    const url = LINK.exec(reply ?? '')?.[1];
    expect(url).toBeDefined();
    secrets.push(url!.split('/reset/')[1]!);

    // A policy failure shows its message and changes nothing.
    expect(await setPinInBrowser(url!, 'password1')).toContain('common passwords');
    expect(await setPinInBrowser(url!, 'Quiet-Harbour-Kite-7', 'Quiet-Harbour-Kite-8')).toContain('do not match');
    expect(await checkPin('asmith', 'Old-PIN-1234')).toBe(true);

    expect(await setPinInBrowser(url!, 'Quiet-Harbour-Kite-7')).toContain('Your PIN has been changed');
    expect(await checkPin('asmith', 'Quiet-Harbour-Kite-7')).toBe(true);
  });

  test('an expired link shows the same "no longer valid" page and sets nothing', async () => {
    const user = new BotClient(running.baseUrl);
    await user.send('reset');
    await user.send('jdoe');
    await user.send('email');
    const before = smtp.to('jane@gmail.com').length;
    await running.app.services.background.drain();
    const url = await smtp.waitFor('jane@gmail.com', LINK, before - 1);
    secrets.push(url.split('/reset/')[1]!);
    running.clock.advance(31 * 60_000);
    const res = await fetch(url);
    expect(await res.text()).toContain('This link is no longer valid');
    expect(await checkPin('jdoe', 'Harbour-Lantern-42')).toBe(true);
  });

  test('no code, token or PIN from the run appears in the logs, the audit log or the store files', async () => {
    await running.app.services.background.drain();
    const files = await readAllFiles(running.dataDir);
    const haystacks = { logs: running.logs(), ...files };
    expect(secrets.length).toBeGreaterThanOrEqual(6);
    for (const secret of secrets) {
      for (const [where, text] of Object.entries(haystacks)) {
        expect({ where, secret: secret.slice(0, 3), leaks: text.includes(secret) }).toEqual({ where, secret: secret.slice(0, 3), leaks: false });
      }
    }
  });
});
