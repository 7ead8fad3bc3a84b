import { afterAll, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StoreError } from '../src/adapters/store/errors.js';
import { LOCK_FILE } from '../src/adapters/store/lock.js';
import { LowStore } from '../src/adapters/store/lowStore.js';
import type { AccountRecord, BotStateRecord, ChallengeRecord, ContactRecord, LinkRecord, ThrottleRecord } from '../src/ports/store.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const lowStoreModule = join(repoRoot, 'src/adapters/store/lowStore.ts');

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pin-reset-store-'));
  dirs.push(dir);
  return dir;
}

const files = (dataDir: string) => ({
  directorySnapshot: join(dataDir, 'store', 'directory.json'),
  directoryJournal: join(dataDir, 'store', 'directory.journal'),
  sessionsSnapshot: join(dataDir, 'store', 'sessions.json'),
  sessionsJournal: join(dataDir, 'store', 'sessions.journal'),
  lock: join(dataDir, LOCK_FILE),
});

const account = (uid: string, extra: Partial<AccountRecord> = {}): AccountRecord => ({
  uid,
  name: `User ${uid}`,
  email: `${uid}@example.edu`,
  createdAt: 1_700_000_000_000,
  updatedAt: 1_700_000_000_000,
  ...extra,
});

const contact = (uid: string, extra: Partial<ContactRecord> = {}): ContactRecord => ({
  uid,
  email: `${uid}@gmail.com`,
  mobile: '+85291234567',
  source: 'self',
  verifiedAt: 1_700_000_000_000,
  updatedAt: 1_700_000_000_000,
  ...extra,
});

const challenge = (id: string, uid = 'u1'): ChallengeRecord => ({
  id,
  uid,
  purpose: 'reset-sms',
  channel: 'sms',
  target: '+85291234567',
  codeMac: 'a'.repeat(64),
  createdAt: 1_700_000_000_000,
  expiresAt: 1_700_000_600_000,
  wrongTries: 0,
  status: 'open',
  delivery: 'sent',
});

const link = (n: number, uid = 'u1'): LinkRecord => ({
  tokenHash: n.toString(16).padStart(64, '0'),
  uid,
  purpose: 'reset-pin',
  via: 'email',
  createdAt: 1_700_000_000_000,
  expiresAt: 1_700_001_800_000,
  status: 'open',
  delivery: 'sent',
});

const throttle = (key: string): ThrottleRecord => ({ key, sends: [1_700_000_000_000], consecutiveFailures: 2, updatedAt: 1_700_000_000_000 });
const botState = (key: string): BotStateRecord => ({ key, eTag: '1', value: { dialogStack: [{ id: 'reset', state: { step: 2 } }] }, updatedAt: 1_700_000_000_000 });

/** What a crash leaves: acknowledged writes are on disk, nothing is compacted, and the lock is gone with the process. */
async function abandon(store: LowStore, dataDir: string): Promise<void> {
  await store.directory.close();
  await store.sessions.close();
  await rm(files(dataDir).lock, { force: true });
}

/** Runs a child process and resolves with its pid once it has exited. */
function deadPid(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', '']);
    child.on('error', reject);
    child.on('exit', () => resolve(child.pid!));
  });
}

/** Starts `node --import tsx` on a script and collects its stdout. */
function runScript(script: string, args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const waitFor = (pattern: RegExp, timeoutMs = 20_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; stdout: ${stdout}; stderr: ${stderr}`)), timeoutMs);
      const check = () => {
        if (pattern.test(stdout)) {
          clearTimeout(timer);
          child.stdout.off('data', check);
          resolve();
        }
      };
      child.stdout.on('data', check);
      void exited.then(() => {
        clearTimeout(timer);
        if (pattern.test(stdout)) resolve();
        else reject(new Error(`child exited before ${pattern}; stdout: ${stdout}; stderr: ${stderr}`));
      });
      check();
    });
  return { child, exited, waitFor, output: () => stdout, errors: () => stderr };
}

describe('acknowledged data survives a restart', () => {
  test('every table keeps what was written after close and reopen', async () => {
    const dataDir = await tempDataDir();
    const store = await LowStore.open(dataDir);
    await store.accounts.put(account('u1', { upn: 'u1@example.edu', pinHash: 'scrypt$x' }));
    await store.contacts.put(contact('u1'));
    await store.challenges.put(challenge('c1'));
    await store.links.put(link(1));
    await store.throttles.put(throttle('account:u1'));
    await store.botState.put(botState('conv/1'));
    await store.close();

    const reopened = await LowStore.open(dataDir);
    expect(await reopened.accounts.get('u1')).toEqual(account('u1', { upn: 'u1@example.edu', pinHash: 'scrypt$x' }));
    expect(await reopened.contacts.get('u1')).toEqual(contact('u1'));
    expect(await reopened.challenges.get('c1')).toEqual(challenge('c1'));
    expect(await reopened.links.get(link(1).tokenHash)).toEqual(link(1));
    expect(await reopened.throttles.get('account:u1')).toEqual(throttle('account:u1'));
    expect(await reopened.botState.get('conv/1')).toEqual(botState('conv/1'));
    await reopened.close();
  });

  test('deletes survive a restart', async () => {
    const dataDir = await tempDataDir();
    const store = await LowStore.open(dataDir);
    await store.accounts.put(account('u1'));
    await store.accounts.put(account('u2'));
    await store.challenges.put(challenge('c1'));
    await store.accounts.delete('u1');
    await store.challenges.delete('c1');
    await abandon(store, dataDir);

    const reopened = await LowStore.open(dataDir);
    expect(await reopened.accounts.get('u1')).toBeUndefined();
    expect(await reopened.accounts.get('u2')).toEqual(account('u2'));
    expect(await reopened.challenges.get('c1')).toBeUndefined();
    await reopened.close();
  });

  test('data is kept across an explicit compaction, which empties the journal', async () => {
    const dataDir = await tempDataDir();
    const store = await LowStore.open(dataDir);
    for (let i = 0; i < 20; i++) await store.accounts.put(account(`u${i}`));
    await store.accounts.delete('u3');
    await store.directory.compact();
    expect(readFileSync(files(dataDir).directoryJournal, 'utf8')).toBe('');
    const snapshot = JSON.parse(readFileSync(files(dataDir).directorySnapshot, 'utf8')) as { tables: { accounts: Record<string, unknown> } };
    expect(Object.keys(snapshot.tables.accounts)).toHaveLength(19);
    await abandon(store, dataDir);

    const reopened = await LowStore.open(dataDir);
    expect(await reopened.accounts.all()).toHaveLength(19);
    expect(await reopened.accounts.get('u3')).toBeUndefined();
    expect(await reopened.accounts.get('u19')).toEqual(account('u19'));
    await reopened.close();
  });

  test('journal entries are replayed on top of the snapshot, newest value winning', async () => {
    const dataDir = await tempDataDir();
    const store = await LowStore.open(dataDir);
    await store.accounts.put(account('u1', { name: 'Before' }));
    await store.accounts.put(account('u2'));
    await store.challenges.put(challenge('c1'));
    await store.directory.compact();
    await store.sessions.compact();
    await store.accounts.put(account('u1', { name: 'After' }));
    await store.accounts.delete('u2');
    await store.accounts.put(account('u3'));
    await store.challenges.put({ ...challenge('c1'), status: 'used' });
    await abandon(store, dataDir);
    // The snapshot still has the old values; only the journal knows the new ones.
    expect(readFileSync(files(dataDir).directorySnapshot, 'utf8')).toContain('Before');
    expect(readFileSync(files(dataDir).directoryJournal, 'utf8').trim().split('\n')).toHaveLength(3);

    const reopened = await LowStore.open(dataDir);
    expect((await reopened.accounts.get('u1'))?.name).toBe('After');
    expect(await reopened.accounts.get('u2')).toBeUndefined();
    expect(await reopened.accounts.get('u3')).toEqual(account('u3'));
    expect((await reopened.challenges.get('c1'))?.status).toBe('used');
    await reopened.close();
  });

  test('the journal compacts itself once it grows past the threshold, losing nothing', async () => {
    const dataDir = await tempDataDir();
    const store = await LowStore.open(dataDir, { compactAfterBytes: 2_000 });
    for (let i = 0; i < 100; i++) await store.challenges.put(challenge(`c${i}`));
    expect(existsSync(files(dataDir).sessionsSnapshot)).toBe(true);
    expect(readFileSync(files(dataDir).sessionsJournal).length).toBeLessThan(4_000);
    await abandon(store, dataDir);

    const reopened = await LowStore.open(dataDir);
    expect(await reopened.challenges.all()).toHaveLength(100);
    await reopened.close();
  });

  test('writes that race an explicit compaction are not lost', async () => {
    const dataDir = await tempDataDir();
    const store = await LowStore.open(dataDir);
    const writes: Promise<void>[] = [];
    for (let round = 0; round < 20; round++) {
      // The compaction has taken its picture of the data before these writes arrive.
      const compaction = store.directory.compact();
      for (let i = 0; i < 10; i++) writes.push(store.accounts.put(account(`r${round}-${i}`)));
      await compaction;
    }
    await Promise.all(writes);
    await abandon(store, dataDir);

    const reopened = await LowStore.open(dataDir);
    expect(await reopened.accounts.all()).toHaveLength(200);
    await reopened.close();
  });

  test('500 concurrent writes are all acknowledged and all present after a restart (group commit)', async () => {
    const dataDir = await tempDataDir();
    const store = await LowStore.open(dataDir);
    await Promise.all(Array.from({ length: 500 }, (_, i) => (i % 2 ? store.accounts.put(account(`u${i}`)) : store.challenges.put(challenge(`c${i}`)))));
    expect(readFileSync(files(dataDir).directoryJournal, 'utf8').trim().split('\n')).toHaveLength(250);
    expect(readFileSync(files(dataDir).sessionsJournal, 'utf8').trim().split('\n')).toHaveLength(250);
    await abandon(store, dataDir);

    const reopened = await LowStore.open(dataDir);
    expect(await reopened.accounts.all()).toHaveLength(250);
    expect(await reopened.challenges.all()).toHaveLength(250);
    await reopened.close();
  });
});

describe('a write is durable before it resolves', () => {
  test('a resolved put is already in the journal file on disk', async () => {
    const dataDir = await tempDataDir();
    const store = await LowStore.open(dataDir);
    await store.accounts.put(account('u1', { upn: 'durable@example.edu' }));
    expect(readFileSync(files(dataDir).directoryJournal, 'utf8')).toContain('durable@example.edu');
    await store.challenges.put(challenge('c-durable'));
    expect(readFileSync(files(dataDir).sessionsJournal, 'utf8')).toContain('c-durable');
    await store.close();
  });

  test('every write acknowledged before the process is SIGKILLed is present after restart', async () => {
    const dataDir = await tempDataDir();
    const script = join(dataDir, 'writer.mts');
    await writeFile(
      script,
      `import { writeSync } from 'node:fs';
import { LowStore } from ${JSON.stringify(lowStoreModule)};
const store = await LowStore.open(process.argv[2]);
let n = 0;
for (;;) {
  const batch = [];
  for (let j = 0; j < 8; j++, n++) {
    const i = n;
    const put = i % 2
      ? store.accounts.put({ uid: 'u' + i, name: 'User ' + i, email: 'u' + i + '@example.edu', createdAt: 1, updatedAt: 1 })
      : store.challenges.put({ id: 'c' + i, uid: 'u' + i, purpose: 'identity', channel: 'email', target: 'x', codeMac: 'm', createdAt: 1, expiresAt: 2, wrongTries: 0, status: 'open', delivery: 'sent' });
    batch.push(put.then(() => writeSync(1, 'acked ' + i + '\\n')));
  }
  await Promise.all(batch);
}
`,
    );
    const writer = runScript(script, [dataDir]);
    await writer.waitFor(/acked 299\n/);
    writer.child.kill('SIGKILL');
    expect((await writer.exited).signal).toBe('SIGKILL');
    const acked = [...writer.output().matchAll(/^acked (\d+)$/gm)].map((m) => Number(m[1]));
    expect(acked).toContain(299);
    // The killed writer's lock names a dead pid and is taken over.
    expect(existsSync(files(dataDir).lock)).toBe(true);

    const reopened = await LowStore.open(dataDir);
    const missing: number[] = [];
    for (const i of acked) {
      const found = i % 2 ? await reopened.accounts.get(`u${i}`) : await reopened.challenges.get(`c${i}`);
      if (!found) missing.push(i);
    }
    expect(missing).toEqual([]);
    await reopened.close();
  });
});

describe('damaged files', () => {
  test('a torn last journal line is set aside in a .torn file and the store opens with the earlier data', async () => {
    const dataDir = await tempDataDir();
    const store = await LowStore.open(dataDir);
    await store.accounts.put(account('u1'));
    await store.accounts.put(account('u2'));
    await abandon(store, dataDir);
    const intact = await readFile(files(dataDir).directoryJournal);
    const torn = '{"t":"accounts","k":"u3","v":{"uid":"u3","name":"Us';
    await appendFile(files(dataDir).directoryJournal, torn);

    const warnings: string[] = [];
    const reopened = await LowStore.open(dataDir, { onWarning: (m) => warnings.push(m) });
    expect(await reopened.accounts.get('u1')).toEqual(account('u1'));
    expect(await reopened.accounts.get('u2')).toEqual(account('u2'));
    expect(await reopened.accounts.get('u3')).toBeUndefined();
    const tornFiles = (await readdir(join(dataDir, 'store'))).filter((f) => f.startsWith('directory.journal.torn-'));
    expect(tornFiles).toHaveLength(1);
    expect(await readFile(join(dataDir, 'store', tornFiles[0]!), 'utf8')).toBe(torn);
    expect(await readFile(files(dataDir).directoryJournal)).toEqual(intact);
    expect(warnings.join('\n')).toContain(tornFiles[0]);

    // New writes after the torn line start on a clean line.
    await reopened.accounts.put(account('u4'));
    await abandon(reopened, dataDir);
    const again = await LowStore.open(dataDir);
    expect(await again.accounts.get('u4')).toEqual(account('u4'));
    await again.close();
  });

  test('a torn line cut inside a multi-byte character is set aside byte for byte', async () => {
    const dataDir = await tempDataDir();
    const store = await LowStore.open(dataDir);
    await store.accounts.put(account('u1', { name: '陳大文' }));
    await abandon(store, dataDir);
    const intact = await readFile(files(dataDir).directoryJournal);
    const line = Buffer.from('{"t":"accounts","k":"u2","v":{"uid":"u2","name":"陳');
    const torn = line.subarray(0, line.length - 1); // half a UTF-8 character
    await appendFile(files(dataDir).directoryJournal, torn);

    const reopened = await LowStore.open(dataDir);
    expect((await reopened.accounts.get('u1'))?.name).toBe('陳大文');
    const [tornFile] = (await readdir(join(dataDir, 'store'))).filter((f) => f.startsWith('directory.journal.torn-'));
    expect(await readFile(join(dataDir, 'store', tornFile!))).toEqual(torn);
    expect(await readFile(files(dataDir).directoryJournal)).toEqual(intact);
    await reopened.close();
  });

  test('a snapshot that is not valid JSON refuses to open, names the file, and is left untouched', async () => {
    const dataDir = await tempDataDir();
    const store = await LowStore.open(dataDir);
    await store.accounts.put(account('u1'));
    await store.close();
    const bad = Buffer.from('{"format":"pin-reset-bot/store","version":1,"tables":{"accounts":{"u1":');
    await writeFile(files(dataDir).directorySnapshot, bad);

    const opening = LowStore.open(dataDir);
    await expect(opening).rejects.toThrow(StoreError);
    await expect(opening).rejects.toThrow(files(dataDir).directorySnapshot);
    expect(await readFile(files(dataDir).directorySnapshot)).toEqual(bad);
    // The failed open let go of the lock, so the operator can retry once the file is restored.
    expect(existsSync(files(dataDir).lock)).toBe(false);
  });

  test('a corrupt journal line in the middle refuses to open, names the file and line, and is left untouched', async () => {
    const dataDir = await tempDataDir();
    const store = await LowStore.open(dataDir);
    await store.challenges.put(challenge('c1'));
    await store.challenges.put(challenge('c2'));
    await store.challenges.put(challenge('c3'));
    await abandon(store, dataDir);
    const lines = readFileSync(files(dataDir).sessionsJournal, 'utf8').split('\n');
    lines[1] = lines[1]!.slice(0, 20) + '#garbage#' + lines[1]!.slice(20);
    const bad = Buffer.from(lines.join('\n') + '{"t":"chall'); // a torn tail too: it must not be touched either
    await writeFile(files(dataDir).sessionsJournal, bad);

    const opening = LowStore.open(dataDir);
    await expect(opening).rejects.toThrow(StoreError);
    await expect(opening).rejects.toThrow(`${files(dataDir).sessionsJournal} line 2`);
    expect(await readFile(files(dataDir).sessionsJournal)).toEqual(bad);
    expect((await readdir(join(dataDir, 'store'))).filter((f) => f.includes('.torn-'))).toEqual([]);
  });

  test('a snapshot from a newer schema version is refused with a message naming both versions', async () => {
    const dataDir = await tempDataDir();
    await mkdir(join(dataDir, 'store'), { recursive: true });
    const newer = JSON.stringify({ format: 'pin-reset-bot/store', version: 2, tables: { accounts: {} } });
    await writeFile(files(dataDir).directorySnapshot, newer);

    const opening = LowStore.open(dataDir);
    await expect(opening).rejects.toThrow(StoreError);
    await expect(opening).rejects.toThrow(/directory\.json has schema version 2; this version of the bot reads version 1/);
    expect(await readFile(files(dataDir).directorySnapshot, 'utf8')).toBe(newer);
  });

  test('a file that is not a store snapshot is refused and left untouched', async () => {
    const dataDir = await tempDataDir();
    await mkdir(join(dataDir, 'store'), { recursive: true });
    const other = JSON.stringify({ accounts: [{ uid: 'u1' }] });
    await writeFile(files(dataDir).directorySnapshot, other);

    await expect(LowStore.open(dataDir)).rejects.toThrow(`${files(dataDir).directorySnapshot} is not a pin-reset-bot store file`);
    expect(await readFile(files(dataDir).directorySnapshot, 'utf8')).toBe(other);
  });

  test('a snapshot record that does not match the schema is refused, naming the record and the field', async () => {
    const dataDir = await tempDataDir();
    await mkdir(join(dataDir, 'store'), { recursive: true });
    const wrong = JSON.stringify({
      format: 'pin-reset-bot/store',
      version: 1,
      tables: { accounts: { u1: { ...account('u1'), createdAt: 'yesterday' } } },
    });
    await writeFile(files(dataDir).directorySnapshot, wrong);

    const opening = LowStore.open(dataDir);
    await expect(opening).rejects.toThrow(StoreError);
    await expect(opening).rejects.toThrow(/directory\.json: accounts\/u1 does not match the store schema \(createdAt:/);
    await expect(opening).rejects.toMatchObject({ file: files(dataDir).directorySnapshot });
    expect(await readFile(files(dataDir).directorySnapshot, 'utf8')).toBe(wrong);
  });

  test('a snapshot table that is not an object of records is refused with a StoreError', async () => {
    const dataDir = await tempDataDir();
    await mkdir(join(dataDir, 'store'), { recursive: true });
    await writeFile(files(dataDir).directorySnapshot, JSON.stringify({ format: 'pin-reset-bot/store', version: 1, tables: { accounts: null } }));
    await expect(LowStore.open(dataDir)).rejects.toThrow(StoreError);
  });

  test('a record that does not match the schema is rejected at write time, so it can never make the store unopenable', async () => {
    const dataDir = await tempDataDir();
    const store = await LowStore.open(dataDir);
    const bad = { ...account('u1'), createdAt: 'now' } as unknown as AccountRecord;
    await expect(store.accounts.put(bad)).rejects.toThrow(/accounts\/u1 does not match the store schema \(createdAt:/);
    expect(await store.accounts.get('u1')).toBeUndefined();
    await store.accounts.put(account('u2'));
    await abandon(store, dataDir);

    const reopened = await LowStore.open(dataDir);
    expect(await reopened.accounts.get('u2')).toEqual(account('u2'));
    await reopened.close();
  });
});

describe('one process per DATA_DIR', () => {
  test('a second open in the same process while the first is open fails at once with "in use"', async () => {
    const dataDir = await tempDataDir();
    const store = await LowStore.open(dataDir, { role: 'pin-reset-bot' });
    const started = Date.now();
    await expect(LowStore.open(dataDir, { role: 'admin CLI' })).rejects.toThrow(/in use/);
    expect(Date.now() - started).toBeLessThan(1_000);
    // The refused open did not take the lock from the first.
    expect(JSON.parse(readFileSync(files(dataDir).lock, 'utf8'))).toMatchObject({ pid: process.pid, role: 'pin-reset-bot' });
    await store.close();
    expect(existsSync(files(dataDir).lock)).toBe(false);
    const next = await LowStore.open(dataDir);
    await next.close();
  });

  test('an open while another live process holds DATA_DIR fails at once, naming its pid and role', async () => {
    const dataDir = await tempDataDir();
    const script = join(dataDir, 'holder.mts');
    await writeFile(
      script,
      `import { LowStore } from ${JSON.stringify(lowStoreModule)};
await LowStore.open(process.argv[2], { role: 'pin-reset-bot' });
process.stdout.write('open\\n');
setInterval(() => undefined, 1000);
`,
    );
    const holder = runScript(script, [dataDir]);
    try {
      await holder.waitFor(/open\n/);
      const started = Date.now();
      const opening = LowStore.open(dataDir, { role: 'admin CLI' });
      await expect(opening).rejects.toThrow(StoreError);
      await expect(opening).rejects.toThrow(new RegExp(`in use by another pin-reset-bot \\(pid ${holder.child.pid}`));
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      holder.child.kill('SIGKILL');
      await holder.exited;
    }
    // Once the holder is dead its lock is stale and is taken over.
    const store = await LowStore.open(dataDir);
    expect(JSON.parse(readFileSync(files(dataDir).lock, 'utf8'))).toMatchObject({ pid: process.pid });
    await store.close();
  });

  test('a lock file left by a process that has exited is taken over', async () => {
    const dataDir = await tempDataDir();
    const pid = await deadPid();
    await writeFile(files(dataDir).lock, JSON.stringify({ pid, role: 'pin-reset-bot', since: new Date(0).toISOString() }));

    const store = await LowStore.open(dataDir);
    expect(JSON.parse(readFileSync(files(dataDir).lock, 'utf8'))).toMatchObject({ pid: process.pid });
    await store.close();
  });

  test('a lock left by an earlier run that had the same pid (a restarted container) is taken over', async () => {
    const dataDir = await tempDataDir();
    await writeFile(files(dataDir).lock, JSON.stringify({ pid: process.pid, role: 'pin-reset-bot', since: new Date(0).toISOString(), token: 'earlier-run' }));
    const store = await LowStore.open(dataDir);
    expect(JSON.parse(readFileSync(files(dataDir).lock, 'utf8')).token).not.toBe('earlier-run');
    await store.close();
  });

  test('an empty or unreadable lock file (a crash while taking it) is taken over', async () => {
    const dataDir = await tempDataDir();
    await writeFile(files(dataDir).lock, '');
    const store = await LowStore.open(dataDir);
    await store.close();
  });

  test('closing a store twice does not release a lock that a later store holds', async () => {
    const dataDir = await tempDataDir();
    const first = await LowStore.open(dataDir);
    await first.close();
    const second = await LowStore.open(dataDir);
    await first.close();
    expect(existsSync(files(dataDir).lock)).toBe(true);
    await expect(LowStore.open(dataDir)).rejects.toThrow(/in use/);
    await second.close();
  });
});

describe('lookups by index', () => {
  test('accounts are found by UPN, email and AAD object id, case-insensitively', async () => {
    const dataDir = await tempDataDir();
    const store = await LowStore.open(dataDir);
    await store.accounts.put(account('u1', { upn: 'Chan.TaiMan@Example.edu', email: 'ctm@example.edu', aadObjectId: 'AAAA-1111' }));
    await store.accounts.put(account('u2', { upn: 'lee@example.edu', email: 'lee@example.edu' }));

    expect((await store.accounts.findBy('upn', 'chan.taiman@example.edu')).map((a) => a.uid)).toEqual(['u1']);
    expect((await store.accounts.findBy('upn', 'CHAN.TAIMAN@EXAMPLE.EDU')).map((a) => a.uid)).toEqual(['u1']);
    expect((await store.accounts.findBy('email', 'ctm@example.edu')).map((a) => a.uid)).toEqual(['u1']);
    expect((await store.accounts.findBy('aadObjectId', 'aaaa-1111')).map((a) => a.uid)).toEqual(['u1']);
    expect((await store.accounts.findBy('email', 'lee@example.edu')).map((a) => a.uid)).toEqual(['u2']);
    expect(await store.accounts.findBy('upn', 'nobody@example.edu')).toEqual([]);
    await store.close();
  });

  test('after an update the old index values no longer match and the new ones do, also after a restart', async () => {
    const dataDir = await tempDataDir();
    const store = await LowStore.open(dataDir);
    await store.accounts.put(account('u1', { upn: 'old@example.edu', aadObjectId: 'obj-1' }));
    await store.contacts.put(contact('u1', { mobile: '+85290000001', email: 'old@gmail.com' }));
    await store.accounts.put(account('u1', { upn: 'new@example.edu' }));
    await store.contacts.put(contact('u1', { mobile: '+85290000002', email: 'new@gmail.com' }));

    const check = async (s: LowStore) => {
      expect(await s.accounts.findBy('upn', 'old@example.edu')).toEqual([]);
      expect(await s.accounts.findBy('aadObjectId', 'obj-1')).toEqual([]);
      expect((await s.accounts.findBy('upn', 'new@example.edu')).map((a) => a.uid)).toEqual(['u1']);
      expect(await s.contacts.findBy('mobile', '+85290000001')).toEqual([]);
      expect(await s.contacts.findBy('mobile', '+85290000002')).toEqual([contact('u1', { mobile: '+85290000002', email: 'new@gmail.com' })]);
      expect(await s.contacts.findBy('email', 'old@gmail.com')).toEqual([]);
    };
    await check(store);
    await abandon(store, dataDir);
    const reopened = await LowStore.open(dataDir);
    await check(reopened);
    await reopened.close();
  });

  test('after a delete nothing matches the deleted record any more', async () => {
    const dataDir = await tempDataDir();
    const store = await LowStore.open(dataDir);
    await store.contacts.put(contact('u1', { mobile: '+85290000001' }));
    await store.contacts.put(contact('u2', { mobile: '+85290000001' }));
    expect((await store.contacts.findBy('mobile', '+85290000001')).map((c) => c.uid).sort()).toEqual(['u1', 'u2']);
    await store.contacts.delete('u1');
    expect((await store.contacts.findBy('mobile', '+85290000001')).map((c) => c.uid)).toEqual(['u2']);
    await store.challenges.put(challenge('c1', 'u9'));
    await store.challenges.put(challenge('c2', 'u9'));
    await store.challenges.delete('c1');
    expect((await store.challenges.findBy('uid', 'u9')).map((c) => c.id)).toEqual(['c2']);
    await store.close();
  });
});

describe('records are copies', () => {
  test('mutating a record returned by get, findBy or all does not change the store', async () => {
    const dataDir = await tempDataDir();
    const store = await LowStore.open(dataDir);
    await store.accounts.put(account('u1', { upn: 'u1@example.edu' }));

    const got = (await store.accounts.get('u1'))!;
    got.name = 'Mallory';
    got.upn = 'mallory@example.edu';
    const [found] = await store.accounts.findBy('upn', 'u1@example.edu');
    found!.pinHash = 'stolen';
    const [listed] = await store.accounts.all();
    listed!.email = 'mallory@example.edu';

    expect(await store.accounts.get('u1')).toEqual(account('u1', { upn: 'u1@example.edu' }));
    expect(await store.accounts.findBy('upn', 'mallory@example.edu')).toEqual([]);
    await store.close();
  });

  test('mutating a record after putting it does not change the store', async () => {
    const dataDir = await tempDataDir();
    const store = await LowStore.open(dataDir);
    const record = botState('conv/1');
    await store.botState.put(record);
    (record.value.dialogStack as unknown[]).push('changed');
    record.eTag = '2';
    expect(await store.botState.get('conv/1')).toEqual(botState('conv/1'));
    await store.close();
  });

  test('an update decision cannot change the stored record by mutating what it was shown', async () => {
    const dataDir = await tempDataDir();
    const store = await LowStore.open(dataDir);
    await store.accounts.put(account('u1'));
    await store.accounts.update('u1', (r) => {
      r!.name = 'changed in decide';
      return { answer: undefined };
    });
    expect((await store.accounts.get('u1'))?.name).toBe('User u1');
    await store.close();
  });
});
