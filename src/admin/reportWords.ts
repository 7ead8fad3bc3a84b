import type { DeskReport } from '../domain/deskReport.js';
import type { Language, MessageKey, Messages, Params } from '../messages/catalog.js';

const DAY = 24 * 3_600_000;

/** How the report writes its words, numbers, days and durations in one language (Hong Kong time). */
export class ReportWords {
  private readonly numbers: Intl.NumberFormat;
  private readonly percents: Intl.NumberFormat;
  private readonly days: Intl.DateTimeFormat;
  private readonly shortDays: Intl.DateTimeFormat;
  private readonly times: Intl.DateTimeFormat;

  constructor(private readonly messages: Messages, readonly lang: Language) {
    const locale = lang === 'zh-hk' ? 'zh-HK' : 'en-GB';
    this.numbers = new Intl.NumberFormat(locale);
    this.percents = new Intl.NumberFormat(locale, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
    this.days = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', dateStyle: lang === 'zh-hk' ? 'long' : 'medium' });
    this.shortDays = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', day: 'numeric', month: 'short' });
    this.times = new Intl.DateTimeFormat(locale, { timeZone: 'Asia/Hong_Kong', dateStyle: lang === 'zh-hk' ? 'long' : 'medium', timeStyle: 'short' });
  }

  t(key: MessageKey, params: Params = {}): string {
    return this.messages.t(key, params, this.lang);
  }

  /** A catalog key built from a figure's name, if the catalog has it. */
  has(key: string): key is MessageKey {
    return this.messages.has(key);
  }

  number(n: number): string {
    return this.numbers.format(n);
  }

  percent(n: number, of: number): string {
    return of > 0 ? this.percents.format(n / of) : '–';
  }

  duration(ms: number): string {
    const total = Math.round(ms / 1000);
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = total % 60;
    if (h > 0) return this.t('report.duration.hours', { h, m });
    if (m > 0) return this.t('report.duration.minutes', { m, s });
    return this.t('report.duration.seconds', { s });
  }

  /** A `YYYY-MM-DD` day as the language writes it. */
  day(day: string): string {
    return this.days.format(Date.parse(`${day}T00:00:00Z`));
  }

  shortDay(day: string): string {
    return this.shortDays.format(Date.parse(`${day}T00:00:00Z`));
  }

  time(ms: number): string {
    return `${this.times.format(ms)} ${this.lang === 'zh-hk' ? '（香港時間）' : 'HKT'}`.replace(' （', '（');
  }

  period(report: DeskReport): string {
    const first = report.resets.perDay[0]?.day;
    const last = report.resets.perDay.at(-1)?.day;
    const from = first ? this.day(first) : this.time(report.from);
    const to = last ? this.day(last) : this.time(report.to - DAY);
    return this.t('report.period', { from, to, days: report.days });
  }

  channel(id: string): string {
    const key = `report.channel.${id}`;
    return this.has(key) ? this.t(key) : id;
  }

  handoffReason(reason: string): string {
    const key = `report.handoffs.reason.${reason}`;
    return this.has(key) ? this.t(key) : reason;
  }
}
