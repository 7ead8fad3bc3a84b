import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { RateLimiter, clientAddress } from '../src/http/rateLimit.js';
import { settings } from '../src/config/schema.js';
import type { Request } from 'restify';
import { ManualClock } from './support/fakes.js';
import { startApp, type RunningApp } from './support/app.js';
import { openTestServices } from './support/services.js';

const MINUTE = 60_000;

describe('the rate limiter', () => {
  test('allows the limit, then refuses with the seconds until the next request is allowed, and refills evenly', () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ limit: 3, windowMs: MINUTE, clock });
    expect([1, 2, 3].map(() => limiter.take('a').allowed)).toEqual([true, true, true]);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 20 });
    expect(limiter.take('b').allowed).toBe(true);
    clock.advance(19_000);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    clock.advance(1_000);
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
  });

  test('memory stays bounded under a flood of distinct keys, forgetting the least recently seen', () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ limit: 1, windowMs: MINUTE, clock, maxKeys: 100 });
    expect(limiter.take('kept').allowed).toBe(true);
    for (let i = 0; i < 10_000; i++) {
      limiter.take(`spoofed-${i}`);
      if (i % 50 === 0) limiter.take('kept');
    }
    expect(limiter.size()).toBe(100);
    // 'kept' was seen recently, so it is still remembered as having spent its request.
    expect(limiter.take('kept').allowed).toBe(false);
  });

  test('the default limits let a busy Teams tenant through: 1000 messages a minute from one Microsoft address, a person typing every 2 seconds', () => {
    const clock = new ManualClock();
    const perIp = new RateLimiter({ limit: settings.MESSAGES_PER_IP_PER_MINUTE.schema.parse(undefined), windowMs: MINUTE, clock });
    const perConversation = new RateLimiter({ limit: settings.MESSAGES_PER_CONVERSATION_PER_MINUTE.schema.parse(undefined), windowMs: MINUTE, clock });
    let refused = 0;
    for (let i = 0; i < 1000; i++) {
      clock.advance(60);
      if (!perIp.take('52.112.0.1').allowed) refused++;
      if (i % 33 === 0 && !perConversation.take('one person').allowed) refused++;
    }
    expect(refused).toBe(0);
  });

  test('behind trusted proxies the client is read from the right of X-Forwarded-For, so a forged left part does not change it', () => {
    const req = (xff: string | undefined) => ({ socket: { remoteAddress: '10.0.0.2' }, headers: xff ? { 'x-forwarded-for': xff } : {} }) as unknown as Request;
    expect(clientAddress(req('1.2.3.4'), 0)).toBe('10.0.0.2');
    expect(clientAddress(req('6.6.6.6, 1.2.3.4'), 1)).toBe('1.2.3.4');
    expect(clientAddress(req('6.6.6.6, 1.2.3.4, 10.0.0.1'), 2)).toBe('1.2.3.4');
    expect(clientAddress(req(undefined), 1)).toBe('10.0.0.2');
  });
});

describe('floods over HTTP get 429 with Retry-After and a reason', () => {
  let running: RunningApp;
  let token: string;

  beforeAll(async () => {
    const { services, dataDir, clock } = await openTestServices();
    await services.directory.importAccount({ uid: 'jdoe', name: 'J Doe', email: 'jdoe@example.edu', pin: 'Old-PIN-1234' });
    await services.store.contacts.put({ uid: 'jdoe', email: 'jane@gmail.com', mobile: '+85261234567', source: 'self', verifiedAt: clock.now(), updatedAt: clock.now() });
    await services.close();
    running = await startApp(
      { MESSAGES_PER_CONVERSATION_PER_MINUTE: '3', MESSAGES_PER_IP_PER_MINUTE: '8', PIN_PAGE_REQUESTS_PER_IP_PER_MINUTE: '3', TRUSTED_PROXY_HOPS: '1' },
      dataDir,
    );
    await running.app.services.pinReset.requestEmailLink('jdoe', { channel: 'test' });
    await running.app.services.background.drain();
    const outbox = await import('node:fs/promises').then((fs) => fs.readFile(`${dataDir}/outbox/mail.jsonl`, 'utf8'));
    token = /\/reset\/([A-Za-z0-9_-]{32})/.exec(outbox)![1]!;
  });
  afterAll(async () => {
    await running?.app.close();
  });

  const post = (conversation: string, ip: string) =>
    fetch(`${running.baseUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
      body: JSON.stringify({ type: 'message', text: 'help', channelId: 'emulator', serviceUrl: 'http://localhost/x', from: { id: 'u' }, recipient: { id: 'b' }, conversation: { id: conversation }, deliveryMode: 'expectReplies' }),
    });

  test('/api/messages: per conversation, then per IP; other conversations and addresses go on; a minute later it is allowed again', async () => {
    const conversation = randomUUID();
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(conversation, '198.51.100.1')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await post(conversation, '198.51.100.1');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await limited.json()).toEqual({ code: 'TooManyRequests', message: expect.stringContaining('Too many messages in this conversation') });
    expect(limited.headers.get('cache-control')).toBe('no-store');
    expect((await post(randomUUID(), '198.51.100.1')).status).toBe(200);

    // Address 198.51.100.1 has now made 6 requests; 8 are allowed a minute, whatever the conversation.
    expect((await post(randomUUID(), '198.51.100.1')).status).toBe(200);
    expect((await post(randomUUID(), '198.51.100.1')).status).toBe(200);
    const perIp = await post(randomUUID(), '198.51.100.1');
    expect(perIp.status).toBe(429);
    expect(((await perIp.json()) as { message: string }).message).toContain('Too many requests from this address');
    expect((await post(randomUUID(), '198.51.100.2')).status).toBe(200);

    running.clock.advance(MINUTE);
    expect((await post(conversation, '198.51.100.1')).status).toBe(200);
    expect((await fetch(`${running.baseUrl}/healthz`)).status).toBe(200);
  });

  test('/api/sms and its status callback: per IP, before the signature is even checked', async () => {
    const statuses = [];
    for (let i = 0; i < 9; i++) {
      const path = i % 2 === 0 ? '/api/sms' : '/api/sms/status';
      const res = await fetch(`${running.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '203.0.113.9' },
        body: new URLSearchParams({ From: '+85291234567', To: '+85230000000', Body: 'help', MessageSid: `SM${i}` }).toString(),
      });
      statuses.push(res.status);
    }
    // Unsigned: 403 while the address is within its 8 a minute, then 429.
    expect(statuses).toEqual([403, 403, 403, 403, 403, 403, 403, 403, 429]);
  });

  test('the PIN page: per IP over GET, HEAD and POST, a 429 page in the user language that does not consume the link', async () => {
    const url = `${running.baseUrl}/reset/${token}`;
    const ip = { 'x-forwarded-for': '203.0.113.9' };
    expect((await fetch(url, { headers: ip })).status).toBe(200);
    expect((await fetch(url, { method: 'HEAD', headers: ip })).status).toBe(200);
    const form = { 'content-type': 'application/x-www-form-urlencoded', ...ip };
    expect((await fetch(url, { method: 'POST', headers: form, body: 'csrf=x&pin=a&confirm=a' })).status).toBe(410);
    for (const method of ['GET', 'POST']) {
      const res = await fetch(url, { method, headers: { ...form, 'accept-language': 'en' }, ...(method === 'POST' ? { body: 'pin=a' } : {}) });
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(await res.text()).toContain('too many requests to this page from your network');
    }
    expect((await fetch(url, { headers: { 'x-forwarded-for': '203.0.113.10' } })).status).toBe(200);
    running.clock.advance(MINUTE);
    const again = await fetch(url, { headers: ip });
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('name="csrf"');
  });
});
