import { expect, test } from '@jest/globals';
import { runChaos, summary } from './chaos/chaos.js';
import { postgresSummary, runPostgresChaos } from './chaos/chaosPostgres.js';

// The short version of `npm run test:chaos` (which does at least 20 kills).
test('registrations the bot confirmed survive SIGKILLs; the store loads, stale locks are taken over and torn audit lines are skipped', async () => {
  const result = await runChaos({ kills: 3, workers: 4, accounts: 400, upMs: [600, 1200], tornEvery: 2, log: () => {} });
  expect({ summary: summary(result), problems: result.problems }).toEqual({ summary: expect.stringMatching(/^kills=3 confirmed=[1-9]\d* lost=0 corrupt=0 /), problems: [] });
  expect(result.staleLocksTakenOver).toBe(3);
  expect(result.tornAuditLines).toBeGreaterThan(0);
}, 90_000);

// The short version of `CHAOS_STORE=postgres npm run test:chaos`, on a PostgreSQL server of its own (it is restarted).
test('on PostgreSQL with two instances: registrations confirmed survive SIGKILLs of either instance and a restart of PostgreSQL', async () => {
  const saved = process.env['DATABASE_URL'];
  delete process.env['DATABASE_URL'];
  try {
    const result = await runPostgresChaos({ kills: 3, workers: 4, accounts: 400, upMs: [1500, 2500], log: () => {} });
    expect({ summary: postgresSummary(result), problems: result.problems }).toEqual({ summary: expect.stringMatching(/^kills=3 confirmed=[1-9]\d* lost=0 corrupt=0 .*PostgreSQL restarted 1 time\)$/), problems: [] });
  } finally {
    if (saved !== undefined) process.env['DATABASE_URL'] = saved;
  }
}, 180_000);
