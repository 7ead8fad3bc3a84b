import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startApp, type RunningApp } from './support/app.js';

describe('the HTTP surface', () => {
  let open: RunningApp;
  let secured: RunningApp;

  beforeAll(async () => {
    open = await startApp({ MAX_BODY_BYTES: '4096' });
    secured = await startApp({ MicrosoftAppId: '00000000-0000-0000-0000-000000000001', MicrosoftAppPassword: 'not-a-real-secret' });
  });
  afterAll(async () => {
    await open?.app.close();
    await secured?.app.close();
  });

  const activity = JSON.stringify({ type: 'message', text: 'help', channelId: 'emulator', serviceUrl: 'http://localhost/x', from: { id: 'u' }, recipient: { id: 'b' }, conversation: { id: 'c' }, deliveryMode: 'expectReplies' });

  test('healthz answers 200 once the store is loaded', async () => {
    const res = await fetch(`${open.baseUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', directory: { kind: 'embedded', state: 'up' } });
  });

  test('with MicrosoftAppId set, a request without a Bot Framework token is refused with 401 and runs no turn', async () => {
    const res = await fetch(`${secured.baseUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: activity });
    expect(res.status).toBe(401);
    expect(await res.text()).not.toMatch(/at .*\.js:\d+/);
  });

  test('without MicrosoftAppId, a local client gets its replies in the response, and no trace of dialog state leaves the bot', async () => {
    const res = await fetch(`${open.baseUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: activity });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { activities: { type: string; text: string }[] };
    expect(body.activities.map((a) => a.type)).toEqual(['message']);
    expect(body.activities[0]!.text).toContain('Here is what I can do');
  });

  test('bad requests get a 4xx with a reason, never a stack trace', async () => {
    const post = (body: string, type = 'application/json') => fetch(`${open.baseUrl}/api/messages`, { method: 'POST', headers: { 'content-type': type }, body });
    const cases = [
      { res: await post('{not json'), status: 400 },
      { res: await post('hello', 'text/plain'), status: 415 },
      { res: await post('{"text":"no type"}'), status: 400 },
      { res: await post(JSON.stringify({ type: 'message', text: 'x'.repeat(10_000) })), status: 413 },
    ];
    for (const { res, status } of cases) {
      expect(res.status).toBe(status);
      const text = await res.text();
      expect(text.length).toBeGreaterThan(0);
      expect(text).not.toMatch(/at .*\.(js|ts):\d+/);
    }
    expect((await fetch(`${open.baseUrl}/healthz`)).status).toBe(200);
  });

  test('every response carries the security headers, including restify errors on the PIN page', async () => {
    const tooBig = await fetch(`${open.baseUrl}/reset/${'a'.repeat(32)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `pin=${'x'.repeat(10_000)}`,
    });
    const notFound = await fetch(`${open.baseUrl}/nowhere`);
    const health = await fetch(`${open.baseUrl}/healthz`);
    expect(tooBig.status).toBe(413);
    for (const res of [tooBig, notFound, health]) {
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    }
  });
});
