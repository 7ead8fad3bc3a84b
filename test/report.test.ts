import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { JsonlAuditLog } from '../src/adapters/audit/jsonlAuditLog.js';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { runCli } from '../src/admin/cli.js';
import { runAdminCommand } from '../src/admin/commands.js';
import { BOT_ROLE, startAdminSocket } from '../src/admin/socket.js';
import type { AuditName } from '../src/domain/audit.js';
import type { ContactRecord } from '../src/ports/store.js';
import { openServices } from '../src/services.js';
import { silentLogger } from '../src/ports/logger.js';
import { launchChromium } from './support/browser.js';
import { ManualClock } from './support/fakes.js';
import { openTestServices, tempDataDir, testConfig, type TestServices } from './support/services.js';

/** A time in Hong Kong (UTC+8). */
const hkt = (iso: string) => Date.parse(`${iso}+08:00`);
/** The report is run at noon on 30 September 2026, Hong Kong time: its 30 days are 1 to 30 September. */
const NOW = hkt('2026-09-30T12:00:00');

type Seeded = [at: string, event: AuditName, uid: string | undefined, channel: string, outcome: 'ok' | 'fail' | 'info', detail?: Record<string, string | number | boolean>];

/** The audit the figures below are counted from by hand. */
const AUDIT: Seeded[] = [
  // Before the period: neither counted nor the request of a counted reset.
  ['2026-08-20T10:00:00', 'reset.requested', 'a5', 'msteams', 'info', { via: 'sms', outcome: 'code' }],
  ['2026-08-20T10:03:00', 'pin.set', 'a5', 'web', 'ok', { via: 'sms' }],
  ['2026-08-20T10:05:00', 'code.wrong', 'a5', 'msteams', 'fail', { purpose: 'reset-sms' }],
  // Asked ten minutes before the period, set within it: counted on 1 September, on Teams.
  ['2026-08-31T23:50:00', 'reset.requested', 'a4', 'msteams', 'info', { via: 'sms', outcome: 'code' }],
  ['2026-09-01T00:05:00', 'pin.set', 'a4', 'web', 'ok', { via: 'sms' }],
  ['2026-09-03T10:00:00', 'reset.requested', 'a0', 'msteams', 'info', { via: 'sms', outcome: 'code' }],
  ['2026-09-03T10:01:00', 'code.sent', 'a0', 'msteams', 'ok', { purpose: 'reset-sms', to: '+852 ****4567' }],
  ['2026-09-03T10:02:00', 'code.wrong', 'a0', 'msteams', 'fail', { purpose: 'reset-sms', tries: 1 }],
  ['2026-09-03T10:04:00', 'pin.set', 'a0', 'web', 'ok', { via: 'sms' }],
  ['2026-09-03T10:04:01', 'notice.sent', 'a0', 'web', 'ok', { notice: 'pin-changed', to: '+852 ****4567' }],
  ['2026-09-03T10:04:02', 'notice.sent', 'a0', 'web', 'ok', { notice: 'pin-changed', to: 'j***@gmail.com' }],
  ['2026-09-03T11:00:00', 'reset.requested', 'a1', 'sms', 'info', { via: 'email', outcome: 'link' }],
  ['2026-09-03T11:10:00', 'pin.set', 'a1', 'web', 'ok', { via: 'email' }],
  ['2026-09-04T09:00:00', 'contacts.changed', 'a7', 'msteams', 'ok', { email: 'x***@gmail.com', mobile: '+852 ****1111', via: 'code' }],
  ['2026-09-05T09:00:00', 'reminder.sent', 'a6', 'admin', 'ok', { kind: 'register', via: 'email' }],
  ['2026-09-05T09:00:01', 'reminder.sent', 'a7', 'admin', 'ok', { kind: 'register', via: 'teams' }],
  ['2026-09-05T09:00:02', 'reminder.sent', 'a0', 'admin', 'ok', { kind: 'reconfirm', via: 'teams' }],
  ['2026-09-06T09:00:00', 'reminder.sent', 'a8', 'admin', 'ok', { kind: 'register', via: 'email' }],
  ['2026-09-06T12:00:00', 'contacts.confirmed', 'a0', 'msteams', 'ok'],
  ['2026-09-06T13:00:00', 'reminder.stopped', 'a8', 'msteams', 'ok'],
  ['2026-09-07T08:00:00', 'code.sent', 'a6', 'msteams', 'ok', { purpose: 'mobile', to: '+852 ****2222' }],
  ['2026-09-07T08:01:00', 'code.sent', 'a6', 'msteams', 'ok', { purpose: 'identity', to: 'a***@example.edu' }],
  ['2026-09-07T08:02:00', 'code.sent', 'a6', 'msteams', 'fail', { purpose: 'reset-sms', reason: 'unknown account' }],
  ['2026-09-07T08:05:00', 'contacts.changed', 'a6', 'msteams', 'ok', { email: 'a***@gmail.com', mobile: '+852 ****2222', via: 'code' }],
  ['2026-09-08T10:00:00', 'code.wrong', 'a2', 'sms', 'fail', { purpose: 'identity', tries: 1 }],
  ['2026-09-08T10:01:00', 'code.wrong', 'a2', 'sms', 'fail', { purpose: 'identity', tries: 2 }],
  ['2026-09-08T10:02:00', 'code.dead', 'a2', 'sms', 'fail', { purpose: 'identity', tries: 5 }],
  ['2026-09-08T10:03:00', 'code.expired', 'a2', 'sms', 'fail', { purpose: 'identity' }],
  ['2026-09-08T10:04:00', 'code.expired', 'a3', 'sms', 'fail', { purpose: 'mobile' }],
  ['2026-09-08T10:05:00', 'throttle.paused', 'a2', 'sms', 'fail', { reason: 'sends', hours: 24 }],
  ['2026-09-08T10:06:00', 'pin.rejected', 'a3', 'web', 'fail', { rules: 'history', by: 'directory', via: 'email' }],
  ['2026-09-08T10:07:00', 'pin.rejected', 'a3', 'web', 'fail', { rules: 'too-short', via: 'email' }],
  ['2026-09-08T10:08:00', 'sms.undelivered', 'a3', 'sms', 'fail', { to: '+852 ****3333' }],
  ['2026-09-08T10:09:00', 'code.send_failed', 'a3', 'sms', 'fail', { purpose: 'reset-sms', to: '+852 ****3333' }],
  ['2026-09-08T10:10:00', 'code.send_failed', 'a3', 'sms', 'fail', { purpose: 'identity', to: 'a***@example.edu' }],
  ['2026-09-09T10:00:00', 'code.sent', 'a3', 'sms', 'ok', { purpose: 'mobile', to: '+852 ****3333' }],
  ['2026-09-09T10:00:01', 'code.sent', 'a3', 'sms', 'ok', { purpose: 'reset-sms', to: '+852 ****3333' }],
  ['2026-09-09T10:00:02', 'code.sent', 'a3', 'sms', 'ok', { purpose: 'reset-sms', to: '+852 ****3333' }],
  ['2026-09-10T09:00:00', 'reset.requested', 'a3', 'emulator', 'info', { via: 'email', outcome: 'link' }],
  ['2026-09-10T09:02:00', 'pin.set', 'a3', 'web', 'ok', { via: 'email' }],
  ['2026-09-11T10:00:00', 'handoff.requested', 'a9', 'msteams', 'info', { reason: 'asked', reference: 'PR-20260911-0001' }],
  ['2026-09-11T10:00:01', 'handoff.delivered', 'a9', 'msteams', 'ok', { reference: 'PR-20260911-0001' }],
  ['2026-09-12T10:00:00', 'handoff.requested', 'nobody', 'sms', 'info', { reason: 'paused', reference: 'PR-20260912-0001' }],
  ['2026-09-12T10:00:01', 'handoff.send_failed', 'nobody', 'sms', 'fail', { reference: 'PR-20260912-0001' }],
  ['2026-09-12T10:01:00', 'handoff.delivered', 'nobody', 'sms', 'ok', { reference: 'PR-20260912-0001' }],
  ['2026-09-13T10:00:00', 'handoff.requested', 'a9', 'msteams', 'info', { reason: 'asked', reference: 'PR-20260913-0001' }],
  ['2026-09-13T10:05:00', 'handoff.limited', 'a9', 'msteams', 'fail', { limit: 'conversation' }],
  ['2026-09-20T09:00:00', 'reminder.sent', 'a6', 'admin', 'ok', { kind: 'register', via: 'email' }],
];

/** Six of the ten accounts have contacts; a contact of an account no longer in the directory is not counted. */
async function seed(t: TestServices): Promise<void> {
  const { services, clock } = t;
  for (let i = 0; i < 10; i++) await services.directory.importAccount({ uid: `a${i}`, name: `Account ${i}`, email: `a${i}@example.edu` });
  const contact = (uid: string, source: ContactRecord['source'], email?: string, mobile?: string): ContactRecord => ({
    uid,
    source,
    verifiedAt: clock.now(),
    updatedAt: clock.now(),
    ...(email ? { email } : {}),
    ...(mobile ? { mobile } : {}),
  });
  for (const c of [
    contact('a0', 'self', 'a0@gmail.com', '+85291110000'),
    contact('a1', 'self', 'a1@gmail.com', '+85291110001'),
    contact('a2', 'self', 'a2@gmail.com'),
    contact('a3', 'import', 'a3@gmail.com', '+85291110003'),
    contact('a4', 'import', undefined, '+85291110004'),
    contact('a5', 'import', 'a5@gmail.com', '+85291110005'),
    contact('gone', 'self', 'gone@gmail.com', '+85291110099'),
  ]) {
    await services.store.contacts.put(c);
  }
  const start = clock.now();
  for (const [i, [at, event, uid, channel, outcome, detail]] of AUDIT.entries()) {
    clock.advance(hkt(at) - clock.now());
    await services.audit.record(event, { ...(uid ? { uid } : {}), channel }, outcome, detail);
    // Half way, the log rotates: the report reads across the rotated file and the current one.
    if (i === 20 && services.auditLog instanceof JsonlAuditLog) await services.auditLog.rotate();
  }
  clock.advance(NOW - clock.now());
  expect(start).toBeLessThan(NOW);
}

/** The CSV as `section/figure/day` -> value. */
function figures(csv: string): Map<string, string> {
  const [header, ...rows] = csv.trim().split(/\r\n/);
  expect(header).toBe('section,figure,day,value,label');
  return new Map(rows.map((r) => r.split(',')).map(([section, figure, day, value]) => [`${section}/${figure}${day ? `/${day}` : ''}`, value!]));
}

let t: TestServices;
let output: { stdout: string; files: Record<string, string> };

beforeAll(async () => {
  t = await openTestServices();
  t.clock.advance(hkt('2026-08-01T09:00:00') - t.clock.now());
  await seed(t);
  const result = await runAdminCommand(t.services, ['report', '--days', '30', '--csv', 'r.csv', '--html', 'r.html'], { files: {}, stdin: '' });
  expect(result.exitCode).toBe(0);
  output = { stdout: result.stdout, files: result.files ?? {} };
});

afterAll(async () => {
  await t?.services.close();
});

describe('report: the figures', () => {
  test('coverage counts the directory accounts with an alternate email, a mobile, both or neither, and by source', () => {
    const f = figures(output.files['r.csv']!);
    expect(['accounts', 'with_email', 'with_mobile', 'with_both', 'with_none'].map((k) => f.get(`coverage/${k}`))).toEqual(['10', '5', '5', '4', '4']);
    expect(['self', 'import', 'directory'].map((k) => f.get(`coverage_source/${k}`))).toEqual(['3', '3', '0']);
  });

  test('resets completed per day by method and by the channel they were asked on, and the median time from asking to the new PIN', () => {
    const f = figures(output.files['r.csv']!);
    expect([f.get('resets/total'), f.get('resets/email'), f.get('resets/sms')]).toEqual(['4', '2', '2']);
    expect([f.get('resets_channel/msteams'), f.get('resets_channel/sms'), f.get('resets_channel/emulator')]).toEqual(['2', '1', '1']);
    expect([f.get('resets_per_day/sms/2026-09-01'), f.get('resets_per_day/email/2026-09-01')]).toEqual(['1', '0']);
    expect([f.get('resets_per_day/sms/2026-09-03'), f.get('resets_per_day/email/2026-09-03')]).toEqual(['1', '1']);
    expect([f.get('resets_per_day_channel/msteams/2026-09-03'), f.get('resets_per_day_channel/sms/2026-09-03')]).toEqual(['1', '1']);
    expect(f.get('resets_per_day/email/2026-09-10')).toBe('1');
    // Every day of the period has its row, the quiet ones too: 1 to 30 September.
    expect([...f.keys()].filter((k) => k.startsWith('resets_per_day/email/'))).toHaveLength(30);
    expect(f.has('resets_per_day/email/2026-08-31')).toBe(false);
    // 15, 4, 10 and 2 minutes: the median is 7 minutes.
    expect(f.get('resets/median_seconds')).toBe('420');
  });

  test('failures by reason, SMS sent, hand-offs and reminders (and how many of those reminded then registered)', () => {
    const f = figures(output.files['r.csv']!);
    expect(['wrong_code', 'expired_code', 'paused', 'directory_refused', 'sms_undelivered'].map((k) => f.get(`failures/${k}`))).toEqual(['4', '2', '1', '1', '2']);
    expect([f.get('sms/codes'), f.get('sms/notices'), f.get('sms/total')]).toEqual(['5', '1', '6']);
    expect([f.get('handoffs/requested'), f.get('handoffs/delivered'), f.get('handoffs/failed_attempts'), f.get('handoffs/limited')]).toEqual(['3', '2', '1', '1']);
    expect([f.get('handoffs_reason/asked'), f.get('handoffs_reason/paused')]).toEqual(['2', '1']);
    // a6 registered after its reminder; a7 had registered before it; a8 asked to stop.
    expect(['sent', 'accounts', 'registered_after', 'reconfirm_accounts', 'confirmed_after', 'stopped'].map((k) => f.get(`reminders/${k}`))).toEqual(['5', '3', '1', '1', '1', '1']);
  });

  test('the terminal table shows the same figures as the CSV', () => {
    const lines = output.stdout.split('\n');
    const line = (label: string) => lines.find((l) => l.trimStart().startsWith(label));
    expect(lines[0]).toBe('PIN reset self-service report');
    expect(lines[1]).toBe('1 Sept 2026 to 30 Sept 2026 (30 days)');
    expect(line('Accounts')).toMatch(/Accounts\s+10$/);
    expect(line('With both')).toMatch(/With both\s+4\s+40\.0%$/);
    expect(line('Imported (two-factor registrations)')).toMatch(/\s3\s+30\.0%$/);
    expect(line('PINs reset')).toMatch(/\s4$/);
    expect(line('Teams')).toMatch(/\s2\s+50\.0%$/);
    expect(line('Median time from asking to the new PIN')).toMatch(/7 min 0 s$/);
    expect(line('2026-09-03')).toMatch(/^\s+2026-09-03\s+1\s+1\s+2$/);
    expect(line('Wrong code')).toMatch(/\s4$/);
    expect(line('New PIN refused by the directory')).toMatch(/\s1$/);
    expect(line('Total')).toMatch(/\s6$/);
    expect(line('Cases passed on')).toMatch(/\s3$/);
    expect(line('of whom registered afterwards')).toMatch(/\s1\s+33\.3%$/);
    expect(output.stdout).toContain('CSV: r.csv');
  });

  test('--days counts only the last N days: a shorter period leaves the early September figures out', async () => {
    const result = await runAdminCommand(t.services, ['report', '--days', '7', '--csv', 'week.csv'], { files: {}, stdin: '' });
    const f = figures(result.files!['week.csv']!);
    expect(f.get('period/days')).toBe('7');
    expect([f.get('resets/total'), f.get('handoffs/requested'), f.get('reminders/sent')]).toEqual(['0', '0', '0']);
    // Coverage is the store as it is now, whatever the period.
    expect(f.get('coverage/with_both')).toBe('4');
  });

  test('bad options are refused with the option at fault and exit 2, and nothing is written', async () => {
    for (const [argv, message] of [
      [['report', '--days', '0'], /report --days: "0" is not a whole number of days from 1 to 3650\./],
      [['report', '--lang', 'fr'], /report --lang: "fr" is not one of en, zh-hk\./],
      [['report', '--csv'], /report --csv needs a value\./],
      [['report', '--pdf', 'x.pdf'], /unexpected "--pdf"/],
      [['report', '--csv', 'same.txt', '--html', 'same.txt'], /--csv and --html name the same file/],
    ] as const) {
      const result = await runAdminCommand(t.services, argv, { files: {}, stdin: '' });
      expect({ argv, exitCode: result.exitCode, files: result.files }).toEqual({ argv, exitCode: 2, files: undefined });
      expect(result.stderr).toMatch(message);
    }
  });
});

describe('report: the page', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** Opens a report page from disk in Chromium; returns what it showed, what it asked the network for, and a screenshot. */
  async function open(html: string, name: string) {
    const dir = await mkdtemp(join(tmpdir(), 'pin-reset-report-'));
    const file = join(dir, `${name}.html`);
    await import('node:fs/promises').then((fs) => fs.writeFile(file, html));
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const violations: string[] = [];
    page.on('console', (m) => violations.push(m.text()));
    await page.goto(pathToFileURL(file).href);
    const shown = {
      title: await page.title(),
      lang: await page.getAttribute('html', 'lang'),
      headings: await page.locator('h2').allInnerTexts(),
      charts: await page.locator('svg.chart').count(),
      bars: await page.locator('svg.chart rect').count(),
      text: await page.innerText('body'),
    };
    const screenshot = join(dir, `${name}.png`);
    await page.screenshot({ path: screenshot, fullPage: true });
    await page.close();
    return { shown, requests, violations, screenshot };
  }

  test('--html writes one self-contained page: inline SVG charts, no script, nothing fetched, and it reads in Chromium', async () => {
    const html = output.files['r.html']!;
    expect(html).not.toMatch(/<script|javascript:|\son[a-z]+=/i);
    expect(html).not.toMatch(/(src|href)=["']?https?:/i);
    const { shown, requests, violations, screenshot } = await open(html, 'report-en');
    expect(requests).toHaveLength(1);
    expect(violations).toEqual([]);
    expect(shown.title).toBe('PIN reset self-service report');
    expect(shown.lang).toBe('en');
    expect(shown.headings).toEqual(['Registration coverage', 'Resets completed per day', 'Failures by reason', 'SMS sent (the spend)', 'Hand-offs to the service desk', 'Registration reminders']);
    expect(shown.charts).toBe(4);
    // The stacked columns of the four resets (on three days, one day both ways) and every bar of the bar charts.
    expect(shown.bars).toBeGreaterThan(4 * 2 + 4 + 3 + 5);
    expect(shown.text).toContain('7 min 0 s');
    expect(shown.text).toContain('Accounts in the directory: 10');
    expect((await readFile(screenshot)).length).toBeGreaterThan(20_000);
    process.stdout.write(`report screenshot (English): ${screenshot}\n`);
  });

  test('--lang zh-hk writes the same page in Traditional Chinese', async () => {
    const result = await runAdminCommand(t.services, ['report', '--html', 'zh.html', '--lang', 'zh-hk'], { files: {}, stdin: '' });
    expect(result.stdout.split('\n')[0]).toBe('PIN 重設自助服務報告');
    const { shown, requests, screenshot } = await open(result.files!['zh.html']!, 'report-zh-hk');
    expect(requests).toHaveLength(1);
    expect(shown.lang).toBe('zh-HK');
    expect(shown.headings).toEqual(['登記覆蓋率', '每日完成的重設', '失敗原因', '已發出的短訊（費用）', '轉交服務台', '登記提醒']);
    expect(shown.text).toContain('7 分 0 秒');
    expect(shown.text).toContain('2026年9月1日至2026年9月30日');
    process.stdout.write(`report screenshot (Chinese): ${screenshot}\n`);
  });
});

describe('report through the CLI', () => {
  test('with the bot running, the report runs inside it and its files are written where the CLI runs', async () => {
    const dataDir = await tempDataDir();
    const clock = new ManualClock(NOW);
    const bot = await openServices(testConfig({ DATA_DIR: dataDir }), { role: BOT_ROLE, logger: silentLogger, clock });
    const socket = await startAdminSocket(dataDir, bot, silentLogger);
    const written: Record<string, string> = {};
    try {
      await bot.embeddedDirectory!.importAccount({ uid: 'jdoe', name: 'Jane Doe', email: 'jdoe@example.edu' });
      const owner = { pid: process.pid, role: BOT_ROLE, since: new Date().toISOString() };
      const result = await runCli(
        ['report', '--csv', 'out/figures.csv'],
        { env: { DATA_DIR: dataDir, LOG_LEVEL: 'silent' }, envFile: null, lockOwner: () => owner },
        { readFile: async () => '', readStdin: async () => '', warn: () => {}, writeFile: async (path, text) => void (written[path] = text) },
      );
      expect(result).toMatchObject({ exitCode: 0, stderr: '' });
      expect(result.files).toBeUndefined();
      expect(figures(written['out/figures.csv']!).get('coverage/accounts')).toBe('1');
    } finally {
      await socket.close();
      await bot.close();
    }
  });

  test('a file that cannot be written is reported with its path, and the command fails', async () => {
    const dataDir = await tempDataDir();
    const result = await runCli(['report', '--csv', '/nonexistent-folder/figures.csv'], { env: { DATA_DIR: dataDir, LOG_LEVEL: 'silent' }, envFile: null }, { readFile: async () => '', readStdin: async () => '', warn: () => {} });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('Cannot write /nonexistent-folder/figures.csv: no such file');
  });
});

