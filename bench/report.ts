/**
 * `npm run bench:report`: the service desk report on 100,000 accounts and a year of audit.
 * Seeds a throwaway DATA_DIR (accounts and contacts through the store, a year of audit events
 * written as the bot writes them: JSONL files rotated at AUDIT_ROTATE_MB), then times
 * `admin report --days 365 --csv --html` run the way the CLI runs it, and prints one JSON line.
 * Knobs: BENCH_REPORT_ACCOUNTS (100000), BENCH_REPORT_EVENTS_PER_DAY (4000), BENCH_REPORT_DAYS (365).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runAdminCommand } from '../src/admin/commands.js';
import { loadConfig } from '../src/config/load.js';
import type { AuditEvent } from '../src/ports/audit.js';
import { silentLogger } from '../src/ports/logger.js';
import { openServices } from '../src/services.js';

const ACCOUNTS = Number(process.env['BENCH_REPORT_ACCOUNTS'] ?? 100_000);
const EVENTS_PER_DAY = Number(process.env['BENCH_REPORT_EVENTS_PER_DAY'] ?? 4_000);
const DAYS = Number(process.env['BENCH_REPORT_DAYS'] ?? 365);
const ROTATE_BYTES = 10 * 1024 * 1024;
const DAY = 86_400_000;

const uid = (i: number) => `u${String(i).padStart(6, '0')}`;

/** A day's mix, roughly as a campus uses the bot: resets by SMS and email, registrations, failures, notices. */
function* dayOfEvents(dayStart: number, perDay: number, seed: { n: number }): Generator<AuditEvent> {
  const at = (k: number) => new Date(dayStart + Math.floor((k / perDay) * DAY)).toISOString();
  for (let k = 0; k < perDay; ) {
    const who = uid((seed.n = (seed.n * 1103515245 + 12345) % 2147483648) % ACCOUNTS);
    const kind = seed.n % 20;
    const channel = kind % 3 === 0 ? 'sms' : 'msteams';
    const flow: [string, AuditEvent['outcome'], Record<string, string | number | boolean>][] =
      kind < 8
        ? [
            ['reset.requested', 'info', { via: 'sms', outcome: 'code' }],
            ['code.sent', 'ok', { purpose: 'reset-sms', to: '+852 ****1234' }],
            ['code.verified', 'ok', { purpose: 'reset-sms' }],
            ['link.sent', 'ok', { via: 'sms', to: 'chat' }],
            ['page.opened', 'info', { via: 'sms' }],
            ['pin.set', 'ok', { via: 'sms', revokedLinks: 0, revokedCodes: 0 }],
            ['notice.sent', 'ok', { notice: 'pin-changed', to: 'u***@example.edu' }],
            ['notice.sent', 'ok', { notice: 'pin-changed', to: '+852 ****1234' }],
          ]
        : kind < 13
          ? [
              ['reset.requested', 'info', { via: 'email', outcome: 'link' }],
              ['link.sent', 'ok', { via: 'email', to: 'u***@gmail.com' }],
              ['page.opened', 'info', { via: 'email' }],
              ['pin.rejected', 'fail', { rules: 'too-weak', via: 'email' }],
              ['pin.set', 'ok', { via: 'email', revokedLinks: 0, revokedCodes: 0 }],
              ['notice.sent', 'ok', { notice: 'pin-changed', to: 'u***@gmail.com' }],
            ]
          : kind < 16
            ? [
                ['code.sent', 'ok', { purpose: 'identity', to: 'u***@example.edu' }],
                ['code.verified', 'ok', { purpose: 'identity' }],
                ['code.sent', 'ok', { purpose: 'alt-email', to: 'u***@gmail.com' }],
                ['code.verified', 'ok', { purpose: 'alt-email' }],
                ['code.sent', 'ok', { purpose: 'mobile', to: '+852 ****1234' }],
                ['code.wrong', 'fail', { purpose: 'mobile', tries: 1 }],
                ['code.verified', 'ok', { purpose: 'mobile' }],
                ['contacts.changed', 'ok', { email: 'u***@gmail.com', mobile: '+852 ****1234', via: 'code' }],
              ]
            : kind < 18
              ? [
                  ['reset.requested', 'info', { via: 'sms', outcome: 'no mobile' }],
                  ['code.expired', 'fail', { purpose: 'reset-sms' }],
                  ['throttle.paused', 'fail', { reason: 'sends', hours: 24 }],
                ]
              : [
                  ['reminder.sent', 'ok', { kind: 'register', via: 'email' }],
                  ['handoff.requested', 'info', { reason: 'asked', reference: 'PR-20260101-0001' }],
                  ['handoff.delivered', 'ok', { reference: 'PR-20260101-0001' }],
                ];
    for (const [event, outcome, detail] of flow) {
      yield { at: at(k++), event, uid: who, channel: event === 'pin.set' || event === 'page.opened' ? 'web' : channel, outcome, detail };
    }
  }
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'pin-reset-bench-report-'));
  const now = Date.now();
  try {
    const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', INSTITUTION_EMAIL_DOMAINS: 'example.edu' }, null);
    const t0 = performance.now();
    let services = await openServices(config, { role: 'bench report', logger: silentLogger });
    for (let start = 0; start < ACCOUNTS; start += 5000) {
      const rows = Array.from({ length: Math.min(5000, ACCOUNTS - start) }, (_, k) => start + k);
      await Promise.all(rows.map((i) => services.store.accounts.put({ uid: uid(i), name: `Bench User ${i}`, email: `${uid(i)}@example.edu`, createdAt: now, updatedAt: now })));
      // Seven in ten have contacts: most both, some one, from the bot or the two-factor import.
      await Promise.all(
        rows
          .filter((i) => i % 10 < 7)
          .map((i) =>
            services.store.contacts.put({
              uid: uid(i),
              ...(i % 10 !== 6 ? { email: `${uid(i)}@gmail.com` } : {}),
              ...(i % 10 !== 5 ? { mobile: `+8526${String(i).padStart(7, '0')}` } : {}),
              source: i % 3 === 0 ? 'self' : 'import',
              verifiedAt: now,
              updatedAt: now,
            }),
          ),
      );
    }
    await services.close();
    // A year of audit, written as the bot writes it: one JSON object a line, rotated by size.
    let events = 0;
    let bytes = 0;
    let file: string[] = [];
    let fileBytes = 0;
    let rotated = 0;
    const seed = { n: 42 };
    const flushRotated = async (last: AuditEvent) => {
      const stamp = new Date(Date.parse(last.at) + 1).toISOString().replace(/[:.]/g, '-');
      await writeFile(join(dataDir, `audit-${stamp}.jsonl`), file.join(''));
      rotated++;
      file = [];
      fileBytes = 0;
    };

    for (let d = DAYS; d >= 1; d--) {
      for (const e of dayOfEvents(now - d * DAY, EVENTS_PER_DAY, seed)) {
        const line = `${JSON.stringify(e)}\n`;
        file.push(line);
        fileBytes += line.length;
        bytes += line.length;
        events++;
        if (fileBytes >= ROTATE_BYTES) await flushRotated(e);
      }
    }
    await writeFile(join(dataDir, 'audit.jsonl'), file.join(''));
    const seeded = performance.now() - t0;

    // The command as the CLI runs it when the bot is stopped: open the store, run, close.
    const startRss = process.memoryUsage().rss;
    const t1 = performance.now();
    services = await openServices(config, { role: 'admin CLI', logger: silentLogger });
    const opened = performance.now() - t1;
    const t2 = performance.now();
    const result = await runAdminCommand(services, ['report', '--days', '365', '--csv', 'report.csv', '--html', 'report.html'], { files: {}, stdin: '' });
    const ran = performance.now() - t2;
    await services.close();
    if (result.exitCode !== 0) throw new Error(`report failed: ${result.stderr}`);
    const text = result.stdout.split('\n');
    process.stdout.write(`${text.slice(0, 12).join('\n')}\n...\n`);
    const summary = {
      accounts: ACCOUNTS,
      audit_events: events,
      audit_mb: Math.round(bytes / 1024 / 1024),
      audit_files: rotated + 1,
      seed_s: +(seeded / 1000).toFixed(1),
      open_store_ms: Math.round(opened),
      report_ms: Math.round(ran),
      total_ms: Math.round(opened + ran),
      rss_mb: Math.round(Math.max(startRss, process.memoryUsage().rss) / 1024 / 1024),
      html_kb: Math.round((result.files?.['report.html']?.length ?? 0) / 1024),
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
