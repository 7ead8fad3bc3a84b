import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCli } from '../src/admin/cli.js';
import type { AdminResult } from '../src/admin/result.js';
import { BOT_ROLE, startAdminSocket } from '../src/admin/socket.js';
import { LOCK_FILE, type LockOwner } from '../src/adapters/store/lock.js';
import { loadConfig } from '../src/config/load.js';
import { silentLogger } from '../src/ports/logger.js';
import type { ContactRecord } from '../src/ports/store.js';
import { openServices, type Services } from '../src/services.js';

const repo = process.cwd();
const PIN = 'Sample-PIN-2024';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pin-reset-admin-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const dataDir = (name = 'data') => join(dir, name);
const envFor = (data: string, extra: Record<string, string> = {}) => ({ DATA_DIR: data, LOG_LEVEL: 'silent', INSTITUTION_EMAIL_DOMAINS: 'example.edu', ...extra });

async function csv(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** The CLI's own path, in-process: reads real files, opens the store, runs the command, closes it. */
function admin(argv: string[], options: { stdin?: string; data?: string; env?: Record<string, string>; lockOwner?: (d: string) => LockOwner | undefined } = {}): Promise<AdminResult> {
  return runCli(
    argv,
    { env: envFor(options.data ?? dataDir(), options.env), envFile: null, ...(options.lockOwner ? { lockOwner: options.lockOwner } : {}) },
    { readFile: (p) => readFile(p, 'utf8'), readStdin: async () => options.stdin ?? '', warn: () => {} },
  );
}

async function withServices<T>(fn: (s: Services) => Promise<T>, options: { data?: string; env?: Record<string, string> } = {}): Promise<T> {
  const config = loadConfig(envFor(options.data ?? dataDir(), options.env) as NodeJS.ProcessEnv, null);
  const services = await openServices(config, { role: 'test', logger: silentLogger });
  try {
    return await fn(services);
  } finally {
    await services.close();
  }
}

async function storeText(data = dataDir()): Promise<string> {
  const storeDir = join(data, 'store');
  const names = await readdir(storeDir);
  const texts = await Promise.all(names.map((n) => readFile(join(storeDir, n), 'utf8')));
  return texts.join('\n');
}

const ACCOUNTS = `uid,name,email,upn,pin
jdoe,Jane Doe,jdoe@example.edu,jdoe@example.edu,${PIN}
asmith,Alex Smith,asmith@example.edu,,
`;

const seedAccounts = async () => expect((await admin(['accounts', 'import', await csv('seed.csv', 'uid,name,email\njdoe,Jane Doe,jdoe@example.edu\nasmith,Alex Smith,asmith@example.edu\n')])).exitCode).toBe(0);

describe('accounts import', () => {
  test('reports every bad row by line and field, applies the good rows, and exits 1', async () => {
    const file = await csv(
      'accounts.csv',
      [
        'uid,name,email,upn,pin',
        'jdoe,Jane Doe,jdoe@example.edu,,',
        'Bad UID!,Bob,bob@example.edu,,',
        'bob,,not-an-email,,',
        'carol,Carol,carol@example.edu,carol-at-example,short',
        'dave,"Dave, Jr.",dave@example.edu,dave@example.edu,',
        'erin,Erin,erin@example.edu',
      ].join('\n'),
    );
    const result = await admin(['accounts', 'import', file]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      'line 3: uid: not a valid UID (letters, digits, dot, dash or underscore, at most 64)',
      'line 4: name: missing',
      'line 4: email: not a valid email address',
      'line 5: upn: not a user principal name (it must look like an email address, e.g. jdoe@example.edu)',
      'line 5: pin: must be 8 to 64 characters (has 5)',
      'line 7: row: has 3 fields; the header has 5',
    ]);
    expect(result.stdout).toContain(`${file}: 2 created, 0 updated, 0 unchanged, 4 rejected.`);
    await withServices(async (s) => {
      expect(await s.directory.findByUid('jdoe')).toEqual({ uid: 'jdoe', name: 'Jane Doe', email: 'jdoe@example.edu' });
      expect(await s.directory.findByUid('dave')).toEqual({ uid: 'dave', name: 'Dave, Jr.', email: 'dave@example.edu', upn: 'dave@example.edu' });
      for (const rejected of ['bob', 'carol', 'erin']) expect(await s.directory.findByUid(rejected)).toBeUndefined();
      const [event] = await s.auditLog.read();
      expect(event).toMatchObject({ event: 'accounts.imported', channel: 'admin', detail: { created: 2, updated: 0, unchanged: 0, rejected: 4 } });
    });
  });

  test('rerunning the same file changes nothing', async () => {
    const file = await csv('accounts.csv', ACCOUNTS);
    const first = await admin(['accounts', 'import', file]);
    expect(first).toEqual({ stdout: `${file}: 2 created, 0 updated, 0 unchanged, 0 rejected.\n`, stderr: '', exitCode: 0 });
    const before = await storeText();
    const second = await admin(['accounts', 'import', file]);
    expect(second).toEqual({ stdout: `${file}: 0 created, 0 updated, 2 unchanged, 0 rejected.\n`, stderr: '', exitCode: 0 });
    expect(await storeText()).toBe(before);
  });

  test('a PIN given on import is stored only as a salted hash and never printed', async () => {
    const file = await csv('accounts.csv', ACCOUNTS);
    const result = await admin(['accounts', 'import', file]);
    expect(result.stdout + result.stderr).not.toContain(PIN);
    const stored = await storeText();
    expect(stored).not.toContain(PIN);
    expect(stored).toMatch(/scrypt\$32768\$8\$1\$/);
    expect(await readFile(join(dataDir(), 'audit.jsonl'), 'utf8')).not.toContain(PIN);
  });

  test('a rejected PIN is reported without being echoed', async () => {
    const secretish = 'x'.repeat(70);
    const file = await csv('accounts.csv', `uid,name,email,pin\njdoe,Jane,jdoe@example.edu,${secretish}\nkim,Kim,kim@example.edu,kim\n`);
    const result = await admin(['accounts', 'import', file]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe('line 2: pin: must be 8 to 64 characters (has 70)\nline 3: pin: must be 8 to 64 characters (has 3)\n');
    expect(result.stdout + result.stderr).not.toContain(secretish);
  });

  test('a UID repeated in the file is rejected on every line, not applied by guess', async () => {
    const file = await csv('accounts.csv', 'uid,name,email\njdoe,Jane,jdoe@example.edu\nJDOE,Other,other@example.edu\n');
    const result = await admin(['accounts', 'import', file]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      'line 2: uid: jdoe is also on line 3; none of these rows was imported\nline 3: uid: jdoe is also on line 2; none of these rows was imported\n',
    );
    await withServices(async (s) => expect(await s.directory.findByUid('jdoe')).toBeUndefined());
  });

  test('malformed CSV is refused with its line and nothing is applied', async () => {
    const file = await csv('broken.csv', `uid,name,email,pin\njdoe,Jane,jdoe@example.edu,\nasmith,"Alex,asmith@example.edu,${PIN}\n`);
    const result = await admin(['accounts', 'import', file]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: line \\d+: not valid CSV: a quoted field is never closed`));
    expect(result.stderr).toContain('Nothing was imported.');
    expect(result.stderr).not.toContain(PIN);
    await withServices(async (s) => expect(await s.directory.findByUid('jdoe')).toBeUndefined());
  });

  test('a missing file or a header without required columns is a usage error naming the file', async () => {
    const missing = join(dir, 'nope.csv');
    expect(await admin(['accounts', 'import', missing])).toEqual({ stdout: '', stderr: `Cannot read ${missing}: no such file\n`, exitCode: 2 });
    const noHeader = await csv('noheader.csv', 'jdoe,Jane,jdoe@example.edu\n');
    const result = await admin(['accounts', 'import', noHeader]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`${noHeader}: line 1: unknown columns`);
  });
});

describe('accounts check-pin', () => {
  test('exits 0 for the right PIN and 1 for a wrong PIN or an unknown account', async () => {
    await admin(['accounts', 'import', await csv('accounts.csv', ACCOUNTS)]);
    expect(await admin(['accounts', 'check-pin', 'jdoe'], { stdin: `${PIN}\n` })).toEqual({ stdout: 'PIN matches\n', stderr: '', exitCode: 0 });
    expect(await admin(['accounts', 'check-pin', 'JDoe'], { stdin: `${PIN}\r\nignored\n` })).toMatchObject({ exitCode: 0 });
    expect(await admin(['accounts', 'check-pin', 'jdoe'], { stdin: 'Wrong-PIN-2024\n' })).toEqual({ stdout: 'PIN does not match\n', stderr: '', exitCode: 1 });
    expect(await admin(['accounts', 'check-pin', 'asmith'], { stdin: `${PIN}\n` })).toMatchObject({ stdout: 'PIN does not match\n', exitCode: 1 });
    expect(await admin(['accounts', 'check-pin', 'nobody'], { stdin: `${PIN}\n` })).toMatchObject({ stdout: 'PIN does not match\n', exitCode: 1 });
    expect(await admin(['accounts', 'check-pin', 'jdoe'], { stdin: '' })).toMatchObject({ exitCode: 2 });
  });

  test('every PIN check is audited, with its outcome and never the PIN', async () => {
    await admin(['accounts', 'import', await csv('accounts.csv', ACCOUNTS)]);
    await admin(['accounts', 'check-pin', 'jdoe'], { stdin: `${PIN}\n` });
    await admin(['accounts', 'check-pin', 'jdoe'], { stdin: 'Wrong-PIN-2024\n' });
    const checks = await withServices((s) => s.auditLog.read({ uid: 'jdoe' }));
    expect(checks.filter((e) => e.event === 'pin.checked').map((e) => [e.channel, e.outcome])).toEqual([['admin', 'ok'], ['admin', 'fail']]);
    const text = await readFile(join(dataDir(), 'audit.jsonl'), 'utf8');
    expect(text).not.toContain(PIN);
    expect(text).not.toContain('Wrong-PIN-2024');
  });
});

describe('contacts import', () => {
  test('a file of thousands of rows (applied in batches) reports its bad rows in line order and imports every good one', async () => {
    const n = 2400;
    const uid = (i: number) => `u${String(i).padStart(5, '0')}`;
    const accounts = ['uid,name,email', ...Array.from({ length: n }, (_, i) => `${uid(i)},User ${i},${uid(i)}@example.edu`)];
    expect((await admin(['accounts', 'import', await csv('many-accounts.csv', accounts.join('\n'))])).stdout).toContain(`${n} created, 0 updated, 0 unchanged, 0 rejected.`);
    // Every 499th row is bad, so bad rows fall in every batch and on both sides of batch edges.
    const bad = (i: number) => i % 499 === 0;
    const contacts = ['uid,email,mobile', ...Array.from({ length: n }, (_, i) => (bad(i) ? `${uid(i)},,12` : `${uid(i)},${uid(i)}@gmail.com,91${String(i).padStart(6, '0')}`))];
    const result = await admin(['contacts', 'import', await csv('many-contacts.csv', contacts.join('\n'))]);
    const badLines = Array.from({ length: n }, (_, i) => i).filter(bad).map((i) => `line ${i + 2}: mobile: not a mobile number (an 8-digit Hong Kong mobile, or E.164 with a leading +)`);
    expect(result.stderr.trim().split('\n')).toEqual(badLines);
    expect(result.stdout).toContain(`${n - badLines.length} created, 0 updated, 0 unchanged, 0 kept (self-registered), ${badLines.length} rejected.`);
    await withServices(async (s) => {
      expect(await s.store.contacts.get(uid(n - 1))).toMatchObject({ email: `${uid(n - 1)}@gmail.com`, mobile: `+85291${String(n - 1).padStart(6, '0')}` });
      expect(await s.store.contacts.get(uid(998))).toBeUndefined();
      expect((await s.auditLog.read({})).filter((e) => e.event === 'contacts.imported')).toHaveLength(n - badLines.length);
    });
  }, 60_000);

  test('imports valid rows as verified, normalises mobiles, and reports bad rows by line', async () => {
    await seedAccounts();
    const file = await csv(
      'contacts.csv',
      ['uid,email,mobile', 'jdoe,jane.doe@gmail.com,9123 4567', 'asmith,,+44 7911 123456', 'nobody,x@gmail.com,', 'jdoe2,,', 'asmith2,alex@example.edu,12'].join('\n'),
    );
    const before = Date.now();
    const result = await admin(['contacts', 'import', file]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      'line 4: uid: no such account',
      'line 5: email/mobile: neither is given; a row needs at least one',
      'line 5: uid: no such account',
      'line 6: email: is an institutional address; the alternate email must be outside the institution',
      'line 6: mobile: not a mobile number (an 8-digit Hong Kong mobile, or E.164 with a leading +)',
      'line 6: uid: no such account',
    ]);
    expect(result.stdout).toContain(`${file}: 2 created, 0 updated, 0 unchanged, 0 kept (self-registered), 3 rejected.`);
    await withServices(async (s) => {
      const jdoe = await s.store.contacts.get('jdoe');
      expect(jdoe).toMatchObject({ uid: 'jdoe', email: 'jane.doe@gmail.com', mobile: '+85291234567', source: 'import' });
      expect(jdoe!.verifiedAt).toBeGreaterThanOrEqual(before);
      expect(await s.store.contacts.get('asmith')).toMatchObject({ mobile: '+447911123456', source: 'import' });
      expect((await s.store.contacts.get('asmith'))!.email).toBeUndefined();
      const events = await s.auditLog.read({ uid: 'jdoe' });
      expect(events).toEqual([
        expect.objectContaining({ event: 'contacts.imported', uid: 'jdoe', channel: 'admin', outcome: 'ok', detail: { change: 'created', email: 'j***@gmail.com', mobile: '+852 ****4567' } }),
      ]);
    });
    const audit = await readFile(join(dataDir(), 'audit.jsonl'), 'utf8');
    expect(audit).not.toContain('jane.doe@gmail.com');
    expect(audit).not.toContain('91234567');
  });

  test('rerunning the same file changes nothing and audits nothing new', async () => {
    await seedAccounts();
    const file = await csv('contacts.csv', 'uid,email,mobile\njdoe,jane.doe@gmail.com,91234567\n');
    expect((await admin(['contacts', 'import', file])).exitCode).toBe(0);
    const before = await storeText();
    const auditBefore = await readFile(join(dataDir(), 'audit.jsonl'), 'utf8');
    const again = await admin(['contacts', 'import', file]);
    expect(again).toEqual({ stdout: `${file}: 0 created, 0 updated, 1 unchanged, 0 kept (self-registered), 0 rejected.\n`, stderr: '', exitCode: 0 });
    expect(await storeText()).toBe(before);
    expect(await readFile(join(dataDir(), 'audit.jsonl'), 'utf8')).toBe(auditBefore);
  });

  test('a changed row replaces an earlier import', async () => {
    await seedAccounts();
    await admin(['contacts', 'import', await csv('one.csv', 'uid,email,mobile\njdoe,jane.doe@gmail.com,91234567\n')]);
    const result = await admin(['contacts', 'import', await csv('two.csv', 'uid,email,mobile\njdoe,,61234567\n')]);
    expect(result.stdout).toContain('0 created, 1 updated');
    await withServices(async (s) => {
      const jdoe = await s.store.contacts.get('jdoe');
      expect(jdoe).toMatchObject({ mobile: '+85261234567', source: 'import' });
      expect(jdoe!.email).toBeUndefined();
    });
  });

  test('never overwrites contacts the user registered with the bot', async () => {
    await seedAccounts();
    const self: ContactRecord = { uid: 'jdoe', email: 'jane@outlook.com', mobile: '+85298765432', source: 'self', verifiedAt: 1_700_000_000_000, updatedAt: 1_700_000_000_000 };
    await withServices((s) => s.store.contacts.put(self));
    const result = await admin(['contacts', 'import', await csv('contacts.csv', 'uid,email,mobile\njdoe,jane.doe@gmail.com,91234567\n')]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('line 2: jdoe: kept the contacts the user registered with the bot');
    expect(result.stdout).toContain('0 created, 0 updated, 0 unchanged, 1 kept (self-registered), 0 rejected.');
    await withServices(async (s) => {
      expect(await s.store.contacts.get('jdoe')).toEqual(self);
      expect((await s.auditLog.read({ uid: 'jdoe' })).filter((e) => e.event === 'contacts.imported')).toEqual([]);
    });
  });
});

describe('contacts show', () => {
  test('shows contacts masked, with their source and verification time', async () => {
    await seedAccounts();
    await admin(['contacts', 'import', await csv('contacts.csv', 'uid,email,mobile\njdoe,jane.doe@gmail.com,9123 4567\n')]);
    const result = await admin(['contacts', 'show', 'jdoe']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(
      /^jdoe \(Jane Doe\)\n {2}email: {4}j\*\*\*@gmail\.com\n {2}mobile: {3}\+852 \*\*\*\*4567\n {2}source: {3}import \(two-factor registrations\)\n {2}verified: \d{4}-\d\d-\d\dT[\d:.]+Z\n {2}sent: {5}0 of 5 in the last hour; 0 of 10 in the last day; codes to j\*\*\*@gmail\.com: 0 of 5 in the last hour; codes to \+852 \*\*\*\*4567: 0 of 5 in the last hour\n {2}failed code checks in a row: 0 of 100\n {2}limits in force now: none\n$/,
    );
    expect(result.stdout).not.toContain('jane.doe');
    expect(result.stdout).not.toContain('91234567');
  });

  test('says so and exits 1 for an unknown account or one without contacts', async () => {
    await seedAccounts();
    expect(await admin(['contacts', 'show', 'nobody'])).toEqual({ stdout: 'There is no account nobody.\n', stderr: '', exitCode: 1 });
    expect(await admin(['contacts', 'show', 'asmith'])).toEqual({ stdout: 'asmith has no registered contacts.\n  sent:     0 of 5 in the last hour; 0 of 10 in the last day\n  failed code checks in a row: 0 of 100\n  limits in force now: none\n', stderr: '', exitCode: 1 });
  });
});

describe('unlock', () => {
  test('clears a self-service pause and audits it', async () => {
    const limits = { SENDS_PER_ACCOUNT_PER_HOUR: '1', SENDS_PER_ACCOUNT_PER_DAY: '1' };
    await seedAccounts();
    await withServices(
      async (s) => {
        expect(await s.throttles.reserveSend('jdoe', undefined, { uid: 'jdoe' })).toBe('ok');
        expect(await s.throttles.reserveSend('jdoe', undefined, { uid: 'jdoe' })).toBe('paused');
      },
      { env: limits },
    );
    const result = await admin(['unlock', 'jdoe'], { env: limits });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^jdoe: self-service was paused until \S+; the pause and the rate-limit counters are cleared\.\n$/);
    await withServices(
      async (s) => {
        expect(await s.throttles.pausedUntil('jdoe')).toBeUndefined();
        expect(await s.throttles.reserveSend('jdoe', undefined, { uid: 'jdoe' })).toBe('ok');
        expect((await s.auditLog.read({ uid: 'jdoe' })).map((e) => e.event)).toContain('throttle.unlocked');
      },
      { env: limits },
    );
    expect((await admin(['unlock', 'asmith'])).stdout).toBe('asmith: was not paused and had no rate-limit counters; nothing to clear.\n');
  });
});

describe('audit', () => {
  test('--uid shows only that account\'s events, one a line', async () => {
    await seedAccounts();
    await admin(['contacts', 'import', await csv('contacts.csv', 'uid,email,mobile\njdoe,jane.doe@gmail.com,91234567\nasmith,,61234567\n')]);
    await admin(['unlock', 'jdoe']);
    const all = await admin(['audit']);
    expect(all.stdout.trim().split('\n').map((l) => l.split('\t')[1])).toEqual(['accounts.imported', 'contacts.imported', 'contacts.imported', 'throttle.unlocked']);
    const jdoe = await admin(['audit', '--uid', 'JDOE']);
    expect(jdoe.exitCode).toBe(0);
    const lines = jdoe.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\S+Z\tcontacts\.imported\tjdoe\tadmin\tok\tchange=created email=j\*\*\*@gmail\.com mobile="\+852 \*\*\*\*4567"$/);
    expect(lines[1]).toMatch(/^\S+Z\tthrottle\.unlocked\tjdoe\tadmin\tok\twasPaused=false hadCounters=false$/);
    expect((await admin(['audit', '--uid=nobody'])).stdout).toBe('No audit events for nobody.\n');
  });
});

describe('usage', () => {
  test('help lists every command and exits 0', async () => {
    for (const argv of [['--help'], ['help'], ['accounts', 'import', '--help']]) {
      const result = await admin(argv);
      expect(result.exitCode).toBe(0);
      for (const command of ['accounts import FILE.csv', 'accounts check-pin UID', 'contacts import FILE.csv', 'contacts show UID', 'unlock UID', 'audit [--uid UID]']) {
        expect(result.stdout).toContain(command);
      }
    }
  });

  test('an unknown command or a missing argument prints a message and usage and exits 2', async () => {
    for (const [argv, message] of [
      [[], 'error: no command given.'],
      [['frobnicate'], 'error: unknown command "frobnicate".'],
      [['accounts', 'import'], 'error: accounts import needs a CSV file.'],
      [['contacts', 'show'], 'error: contacts show needs a UID.'],
      [['accounts', 'delete', 'jdoe'], 'error: unknown command "accounts delete"'],
      [['unlock', 'a', 'b'], 'error: unlock takes one UID; unexpected "b".'],
      [['audit', '--since', 'x'], 'error: audit takes only --uid UID; unexpected "--since".'],
    ] as const) {
      const result = await admin([...argv]);
      expect(result.exitCode).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(message);
      expect(result.stderr).toContain('Usage: npm run admin -- <command>');
    }
  });
});

describe('running bot', () => {
  const normalizeTimes = (r: AdminResult) => ({ ...r, stdout: r.stdout.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, '<time>') });

  test('the same commands give the same output through the bot\'s admin socket as locally', async () => {
    const accounts = await csv('accounts.csv', `${ACCOUNTS}bad,,x,,\n`);
    const contacts = await csv('contacts.csv', 'uid,email,mobile\njdoe,jane.doe@gmail.com,91234567\nnobody,,91234567\n');
    const script: { argv: string[]; stdin?: string }[] = [
      { argv: ['accounts', 'import', accounts] },
      { argv: ['accounts', 'import', accounts] },
      { argv: ['contacts', 'import', contacts] },
      { argv: ['contacts', 'show', 'jdoe'] },
      { argv: ['accounts', 'check-pin', 'jdoe'], stdin: `${PIN}\n` },
      { argv: ['accounts', 'check-pin', 'jdoe'], stdin: 'Wrong-PIN-2024\n' },
      { argv: ['unlock', 'jdoe'] },
      { argv: ['audit', '--uid', 'jdoe'] },
      { argv: ['accounts', 'import', join(dir, 'missing.csv')] },
      { argv: ['frobnicate'] },
    ];

    const local: AdminResult[] = [];
    for (const step of script) local.push(await admin(step.argv, { data: dataDir('local'), ...(step.stdin ? { stdin: step.stdin } : {}) }));

    const botData = dataDir('bot');
    const config = loadConfig(envFor(botData) as NodeJS.ProcessEnv, null);
    const bot = await openServices(config, { role: BOT_ROLE, logger: silentLogger });
    const socket = await startAdminSocket(botData, bot, silentLogger);
    // The bot holds the lock in this very process, which readLockOwner ignores; read it as another process would.
    const owner = async () => JSON.parse(await readFile(join(botData, LOCK_FILE), 'utf8')) as LockOwner;
    const lockOwner = await owner();
    expect(lockOwner.role).toBe(BOT_ROLE);
    const viaBot: AdminResult[] = [];
    try {
      for (const step of script) viaBot.push(await admin(step.argv, { data: botData, lockOwner: () => lockOwner, ...(step.stdin ? { stdin: step.stdin } : {}) }));
      expect((await bot.directory.findByUid('jdoe'))?.name).toBe('Jane Doe');
    } finally {
      await socket.close();
      await bot.close();
    }
    expect(viaBot.map(normalizeTimes)).toEqual(local.map(normalizeTimes));
    expect(local.map((r) => r.exitCode)).toEqual([1, 1, 1, 0, 0, 1, 0, 0, 2, 2]);
  });

  test('the admin socket answers a malformed request with exit code 2', async () => {
    const config = loadConfig(envFor(dataDir()) as NodeJS.ProcessEnv, null);
    const bot = await openServices(config, { role: BOT_ROLE, logger: silentLogger });
    const socket = await startAdminSocket(dataDir(), bot, silentLogger);
    try {
      const { createConnection } = await import('node:net');
      const reply = await new Promise<string>((done, fail) => {
        const c = createConnection(join(dataDir(), 'admin.sock'), () => c.write('{"argv": "unlock jdoe"}\n'));
        let text = '';
        c.on('data', (d) => (text += d.toString()));
        c.on('end', () => done(text));
        c.on('error', fail);
      });
      expect(JSON.parse(reply)).toMatchObject({ stdout: '', exitCode: 2 });
      const { stat } = await import('node:fs/promises');
      expect((await stat(join(dataDir(), 'admin.sock'))).mode & 0o777).toBe(0o600);
    } finally {
      await socket.close();
      await bot.close();
    }
  });
  test('a DATA_DIR too deep for a Unix socket path is refused with a clear message, not silently truncated', async () => {
    const deep = join(dir, 'd'.repeat(120));
    await expect(startAdminSocket(deep, {} as Services, silentLogger)).rejects.toThrow(/Unix sockets allow at most \d+\. Use a shorter DATA_DIR path\./);
  });
});

describe('real processes', () => {
  const tsx = pathToFileURL(join(repo, 'node_modules/tsx/dist/loader.mjs')).href;
  const cleanEnv = (data: string, extra: Record<string, string> = {}) => ({ PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, ...envFor(data, extra) });

  function node(args: string[], options: { data: string; stdin?: string; env?: Record<string, string> }): Promise<{ stdout: string; stderr: string; code: number | null }> {
    return new Promise((done, fail) => {
      const child = spawn(process.execPath, ['--import', tsx, ...args], { cwd: dir, env: cleanEnv(options.data, options.env) });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d.toString()));
      child.stderr.on('data', (d) => (stderr += d.toString()));
      child.on('error', fail);
      child.on('close', (code) => done({ stdout, stderr, code }));
      child.stdin.end(options.stdin ?? '');
    });
  }
  const cli = (argv: string[], options: { data: string; stdin?: string; env?: Record<string, string> }) => node([join(repo, 'src/admin/main.ts'), ...argv], options);

  test('the real CLI exits 0, 1 and 2 and never prints a stack trace', async () => {
    const data = dataDir();
    const accounts = await csv('accounts.csv', ACCOUNTS);
    // These never open the store, so they can run side by side.
    const [help, unknown, missing, badConfig] = await Promise.all([
      cli(['--help'], { data }),
      cli(['frobnicate'], { data }),
      cli(['contacts', 'import', join(dir, 'missing.csv')], { data }),
      cli(['audit'], { data, env: { PORT: 'not-a-port' } }),
    ]);
    const imported = await cli(['accounts', 'import', accounts], { data });
    const right = await cli(['accounts', 'check-pin', 'jdoe'], { data, stdin: `${PIN}\n` });
    const wrong = await cli(['accounts', 'check-pin', 'jdoe'], { data, stdin: 'nope-nope-nope\n' });
    const all = [help, unknown, missing, badConfig, imported, right, wrong];
    expect(all.map((r) => r.code)).toEqual([0, 2, 2, 2, 0, 0, 1]);
    expect(imported.stdout).toBe(`${accounts}: 2 created, 0 updated, 0 unchanged, 0 rejected.\n`);
    expect(right.stdout).toBe('PIN matches\n');
    expect(wrong.stdout).toBe('PIN does not match\n');
    expect(missing.stderr).toBe(`Cannot read ${join(dir, 'missing.csv')}: no such file\n`);
    expect(badConfig.stderr).toMatch(/^Configuration is not valid:\n {2}- PORT /);
    for (const r of all) expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('while a bot holds DATA_DIR, a second openServices fails clearly and the CLI goes through the bot', async () => {
    const data = dataDir();
    const bot = spawn(process.execPath, ['--import', tsx, join(repo, 'test/fixtures/admin/runningBot.ts'), data], { cwd: dir, env: cleanEnv(data) });
    const exited = new Promise<number | null>((done) => bot.on('close', done));
    try {
      await new Promise<void>((ready, fail) => {
        let out = '';
        let err = '';
        bot.stdout.on('data', (d) => {
          out += d.toString();
          if (out.includes('ready\n')) ready();
        });
        bot.stderr.on('data', (d) => (err += d.toString()));
        bot.on('close', (code) => fail(new Error(`the stand-in bot exited (${code}): ${err}`)));
      });

      const config = loadConfig(envFor(data) as NodeJS.ProcessEnv, null);
      await expect(openServices(config, { role: 'admin CLI', logger: silentLogger })).rejects.toThrow(
        new RegExp(`is in use by another bot \\(pid ${bot.pid}, since .*\\)\\. Only one process may use a DATA_DIR`),
      );

      const accounts = await csv('accounts.csv', ACCOUNTS);
      const imported = await cli(['accounts', 'import', accounts], { data });
      expect(imported).toEqual({ stdout: `${accounts}: 2 created, 0 updated, 0 unchanged, 0 rejected.\n`, stderr: '', code: 0 });
      expect((await cli(['accounts', 'check-pin', 'jdoe'], { data, stdin: `${PIN}\n` })).code).toBe(0);
    } finally {
      bot.stdin.end();
    }
    expect(await exited).toBe(0);
    // The bot wrote the import; with the bot gone the CLI opens the store itself and sees it.
    expect((await cli(['accounts', 'check-pin', 'jdoe'], { data, stdin: `${PIN}\n` })).stdout).toBe('PIN matches\n');
  });
});
