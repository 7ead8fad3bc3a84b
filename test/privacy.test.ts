import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { appendFile, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../src/admin/cli.js';
import type { AdminResult } from '../src/admin/result.js';
import { BOT_ROLE, startAdminSocket } from '../src/admin/socket.js';
import { JsonlAuditLog } from '../src/adapters/audit/jsonlAuditLog.js';
import type { LockOwner } from '../src/adapters/store/lock.js';
import { silentLogger } from '../src/ports/logger.js';
import { openServices, type Services } from '../src/services.js';
import { openTestServices, addAccount, tempDataDir, testConfig, type TestServices } from './support/services.js';

const DAY = 24 * 3_600_000;
let dataDir: string;
beforeEach(async () => {
  dataDir = await tempDataDir();
});

function admin(argv: string[], lockOwner?: () => LockOwner | undefined, env: Record<string, string> = {}): Promise<AdminResult> {
  return runCli(
    argv,
    { env: { DATA_DIR: dataDir, LOG_LEVEL: 'silent', INSTITUTION_EMAIL_DOMAINS: 'example.edu', ...env }, envFile: null, ...(lockOwner ? { lockOwner } : {}) },
    { readFile: (p) => readFile(p, 'utf8'), readStdin: async () => '', warn: () => {} },
  );
}

/** jdoe with registered contacts and an open reset link to the alternate email. */
async function seed(services: Services): Promise<string> {
  await addAccount(services, 'jdoe', 'jdoe@example.edu');
  const now = Date.now();
  await services.store.contacts.put({ uid: 'jdoe', email: 'jane@gmail.com', mobile: '+85261234567', source: 'self', verifiedAt: now, updatedAt: now });
  await services.pinReset.requestEmailLink('jdoe', { channel: 'test' });
  await services.background.drain();
  const [link] = await services.store.links.findBy('uid', 'jdoe');
  expect(link?.status).toBe('open');
  return link!.tokenHash;
}

async function outboxMail(): Promise<{ to: string; subject: string; text: string }[]> {
  const text = await readFile(join(dataDir, 'outbox', 'mail.jsonl'), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { to: string; subject: string; text: string });
}

async function expectErased(services: Services, tokenHash: string) {
  // What stays is a tombstone without contact data (see erasure.test.ts).
  const left = await services.store.contacts.get('jdoe');
  expect([left?.email, left?.mobile]).toEqual([undefined, undefined]);
  expect((await services.store.links.get(tokenHash))?.status).toBe('revoked');
  const [deleted] = (await services.auditLog.read({ uid: 'jdoe' })).filter((e) => e.event === 'contacts.deleted');
  expect(deleted).toMatchObject({ channel: 'admin', outcome: 'ok', detail: { email: 'j***@gmail.com', mobile: '+852 ****4567', source: 'self', revoked: 1 } });
  expect(JSON.stringify(deleted)).not.toMatch(/jane@gmail|61234567/);
}

describe('contacts delete', () => {
  const expectedOutput = 'jdoe: contacts deleted (email j***@gmail.com, mobile +852 ****4567); 1 open links and codes revoked.\njdoe: we are emailing their institutional address to let them know.\njdoe: later contacts imports will not bring these contacts back.\n';

  test('with the bot stopped: erases the contacts, revokes their open links, audits it and tells the institutional email', async () => {
    const t = await openTestServices({}, dataDir);
    const tokenHash = await seed(t.services);
    await t.services.close();

    expect(await admin(['contacts', 'delete', 'jdoe'])).toEqual({ stdout: expectedOutput, stderr: '', exitCode: 0 });
    const notice = (await outboxMail()).filter((m) => m.to === 'jdoe@example.edu');
    expect(notice).toEqual([expect.objectContaining({ subject: 'Your PIN reset contacts were deleted / 您的 PIN 重設聯絡資料已被刪除', text: expect.stringContaining('jdoe') })]);
    expect(notice[0]!.text).not.toMatch(/jane@gmail|61234567/);

    const again = await openTestServices({}, dataDir);
    try {
      await expectErased(again.services, tokenHash);
    } finally {
      await again.services.close();
    }
    expect(await admin(['contacts', 'delete', 'jdoe'])).toEqual({ stdout: 'jdoe has no registered contacts; nothing deleted.\n', stderr: '', exitCode: 1 });
    expect((await admin(['contacts', 'show', 'jdoe'])).exitCode).toBe(1);
  });

  test('with the bot running: the command runs inside the bot, with the same result', async () => {
    const t = await openTestServices({}, dataDir);
    const tokenHash = await seed(t.services);
    await t.services.close();
    const services = await openServices(testConfig({ DATA_DIR: dataDir }), { role: BOT_ROLE, logger: silentLogger });
    const socket = await startAdminSocket(dataDir, services, silentLogger);
    try {
      const owner: LockOwner = { pid: process.pid, role: BOT_ROLE, since: new Date().toISOString() };
      expect(await admin(['contacts', 'delete', 'jdoe'], () => owner)).toEqual({ stdout: expectedOutput, stderr: '', exitCode: 0 });
      await services.background.drain();
      await expectErased(services, tokenHash);
      expect((await outboxMail()).filter((m) => m.to === 'jdoe@example.edu' && m.subject.includes('deleted'))).toHaveLength(1);
    } finally {
      await socket.close();
      await services.close();
    }
  });
});

describe('audit log rotation and retention', () => {
  let t: TestServices | undefined;
  afterEach(async () => {
    await t?.services.close();
    t = undefined;
  });

  test('the audit log rotates by size and admin audit still reads every event, oldest first, across the rotated files', async () => {
    t = await openTestServices({}, dataDir);
    const log = new JsonlAuditLog(join(dataDir, 'rotating.jsonl'), { rotateBytes: 1500 });
    for (let i = 0; i < 60; i++) await log.append({ at: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(), event: 'code.sent', uid: `u${i}`, outcome: 'ok' });
    await log.close();
    const files = (await readdir(dataDir)).filter((f) => f.startsWith('rotating'));
    expect(files.length).toBeGreaterThan(3);
    expect((await log.read()).map((e) => e.uid)).toEqual(Array.from({ length: 60 }, (_, i) => `u${i}`));

    for (let i = 0; i < 3; i++) {
      await t.services.audit.record('throttle.unlocked', { uid: 'jdoe', channel: 'admin' }, 'ok', { n: i });
      await (t.services.auditLog as JsonlAuditLog).rotate();
    }
    await t.services.audit.record('throttle.unlocked', { uid: 'jdoe', channel: 'admin' }, 'ok', { n: 3 });
    await t.services.close();
    t = undefined;
    const out = await admin(['audit', '--uid', 'jdoe']);
    expect(out.exitCode).toBe(0);
    expect(out.stdout.trim().split('\n').map((l) => /n=(\d)/.exec(l)?.[1])).toEqual(['0', '1', '2', '3']);
  });

  test('records older than AUDIT_RETENTION_DAYS are dropped, in rotated files and the current one; newer ones stay', async () => {
    const opened = await openTestServices({ AUDIT_RETENTION_DAYS: '30' }, dataDir);
    t = opened;
    const record = (n: number) => opened.services.audit.record('throttle.unlocked', { uid: 'jdoe', channel: 'admin' }, 'ok', { n });
    await record(1);
    await (t.services.auditLog as JsonlAuditLog).rotate();
    await record(2);
    t.clock.advance(20 * DAY);
    await record(3);
    await (t.services.auditLog as JsonlAuditLog).rotate();
    await record(4);
    t.clock.advance(20 * DAY); // 1 and 2 are now 40 days old, 3 and 4 are 20
    await record(5);
    expect(await t.services.retention.purge()).toMatchObject({ auditRecords: 2 });
    expect((await t.services.auditLog.read()).map((e) => e.detail?.n)).toEqual([3, 4, 5]);
    t.clock.advance(25 * DAY);
    expect(await t.services.retention.purge()).toMatchObject({ auditRecords: 2 });
    expect((await t.services.auditLog.read()).map((e) => e.detail?.n)).toEqual([5]);
    t.clock.advance(400 * DAY);
    await t.services.retention.purge();
    expect(await t.services.auditLog.read()).toEqual([]);
  });

  test('a torn audit line is reported by admin audit and skipped, not fatal, and the next record stays whole', async () => {
    t = await openTestServices({}, dataDir);
    await t.services.audit.record('throttle.unlocked', { uid: 'jdoe', channel: 'admin' }, 'ok', { n: 1 });
    await t.services.close();
    t = undefined;
    await appendFile(join(dataDir, 'audit.jsonl'), '{"at":"2026-09-01T02:00:00.000Z","event":"thr');
    const warnings: string[] = [];
    // The next writer (here the log alone, as in the bot) ends the torn line before its own record.
    const log = new JsonlAuditLog(join(dataDir, 'audit.jsonl'), { onWarning: (w) => warnings.push(w) });
    await log.append({ at: new Date().toISOString(), event: 'throttle.unlocked', uid: 'jdoe', outcome: 'ok', detail: { n: 2 } });
    await log.close();
    expect(warnings).toEqual([expect.stringContaining('torn by a crash')]);
    const out = await admin(['audit', '--uid', 'jdoe']);
    expect(out.exitCode).toBe(0);
    expect(out.stderr).toMatch(/^warning: .*audit\.jsonl line 2 is not a complete record \(torn by a crash\?\); skipped\.\n$/);
    expect(out.stdout.trim().split('\n').map((l) => /n=(\d)/.exec(l)?.[1])).toEqual(['1', '2']);
  });
});
