import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import nock from 'nock';
import { PassThrough } from 'node:stream';
import type { ClientRequest } from 'node:http';
import { startApp, type RunningApp } from './support/app.js';
import { FakeConnector, TeamsUser } from './support/teams.js';

const APP_ID = '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b';
const connector = new FakeConnector();
let running: RunningApp;

beforeAll(async () => {
  // No network: the Bot Framework's signing keys cannot be fetched.
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
  await connector.start();
  running = await startApp({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'not-a-real-secret' });
});

afterAll(async () => {
  await running?.app.close();
  await connector.stop();
  nock.enableNetConnect();
});

const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const jwt = (header: object, claims: object) => `Bearer ${part(header)}.${part(claims)}.${Buffer.from('not a signature').toString('base64url')}`;
const now = () => Math.floor(Date.now() / 1000);

describe('with MicrosoftAppId set, and no network', () => {
  const tokens: [string, Record<string, string>][] = [
    ['no Authorization header', {}],
    ['a header that is not a bearer JWT', { authorization: 'Bearer not-a-jwt' }],
    ['an unsigned token (alg none)', { authorization: jwt({ alg: 'none' }, { aud: APP_ID, exp: now() + 3600 }) }],
    ['a token for another bot', { authorization: jwt({ alg: 'RS256', kid: 'k1' }, { aud: '00000000-0000-0000-0000-000000000001', iss: 'https://api.botframework.com', exp: now() + 3600 }) }],
    ['an expired token', { authorization: jwt({ alg: 'RS256', kid: 'k1' }, { aud: APP_ID, iss: 'https://api.botframework.com', exp: now() - 3600 }) }],
    // Plausible claims: only the signature can tell, and the keys are out of reach.
    ['a forged token whose signature cannot be checked', { authorization: jwt({ alg: 'RS256', kid: 'k1', typ: 'JWT' }, { aud: APP_ID, iss: 'https://api.botframework.com', serviceurl: connector.url, nbf: now() - 60, exp: now() + 3600 }) }],
  ];

  test.each(tokens)('an activity with %s is refused with 401, runs no turn and logs no stack trace', async (_name, headers) => {
    const user = new TeamsUser(running.baseUrl, connector);
    connector.members.set(user.id, { id: user.id, name: 'x', aadObjectId: user.aadObjectId, userPrincipalName: 'x@example.edu' });
    const { status, body } = await user.post({ type: 'message', text: 'help' }, headers);
    expect(status).toBe(401);
    expect(body).toEqual({ code: 'Unauthorized', message: 'A valid Bot Framework token is required.' });
    expect(connector.sent).toEqual([]);
    expect(connector.memberLookups).toEqual([]);
    expect(running.logs()).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});

/** Hosts the server tried to reach (nock refuses them all; this only records the attempts). */
const attempts: string[] = [];
const recordAttempt = (req: ClientRequest & { options?: { host?: string } }) => attempts.push(req.options?.host ?? String(req.getHeader?.('host')));
const lastRefusal = (app: RunningApp): unknown => JSON.parse(app.logs().trim().split('\n').filter((l) => l.includes('refused an activity')).at(-1) ?? '{}').reason;
const plausible = (exp: number) => jwt({ alg: 'RS256', kid: 'k1', typ: 'JWT' }, { aud: APP_ID, iss: 'https://api.botframework.com', serviceurl: connector.url, nbf: now() - 60, exp });

describe('token expiry is judged on the app clock', () => {
  beforeAll(() => {
    nock.emitter.on('no match', recordAttempt);
  });
  afterAll(() => {
    nock.emitter.removeListener('no match', recordAttempt);
  });

  test('a token that expired by the injected clock is refused with 401 without any network call', async () => {
    // Valid for another hour by the machine's clock.
    const authorization = plausible(now() + 3600);
    const user = new TeamsUser(running.baseUrl, connector);
    connector.members.set(user.id, { id: user.id, name: 'x', aadObjectId: user.aadObjectId, userPrincipalName: 'x@example.edu' });

    // While the app clock agrees, only the signature can tell: the SDK reaches for its keys.
    attempts.length = 0;
    expect((await user.post({ type: 'message', text: 'help' }, { authorization })).status).toBe(401);
    expect(attempts.length).toBeGreaterThan(0);

    // Two hours later by the app clock (past the 5-minute skew), the same token is refused on its claims alone.
    running.clock.advance(2 * 3600_000);
    try {
      attempts.length = 0;
      const { status, body } = await user.post({ type: 'message', text: 'help' }, { authorization });
      expect(status).toBe(401);
      expect(body).toEqual({ code: 'Unauthorized', message: 'A valid Bot Framework token is required.' });
      expect(attempts).toEqual([]);
      expect(lastRefusal(running)).toBe('token expired');
      expect(connector.sent).toEqual([]);
      expect(connector.memberLookups).toEqual([]);
    } finally {
      running.clock.advance(-2 * 3600_000);
    }
  });
});

describe('when the SDK never answers the token verification', () => {
  let slow: RunningApp;
  let hanging: PassThrough[] = [];
  let scope: nock.Scope;

  beforeAll(async () => {
    // The signing-key metadata answers headers, then never finishes its body.
    scope = nock('https://login.botframework.com')
      .get('/v1/.well-known/openidconfiguration')
      .reply(200, () => {
        const body = new PassThrough();
        hanging.push(body);
        return body;
      }, { 'Content-Type': 'application/json' });
    slow = await startApp({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'not-a-real-secret' }, undefined, { botTokenTimeoutMs: 20 });
  });

  afterAll(async () => {
    await slow?.app.close();
    for (const body of hanging) body.destroy();
    hanging = [];
    nock.cleanAll();
  });

  test('an activity whose token the SDK never verifies is refused with 401 after the timeout and runs no turn', async () => {
    const user = new TeamsUser(slow.baseUrl, connector);
    connector.members.set(user.id, { id: user.id, name: 'x', aadObjectId: user.aadObjectId, userPrincipalName: 'x@example.edu' });
    const { status, body } = await user.post({ type: 'message', text: 'help' }, { authorization: plausible(now() + 3600) });
    expect(status).toBe(401);
    expect(body).toEqual({ code: 'Unauthorized', message: 'A valid Bot Framework token is required.' });
    // The SDK was asked (it fetched the metadata) and was still waiting on it when the 401 went out.
    expect(scope.isDone()).toBe(true);
    expect(hanging.length).toBeGreaterThan(0);
    expect(hanging.every((b) => !b.writableEnded)).toBe(true);
    expect(lastRefusal(slow)).toBe('token not verified within 20 ms');
    expect(connector.sent).toEqual([]);
    expect(connector.memberLookups).toEqual([]);
    expect(slow.logs()).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});
