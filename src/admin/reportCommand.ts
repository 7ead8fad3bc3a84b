import { computeDeskReport, FAILURE_REASONS, hkDayStart, REPORTED_EVENTS, type DeskReport } from '../domain/deskReport.js';
import type { Language } from '../messages/catalog.js';
import type { ContactRecord } from '../ports/store.js';
import type { Services } from '../services.js';
import { EXIT_OK, failure, Output, type AdminResult } from './result.js';
import { renderReportPage } from './reportPage.js';
import { ReportWords } from './reportWords.js';

const DAY = 24 * 3_600_000;

export interface ReportOptions {
  days: number;
  csv?: string;
  html?: string;
  lang: Language;
}

export const REPORT_USAGE = `  report [--days N] [--csv FILE] [--html FILE] [--lang en|zh-hk]
                             Registration coverage, resets per day, failures, SMS spend,
                             hand-offs and reminders over the last N days (default 30): a table
                             here, the same figures as CSV, and a page with charts (no script).`;

/** Reads `report`'s options; a string is the usage error. */
export function parseReportArgs(args: readonly string[]): ReportOptions | string {
  const options: ReportOptions = { days: 30, lang: 'en' };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = /^(--[a-z]+)=(.*)$/.exec(arg);
    const flag = eq ? eq[1]! : arg;
    const value = eq ? eq[2] : args[i + 1];
    if (!['--days', '--csv', '--html', '--lang'].includes(flag)) return `report takes --days N, --csv FILE, --html FILE and --lang en|zh-hk; unexpected "${arg}".`;
    if (value === undefined || value === '' || (!eq && value.startsWith('--'))) return `report ${flag} needs a value.`;
    if (!eq) i++;
    if (flag === '--days') {
      if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 3650) return `report --days: "${value}" is not a whole number of days from 1 to 3650.`;
      options.days = Number(value);
    } else if (flag === '--lang') {
      const lang = value.toLowerCase();
      if (lang !== 'en' && lang !== 'zh-hk') return `report --lang: "${value}" is not one of en, zh-hk.`;
      options.lang = lang;
    } else if (flag === '--csv') options.csv = value;
    else options.html = value;
  }
  if (options.csv !== undefined && options.csv === options.html) return 'report: --csv and --html name the same file.';
  return options;
}

/** The report over the last `days` Hong Kong days (today included): one pass over the directory, the contacts and the audit. */
export async function buildReport(services: Services, days: number): Promise<DeskReport> {
  const { directory, store, auditHistory, clock } = services;
  if (!directory.listAccounts) throw new Error('this directory cannot list its accounts, so coverage cannot be counted');
  const to = clock.now();
  const from = hkDayStart(to) - (days - 1) * DAY;
  const contacts: ContactRecord[] = await store.contacts.all();
  return computeDeskReport({ accounts: directory.listAccounts(), contacts, audit: auditHistory.since(from - DAY, REPORTED_EVENTS), from, to });
}

export async function runReport(services: Services, options: ReportOptions): Promise<AdminResult> {
  if (!services.directory.listAccounts) return failure('report: this directory cannot list its accounts, so coverage cannot be counted; nothing was written.');
  const report = await buildReport(services, options.days);
  const words = new ReportWords(services.messages, options.lang);
  const output = new Output();
  for (const line of reportTable(report, words)) output.say(line);
  const written: string[] = [];
  if (options.csv) {
    output.file(options.csv, reportCsv(report, words));
    written.push(`CSV: ${options.csv}`);
  }
  if (options.html) {
    output.file(options.html, renderReportPage(report, words, options.lang, services.clock.now()));
    written.push(`HTML: ${options.html}`);
  }
  if (written.length > 0) output.say('');
  for (const line of written) output.say(line);
  return output.done(EXIT_OK);
}

/** Width of a text in a terminal: CJK characters take two columns. */
function columns(text: string): number {
  let n = 0;
  for (const ch of text) n += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return n;
}
const padEnd = (text: string, width: number) => text + ' '.repeat(Math.max(1, width - columns(text)));
const padStart = (text: string, width: number) => ' '.repeat(Math.max(0, width - columns(text))) + text;

/** The terminal table: a section a block, each figure on a line with its count and, where it helps, its share. */
export function reportTable(report: DeskReport, w: ReportWords): string[] {
  const LABEL = 54;
  const lines: string[] = [w.t('report.title'), w.period(report), ''];
  const heading = (key: Parameters<ReportWords['t']>[0], shares = true) =>
    lines.push(`${padEnd(w.t(key), LABEL + 2)}${padStart(w.t('report.count'), 10)}${shares ? padStart(w.t('report.share'), 9) : ''}`);
  const row = (label: string, value: string, share = '', indent = 2) => lines.push(`${' '.repeat(indent)}${padEnd(label, LABEL + 2 - indent)}${padStart(value, 10)}${padStart(share, 9)}`);
  const c = report.coverage;
  const pct = (n: number) => w.percent(n, c.accounts);
  heading('report.coverage');
  row(w.t('report.coverage.accounts'), w.number(c.accounts));
  row(w.t('report.coverage.withEmail'), w.number(c.withEmail), pct(c.withEmail));
  row(w.t('report.coverage.withMobile'), w.number(c.withMobile), pct(c.withMobile));
  row(w.t('report.coverage.withBoth'), w.number(c.withBoth), pct(c.withBoth));
  row(w.t('report.coverage.withNone'), w.number(c.withNone), pct(c.withNone));
  row(w.t('report.source'), '');
  for (const s of ['self', 'import', 'directory'] as const) row(w.t(`report.source.${s}`), w.number(c.bySource[s]), pct(c.bySource[s]), 4);
  lines.push('');
  heading('report.resets');
  row(w.t('report.resets.total'), w.number(report.resets.total));
  row(w.t('report.resets.email'), w.number(report.resets.email), w.percent(report.resets.email, report.resets.total));
  row(w.t('report.resets.sms'), w.number(report.resets.sms), w.percent(report.resets.sms, report.resets.total));
  row(w.t('report.resets.byChannel'), '');
  for (const [ch, n] of Object.entries(report.resets.byChannel).sort((a, b) => b[1] - a[1])) row(w.channel(ch), w.number(n), w.percent(n, report.resets.total), 4);
  row(w.t('report.resets.median'), report.medianResetMs === undefined ? '–' : w.duration(report.medianResetMs));
  lines.push('');
  lines.push(w.t('report.resets.perDay'));
  lines.push(`  ${padEnd(w.t('report.day'), 14)}${padStart(w.t('report.resets.email'), 16)}${padStart(w.t('report.resets.sms'), 16)}${padStart(w.t('report.sms.total'), 10)}`);
  const active = report.resets.perDay.filter((d) => d.email + d.sms > 0);
  if (active.length === 0) lines.push(`  ${w.t('report.resets.noneYet')}`);
  for (const d of active) lines.push(`  ${padEnd(d.day, 14)}${padStart(w.number(d.email), 16)}${padStart(w.number(d.sms), 16)}${padStart(w.number(d.email + d.sms), 10)}`);
  lines.push('');
  heading('report.failures', false);
  for (const r of FAILURE_REASONS) row(w.t(`report.failures.${r}`), w.number(report.failures[r]));
  lines.push('');
  heading('report.sms', false);
  row(w.t('report.sms.codes'), w.number(report.sms.codes));
  row(w.t('report.sms.notices'), w.number(report.sms.notices));
  row(w.t('report.sms.total'), w.number(report.sms.total));
  lines.push(`  ${w.t('report.sms.note')}`, '');
  heading('report.handoffs', false);
  row(w.t('report.handoffs.requested'), w.number(report.handoffs.requested));
  for (const [r, n] of Object.entries(report.handoffs.byReason).sort((a, b) => b[1] - a[1])) row(w.handoffReason(r), w.number(n), '', 4);
  row(w.t('report.handoffs.delivered'), w.number(report.handoffs.delivered));
  row(w.t('report.handoffs.failedAttempts'), w.number(report.handoffs.failedAttempts));
  row(w.t('report.handoffs.limited'), w.number(report.handoffs.limited));
  lines.push('');
  const r = report.reminders;
  heading('report.reminders');
  row(w.t('report.reminders.sent'), w.number(r.sent));
  row(w.t('report.reminders.accounts'), w.number(r.accounts));
  row(w.t('report.reminders.registeredAfter'), w.number(r.registeredAfter), w.percent(r.registeredAfter, r.accounts), 4);
  row(w.t('report.reminders.reconfirmAccounts'), w.number(r.reconfirmAccounts));
  row(w.t('report.reminders.confirmedAfter'), w.number(r.confirmedAfter), w.percent(r.confirmedAfter, r.reconfirmAccounts), 4);
  row(w.t('report.reminders.stopped'), w.number(r.stopped));
  return lines.map((l) => l.trimEnd());
}

const csvField = (v: string | number) => {
  const s = String(v);
  return /[",\n\r]/.test(s) || /^[=+\-@\t]/.test(s) ? `"${(/^[=+\-@\t]/.test(s) ? `'${s}` : s).replace(/"/g, '""')}"` : s;
};

/**
 * The same figures for a spreadsheet: one figure a row, `section,figure,day,value,label`, with
 * stable names in the first columns (for formulas) and the figure's name in the chosen language last.
 */
export function reportCsv(report: DeskReport, w: ReportWords): string {
  const rows: (string | number)[][] = [['section', 'figure', 'day', 'value', 'label']];
  const add = (section: string, figure: string, value: number | string, label: string, day = '') => rows.push([section, figure, day, value, label]);
  const c = report.coverage;
  add('period', 'from', new Date(report.from).toISOString(), w.t('report.title'));
  add('period', 'to', new Date(report.to).toISOString(), w.t('report.title'));
  add('period', 'days', report.days, w.t('report.title'));
  add('coverage', 'accounts', c.accounts, w.t('report.coverage.accounts'));
  add('coverage', 'with_email', c.withEmail, w.t('report.coverage.withEmail'));
  add('coverage', 'with_mobile', c.withMobile, w.t('report.coverage.withMobile'));
  add('coverage', 'with_both', c.withBoth, w.t('report.coverage.withBoth'));
  add('coverage', 'with_none', c.withNone, w.t('report.coverage.withNone'));
  for (const s of ['self', 'import', 'directory'] as const) add('coverage_source', s, c.bySource[s], w.t(`report.source.${s}`));
  add('resets', 'total', report.resets.total, w.t('report.resets.total'));
  add('resets', 'email', report.resets.email, w.t('report.resets.email'));
  add('resets', 'sms', report.resets.sms, w.t('report.resets.sms'));
  for (const [ch, n] of Object.entries(report.resets.byChannel)) add('resets_channel', ch, n, w.channel(ch));
  add('resets', 'median_seconds', report.medianResetMs === undefined ? '' : Math.round(report.medianResetMs / 1000), w.t('report.resets.median'));
  for (const d of report.resets.perDay) {
    add('resets_per_day', 'email', d.email, w.t('report.resets.email'), d.day);
    add('resets_per_day', 'sms', d.sms, w.t('report.resets.sms'), d.day);
    for (const [ch, n] of Object.entries(d.byChannel)) add('resets_per_day_channel', ch, n, w.channel(ch), d.day);
  }
  for (const r of FAILURE_REASONS) add('failures', r.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`), report.failures[r], w.t(`report.failures.${r}`));
  add('sms', 'codes', report.sms.codes, w.t('report.sms.codes'));
  add('sms', 'notices', report.sms.notices, w.t('report.sms.notices'));
  add('sms', 'total', report.sms.total, w.t('report.sms.total'));
  add('handoffs', 'requested', report.handoffs.requested, w.t('report.handoffs.requested'));
  add('handoffs', 'delivered', report.handoffs.delivered, w.t('report.handoffs.delivered'));
  add('handoffs', 'failed_attempts', report.handoffs.failedAttempts, w.t('report.handoffs.failedAttempts'));
  add('handoffs', 'limited', report.handoffs.limited, w.t('report.handoffs.limited'));
  for (const [reason, n] of Object.entries(report.handoffs.byReason)) add('handoffs_reason', reason, n, w.handoffReason(reason));
  const r = report.reminders;
  add('reminders', 'sent', r.sent, w.t('report.reminders.sent'));
  add('reminders', 'accounts', r.accounts, w.t('report.reminders.accounts'));
  add('reminders', 'registered_after', r.registeredAfter, w.t('report.reminders.registeredAfter'));
  add('reminders', 'reconfirm_accounts', r.reconfirmAccounts, w.t('report.reminders.reconfirmAccounts'));
  add('reminders', 'confirmed_after', r.confirmedAfter, w.t('report.reminders.confirmedAfter'));
  add('reminders', 'stopped', r.stopped, w.t('report.reminders.stopped'));
  return `${rows.map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`;
}
