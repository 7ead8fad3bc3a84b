import { describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { createDatabase, postgresServer } from './support/servers/postgres.js';

const KEYS = ['store', 'echo_tps', 'floor_tps', 'bot_tps_1k', 'bot_tps_100k', 'ratio_100k', 'ratio_floor_100k', 'p50_ms_1k', 'p99_ms_1k', 'p50_ms_100k', 'p99_ms_100k', 'growth_p50', 'rss_mb_100k', 'start_ms_100k', 'cpu_ms_per_turn_100k', 'flows_completed', 'errors'];

/** Runs the bench with tiny N and returns its output and the JSON summary on its last line. */
async function bench(env: Record<string, string>): Promise<{ out: string; summary: Record<string, unknown> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--disable-warning=DEP0111', 'bench/run.ts'], {
    env: { ...process.env, BENCH_RUNTIME: 'tsx', BENCH_SIZES: '20,40', BENCH_USERS: '4', BENCH_FLOWS: '20', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect({ code, err: code === 0 ? '' : err }).toEqual({ code: 0, err: '' });
  const lines = out.trimEnd().split('\n');
  return { out, summary: JSON.parse(lines[lines.length - 1]!) as Record<string, unknown> };
}

describe('npm run bench (smoke run with tiny N; timings are never asserted)', () => {
  test('every flow completes through the real server without an error, and the last line is the JSON summary', async () => {
    const { out, summary } = await bench({ BENCH_STORE: '' });
    expect(Object.keys(summary).sort()).toEqual([...KEYS].sort());
    expect(summary['store']).toBe('lowdb');
    expect(summary['errors']).toBe(0);
    expect(summary['flows_completed']).toBe(40); // 20 flows on each size, every one to its end
    expect(out).toContain('turns per second');
    // Both baselines got the same turns; a turn either one failed would count in errors above.
    expect(out).toMatch(/echo baseline +echo \+ dialogs/);
  }, 180_000);

  test('BENCH_STORE=postgres runs the same flows on PostgreSQL and, in the same run, on lowdb, and reports both stores and the database CPU', async () => {
    const { out, summary } = await bench({ BENCH_STORE: 'postgres', DATABASE_URL: await createDatabase(await postgresServer()) });
    expect(Object.keys(summary).sort()).toEqual([...KEYS, 'ratio_store_100k', 'db_pool_size'].sort());
    expect(summary['db_pool_size']).toBe(4); // a connection for each simulated user
    expect(summary['store']).toBe('postgres');
    expect(summary['errors']).toBe(0);
    expect(summary['flows_completed']).toBe(60); // 20 on each PostgreSQL size, and 20 on lowdb at the largest
    expect(out).toMatch(/postgres, N=20 +postgres, N=40 +lowdb, N=40 +echo baseline/);
    expect(out).toContain('PostgreSQL CPU per turn (ms)');
    expect(out).toMatch(/ratio_store_100k [\d.]+ >= 0\.7/);
  }, 240_000);
});
