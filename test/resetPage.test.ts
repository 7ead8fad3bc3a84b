import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import restify, { type Server } from 'restify';
import { launchChromium } from './support/browser.js';
import { createPinReset, PinReset } from '../src/domain/pinReset.js';
import { registerResetPage } from '../src/http/resetPage.js';
import type { Directory } from '../src/ports/directory.js';
import type { Logger } from '../src/ports/logger.js';
import { addAccount, openTestServices, type TestServices } from './support/services.js';

const OLD_PIN = 'old portal pin 2019';
const NEW_PIN = 'blue kettle on the hill';
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors https://teams.microsoft.com https://*.teams.microsoft.com https://teams.cloud.microsoft";

let t: TestServices;
let reset: PinReset;
let server: Server;
let base: string;
let logged: unknown[];

/** A server set up like src/http/server.ts (same body parsing), with only the PIN page on it. */
async function startServer(pinReset: PinReset): Promise<void> {
  server = restify.createServer({ name: 'pin-reset-bot', handleUncaughtExceptions: false });
  server.use(restify.plugins.queryParser({ mapParams: false }));
  server.use(restify.plugins.bodyParser({ maxBodySize: t.services.config.MAX_BODY_BYTES, mapParams: false, mapFiles: false, keepExtensions: false }));
  const logger: Logger = { info: (o) => logged.push(o), warn: (o) => logged.push(o), error: (o) => logged.push(o), debug: (o) => logged.push(o) };
  registerResetPage(server, pinReset, { ...t.services, logger });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeEach(async () => {
  t = await openTestServices();
  logged = [];
  await addAccount(t.services, 'jdoe', 'jdoe@example.edu', { pin: OLD_PIN });
  const now = t.clock.now();
  await t.services.store.contacts.put({ uid: 'jdoe', email: 'tom.lee@gmail.com', mobile: '+85291234567', source: 'self', verifiedAt: now, updatedAt: now });
  reset = createPinReset(t.services);
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
    const res = await fetch(base + (await mailedPath()));
    const html = await res.text();
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
    // One script, our own bundle from this origin; nothing inline.
    expect(html.match(/<script[^>]*>/g)).toEqual(['<script src="../static/teams-page.js" defer>']);
    expect(html).not.toMatch(/<script>|\sstyle=|\son[a-z]+=/i);
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

    const done = await post(path, { csrf: csrfIn(html), pin: NEW_PIN, confirm: NEW_PIN });
    expect(done.status).toBe(200);
    expectPageHeaders(done);
    expect(await done.text()).toContain('Your PIN has been changed');
    expect(await t.services.directory.checkPin('jdoe', NEW_PIN)).toBe(true);

    const again = await fetch(base + path);
    expect(again.status).toBe(410);
    expect(await again.text()).toContain('This link is no longer valid; start again in chat.');
  });

  test('policy problems come back as 422, each message tied to its field, without echoing the PIN', async () => {
    const path = await mailedPath();
    const csrf = csrfIn(await (await fetch(base + path)).text());
    const res = await post(path, { csrf, pin: 'Zq9-jdoe', confirm: 'Zq8-jdoe' });
    const html = await res.text();
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
  });

  test('an unknown, used or expired link, or a forged form, shows one page: start again in chat (410)', async () => {
    const unknown = await fetch(`${base}/reset/${'A'.repeat(32)}`);
    const invalidPage = await unknown.text();
    expect(unknown.status).toBe(410);
    expectPageHeaders(unknown);
    expect(invalidPage).toContain('<h1>This link is no longer valid</h1>');
    expect(invalidPage).toContain('start again in chat');

    const path = await mailedPath();
    const forged = await post(path, { pin: NEW_PIN, confirm: NEW_PIN });
    expect(forged.status).toBe(410);
    expect(await forged.text()).toBe(invalidPage);
    expect(await t.services.directory.checkPin('jdoe', OLD_PIN)).toBe(true);

    t.clock.advance(30 * 60_000);
    for (const res of [await fetch(base + path), await post(path, { csrf: 'x', pin: NEW_PIN, confirm: NEW_PIN })]) {
      expect(res.status).toBe(410);
      expect(await res.text()).toBe(invalidPage);
    }
  });

  test('PUT and DELETE get 405 with Allow, and the same headers', async () => {
    const path = await mailedPath();
    for (const method of ['PUT', 'DELETE']) {
      const res = await fetch(base + path, { method });
      expect({ method, status: res.status, allow: res.headers.get('allow') }).toEqual({ method, status: 405, allow: 'GET, HEAD, POST' });
      expectPageHeaders(res);
    }
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
    const res = await post(path, { csrf, pin: NEW_PIN, confirm: NEW_PIN });
    expect(res.status).toBe(500);
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

  test('in headless Chromium: a mistake is explained, then the PIN is set, with no policy violation', async () => {
    const path = await mailedPath();
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 375, height: 740 } });
      const problems: string[] = [];
      // A 422 page and a missing favicon are logged as failed loads; only policy refusals count here.
      page.on('console', (m) => {
        if (/Content.Security.Policy|Refused to/i.test(m.text())) problems.push(m.text());
      });
      page.on('pageerror', (e) => problems.push(e.message));

      await page.goto(base + path);
      expect(await page.title()).toBe('Set a new portal PIN');
      // The stylesheet loaded under the CSP: the button has its 44px touch target.
      expect(await page.locator('button[type=submit]').evaluate((b) => getComputedStyle(b).minHeight)).toBe('44px');

      await page.getByLabel('New PIN', { exact: true }).fill(NEW_PIN);
      await page.getByLabel('Type the new PIN again').fill(`${NEW_PIN}!`);
      await page.getByRole('button', { name: 'Set PIN' }).click();
      await page.waitForLoadState();
      expect(await page.title()).toBe('Error: Set a new portal PIN');
      expect(await page.getByRole('alert').textContent()).toContain('The two PINs do not match.');
      expect(await page.locator('#confirm').getAttribute('aria-describedby')).toBe('confirm-error-mismatch');
      expect(await page.locator('#confirm-error-mismatch').isVisible()).toBe(true);

      await page.getByLabel('New PIN', { exact: true }).fill(NEW_PIN);
      await page.getByLabel('Type the new PIN again').fill(NEW_PIN);
      await page.getByRole('button', { name: 'Set PIN' }).click();
      await page.getByRole('heading', { name: 'Your PIN has been changed' }).waitFor();
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
    expect(await t.services.directory.checkPin('jdoe', NEW_PIN)).toBe(true);
    expect(await t.services.directory.checkPin('jdoe', OLD_PIN)).toBe(false);
  });
});
