import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { request } from 'node:http';
import fc from 'fast-check';
import nock from 'nock';
import { startApp, type RunningApp } from './support/app.js';
import { ALL_METHODS, ENDPOINTS, concretePath } from './support/endpoints.js';

/** Runs per property; `FUZZ_RUNS=5000 npm test -- fuzz.http` for a long run. */
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 250);
const MAX_BODY = 4096;
const STACK_TRACE = /at .*\.(js|ts|mjs):\d+|node_modules|\/src\//;

let running: RunningApp;
let port: number;

beforeAll(async () => {
  // Activities name a serviceUrl the SDK would post replies to: nothing may leave this machine.
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
  running = await startApp({ MAX_BODY_BYTES: String(MAX_BODY), MESSAGES_PER_IP_PER_MINUTE: '1000000', MESSAGES_PER_CONVERSATION_PER_MINUTE: '100000', PIN_PAGE_REQUESTS_PER_IP_PER_MINUTE: '100000' });
  port = Number(new URL(running.baseUrl).port);
});
afterAll(async () => {
  await running?.app.close();
  nock.enableNetConnect();
});

interface Raw {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}
interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request exactly as given (fetch would refuse some of these), with the answer read in full. */
function send(raw: Raw): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: raw.method, path: raw.path, headers: { connection: 'close', ...raw.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer to ${raw.method} ${raw.path}`)));
    req.end(raw.body);
  });
}

const activity = (over: Record<string, unknown> = {}) => ({
  type: 'message',
  text: 'help',
  channelId: 'emulator',
  serviceUrl: 'http://127.0.0.1:9/unused',
  from: { id: 'u' },
  recipient: { id: 'b' },
  conversation: { id: 'fuzz' },
  deliveryMode: 'expectReplies',
  ...over,
});
const ACTIVITY_FIELDS = Object.keys(activity());

const token = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_-]{32}$/),
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
  fc.constantFrom('', '%', '%ZZ', '%E0%A4%A', '%00', '..%2F..%2Fpackage.json', 'a'.repeat(5000), '%F0%9F%98%80', '?x=1', '#frag'),
);

const path = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...ENDPOINTS), token).map(([e, t]) => concretePath(e, t)) },
  { weight: 1, arbitrary: fc.constantFrom('/', '/api', '/api/messages/', '/api/messages/x', '/reset', '/reset/a/b', '/static/', '/static/../package.json', '/healthz?x=%', '//healthz', '/HEALTHZ', '/%') },
  { weight: 1, arbitrary: fc.webPath() },
);

const contentType = fc.constantFrom(
  undefined,
  '',
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/x-www-form-urlencoded',
  'text/plain',
  'text/html',
  'application/xml',
  'multipart/form-data',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/*',
  ';;;',
);

const invalidUtf8 = fc.constantFrom([0xff, 0xfe], [0xc3, 0x28], [0xe2, 0x28, 0xa1], [0xf0, 0x90, 0x28, 0xbc], [0xed, 0xa0, 0x80]).map((b) => Buffer.from(b));
const json = (v: unknown) => Buffer.from(JSON.stringify(v));

const body = fc.oneof(
  fc.constant(undefined),
  fc.constant(Buffer.alloc(0)),
  fc.jsonValue().map(json),
  // A real activity with fields removed, retyped or replaced.
  fc.record({ drop: fc.subarray(ACTIVITY_FIELDS), over: fc.dictionary(fc.constantFrom(...ACTIVITY_FIELDS, '__proto__', 'constructor', 'channelData', 'value'), fc.jsonValue()) }).map(({ drop, over }) => {
    const a: Record<string, unknown> = activity(over);
    for (const k of drop) delete a[k];
    // Replies must never be posted to a random serviceUrl.
    if (typeof a['serviceUrl'] === 'string') a['serviceUrl'] = 'http://127.0.0.1:9/unused';
    return json(a);
  }),
  fc.tuple(fc.jsonValue().map((v) => JSON.stringify(v)), fc.nat()).map(([s, n]) => Buffer.from(s.slice(0, n % (s.length + 1)))),
  fc.tuple(fc.jsonValue().map(json), invalidUtf8, fc.nat()).map(([b, bad, n]) => Buffer.concat([b.subarray(0, n % (b.length + 1)), bad, b.subarray(n % (b.length + 1))])),
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  fc.dictionary(fc.constantFrom('pin', 'confirm', 'csrf', 'uid', 'token', '__proto__', 'pin[]'), fc.string({ maxLength: 80, unit: 'binary' })).map((d) => Buffer.from(new URLSearchParams(d).toString())),
  fc.constantFrom(
    Buffer.from('{"type":"message","text":"' + 'x'.repeat(MAX_BODY * 2) + '"}'),
    Buffer.from('pin=' + 'x'.repeat(MAX_BODY * 2)),
    Buffer.from('['.repeat(3000) + ']'.repeat(3000)),
    Buffer.from('{"a":'.repeat(2000) + '1' + '}'.repeat(2000)),
    Buffer.from('pin=%ZZ&confirm=%'),
    Buffer.from('pin=a&pin=b&confirm=a&csrf[]=x'),
    Buffer.from('--x\r\nContent-Disposition: form-data; name="pin"\r\n\r\nabc\r\n--x--\r\n'),
    Buffer.from('\uFEFF{"type":"message"}'),
    Buffer.from('null'),
    Buffer.from('"type"'),
  ),
);

const extraHeaders = fc.dictionary(
  fc.constantFrom('content-encoding', 'accept-language', 'authorization', 'x-forwarded-for', 'accept', 'transfer-encoding', 'expect'),
  fc.constantFrom('gzip', 'deflate', 'br', 'zh-HK', '*', 'en;q=abc', 'Bearer x.y.z', '1.2.3.4', 'text/html', 'chunked', ''),
);

const rawRequest = fc.record({ method: fc.constantFrom(...ALL_METHODS, 'TRACE'), path, contentType, body, extra: extraHeaders }).map(({ method, path, contentType, body, extra }): Raw => {
  const headers: Record<string, string> = { ...extra };
  if (contentType !== undefined) headers['content-type'] = contentType;
  // Node refuses both headers at once, and 'expect' makes it wait for a 100 that restify never sends.
  if (headers['transfer-encoding'] !== undefined) delete headers['transfer-encoding'];
  delete headers['expect'];
  if (body !== undefined) headers['content-length'] = String(body.length);
  return { method, path, headers, ...(body !== undefined ? { body } : {}) };
});

describe('fuzzing the HTTP surface', () => {
  test('random and malformed requests to every endpoint never get a 5xx or a stack trace, and /healthz stays 200', async () => {
    await fc.assert(
      fc.asyncProperty(rawRequest, async (raw) => {
        const answer = await send(raw);
        expect({ request: `${raw.method} ${raw.path}`, status: answer.status < 500 && answer.status >= 200 }).toEqual({ request: `${raw.method} ${raw.path}`, status: true });
        expect(answer.body).not.toMatch(STACK_TRACE);
        expect(answer.headers['x-content-type-options']).toBe('nosniff');
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
    await running.app.services.background.drain();
    expect((await send({ method: 'GET', path: '/healthz', headers: {} })).status).toBe(200);
    // The turns that did run left nothing unexplained in the log.
    expect(running.logs()).not.toMatch(/"level":(50|60)/);
  }, 120_000);

  test('bad input gets a 4xx with a reason: invalid UTF-8, wrong content types, huge bodies, missing fields', async () => {
    const post = (path: string, type: string, data: Buffer | string) => send({ method: 'POST', path, headers: { 'content-type': type }, body: Buffer.from(data) });
    const cases: [string, Answer][] = [
      ['invalid UTF-8 in JSON', await post('/api/messages', 'application/json', Buffer.concat([Buffer.from('{"type":"message","text":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]))],
      ['form sent as the activity', await post('/api/messages', 'application/x-www-form-urlencoded', 'type=message')],
      ['JSON array', await post('/api/messages', 'application/json', '[]')],
      ['huge body', await post('/api/messages', 'application/json', JSON.stringify(activity({ text: 'x'.repeat(MAX_BODY) })))],
      ['missing conversation', await post('/api/messages', 'application/json', JSON.stringify({ type: 'message', text: 'help' }))],
      ['deep nesting', await post('/api/messages', 'application/json', '['.repeat(3000) + ']'.repeat(3000))],
      ['JSON to the PIN page', await post(`/reset/${'A'.repeat(32)}`, 'application/json', '{"pin":1}')],
      ['invalid UTF-8 to the PIN page', await post(`/reset/${'A'.repeat(32)}`, 'application/x-www-form-urlencoded', Buffer.from([0x70, 0x69, 0x6e, 0x3d, 0xff]))],
    ];
    for (const [what, answer] of cases) {
      expect({ what, status: answer.status >= 400 && answer.status < 500 }).toEqual({ what, status: true });
      expect(answer.body.length).toBeGreaterThan(0);
      expect(answer.body).not.toMatch(STACK_TRACE);
    }
    expect((await send({ method: 'GET', path: '/healthz', headers: {} })).status).toBe(200);
  });
});

describe('headers and methods on every endpoint', () => {
  const SECURITY_HEADERS = { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff' };
  const securityHeaders = (a: Answer) => ({
    ...Object.fromEntries(Object.keys(SECURITY_HEADERS).map((k) => [k, a.headers[k]])),
    csp: String(a.headers['content-security-policy']).includes("default-src 'none'"),
  });

  test('every wrong method gets 405 with an Allow naming exactly the right ones; every answer carries the security headers', async () => {
    for (const endpoint of ENDPOINTS) {
      for (const method of ALL_METHODS) {
        const answer = await send({ method, path: concretePath(endpoint), headers: {} });
        const where = `${method} ${endpoint.path}`;
        expect({ where, ...securityHeaders(answer) }).toEqual({ where, ...SECURITY_HEADERS, csp: true });
        if (endpoint.methods.includes(method)) {
          expect({ where, status: answer.status }).not.toEqual({ where, status: 405 });
          continue;
        }
        const allow = String(answer.headers['allow'] ?? '').split(',').map((m) => m.trim()).sort();
        expect({ where, status: answer.status, allow }).toEqual({ where, status: 405, allow: [...endpoint.methods].sort() });
      }
    }
    const unknown = await send({ method: 'GET', path: '/nowhere', headers: {} });
    expect(unknown.status).toBe(404);
    expect(securityHeaders(unknown)).toEqual({ ...SECURITY_HEADERS, csp: true });
  });

  test('a compressed body is refused with 415 (a bad gzip body used to crash the process)', async () => {
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const answer = await send({ method: 'POST', path: '/api/messages', headers: { 'content-type': 'application/json', 'content-encoding': encoding }, body: Buffer.from('not compressed at all') });
      expect(answer.status).toBe(415);
      expect(answer.body).toContain('Compressed request bodies are not accepted');
    }
    expect((await send({ method: 'GET', path: '/healthz', headers: {} })).status).toBe(200);
  });

  test('a multipart body is refused with 415 before anything reads it', async () => {
    for (const path of ['/api/messages', `/reset/${'A'.repeat(32)}`]) {
      for (const method of ['POST', 'OPTIONS']) {
        const answer = await send({ method, path, headers: { 'content-type': 'multipart/form-data; boundary=x' } });
        expect({ method, path, status: answer.status }).toEqual({ method, path, status: 415 });
      }
    }
  });
});
