/** `npm run test:chaos`: at least 20 kills; exit 1 unless lost = 0, corrupt = 0 and every check passed. */
import { runChaos, summary } from './chaos.js';

const kills = Number(process.env.CHAOS_KILLS ?? 25);
const result = await runChaos({ kills, workers: 8, accounts: 5000, upMs: [800, 2500], tornEvery: 3, log: (l) => console.log(l) });
console.log(summary(result));
for (const p of result.problems) console.log(`problem: ${p}`);
process.exitCode = result.lost === 0 && result.corrupt === 0 && result.problems.length === 0 && result.kills >= Math.min(kills, 20) ? 0 : 1;
