import { afterAll, beforeEach, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { runCli } from '../src/admin/cli.js';
import type { AdminResult } from '../src/admin/result.js';
import { loadConfig } from '../src/config/load.js';
import { openServices, type Services } from '../src/services.js';
import { silentLogger } from '../src/ports/logger.js';
import { tempDataDir } from './support/services.js';
import { recordSecret } from './support/secrets.js';

const repo = process.cwd();
const FILE_PIN = 'Imported-PIN-2024';
const USER_PIN = 'Users-Own-PIN-9876';
const DESK_PIN = 'Desk-Chosen-PIN-5521';
recordSecret('pin', FILE_PIN, USER_PIN, DESK_PIN);

let data: string;
const env = () => ({ DATA_DIR: data, LOG_LEVEL: 'silent', INSTITUTION_EMAIL_DOMAINS: 'example.edu' });

beforeEach(async () => {
  data = await tempDataDir();
});

/** Import files hold PINs, so they live outside the run root the secret scan reads (as an operator's would). */
async function file(name: string, text: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'pin-feed-')), name);
  await writeFile(path, text);
  return path;
}

function admin(argv: string[], stdin = ''): Promise<AdminResult> {
  return runCli(argv, { env: env(), envFile: null }, { readFile: (p) => readFile(p, 'utf8'), readStdin: async () => stdin, warn: () => {} });
}

async function withServices<T>(fn: (s: Services) => Promise<T>): Promise<T> {
  const services = await openServices(loadConfig(env() as NodeJS.ProcessEnv, null), { role: 'test', logger: silentLogger });
  try {
    return await fn(services);
  } finally {
    await services.close();
  }
}

const FEED = `uid,name,email,pin\njdoe,Jane Doe,jdoe@example.edu,${FILE_PIN}\nasmith,Alex Smith,asmith@example.edu,${FILE_PIN}\n`;

describe('a routine re-import does not undo users\' resets', () => {
  test('a re-import never silently replaces a PIN the user set after the last import: the row is reported and skipped', async () => {
    const feed = await file('feed.csv', FEED);
    expect((await admin(['accounts', 'import', feed])).exitCode).toBe(0);
    // jdoe resets the PIN on the PIN page, which sets it in the directory as the user.
    await withServices((s) => s.directory.setPin('jdoe', USER_PIN));

    const again = await admin(['accounts', 'import', feed]);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toMatch(/^line 2: pin: not applied, the user set a new PIN on \d{1,2} \w+ \d{4}, \d\d:\d\d HKT; the row was skipped/m);
    expect(again.stderr).not.toContain(FILE_PIN);
    expect(again.stdout).toContain('0 created, 0 updated, 1 unchanged, 1 skipped (a PIN set since the last import), 0 rejected.');
    expect((await admin(['accounts', 'check-pin', 'jdoe'], `${USER_PIN}\n`)).exitCode).toBe(0);
    expect((await admin(['accounts', 'check-pin', 'asmith'], `${FILE_PIN}\n`)).exitCode).toBe(0);
    const imported = await withServices((s) => s.auditLog.read({}));
    expect(imported.filter((e) => e.event === 'accounts.imported').at(-1)).toMatchObject({ outcome: 'fail', detail: { unchanged: 1, pinKept: 1 } });
  });

  test('--overwrite-pins replaces such a PIN, and each overwrite is audited', async () => {
    const feed = await file('feed.csv', FEED);
    await admin(['accounts', 'import', feed]);
    await withServices((s) => s.directory.setPin('jdoe', USER_PIN));
    const forced = await admin(['accounts', 'import', feed, '--overwrite-pins']);
    expect(forced.exitCode).toBe(0);
    expect(forced.stdout).toMatch(/^line 2: pin: replaced the PIN the user set a new PIN on .* \(--overwrite-pins; audited\)$/m);
    expect(forced.stdout).toContain('0 created, 1 updated, 1 unchanged, 0 rejected.');
    expect((await admin(['accounts', 'check-pin', 'jdoe'], `${FILE_PIN}\n`)).exitCode).toBe(0);
    const events = await withServices((s) => s.auditLog.read({ uid: 'jdoe' }));
    expect(events.filter((e) => e.event === 'pin.set')).toEqual([
      expect.objectContaining({ channel: 'admin', outcome: 'ok', detail: expect.objectContaining({ via: 'accounts import --overwrite-pins', replaced: 'user' }) }),
    ]);
    // Set by the import now, so the next routine run applies as before.
    expect((await admin(['accounts', 'import', feed])).exitCode).toBe(0);
  });

  test('a store written before PINs were stamped still loads, and its PINs count as set by an import', async () => {
    const feed = await file('feed.csv', FEED);
    await admin(['accounts', 'import', feed]);
    await withServices(async (s) => {
      const { pinSetAt: _at, pinSetBy: _by, ...old } = (await s.store.accounts.get('jdoe'))!;
      await s.store.accounts.put(old);
    });
    const changed = await file('changed.csv', FEED.replace(`jdoe,Jane Doe,jdoe@example.edu,${FILE_PIN}`, `jdoe,Jane Doe,jdoe@example.edu,${USER_PIN}`));
    expect((await admin(['accounts', 'import', changed])).stdout).toContain('0 created, 1 updated, 1 unchanged, 0 rejected.');
  });
});

describe('accounts set-pin', () => {
  beforeEach(async () => {
    await admin(['accounts', 'import', await file('feed.csv', FEED)]);
  });

  test('set-pin reads the PIN from stdin, never from argv, applies the PIN page policy, and is audited', async () => {
    // A PIN on the command line is a usage error, and is not echoed back.
    const inArgv = await admin(['accounts', 'set-pin', 'jdoe', DESK_PIN]);
    expect(inArgv.exitCode).toBe(2);
    expect(inArgv.stderr).not.toContain(DESK_PIN);
    expect((await admin(['accounts', 'set-pin', 'jdoe'])).stderr).toMatch(/reads the new PIN from a prompt/);

    const weak = await admin(['accounts', 'set-pin', 'jdoe'], 'password\n');
    expect(weak.exitCode).toBe(1);
    expect(weak.stderr).toContain('pin: This PIN is on a list of common passwords');
    const mismatch = await admin(['accounts', 'set-pin', 'jdoe'], `${DESK_PIN}\n${DESK_PIN}x\n`);
    expect(mismatch.stderr).toContain('pin: The two PINs do not match.');
    expect(await admin(['accounts', 'set-pin', 'nobody'], `${DESK_PIN}\n`)).toMatchObject({ exitCode: 1, stderr: 'There is no account nobody; no PIN was set.\n' });

    const done = await admin(['accounts', 'set-pin', 'jdoe'], `${DESK_PIN}\n`);
    expect(done.exitCode).toBe(0);
    expect(done.stdout).toMatch(/^jdoe: the new PIN is set/);
    expect(done.stdout + done.stderr).not.toContain(DESK_PIN);
    expect((await admin(['accounts', 'check-pin', 'jdoe'], `${DESK_PIN}\n`)).exitCode).toBe(0);

    const events = await withServices((s) => s.auditLog.read({ uid: 'jdoe' }));
    expect(events.filter((e) => e.event === 'pin.rejected' || e.event === 'pin.set').map((e) => [e.event, e.channel, e.detail?.['via']])).toEqual([
      ['pin.rejected', 'admin', 'service desk'],
      ['pin.rejected', 'admin', 'service desk'],
      ['pin.set', 'admin', 'service desk'],
    ]);
    const audit = await readFile(join(data, 'audit.jsonl'), 'utf8');
    expect(audit).not.toContain(DESK_PIN);
    // The user is told, as after a reset.
    const mail = await readFile(join(data, 'outbox', 'mail.jsonl'), 'utf8');
    expect(mail).toContain('the service desk (a new PIN set for you on request)');

    // And a routine re-import keeps it.
    const again = await admin(['accounts', 'import', await file('feed.csv', FEED)]);
    expect(again.stderr).toMatch(/^line 2: pin: not applied, the service desk set a new PIN on /m);
  });
});

/** A terminal for the CLI (util-linux `script` gives it a pty); what we write is what a user types. */
function atTerminal(argv: string[]) {
  const ttyFile = join(data, 'tty');
  const command = `tty > ${ttyFile}; exec node --disable-warning=DEP0111 src/admin/start.mjs ${argv.join(' ')}`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: repo, env: { ...process.env, ...env() } });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
  const exited = new Promise<number | null>((done) => child.on('close', done));
  return {
    output: () => output,
    type: (keys: string) => child.stdin.write(keys),
    exited,
    /** Whether the terminal echoes typed keys now. */
    async echoing(): Promise<boolean | undefined> {
      const tty = (await readFile(ttyFile, 'utf8').catch(() => '')).trim();
      if (!tty.startsWith('/dev/')) return undefined;
      try {
        return !/(^|\s)-echo(\s|$)/.test(execFileSync('stty', ['-a', '-F', tty], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
      } catch {
        return undefined; // the terminal is gone: the CLI has exited
      }
    },
  };
}

describe('at a terminal', () => {
  afterAll(async () => {
    await rm(join(data, 'tty'), { force: true });
  });

  test('check-pin and set-pin switch echo off at once, before the prompt and the CLI load, and echo nothing typed', async () => {
    await admin(['accounts', 'import', await file('feed.csv', FEED)]);
    for (const [argv, keys] of [
      [['accounts', 'check-pin', 'jdoe'], `${FILE_PIN}\r`],
      [['accounts', 'set-pin', 'asmith'], `${DESK_PIN}\r${DESK_PIN}\r`],
    ] as const) {
      const terminal = atTerminal([...argv]);
      // Wait until the terminal stops echoing; the prompt must not be there yet (the CLI is still loading).
      let echoing: boolean | undefined;
      // Polled until echo is off (a wait, not a timing check: the CLI may load slowly on a busy machine).
      for (const giveUp = Date.now() + 30_000; echoing !== false && Date.now() < giveUp; ) {
        echoing = await terminal.echoing();
        if (echoing !== false) await new Promise((r) => setTimeout(r, 5));
      }
      expect(echoing).toBe(false);
      expect(terminal.output()).not.toContain('(not shown)');
      terminal.type(keys);
      expect(await terminal.exited).toBe(0);
      expect(terminal.output()).toContain('PIN (not shown): ');
      expect(terminal.output()).not.toContain(argv[1] === 'check-pin' ? FILE_PIN : DESK_PIN);
    }
    expect((await admin(['accounts', 'check-pin', 'asmith'], `${DESK_PIN}\n`)).exitCode).toBe(0);
  }, 60_000);
});
