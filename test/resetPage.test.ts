import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import restify, { type Server } from 'restify';
import type { Page } from 'playwright-core';
import { launchChromium } from './support/browser.js';
import { PinReset } from '../src/domain/pinReset.js';
import { registerResetPage } from '../src/http/resetPage.js';
import { AccountUnlock } from '../src/domain/accountUnlock.js';
import { registerUnlockPage } from '../src/http/unlockPage.js';
import { StoreUnavailableError } from '../src/ports/store.js';
import { registerPageScripts } from '../src/http/pageScripts.js';
import type { Directory } from '../src/ports/directory.js';
import type { Logger } from '../src/ports/logger.js';
import type { AuditEvent } from '../src/ports/audit.js';
import { addAccount, openTestServices, type TestServices } from './support/services.js';
import { startApp } from './support/app.js';
import { RecordingMailer } from './support/fakes.js';

const OLD_PIN = 'old portal pin 2019';
const NEW_PIN = 'blue kettle on the hill';
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors https://teams.microsoft.com https://*.teams.microsoft.com https://teams.cloud.microsoft";

let t: TestServices;
let reset: PinReset;
let server: Server;
let base: string;
let logged: unknown[];

/** A server set up like src/http/server.ts (same body parsing), with only the PIN page and its scripts on it. */
async function startServer(pinReset: PinReset, alsoRegister?: (server: Server, logger: Logger) => void): Promise<void> {
  server = restify.createServer({ name: 'pin-reset-bot', handleUncaughtExceptions: false });
  server.use(restify.plugins.queryParser({ mapParams: false }));
  server.use(restify.plugins.bodyParser({ maxBodySize: t.services.config.MAX_BODY_BYTES, mapParams: false, mapFiles: false, keepExtensions: false }));
  const logger: Logger = { info: (o) => logged.push(o), warn: (o) => logged.push(o), error: (o) => logged.push(o), debug: (o) => logged.push(o) };
  registerResetPage(server, pinReset, { ...t.services, logger });
  alsoRegister?.(server, logger);
  registerPageScripts(server, logger);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeEach(async () => {
  t = await openTestServices({ INSTITUTION_NAME: 'Harbourside University' });
  logged = [];
  await addAccount(t.services, 'jdoe', 'jdoe@example.edu', { pin: OLD_PIN });
  const now = t.clock.now();
  await t.services.store.contacts.put({ uid: 'jdoe', email: 'tom.lee@gmail.com', mobile: '+85291234567', source: 'self', verifiedAt: now, updatedAt: now });
  reset = t.services.pinReset;
  await startServer(reset);
});
afterEach(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await t.services.close();
});

/** Asks for a link by email and returns the page's path, taken from the mail. */
async function mailedPath(): Promise<string> {
  await reset.requestEmailLink('jdoe', { channel: 'test' });
  await t.services.background.drain();
  const path = /https?:\/\/[^/\s]+(\/reset\/[A-Za-z0-9_-]+)/.exec(t.mailer.to('tom.lee@gmail.com').at(-1)?.text ?? '')?.[1];
  if (!path) throw new Error('no reset link in the mail');
  return path;
}

const csrfIn = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

function post(path: string, fields: Record<string, string>): Promise<Response> {
  return fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), redirect: 'manual' });
}

/** The audit events recorded since `from` (an index into the whole log), as [event, outcome, detail] for jdoe and for no account. */
async function auditSince(from: number): Promise<[string, string, Record<string, unknown> | undefined][]> {
  const events: AuditEvent[] = (await t.services.auditLog.read()).slice(from);
  return events.filter((e) => e.uid === 'jdoe' || e.uid === undefined).map((e) => [e.event, e.outcome, e.detail]);
}
const auditCount = async () => (await t.services.auditLog.read()).length;

function expectPageHeaders(res: Response) {
  expect({
    cache: res.headers.get('cache-control'),
    referrer: res.headers.get('referrer-policy'),
    sniff: res.headers.get('x-content-type-options'),
    csp: res.headers.get('content-security-policy'),
  }).toEqual({ cache: 'no-store', referrer: 'no-referrer', sniff: 'nosniff', csp: CSP });
}

describe('the PIN page over HTTP', () => {
  test('GET shows an accessible form with a hidden CSRF value, no inline script and every security header', async () => {
    const path = await mailedPath();
    const before = await auditCount();
    const res = await fetch(base + path);
    const html = await res.text();
    expect(await auditSince(before)).toEqual([['page.opened', 'info', { via: 'email' }]]);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expectPageHeaders(res);
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain('<label for="pin">New PIN</label>');
    expect(html).toContain('<label for="confirm">Type the new PIN again</label>');
    expect(html.match(/autocomplete="new-password"/g)).toHaveLength(2);
    expect(html).toMatch(/<input type="password" id="pin" name="pin"[^>]*aria-describedby="pin-hint"/);
    expect(html).toContain('Choose a new PIN for the portal account jdoe.');
    expect(csrfIn(html)).not.toBe('');
    // Two scripts, our own builds from this origin; nothing inline.
    expect(html.match(/<script[^>]*>/g)).toEqual(['<script type="module" src="../static/teams-page.js">', '<script type="module" src="../static/pin-form.js">']);
    expect(html).not.toMatch(/<script>|\sstyle=|\son[a-z]+=/i);
    // The icon is served, so the browser's own request for one does not fail.
    expect(html).toContain('<link rel="icon" type="image/png" href="../static/favicon.png">');
  });

  test('the page names the institution (INSTITUTION_NAME), the account, and when the link stops working', async () => {
    const path = await mailedPath();
    const html = await (await fetch(base + path)).text();
    expect(html).toContain('<header>\n<p class="institution">Portal PIN reset for Harbourside University</p>\n</header>');
    expect(html).toContain('Choose a new PIN for the portal account jdoe.');
    // Mailed at 10:00 Hong Kong time, valid for 30 minutes.
    expect(html).toContain('<p class="expires">This link works until 1 Sept 2026, 10:30 HKT, once.</p>');
    const chinese = await (await fetch(base + path, { headers: { 'Accept-Language': 'zh-HK' } })).text();
    expect(chinese).toContain('<p class="institution">Harbourside University入門網站 PIN 重設</p>');
    expect(chinese).toMatch(/此連結只可使用一次，有效至 2026年9月1日 ?上午10:30（香港時間）。/);
    // Every page carries the name, the "no longer valid" one too; without INSTITUTION_NAME there is no header.
    expect(await (await fetch(`${base}/reset/${'A'.repeat(32)}`)).text()).toContain('Portal PIN reset for Harbourside University');
    const plain = await openTestServices();
    try {
      const restify2 = restify.createServer();
      registerResetPage(restify2, plain.services.pinReset, plain.services);
      await new Promise<void>((resolve) => restify2.listen(0, '127.0.0.1', () => resolve()));
      const res = await fetch(`http://127.0.0.1:${(restify2.address() as AddressInfo).port}/reset/${'A'.repeat(32)}`);
      expect(await res.text()).not.toContain('<header>');
      await new Promise<void>((resolve) => restify2.close(() => resolve()));
    } finally {
      await plain.services.close();
    }
  });

  test('the form always submits (no required, minlength or pattern): the server judges, and answers with the form and its reasons', async () => {
    const path = await mailedPath();
    const html = await (await fetch(base + path)).text();
    expect(html).toContain('<form method="post" novalidate');
    expect(html).not.toMatch(/\s(required|minlength|maxlength|pattern)[\s=>]/);
    const before = await auditCount();
    const empty = await post(path, { csrf: csrfIn(html), pin: '', confirm: '' });
    const answer = await empty.text();
    expect(empty.status).toBe(422);
    expect(answer).toContain('<p class="error" id="pin-error-too-short">Your PIN must be at least 8 characters long.</p>');
    expect(answer).toContain('<form method="post" novalidate');
    expect(await auditSince(before)).toEqual([['pin.rejected', 'fail', { rules: 'too-short', via: 'email' }]]);
  });

  test("a weak PIN is refused with zxcvbn's own feedback as the reason, in the reader's language", async () => {
    const path = await mailedPath();
    const csrf = csrfIn(await (await fetch(base + path)).text());
    const english = await (await post(path, { csrf, pin: '12341234', confirm: '12341234' })).text();
    expect(english).toMatch(/<p class="error" id="pin-error-weak">This PIN would be too easy to guess\. [^<]*Add another word or two; uncommon words are better\.[^<]*<\/p>/);
    const chinese = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'zh-HK' }, body: new URLSearchParams({ csrf, pin: '12341234', confirm: '12341234' }).toString() });
    expect(await chinese.text()).toMatch(/<p class="error" id="pin-error-weak">此 PIN 太容易被猜中。[^<]*再加一兩個字詞，不常見的字詞更好。[^<]*<\/p>/);
    expect(await t.services.directory.checkPin('jdoe', OLD_PIN)).toBe(true);
  });

  test('GET twice and HEAD never consume the link; the POST then sets the PIN, once', async () => {
    const path = await mailedPath();
    const first = await fetch(base + path);
    const html = await first.text();
    expect((await fetch(base + path)).status).toBe(200);
    const head = await fetch(base + path, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expectPageHeaders(head);
    expect(await head.text()).toBe('');

    expect((await auditSince(0)).filter(([event]) => event === 'page.opened')).toHaveLength(3);

    const before = await auditCount();
    const done = await post(path, { csrf: csrfIn(html), pin: NEW_PIN, confirm: NEW_PIN });
    // The success page itself, never a redirect back to the token URL.
    expect([done.status, done.headers.get('location')]).toEqual([200, null]);
    expectPageHeaders(done);
    expect(await done.text()).toContain('Your PIN has been changed');
    expect(await t.services.directory.checkPin('jdoe', NEW_PIN)).toBe(true);
    await t.services.background.drain();
    // The PIN set, then the notice to the institutional email, the alternate email and the mobile.
    expect((await auditSince(before)).map(([event, outcome]) => `${event} ${outcome}`)).toEqual(['pin.set ok', 'notice.sent ok', 'notice.sent ok', 'notice.sent ok']);

    const used = await auditCount();
    const again = await fetch(base + path);
    expect(again.status).toBe(410);
    expect(await again.text()).toContain('This link is no longer valid; start again in chat.');
    expect(await auditSince(used)).toEqual([['link.invalid', 'fail', { reason: 'used', via: 'email' }]]);
  });

  test('policy problems come back as 422, each message tied to its field, without echoing the PIN', async () => {
    const path = await mailedPath();
    const csrf = csrfIn(await (await fetch(base + path)).text());
    const before = await auditCount();
    const res = await post(path, { csrf, pin: 'Zq9-jdoe', confirm: 'Zq8-jdoe' });
    const html = await res.text();
    expect(await auditSince(before)).toEqual([['pin.rejected', 'fail', { rules: 'is-uid,mismatch', via: 'email' }]]);
    expect(res.status).toBe(422);
    expectPageHeaders(res);
    expect(html).toContain('<title>Error: Set a new portal PIN</title>');
    expect(html).toMatch(/<input type="password" id="pin" name="pin"[^>]*aria-describedby="pin-hint pin-error-is-uid"[^>]*aria-invalid="true"/);
    expect(html).toMatch(/<input type="password" id="confirm" name="confirm"[^>]*aria-describedby="confirm-error-mismatch"[^>]*aria-invalid="true"/);
    expect(html).toContain('<p class="error" id="pin-error-is-uid">Your PIN must not contain your UID.</p>');
    expect(html).toContain('<p class="error" id="confirm-error-mismatch">The two PINs do not match. Type the same PIN in both fields.</p>');
    expect(html).toContain('<a href="#confirm">The two PINs do not match.');
    expect(html).not.toContain('Zq9');
    expect(html).not.toContain('Zq8');

    const short = await post(path, { csrf, pin: 'kq7#Zt', confirm: 'kq7#Zt' });
    expect(await short.text()).toContain('Your PIN must be at least 8 characters long.');
    expect(await t.services.directory.checkPin('jdoe', OLD_PIN)).toBe(true);
    expect((await auditSince(before)).map(([event, , detail]) => [event, detail?.['rules']])).toEqual([
      ['pin.rejected', 'is-uid,mismatch'],
      ['pin.rejected', 'too-short'],
    ]);
  });

  test('an unknown, used or expired link, or a forged form, shows one page: start again in chat (410)', async () => {
    let before = await auditCount();
    const unknown = await fetch(`${base}/reset/${'A'.repeat(32)}`);
    const invalidPage = await unknown.text();
    expect(unknown.status).toBe(410);
    expectPageHeaders(unknown);
    expect(invalidPage).toContain('<h1>This link is no longer valid</h1>');
    expect(invalidPage).toContain('start again in chat');
    expect((await fetch(`${base}/reset/not-a-token`)).status).toBe(410);
    expect(await auditSince(before)).toEqual([
      ['link.invalid', 'fail', { reason: 'unknown' }],
      ['link.invalid', 'fail', { reason: 'malformed' }],
    ]);

    const path = await mailedPath();
    before = await auditCount();
    const forged = await post(path, { pin: NEW_PIN, confirm: NEW_PIN });
    expect(forged.status).toBe(410);
    expect(await forged.text()).toBe(invalidPage);
    expect(await t.services.directory.checkPin('jdoe', OLD_PIN)).toBe(true);
    expect(await auditSince(before)).toEqual([['link.invalid', 'fail', { reason: 'csrf', via: 'email' }]]);

    t.clock.advance(30 * 60_000);
    before = await auditCount();
    for (const res of [await fetch(base + path), await post(path, { csrf: 'x', pin: NEW_PIN, confirm: NEW_PIN })]) {
      expect(res.status).toBe(410);
      expect(await res.text()).toBe(invalidPage);
    }
    expect(await auditSince(before)).toEqual([
      ['link.invalid', 'fail', { reason: 'expired', via: 'email' }],
      ['link.invalid', 'fail', { reason: 'expired', via: 'email' }],
    ]);

    // Used: set once, then every method on it is 410.
    const usedPath = await mailedPath();
    expect((await post(usedPath, { csrf: csrfIn(await (await fetch(base + usedPath)).text()), pin: NEW_PIN, confirm: NEW_PIN })).status).toBe(200);
    before = await auditCount();
    for (const res of [await fetch(base + usedPath), await post(usedPath, { csrf: 'x', pin: NEW_PIN, confirm: NEW_PIN })]) {
      expect(res.status).toBe(410);
      expect(await res.text()).toBe(invalidPage);
    }
    expect((await auditSince(before)).filter(([event]) => event === 'link.invalid')).toEqual([
      ['link.invalid', 'fail', { reason: 'used', via: 'email' }],
      ['link.invalid', 'fail', { reason: 'used', via: 'email' }],
    ]);
  });

  test('PUT and DELETE get 405 with Allow, and the same headers', async () => {
    const path = await mailedPath();
    const before = await auditCount();
    for (const method of ['PUT', 'DELETE']) {
      const res = await fetch(base + path, { method });
      expect({ method, status: res.status, allow: res.headers.get('allow') }).toEqual({ method, status: 405, allow: 'GET, HEAD, POST' });
      expectPageHeaders(res);
    }
    // They neither open nor touch the link.
    expect(await auditSince(before)).toEqual([]);
    expect((await reset.openPage(path.split('/').at(-1)!)).kind).toBe('valid');
  });

  test('the stylesheet comes from this server, so the policy needs no inline style', async () => {
    const res = await fetch(`${base}/static/page.css`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expectPageHeaders(res);
    expect(await res.text()).toContain('.error-summary');
  });

  test('an internal error shows a plain error page and logs neither the token nor the PIN', async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const { services } = t;
    const real = services.directory;
    // The real directory in every way but one: setting a PIN fails unexpectedly.
    const failingDirectory: Directory = Object.assign(Object.create(real) as Directory, { setPin: () => Promise.reject(new Error('directory down')) });
    const broken = new PinReset({ ...services, contacts: services.store.contacts, links: services.store.links, directory: failingDirectory });
    reset = broken;
    await startServer(broken);
    const path = await mailedPath();
    const csrf = csrfIn(await (await fetch(base + path)).text());
    const before = await auditCount();
    const res = await post(path, { csrf, pin: NEW_PIN, confirm: NEW_PIN });
    expect(res.status).toBe(500);
    // Nothing claims the PIN was set.
    expect((await auditSince(before)).map(([event]) => event)).not.toContain('pin.set');
    expectPageHeaders(res);
    expect(await res.text()).toContain('your PIN was not changed');
    expect(logged).toHaveLength(1);
    const log = JSON.stringify(logged, (_k, v: unknown) => (v instanceof Error ? { name: v.name, message: v.message, stack: v.stack } : v));
    expect(log).toContain('directory down');
    expect(log).not.toContain(path.split('/').at(-1)!);
    expect(log).not.toContain(NEW_PIN);
    // The link was given back: the user can try again.
    expect((await reset.openPage(path.split('/').at(-1)!)).kind).toBe('valid');
  });

  test('with the store unreachable, the PIN page and the unlock page both say try again later (503) and log no token', async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const { services } = t;
    const links = services.store.links;
    // The real links table in every way but one: reading a link finds the store unreachable.
    const unreachable: typeof links = Object.assign(Object.create(links) as typeof links, { get: () => Promise.reject(new StoreUnavailableError('the database is not reachable')) });
    const deps = { ...services, contacts: services.store.contacts, links: unreachable };
    reset = new PinReset(deps);
    await startServer(reset, (s, logger) => registerUnlockPage(s, new AccountUnlock(deps), { ...services, logger }));
    const token = 'A'.repeat(32);
    for (const [path, route] of [[`/reset/${token}`, '/reset/:token'], [`/unlock/${token}`, '/unlock/:token']] as const) {
      logged = [];
      const res = await fetch(base + path);
      expect({ path, status: res.status }).toEqual({ path, status: 503 });
      expectPageHeaders(res);
      expect(await res.text()).toContain('your link keeps working until it expires');
      expect(logged).toEqual([{ err: { name: 'StoreUnavailableError', message: 'the database is not reachable' }, route, method: 'GET' }]);
      expect(JSON.stringify(logged)).not.toContain(token);
    }
  });
});

/** A browser's complaints about a page: console errors and warnings, uncaught errors, failed requests, CSP violations. */
function complaintsOf(page: Page, origin: string): string[] {
  const complaints: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') complaints.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => complaints.push(`uncaught: ${e.message}`));
  page.on('requestfailed', (r) => complaints.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('request', (r) => {
    if (!r.url().startsWith(origin)) complaints.push(`request to another origin: ${r.url()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) complaints.push(`${r.status()} for ${r.url()}`);
  });
  return complaints;
}

describe('the PIN page in Chromium, on the real server with its scripts', () => {
  test('loading it, the strength guidance, the show-PIN switch and setting the PIN: no console error, no CSP violation, no failed or outside request', async () => {
    const mailer = new RecordingMailer();
    const running = await startApp({ INSTITUTION_NAME: 'Harbourside University' }, undefined, { mailer });
    const browser = await launchChromium();
    try {
      await running.app.services.embeddedDirectory!.importAccount({ uid: 'jdoe', name: 'Jane Doe', email: 'jdoe@example.edu', pin: OLD_PIN });
      const now = running.clock.now();
      await running.app.services.store.contacts.put({ uid: 'jdoe', email: 'tom.lee@gmail.com', mobile: '+85291234567', source: 'self', verifiedAt: now, updatedAt: now });
      await running.app.services.pinReset.requestEmailLink('jdoe', { channel: 'test' });
      await running.app.services.background.drain();
      const url = /(https?:\/\/\S+\/reset\/[A-Za-z0-9_-]+)/.exec(mailer.to('tom.lee@gmail.com').at(-1)?.text ?? '')![1]!;

      const page = await browser.newPage({ viewport: { width: 375, height: 740 } });
      const complaints = complaintsOf(page, running.baseUrl);
      await page.goto(url);
      expect(await page.title()).toBe('Set a new portal PIN');
      expect(await page.locator('header').innerText()).toBe('Portal PIN reset for Harbourside University');
      // The stylesheet loaded under the CSP: the button has its 44px touch target.
      expect(await page.locator('button[type=submit]').evaluate((b) => getComputedStyle(b).minHeight)).toBe('44px');

      // Live strength guidance, from the same policy as the server's.
      const pin = page.getByLabel('New PIN', { exact: true });
      const guidance = page.locator('#pin-strength-text');
      await pin.focus();
      await page.locator('#pin-strength-text', { hasText: 'As you type' }).waitFor();
      await pin.fill('12341234');
      await page.locator('#pin-strength-text', { hasText: 'too easy to guess' }).waitFor();
      expect(await guidance.innerText()).toMatch(/^PIN strength: very weak\. This PIN would be too easy to guess\. .*Add another word or two/);
      expect(await page.locator('#pin-strength-meter').evaluate((m) => (m as HTMLMeterElement).value)).toBe(0);
      await pin.fill('harbourside2024');
      await page.locator('#pin-strength-text', { hasText: 'name of this service' }).waitFor();
      await pin.fill('tram harbour lantern quietly');
      await page.locator('#pin-strength-text', { hasText: 'This PIN can be used.' }).waitFor();
      expect(await page.locator('#pin-strength-meter').evaluate((m) => (m as HTMLMeterElement).value)).toBeGreaterThanOrEqual(3);

      // Show PIN from the keyboard: Tab from the PIN to the switch, Space to show, Space to hide.
      await pin.focus();
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('show-pin');
      await page.keyboard.press('Space');
      expect([await pin.getAttribute('type'), await page.locator('#confirm').getAttribute('type')]).toEqual(['text', 'text']);
      await page.keyboard.press('Space');
      expect([await pin.getAttribute('type'), await page.locator('#confirm').getAttribute('type')]).toEqual(['password', 'password']);

      await page.getByLabel('Type the new PIN again').fill('tram harbour lantern quietly');
      await page.getByRole('button', { name: 'Set PIN' }).click();
      await page.getByRole('heading', { name: 'Your PIN has been changed' }).waitFor();
      expect(complaints).toEqual([]);
      expect(await running.app.services.directory.checkPin('jdoe', 'tram harbour lantern quietly')).toBe(true);
      const events = (await running.app.services.auditLog.read({ uid: 'jdoe' })).map((e) => e.event);
      expect(events.filter((e) => e === 'page.opened' || e === 'pin.set')).toEqual(['page.opened', 'pin.set']);
    } finally {
      await browser.close();
      await running.app.close();
    }
  });

  test('a mistake is explained in the browser, then the PIN is set; the only complaint is the status of the refused form itself', async () => {
    const path = await mailedPath();
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 375, height: 740 } });
      const complaints = complaintsOf(page, base);
      await page.goto(base + path);
      // As a person would, the form is sent once the strength guidance has judged the PIN: the
      // guidance is a chunk loaded when the PIN field is first used, and a chunk still loading when
      // the page is left is cancelled by the browser, which is no fault of the page.
      await page.getByLabel('New PIN', { exact: true }).fill(NEW_PIN);
      await page.locator('#pin-strength-text', { hasText: 'This PIN can be used.' }).waitFor();
      await page.getByLabel('Type the new PIN again').fill(`${NEW_PIN}!`);
      await page.getByRole('button', { name: 'Set PIN' }).click();
      await page.getByRole('alert').waitFor();
      expect(await page.title()).toBe('Error: Set a new portal PIN');
      expect(await page.getByRole('alert').textContent()).toContain('The two PINs do not match.');
      expect(await page.locator('#confirm').getAttribute('aria-describedby')).toBe('confirm-error-mismatch');
      expect(await page.locator('#confirm-error-mismatch').isVisible()).toBe(true);

      // The refused form is a page of its own, whose guidance loads again when its PIN field is used.
      await page.getByLabel('New PIN', { exact: true }).fill(NEW_PIN);
      await page.locator('#pin-strength-text', { hasText: 'This PIN can be used.' }).waitFor();
      await page.getByLabel('Type the new PIN again').fill(NEW_PIN);
      await page.getByRole('button', { name: 'Set PIN' }).click();
      await page.getByRole('heading', { name: 'Your PIN has been changed' }).waitFor();
      // The refused form comes back as 422, which the browser reports as a failed load of the page itself.
      expect(complaints).toEqual([`422 for ${base}${path}`, expect.stringMatching(/^console error: Failed to load resource: the server responded with a status of 422/)]);
    } finally {
      await browser.close();
    }
    expect(await t.services.directory.checkPin('jdoe', NEW_PIN)).toBe(true);
    expect(await t.services.directory.checkPin('jdoe', OLD_PIN)).toBe(false);
    await t.services.background.drain();
    const events = (await t.services.auditLog.read({ uid: 'jdoe' })).map((e) => `${e.event} ${e.detail?.['rules'] ?? ''}`.trim());
    expect(events).toEqual(['reset.requested', 'link.sent', 'page.opened', 'pin.rejected mismatch', 'pin.set', 'notice.sent', 'notice.sent', 'notice.sent']);
  });
});
