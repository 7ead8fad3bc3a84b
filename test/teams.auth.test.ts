import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import nock from 'nock';
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
    if (_name.startsWith("a forged")) process.stderr.write(running.logs().split("\n").filter((l) => l.includes("refused")).slice(-1)[0] + "\n");
    expect(running.logs()).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});
