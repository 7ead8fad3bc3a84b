import { expect, test } from '@jest/globals';
import { runChaos, summary } from './chaos/chaos.js';

// The short version of `npm run test:chaos` (which does at least 20 kills).
test('registrations the bot confirmed survive SIGKILLs; the store loads, stale locks are taken over and torn audit lines are skipped', async () => {
  const result = await runChaos({ kills: 3, workers: 4, accounts: 400, upMs: [600, 1200], tornEvery: 2, log: () => {} });
  expect({ summary: summary(result), problems: result.problems }).toEqual({ summary: expect.stringMatching(/^kills=3 confirmed=[1-9]\d* lost=0 corrupt=0 /), problems: [] });
  expect(result.staleLocksTakenOver).toBe(3);
  expect(result.tornAuditLines).toBeGreaterThan(0);
}, 90_000);
