import { describe, expect, jest, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppendLog } from '../src/adapters/appendLog.js';
import { JsonlAuditLog } from '../src/adapters/audit/jsonlAuditLog.js';
import { tempDataDir as tempDir } from './support/services.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const lines = async (path: string) => (await readFile(path, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { n: number });

describe('append-only logs (audit, outbox)', () => {
  test.each([0, 60_000])('a line is in the file once append resolves (fdatasync within %i ms), in order, each whole', async (syncWithinMs) => {
    const path = join(await tempDir(), 'log.jsonl');
    const log = new AppendLog(path, { syncWithinMs });
    await Promise.all(Array.from({ length: 50 }, (_, n) => log.append({ n })));
    // Read while the log is still open: with a deferred fdatasync nothing waits for the timer.
    expect((await lines(path)).map((l) => l.n)).toEqual(Array.from({ length: 50 }, (_, n) => n));
    await log.append({ n: 50 });
    expect((await lines(path)).at(-1)).toEqual({ n: 50 });
    await log.close();
  });

  test('an audit line acknowledged with its fdatasync still pending is kept when the bot is killed at once', async () => {
    const dir = await tempDir();
    const path = join(dir, 'audit.jsonl');
    const auditModule = new URL('../src/adapters/audit/jsonlAuditLog.ts', import.meta.url).href;
    // The child acknowledges one event, then dies by SIGKILL before its (one-minute) sync window ends.
    const script = `
      import { JsonlAuditLog } from ${JSON.stringify(auditModule)};
      const log = new JsonlAuditLog(${JSON.stringify(path)}, { syncWithinMs: 60000 });
      await log.append({ at: new Date().toISOString(), event: 'pin.set', outcome: 'ok', uid: 'jdoe' });
      process.kill(process.pid, 'SIGKILL');
    `;
    const signal = await new Promise<NodeJS.Signals | null>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, stdio: 'ignore' });
      child.on('error', reject);
      child.on('exit', (_code, sig) => resolve(sig));
    });
    expect(signal).toBe('SIGKILL');
    const { events, warnings } = await new JsonlAuditLog(path).readReport();
    expect(warnings).toEqual([]);
    expect(events).toEqual([expect.objectContaining({ event: 'pin.set', outcome: 'ok', uid: 'jdoe' })]);
  });

  test('a deferred fdatasync covers every later line too: after a sync with nothing to do, after a rotation, and on close', async () => {
    const dir = await tempDir();
    const probe = await open(join(dir, 'probe'), 'w');
    const datasync = jest.spyOn(Object.getPrototypeOf(probe) as { datasync: () => Promise<void> }, 'datasync');
    await probe.close();
    try {
      const path = join(dir, 'log.jsonl');
      const log = new AppendLog(path, { syncWithinMs: 60_000 });
      await log.append({ n: 0 });
      await log.sync();
      expect(datasync).toHaveBeenCalledTimes(1);
      await log.sync(); // nothing written since: no fdatasync, and no later sync is lost to it
      expect(datasync).toHaveBeenCalledTimes(1);
      await log.append({ n: 1 });
      await log.sync();
      expect(datasync).toHaveBeenCalledTimes(2);
      await log.exclusive(async () => undefined); // as a rotation does: syncs, closes, reopens on the next line
      await log.append({ n: 2 });
      await log.sync();
      expect(datasync).toHaveBeenCalledTimes(3);
      await log.append({ n: 3 });
      await log.close();
      expect(datasync).toHaveBeenCalledTimes(4);
      expect((await lines(path)).map((l) => l.n)).toEqual([0, 1, 2, 3]);
    } finally {
      datasync.mockRestore();
    }
  });

  test('closing a log with a deferred fdatasync waits for the lines in flight and leaves every line whole', async () => {
    const path = join(await tempDir(), 'log.jsonl');
    const log = new AppendLog(path, { syncWithinMs: 60_000 });
    const appended = Array.from({ length: 20 }, (_, n) => log.append({ n }));
    await log.close();
    await Promise.all(appended);
    expect((await lines(path)).map((l) => l.n)).toEqual(Array.from({ length: 20 }, (_, n) => n));
  });
});
