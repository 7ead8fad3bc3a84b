import { describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { createDatabase, postgresServer, sql } from './support/servers/postgres.js';

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

  test('BENCH_STORE=postgres runs the same flows on PostgreSQL and, in the same run, on lowdb (BENCH_ROUNDS pairs of them), and reports both stores, the database CPU and its statements per turn', async () => {
    const url = await createDatabase(await postgresServer());
    await sql(url, 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    const { out, summary } = await bench({ BENCH_STORE: 'postgres', DATABASE_URL: url, BENCH_ROUNDS: '2' });
    expect(Object.keys(summary).sort()).toEqual([...KEYS, 'ratio_store_100k', 'ratio_store_rounds', 'db_pool_size', 'db_statements_per_turn_100k'].sort());
    // Two pairs at the largest N; the ratio is their median (of two: the mean).
    const rounds = summary['ratio_store_rounds'] as number[];
    expect(rounds).toHaveLength(2);
    expect(summary['ratio_store_100k']).toBeCloseTo((rounds[0]! + rounds[1]!) / 2, 2);
    expect(out).toMatch(/ratio_store_100k by round: [\d.]+, [\d.]+ \(median [\d.]+\)/);
    expect(summary['db_pool_size']).toBe(10); // the operator's default, not one per simulated user
    // Every turn reads and writes its conversation's state, and the reset and registration steps do more.
    expect(summary['db_statements_per_turn_100k']).toBeGreaterThan(2);
    expect(out).toMatch(/PostgreSQL statements per turn +\d/);
    expect(out).toMatch(/load generator CPU per turn \(ms\) +\d/);
    expect(out).toMatch(/machine CPU busy during the chat \(%\) +\d/);
    expect(summary['store']).toBe('postgres');
    expect(summary['errors']).toBe(0);
    // 20 on each PostgreSQL size and 20 on lowdb at the largest, then the second round's 20 on each store.
    expect(summary['flows_completed']).toBe(100);
    expect(out).toMatch(/postgres, N=20 +postgres, N=40 +lowdb, N=40 +echo baseline/);
    expect(out).toContain('PostgreSQL CPU per turn (ms)');
    expect(out).toMatch(/ratio_store_100k [\d.]+ >= 0\.7/);
  }, 240_000);
});
