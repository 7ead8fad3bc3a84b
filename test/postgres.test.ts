/**
 * STORE=postgres against a real PostgreSQL 15: the schema and its migrations, durable commits, the
 * audit table, the purge under an advisory lock, the admin CLI on the database directly, and
 * `store copy --to postgres` from a lowdb DATA_DIR.
 */
import { MIGRATIONS } from '../src/adapters/store/postgres/migrations/index.js';
import { describe, expect, test } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { runCli } from '../src/admin/cli.js';
import type { AdminResult } from '../src/admin/result.js';
import type { LockOwner } from '../src/adapters/store/lock.js';
import { LOCK_NAMESPACE } from '../src/adapters/store/postgres/database.js';
import { PgStore } from '../src/adapters/store/postgres/pgStore.js';
import { StoreError } from '../src/adapters/store/errors.js';
import { ConfigError } from '../src/config/load.js';
import { openServices, type Services } from '../src/services.js';
import { ManualClock } from './support/fakes.js';
import { freePort } from './support/freePort.js';
import { recordSecret } from './support/secrets.js';
import { createDatabase, dumpAllCommand, postgresServer, sql } from './support/servers/postgres.js';
import { runRoot } from './support/secrets.js';
import { TEST_SERVER_SECRET, tempDataDir, testConfig } from './support/services.js';

const PIN = 'Copied-PIN-2026-kite';
const silent = { info() {}, warn() {}, error() {}, debug() {} };

const pgEnv = (url: string) => ({ STORE: 'postgres', DATABASE_URL: url, SERVER_SECRET: TEST_SERVER_SECRET });

async function services(env: Record<string, string>, clock = new ManualClock()): Promise<Services> {
  return openServices(testConfig({ DATA_DIR: await tempDataDir(), ...env }), { clock, logger: silent, role: 'test' });
}

/** The CLI's own path, in-process, as `npm run admin` runs it. */
async function admin(argv: string[], env: Record<string, string>, options: { stdin?: string; lockOwner?: (d: string) => LockOwner | undefined } = {}): Promise<AdminResult> {
  return runCli(
    argv,
    { env: { LOG_LEVEL: 'silent', INSTITUTION_EMAIL_DOMAINS: 'example.edu', ...env }, envFile: null, ...(options.lockOwner ? { lockOwner: options.lockOwner } : {}) },
    { readFile: (p) => readFile(p, 'utf8'), readStdin: async () => options.stdin ?? '', warn: () => {} },
  );
}

const LATEST = MIGRATIONS[MIGRATIONS.length - 1]!.version;

describe('the schema', () => {
  test('the first start creates the schema; instances starting together apply each migration once; a later start applies nothing', async () => {
    const url = await createDatabase(await postgresServer());
    const starts = await Promise.all([PgStore.open({ url, poolSize: 2 }), PgStore.open({ url, poolSize: 2 }), PgStore.open({ url, poolSize: 2 })]);
    try {
      expect(starts.map((s) => s.migrations.applied).sort()).toEqual([[], [], MIGRATIONS.map((m) => m.version)]);
      expect(await sql(url, 'SELECT version, name FROM schema_migrations ORDER BY version')).toEqual(MIGRATIONS.map(({ version, name }) => ({ version, name })));
    } finally {
      await Promise.all(starts.map((s) => s.close()));
    }
    const again = await PgStore.open({ url, poolSize: 2 });
    expect(again.migrations).toEqual({ applied: [], version: LATEST });
    await again.close();
    // Real columns with indexes for everything looked up; JSONB only for conversation state.
    const indexes = (await sql<{ indexdef: string }>(url, "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'")).map((r) => r.indexdef).join('\n');
    for (const wanted of ['accounts USING btree (lower(upn))', 'accounts USING btree (lower(email))', 'contacts USING btree (lower(email))', 'contacts USING btree (mobile)', 'links_pkey ON public.links USING btree (token_hash)', 'challenges USING btree (uid)', 'links USING btree (uid)', 'challenges USING btree (expires_at)', 'links USING btree (expires_at)']) {
      expect(indexes).toContain(wanted);
    }
    const jsonb = await sql<{ table_name: string; column_name: string }>(url, "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND data_type = 'jsonb' ORDER BY 1, 2");
    // Opaque blobs only: dialog state, a Bot Framework conversation reference, and a hand-off case's
    // record of the user's steps, how to reach them and which destinations took it (never looked up).
    expect(jsonb).toEqual([
      { table_name: 'bot_state', column_name: 'value' },
      { table_name: 'conversation_refs', column_name: 'reference' },
      { table_name: 'handoff_cases', column_name: 'delivery' },
      { table_name: 'handoff_cases', column_name: 'reach' },
      { table_name: 'handoff_cases', column_name: 'steps' },
      { table_name: 'store_copies', column_name: 'counts' },
    ]);
  });

  test('a start against a schema newer than this code refuses, naming both versions, and changes nothing', async () => {
    const url = await createDatabase(await postgresServer());
    await (await PgStore.open({ url, poolSize: 2 })).close();
    await sql(url, `INSERT INTO schema_migrations (version, name) VALUES (${LATEST + 1}, 'from a newer bot')`);
    const refused = await PgStore.open({ url, poolSize: 2 }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(StoreError);
    expect((refused as Error).message).toMatch(new RegExp(`has schema version ${LATEST + 1} \\("from a newer bot"\\), newer than this version of pin-reset-bot knows \\(${LATEST}\\)\\..*nothing was changed`));
    expect(await sql(url, 'SELECT version FROM schema_migrations ORDER BY version')).toEqual([...MIGRATIONS.map(({ version }) => ({ version })), { version: LATEST + 1 }]);
  });

  test('every commit waits for its WAL flush: synchronous_commit is on for the store even where the database default is off', async () => {
    const url = await createDatabase(await postgresServer());
    const database = new URL(url).pathname.slice(1);
    await sql(url, `ALTER DATABASE ${database} SET synchronous_commit = off`);
    expect(await sql(url, 'SHOW synchronous_commit')).toEqual([{ synchronous_commit: 'off' }]);
    const store = await PgStore.open({ url, poolSize: 2 });
    try {
      const shown = await Promise.all([1, 2, 3].map(() => store.db.query('SHOW synchronous_commit')));
      expect(shown.map((r) => r.rows[0]![0])).toEqual(['on', 'on', 'on']);
    } finally {
      await store.close();
    }
  });

  test('STORE=postgres needs DATABASE_URL and SERVER_SECRET (a secret generated into one DATA_DIR would differ on every instance)', () => {
    let error: unknown;
    try {
      testConfig({ STORE: 'postgres', DATABASE_URL: 'mysql://x' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([expect.stringMatching(/^DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL/), expect.stringMatching(/^SERVER_SECRET is required when STORE=postgres, the same on every instance/)]);
    expect(() => testConfig({ STORE: 'postgres' })).toThrow(/DATABASE_URL is required when STORE=postgres/);
    // The URL may carry a password: it is never echoed.
    expect(() => testConfig({ STORE: 'postgres', DATABASE_URL: 'ftp://user:hunter2@db/x', SERVER_SECRET: TEST_SERVER_SECRET })).toThrow(/^(?![\s\S]*hunter2)/);
  });
});

describe('secret hygiene covers PostgreSQL', () => {
  test('before the shared server stops, every database is dumped as text into the run root, where the end-of-run scan reads it', async () => {
    const server = await postgresServer();
    const url = await createDatabase(server);
    const marker = `marker-${Math.random().toString(36).slice(2)}`;
    await sql(url, 'CREATE TABLE probe (t text)');
    await sql(url, 'INSERT INTO probe VALUES ($1)', [marker]);
    const file = join(await mkdtemp(join(tmpdir(), 'prb-dump-')), 'all.sql');
    expect(spawnSync('sh', ['-c', dumpAllCommand(server, file)]).status).toBe(0);
    expect(await readFile(file, 'utf8')).toContain(marker);
    const root = runRoot();
    if (root) expect(server.stopCommand?.join(' ')).toContain(dumpAllCommand(server, join(root, 'postgres-dump', 'all.sql')));
  });
});

describe('faults at start', () => {
  test('with PostgreSQL unreachable at start, the bot says which database it could not reach, without the password or a stack trace, and exits 1', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', '--disable-warning=DEP0111', 'src/main.ts'], {
      env: { PATH: process.env['PATH'], DATA_DIR: await tempDataDir(), PORT: String(await freePort()), STORE: 'postgres', DATABASE_URL: `postgres://bot:s3cret-pass@127.0.0.1:${port}/pinreset`, SERVER_SECRET: TEST_SERVER_SECRET },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(out).toContain(`pin-reset-bot cannot start.\nCannot connect to PostgreSQL at 127.0.0.1:${port}/pinreset: `);
    expect(out).toContain('ECONNREFUSED');
    expect(out).not.toContain('s3cret-pass');
    expect(out).not.toMatch(/\n\s+at /);
  }, 30_000);
});

describe('audit events in PostgreSQL', () => {
  test('go to a table: admin audit prints them exactly as from the lowdb file, --uid filters, and retention deletes them by date', async () => {
    const url = await createDatabase(await postgresServer());
    const outputs: string[] = [];
    for (const env of [{}, pgEnv(url)]) {
      const clock = new ManualClock();
      const s = await services({ ...env, AUDIT_RETENTION_DAYS: '30' }, clock);
      await s.audit.record('throttle.unlocked', { uid: 'jdoe', channel: 'admin' }, 'ok', { wasPaused: true, n: 1, reason: 'with spaces "quoted"' });
      clock.advance(40 * 24 * 3_600_000);
      await s.audit.record('code.sent', { uid: 'asmith', channel: 'sms' }, 'ok', { to: '+852 ****1234', purpose: 'mobile' });
      await s.audit.record('sms.ceiling_reached', {}, 'fail', { perHour: 200 });
      const dataDir = s.dataDir;
      await s.close();
      const cliEnv = { DATA_DIR: dataDir, ...env };
      const all = await admin(['audit'], cliEnv);
      const one = await admin(['audit', '--uid', 'jdoe'], cliEnv);
      expect(all.exitCode).toBe(0);
      expect(one.stdout.trim().split('\n')).toHaveLength(1);
      outputs.push(all.stdout + one.stdout);
      // 40 days on, the first event is past the 30-day retention.
      const again = await services({ ...env, DATA_DIR: dataDir, AUDIT_RETENTION_DAYS: '30' }, clock);
      expect(await again.retention.purge()).toMatchObject({ auditRecords: 1 });
      expect((await again.auditLog.read()).map((e) => e.event)).toEqual(['code.sent', 'sms.ceiling_reached']);
      await again.close();
    }
    expect(outputs[1]).toBe(outputs[0]);
    expect(await sql(url, 'SELECT event, uid FROM audit_events ORDER BY id')).toEqual([
      { event: 'code.sent', uid: 'asmith' },
      { event: 'sms.ceiling_reached', uid: null },
    ]);
  });
});

describe('the purge with several instances', () => {
  test('runs on one instance at a time: while another holds its advisory lock a purge deletes nothing and says it was skipped', async () => {
    const url = await createDatabase(await postgresServer());
    const clock = new ManualClock();
    const a = await services(pgEnv(url), clock);
    const b = await services(pgEnv(url), clock);
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    try {
      const now = clock.now();
      await a.store.links.put({ tokenHash: 'b'.repeat(64), uid: 'ann', purpose: 'reset-pin', via: 'email', createdAt: now, expiresAt: now + 60_000, status: 'open', delivery: 'sent' });
      clock.advance(120_000);
      await other.query('SELECT pg_advisory_lock($1, 2)', [LOCK_NAMESPACE]); // as a purge in progress elsewhere holds it
      expect(await b.retention.purge()).toMatchObject({ links: 0, skipped: true });
      expect(await b.store.links.get('b'.repeat(64))).toBeDefined();
      await other.query('SELECT pg_advisory_unlock($1, 2)', [LOCK_NAMESPACE]);
      expect(await b.retention.purge()).toMatchObject({ links: 1 });
      expect((await b.retention.purge()).skipped).toBeUndefined();
      // Two purges at once on two instances: one of them does the work, the other skips.
      await a.store.links.put({ tokenHash: 'c'.repeat(64), uid: 'ann', purpose: 'reset-pin', via: 'email', createdAt: 0, expiresAt: 1, status: 'open', delivery: 'sent' });
      const both = await Promise.all([a.retention.purge(), b.retention.purge()]);
      expect(both.reduce((n, r) => n + r.links, 0)).toBe(1);
    } finally {
      await other.end();
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe("the service desk's records with two instances on one database", () => {
  test('of 20 reminders claimed at once for one account from two instances, one is sent; of 20 case references taken at once, none is given twice', async () => {
    const url = await createDatabase(await postgresServer());
    const [a, b] = await Promise.all([services(pgEnv(url)), services(pgEnv(url))]);
    try {
      const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).desk.reminders.claim('jdoe', 'register', 'email', 30)));
      expect(claims.filter(Boolean)).toHaveLength(1);
      const keep = Date.now() + 86_400_000;
      const numbers = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).desk.counters.next('ref:2026-09-01', keep)));
      expect([...numbers].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      // The hand-off limit (at most 3 a day per account) holds across the instances as well.
      const taken = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).desk.counters.take('handoff-account:jdoe', 3, 86_400_000)));
      expect(taken.filter(Boolean)).toHaveLength(3);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }, 60_000);
});

describe('the admin CLI with STORE=postgres', () => {
  const ACCOUNTS = `uid,name,email,upn,pin\njdoe,Jane Doe,jdoe@example.edu,jdoe@example.edu,${PIN}\nasmith,Alex Smith,asmith@example.edu,,\nbad uid,X,x@example.edu,,\n`;
  const CONTACTS = 'uid,email,mobile\njdoe,jane@gmail.com,91234567\nasmith,,61234567\nnobody,n@gmail.com,\n';

  /** The service desk's day: every command, its output and exit code, with times taken out. */
  async function script(env: Record<string, string>): Promise<string[]> {
    // The files the service desk imports are theirs, outside the bot's DATA_DIR (and the secret scan).
    const dir = await mkdtemp(join(tmpdir(), 'prb-admin-'));
    const accounts = join(dir, 'accounts.csv');
    const contacts = join(dir, 'contacts.csv');
    await writeFile(accounts, ACCOUNTS);
    await writeFile(contacts, CONTACTS);
    recordSecret('pin', PIN);
    const steps: [string[], string?][] = [
      [['accounts', 'import', accounts]],
      [['accounts', 'import', accounts]],
      [['contacts', 'import', contacts]],
      [['contacts', 'show', 'jdoe']],
      [['contacts', 'show', 'nobody']],
      [['accounts', 'check-pin', 'jdoe'], `${PIN}\n`],
      [['accounts', 'check-pin', 'jdoe'], 'Wrong-PIN-2026-kite\n'],
      [['unlock', 'jdoe']],
      [['contacts', 'delete', 'asmith']],
      [['contacts', 'delete', 'asmith']],
      [['audit', '--uid', 'jdoe']],
      [['bogus']],
    ];
    const out: string[] = [];
    for (const [argv, stdin] of steps) {
      const r = await admin(argv, env, stdin ? { stdin } : {});
      out.push(`${argv.join(' ')} -> ${r.exitCode}\n${r.stdout}${r.stderr}`.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<time>').replaceAll(dir, '<dir>'));
    }
    return out;
  }

  test('works on the database directly, with the same output and exit codes as on lowdb, and applies the schema to a fresh database first', async () => {
    const url = await createDatabase(await postgresServer());
    const lowDir = await tempDataDir();
    const pgDir = await tempDataDir();
    const onLowdb = await script({ DATA_DIR: lowDir });
    // A bot running on this database does not matter: the CLI never looks for a lock or a socket.
    const owner: LockOwner = { pid: process.pid, role: 'bot', since: new Date().toISOString() };
    const running = await services(pgEnv(url));
    try {
      const onPostgres = await script({ DATA_DIR: pgDir, ...pgEnv(url) });
      expect(onPostgres).toEqual(onLowdb);
      expect((await admin(['contacts', 'show', 'jdoe'], { DATA_DIR: pgDir, ...pgEnv(url) }, { lockOwner: () => owner })).stdout).toContain('jdoe (Jane Doe)');
    } finally {
      await running.close();
    }
    expect(onLowdb[0]).toMatch(/^accounts import <dir>\/accounts.csv -> 1\n/);
    expect(onLowdb[5]).toContain('PIN matches');
    // The PIN is stored only as its scrypt hash, in PostgreSQL too.
    expect(await sql(url, 'SELECT pin_hash LIKE $1 AS hashed FROM accounts WHERE uid = $2', ['scrypt$%', 'jdoe'])).toEqual([{ hashed: true }]);
    expect(JSON.stringify(await sql(url, 'SELECT * FROM accounts'))).not.toContain(PIN);

    const fresh = await createDatabase(await postgresServer());
    expect(await admin(['contacts', 'show', 'jdoe'], { DATA_DIR: pgDir, ...pgEnv(fresh) })).toEqual({ stdout: 'There is no account jdoe.\n', stderr: '', exitCode: 1 });
    expect(await sql(fresh, 'SELECT version FROM schema_migrations ORDER BY version')).toEqual(MIGRATIONS.map(({ version }) => ({ version })));
  }, 90_000);
});

describe('store copy --to postgres', () => {
  /** A lowdb DATA_DIR as a pilot leaves it: accounts with PINs, contacts of both kinds, a language, open codes and links, counters, a conversation, an opt-out, audit events. */
  async function pilot(): Promise<{ dataDir: string; clock: ManualClock }> {
    const clock = new ManualClock();
    const s = await services({}, clock);
    recordSecret('pin', PIN);
    await s.embeddedDirectory!.importAccount({ uid: 'jdoe', name: 'Jane Doe', email: 'jdoe@example.edu', upn: 'jdoe@example.edu', pin: PIN });
    await s.embeddedDirectory!.importAccount({ uid: 'asmith', name: 'Alex Smith', email: 'asmith@example.edu' });
    await s.registration.importContact('asmith', { mobile: '+85261234567' });
    await s.store.contacts.put({ uid: 'jdoe', email: 'jane@gmail.com', mobile: '+85291234567', source: 'self', verifiedAt: clock.now(), updatedAt: clock.now() });
    await s.languages.remember('jdoe', 'zh-hk');
    await s.codes.create('jdoe', 'reset-sms', 'sms', '+85291234567', true);
    await s.store.links.put({ tokenHash: 'd'.repeat(64), uid: 'jdoe', purpose: 'reset-pin', via: 'email', createdAt: clock.now(), expiresAt: clock.now() + 60_000, status: 'open', delivery: 'sent' });
    await s.throttles.reserveSend('jdoe', 'jane@gmail.com', { channel: 'test' });
    await s.store.botState.put({ key: 'emulator/conversations/c1', eTag: 'e1', value: { DialogState: { dialogStack: [{ id: 'main' }] } }, updatedAt: clock.now() });
    await s.sms.optOuts.optOut('+85290000000', { channel: 'sms' });
    await s.sms.deliveries.firstTime('SM00000000000000000000000000000001');
    await s.audit.record('contacts.imported', { uid: 'asmith', channel: 'admin' }, 'ok', { change: 'created' });
    // The service desk's records: a case still to deliver, its counters, a Teams conversation, a reminder, a re-confirmation.
    const now = clock.now();
    await s.store.handoffCases.put({ reference: 'PR-20260901-0001', reason: 'no-code', uid: 'jdoe', verified: false, channel: 'sms', language: 'zh-hk', reach: { sms: '+852 ••••4567' }, steps: [{ at: new Date(now).toISOString(), event: 'code.sent', outcome: 'ok' }], createdAt: now, delivery: { email: 'pending' }, attempts: 1, nextAttemptAt: now + 60_000 });
    await s.desk.counters.next('ref:2026-09-01', now + 86_400_000);
    await s.store.conversationRefs.put({ key: 'teams:aad-jdoe', uid: 'jdoe', reference: { conversation: { id: 'a:1' }, serviceUrl: 'https://smba.trafficmanager.net/apac/' }, updatedAt: now });
    await s.store.reminders.put({ uid: 'asmith', lastAt: now, kind: 'register', via: 'email', status: 'sent', count: 1, updatedAt: now });
    await s.store.contactConfirmations.put({ uid: 'jdoe', confirmedAt: now });
    const dataDir = s.dataDir;
    await s.close();
    return { dataDir, clock };
  }

  const counts = (stdout: string) => Object.fromEntries([...stdout.matchAll(/^ {2}(.+?) +(\d+) in DATA_DIR, +(\d+) added now, +(\d+) in PostgreSQL$/gm)].map((m) => [m[1], [Number(m[2]), Number(m[3]), Number(m[4])]]));

  test('copies every table and the audit log into an empty database, verifies the counts, and the bot on PostgreSQL finds it all', async () => {
    const { dataDir } = await pilot();
    const url = await createDatabase(await postgresServer());
    const copied = await admin(['store', 'copy', '--to', 'postgres'], { DATA_DIR: dataDir, DATABASE_URL: url });
    expect({ code: copied.exitCode, err: copied.stderr }).toEqual({ code: 0, err: '' });
    expect(copied.stdout).toContain(`Copied ${dataDir} (lowdb) into PostgreSQL at 127.0.0.1:`);
    expect(counts(copied.stdout)).toEqual({
      accounts: [2, 2, 2],
      contacts: [2, 2, 2],
      preferences: [1, 1, 1],
      challenges: [1, 1, 1],
      links: [1, 1, 1],
      throttles: [2, 2, 2],
      conversations: [1, 1, 1],
      'sms opt-outs': [1, 1, 1],
      'sms deliveries': [1, 1, 1],
      'hand-off cases': [1, 1, 1],
      'desk counters': [1, 1, 1],
      'Teams conversations': [1, 1, 1],
      reminders: [1, 1, 1],
      'contact confirmations': [1, 1, 1],
      'audit events': [2, 2, 2],
    });
    expect(copied.stdout).toContain('Verified: every record of DATA_DIR is in PostgreSQL.');
    expect(copied.stdout).toContain('Set SERVER_SECRET, the same on every instance');

    // What the service desk sees is the same on both stores, and the PIN still checks.
    const pgCli = { DATA_DIR: await tempDataDir(), ...pgEnv(url) };
    for (const argv of [['contacts', 'show', 'jdoe'], ['contacts', 'show', 'asmith'], ['audit']]) {
      expect(await admin(argv, pgCli)).toEqual(await admin(argv, { DATA_DIR: dataDir }));
    }
    expect((await admin(['accounts', 'check-pin', 'jdoe'], pgCli, { stdin: `${PIN}\n` })).exitCode).toBe(0);
    const s = await services(pgEnv(url));
    try {
      expect(await s.languages.of('jdoe')).toBe('zh-hk');
      expect(await s.sms.optOuts.isOptedOut('+85290000000')).toBe(true);
      expect(await s.sms.deliveries.firstTime('SM00000000000000000000000000000001')).toBe(false);
      expect((await s.store.botState.get('emulator/conversations/c1'))?.value).toEqual({ DialogState: { dialogStack: [{ id: 'main' }] } });
      expect(await s.throttles.pausedUntil('jdoe')).toBeUndefined();
      expect((await s.store.throttles.get('account:jdoe'))?.sends).toHaveLength(1);
      // The desk's case is still to be delivered, its references go on, and the reminder keeps its account from a second one.
      expect((await s.store.handoffCases.findBy('pending', 'yes')).map((c) => [c.reference, c.reach, c.verified])).toEqual([['PR-20260901-0001', { sms: '+852 ••••4567' }, false]]);
      expect(await s.desk.counters.next('ref:2026-09-01', Date.now() + 86_400_000)).toBe(2);
      expect((await s.store.conversationRefs.findBy('uid', 'jdoe')).map((r) => r.key)).toEqual(['teams:aad-jdoe']);
      expect(await s.desk.reminders.claim('asmith', 'register', 'email', 30)).toBe(false);
      expect(await s.store.contactConfirmations.get('jdoe')).toEqual({ uid: 'jdoe', confirmedAt: expect.any(Number) });
    } finally {
      await s.close();
    }
  }, 60_000);

  test('running it again is safe: nothing is added twice or overwritten, and what the pilot wrote since is added', async () => {
    const { dataDir, clock } = await pilot();
    const url = await createDatabase(await postgresServer());
    const env = { DATA_DIR: dataDir, DATABASE_URL: url };
    expect((await admin(['store', 'copy', '--to', 'postgres'], env)).exitCode).toBe(0);
    // An instance on PostgreSQL changes a contact; the pilot on lowdb gets one more account and event.
    await sql(url, "UPDATE contacts SET email = 'changed@gmail.com' WHERE uid = 'jdoe'");
    const s = await services({ DATA_DIR: dataDir }, clock);
    await s.embeddedDirectory!.importAccount({ uid: 'cwong', name: 'Chris Wong', email: 'cwong@example.edu' });
    await s.audit.record('accounts.imported', { channel: 'admin' }, 'ok', { created: 1 });
    await s.close();

    const again = await admin(['store', 'copy', '--to', 'postgres'], env);
    expect({ code: again.exitCode, err: again.stderr }).toEqual({ code: 0, err: '' });
    expect(again.stdout).toMatch(/^Copied again /);
    expect(counts(again.stdout)).toMatchObject({ accounts: [3, 1, 3], contacts: [2, 0, 2], 'audit events': [3, 1, 3] });
    expect(await sql(url, "SELECT email FROM contacts WHERE uid = 'jdoe'")).toEqual([{ email: 'changed@gmail.com' }]);
    const third = await admin(['store', 'copy', '--to', 'postgres'], env);
    expect((Object.values(counts(third.stdout)) as number[][]).map(([, added]) => added)).toEqual(Array(15).fill(0));
    expect(await sql(url, 'SELECT count(*)::int AS n FROM audit_events')).toEqual([{ n: 3 }]);
  }, 60_000);

  test('refuses a database that holds other data, and a DATA_DIR a bot is running on; nothing is copied', async () => {
    const { dataDir } = await pilot();
    const url = await createDatabase(await postgresServer());
    const s = await services(pgEnv(url));
    await s.embeddedDirectory!.importAccount({ uid: 'someone', name: 'Some One', email: 'someone@example.edu' });
    await s.close();
    const refused = await admin(['store', 'copy', '--to', 'postgres'], { DATA_DIR: dataDir, DATABASE_URL: url });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/already holds data that is not a copy of .* \(1 accounts\)\. store copy fills an empty database only; nothing was copied\./);
    expect(await sql(url, 'SELECT uid FROM accounts')).toEqual([{ uid: 'someone' }]);

    const empty = await createDatabase(await postgresServer());
    const bot = await openServices(testConfig({ DATA_DIR: dataDir }), { logger: silent, role: 'bot' });
    try {
      const busy = await admin(['store', 'copy', '--to', 'postgres'], { DATA_DIR: dataDir, DATABASE_URL: empty });
      expect(busy.exitCode).toBe(2);
      expect(busy.stderr).toMatch(/in use/);
    } finally {
      await bot.close();
    }
    const none = await admin(['store', 'copy', '--to', 'postgres'], { DATA_DIR: dataDir });
    expect(none).toMatchObject({ exitCode: 2, stderr: expect.stringContaining('store copy --to postgres needs DATABASE_URL') });
    const nothing = join(await tempDataDir(), 'never-used');
    await mkdir(nothing);
    expect((await admin(['store', 'copy', '--to', 'postgres'], { DATA_DIR: nothing, DATABASE_URL: empty })).stderr).toContain('holds no lowdb store');
    expect(await sql(empty, "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'accounts'")).toEqual([{ n: 0 }]);
  }, 60_000);
});
