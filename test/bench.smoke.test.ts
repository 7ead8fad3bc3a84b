import { describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';

const KEYS = ['echo_tps', 'bot_tps_1k', 'bot_tps_100k', 'ratio_100k', 'p50_ms_1k', 'p99_ms_1k', 'p50_ms_100k', 'p99_ms_100k', 'growth_p50', 'rss_mb_100k', 'start_ms_100k', 'flows_completed', 'errors'];

describe('npm run bench (smoke run with tiny N; timings are never asserted)', () => {
  test('every flow completes through the real server without an error, and the last line is the JSON summary', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--disable-warning=DEP0111', 'bench/run.ts'], {
      env: { ...process.env, BENCH_RUNTIME: 'tsx', BENCH_SIZES: '20,40', BENCH_USERS: '4', BENCH_FLOWS: '20' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect({ code, err: code === 0 ? '' : err }).toEqual({ code: 0, err: '' });

    const lines = out.trimEnd().split('\n');
    const summary = JSON.parse(lines[lines.length - 1]!) as Record<string, number>;
    expect(Object.keys(summary).sort()).toEqual([...KEYS].sort());
    expect(summary['errors']).toBe(0);
    expect(summary['flows_completed']).toBe(40); // 20 flows on each size, every one to its end
    expect(out).toContain('turns per second');
    // Both baselines got the same turns; a turn either one failed would count in errors above.
    expect(out).toMatch(/echo baseline +echo \+ dialogs/);
  }, 180_000);
});
