/**
 * `npm run test:chaos`: at least 20 kills; exit 1 unless lost = 0, corrupt = 0 and every check passed.
 * `CHAOS_STORE=postgres npm run test:chaos`: the same with two instances on PostgreSQL (DATABASE_URL,
 * or a throwaway server), which is also restarted once.
 */
import { runChaos, summary } from './chaos.js';
import { postgresSummary, runPostgresChaos } from './chaosPostgres.js';

const kills = Number(process.env.CHAOS_KILLS ?? 25);
const log = (l: string) => console.log(l);
const { line, result } =
  process.env.CHAOS_STORE === 'postgres'
    ? await runPostgresChaos({ kills, workers: 8, accounts: 5000, upMs: [800, 2500], log }).then((r) => ({ line: postgresSummary(r), result: r }))
    : await runChaos({ kills, workers: 8, accounts: 5000, upMs: [800, 2500], tornEvery: 3, log }).then((r) => ({ line: summary(r), result: r }));
console.log(line);
for (const p of result.problems) console.log(`problem: ${p}`);
process.exitCode = result.lost === 0 && result.corrupt === 0 && result.problems.length === 0 && result.kills >= Math.min(kills, 20) ? 0 : 1;
