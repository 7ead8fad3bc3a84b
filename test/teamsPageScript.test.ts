import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startApp, type RunningApp } from './support/app.js';

describe('the PIN page script, /static/teams-page.js', () => {
  let broken: RunningApp;
  let working: RunningApp;
  let brokenBuilds = 0;
  let workingBuilds = 0;

  beforeAll(async () => {
    broken = await startApp({}, undefined, {
      teamsPageBundler: async () => {
        brokenBuilds += 1;
        throw new Error('esbuild: could not resolve "@microsoft/teams-js"');
      },
    });
    working = await startApp({}, undefined, {
      teamsPageBundler: async () => {
        workingBuilds += 1;
        return 'console.log("teams page");';
      },
    });
  });
  afterAll(async () => {
    await broken?.app.close();
    await working?.app.close();
  });

  const get = async (app: RunningApp, method = 'GET') => {
    const res = await fetch(`${app.baseUrl}/static/teams-page.js`, { method });
    return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
  };

  test('a failed bundle is remembered: every later request gets the same 503, the bundler runs once and the failure is logged once', async () => {
    const unavailable = { status: 503, type: 'text/plain; charset=utf-8', body: 'The page script is not available right now.' };
    // Two at once on the first load, then more, one by one.
    expect(await Promise.all([get(broken), get(broken)])).toEqual([unavailable, unavailable]);
    for (let i = 0; i < 3; i++) expect(await get(broken)).toEqual(unavailable);
    expect(await get(broken, 'HEAD')).toEqual({ ...unavailable, body: '' });
    expect(brokenBuilds).toBe(1);
    expect(broken.logs().split('\n').filter((line) => line.includes('could not bundle the PIN page script'))).toHaveLength(1);
    // The rest of the server is unaffected.
    expect((await fetch(`${broken.baseUrl}/healthz`)).status).toBe(200);
  });

  test('a bundle that worked is built once and served to every request', async () => {
    const ok = { status: 200, type: 'text/javascript; charset=utf-8', body: 'console.log("teams page");' };
    expect(await Promise.all([get(working), get(working)])).toEqual([ok, ok]);
    expect(await get(working)).toEqual(ok);
    expect(workingBuilds).toBe(1);
  });
});
