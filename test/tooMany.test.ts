import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { startApp, type RunningApp } from './support/app.js';

/**
 * Every 429 tells the truth about when to come back: Retry-After is the limiter's real wait (the
 * app clock stands still, so it is exact), the reason names the same seconds, and one second
 * before it runs out the request is still refused, at its end allowed.
 */
describe("a 429's Retry-After is the limiter's real wait", () => {
  let running: RunningApp;

  beforeAll(async () => {
    // Per minute: 3 per conversation (a token every 20 s), 8 per IP (every 7.5 s, so 8 s), 4 PIN pages per IP (every 15 s).
    running = await startApp({ MESSAGES_PER_CONVERSATION_PER_MINUTE: '3', MESSAGES_PER_IP_PER_MINUTE: '8', PIN_PAGE_REQUESTS_PER_IP_PER_MINUTE: '4', TRUSTED_PROXY_HOPS: '1' });
  });
  afterAll(async () => {
    await running?.app.close();
  });

  const post = (ip: string, conversation = randomUUID()) =>
    fetch(`${running.baseUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
      body: JSON.stringify({ type: 'message', text: 'help', channelId: 'emulator', serviceUrl: 'http://localhost/x', from: { id: 'u' }, recipient: { id: 'b' }, conversation: { id: conversation }, deliveryMode: 'expectReplies' }),
    });
  const retryAfter = (res: Response) => res.headers.get('retry-after');

  test('/api/messages per IP: Retry-After and the JSON reason give the refill time, and it holds to the second', async () => {
    for (let i = 0; i < 8; i++) expect((await post('198.51.100.7')).status).toBe(200);
    const refused = await post('198.51.100.7');
    expect(refused.status).toBe(429);
    expect(retryAfter(refused)).toBe('8');
    expect(await refused.json()).toEqual({ code: 'TooManyRequests', message: 'Too many requests from this address. Try again in 8 s.' });
    running.clock.advance(7_000);
    const early = await post('198.51.100.7');
    expect([early.status, retryAfter(early)]).toEqual([429, '1']);
    running.clock.advance(1_000);
    expect((await post('198.51.100.7')).status).toBe(200);
  });

  test('/api/messages per conversation: Retry-After and the JSON reason give the refill time', async () => {
    const conversation = randomUUID();
    for (let i = 0; i < 3; i++) expect((await post(`198.51.100.${20 + i}`, conversation)).status).toBe(200);
    const refused = await post('198.51.100.30', conversation);
    expect(refused.status).toBe(429);
    expect(retryAfter(refused)).toBe('20');
    expect(await refused.json()).toEqual({ code: 'TooManyRequests', message: 'Too many messages in this conversation. Try again in 20 s.' });
    running.clock.advance(19_000);
    expect(retryAfter(await post('198.51.100.31', conversation))).toBe('1');
    running.clock.advance(1_000);
    expect((await post('198.51.100.32', conversation)).status).toBe(200);
  });

  test('/api/sms per IP: Retry-After gives the refill time', async () => {
    const sms = () =>
      fetch(`${running.baseUrl}/api/sms`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '203.0.113.40' },
        body: new URLSearchParams({ From: '+85291234567', To: '+85230000000', Body: 'help', MessageSid: `SM${randomUUID()}` }).toString(),
      });
    for (let i = 0; i < 8; i++) expect((await sms()).status).toBe(403);
    const refused = await sms();
    expect([refused.status, retryAfter(refused)]).toEqual([429, '8']);
    expect(await refused.json()).toEqual({ code: 'TooManyRequests', message: 'Too many requests from this address. Try again in 8 s.' });
  });

  test('the PIN page per IP: Retry-After and the page give the same seconds, over GET and HEAD', async () => {
    const url = `${running.baseUrl}/reset/${'x'.repeat(32)}`;
    const ip = { 'x-forwarded-for': '203.0.113.50', 'accept-language': 'en' };
    for (let i = 0; i < 4; i++) expect((await fetch(url, { headers: ip })).status).not.toBe(429);
    const refused = await fetch(url, { headers: ip });
    expect(refused.status).toBe(429);
    expect(retryAfter(refused)).toBe('15');
    expect(refused.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(refused.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await refused.text()).toContain('Please wait 15 seconds and try again');
    running.clock.advance(14_000);
    const head = await fetch(url, { method: 'HEAD', headers: ip });
    expect([head.status, retryAfter(head), await head.text()]).toEqual([429, '1', '']);
    running.clock.advance(1_000);
    expect((await fetch(url, { headers: ip })).status).not.toBe(429);
  });
});
