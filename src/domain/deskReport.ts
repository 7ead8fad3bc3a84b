import type { AuditEvent } from '../ports/audit.js';
import type { Account } from '../ports/directory.js';
import type { ContactRecord } from '../ports/store.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Days are Hong Kong days (UTC+8 all year, no daylight saving). */
const HK_OFFSET_MS = 8 * HOUR;
/** A reset counts from the request it answers only if the PIN was set within this long of it. */
const REQUEST_TO_PIN_MAX_MS = DAY;

export type ContactSource = 'self' | 'import' | 'directory';

export interface Coverage {
  accounts: number;
  withEmail: number;
  withMobile: number;
  withBoth: number;
  withNone: number;
  /** Accounts whose contacts came from each source. */
  bySource: Record<ContactSource, number>;
}

export interface ResetDay {
  /** `YYYY-MM-DD`, Hong Kong time. */
  day: string;
  email: number;
  sms: number;
  /** By the chat channel the reset was asked on (`msteams`, `sms`, ...). */
  byChannel: Record<string, number>;
}

export type FailureReason = 'wrongCode' | 'expiredCode' | 'paused' | 'directoryRefused' | 'smsUndelivered';
export const FAILURE_REASONS: readonly FailureReason[] = ['wrongCode', 'expiredCode', 'paused', 'directoryRefused', 'smsUndelivered'];

export interface DeskReport {
  /** The period, [from, to). */
  from: number;
  to: number;
  days: number;
  coverage: Coverage;
  resets: { total: number; email: number; sms: number; byChannel: Record<string, number>; perDay: ResetDay[] };
  /** Median time from asking (reset.requested) to the new PIN being set, in ms; undefined with no reset. */
  medianResetMs: number | undefined;
  failures: Record<FailureReason, number>;
  /** SMS sent, which is the spend: codes and notices (replies in an SMS chat are not audited one by one). */
  sms: { codes: number; notices: number; total: number };
  handoffs: { requested: number; delivered: number; failedAttempts: number; limited: number; byReason: Record<string, number> };
  reminders: { sent: number; accounts: number; registeredAfter: number; reconfirmAccounts: number; confirmedAfter: number; stopped: number };
}

/** The audit events the report reads; a reader may leave every other event out. */
export const REPORTED_EVENTS: ReadonlySet<string> = new Set([
  'reset.requested',
  'pin.set',
  'code.wrong',
  'code.dead',
  'code.expired',
  'throttle.paused',
  'pin.rejected',
  'sms.undelivered',
  'code.send_failed',
  'code.sent',
  'code.resent',
  'notice.sent',
  'handoff.requested',
  'handoff.delivered',
  'handoff.send_failed',
  'handoff.limited',
  'reminder.sent',
  'reminder.stopped',
  'contacts.changed',
  'contacts.confirmed',
]);

const SMS_PURPOSES = new Set(['mobile', 'reset-sms']);
const isMaskedMobile = (v: unknown) => typeof v === 'string' && v.startsWith('+');

/** A refusal of a new PIN by the directory's own policy (the LDAP directory marks its pin.rejected events so). */
export function isDirectoryRefusal(e: AuditEvent): boolean {
  if (e.event !== 'pin.rejected') return false;
  const d = e.detail ?? {};
  return d['by'] === 'directory' || /directory/.test(`${d['rules'] ?? ''} ${d['reason'] ?? ''}`);
}

/** `YYYY-MM-DD` of a time, in Hong Kong. */
export function hkDay(ms: number): string {
  return new Date(ms + HK_OFFSET_MS).toISOString().slice(0, 10);
}

/** The start (ms) of the Hong Kong day holding `ms`. */
export function hkDayStart(ms: number): number {
  return Math.floor((ms + HK_OFFSET_MS) / DAY) * DAY - HK_OFFSET_MS;
}

/**
 * The report's figures, tallied in one pass over each source: the directory's accounts, the
 * registered contacts, and the audit since a day before the period (so a reset asked just before
 * the period starts still finds its request). Memory grows with the accounts that have contacts
 * (a small number each) and with the resets of the period, never with the audit's size.
 */
export async function computeDeskReport(sources: {
  accounts: AsyncIterable<Account>;
  contacts: Iterable<ContactRecord> | AsyncIterable<ContactRecord>;
  /** The audit since a day before `from`, in batches; only the events of REPORTED_EVENTS need be given. */
  audit: AsyncIterable<AuditEvent[]>;
  from: number;
  to: number;
}): Promise<DeskReport> {
  const { from, to } = sources;
  const coverage = await tallyCoverage(sources.accounts, sources.contacts);
  const report: DeskReport = {
    from,
    to,
    days: 0,
    coverage,
    resets: { total: 0, email: 0, sms: 0, byChannel: {}, perDay: [] },
    medianResetMs: undefined,
    failures: { wrongCode: 0, expiredCode: 0, paused: 0, directoryRefused: 0, smsUndelivered: 0 },
    sms: { codes: 0, notices: 0, total: 0 },
    handoffs: { requested: 0, delivered: 0, failedAttempts: 0, limited: 0, byReason: {} },
    reminders: { sent: 0, accounts: 0, registeredAfter: 0, reconfirmAccounts: 0, confirmedAfter: 0, stopped: 0 },
  };
  const perDay = new Map<string, ResetDay>();
  for (let day = hkDayStart(from); day < to; day += DAY) perDay.set(hkDay(day), { day: hkDay(day), email: 0, sms: 0, byChannel: {} });
  const lastRequest = new Map<string, { at: number; channel: string }>();
  const durations: number[] = [];
  /** Accounts reminded in the period: when first, and what about. */
  const reminded = new Map<string, { kind: string }>();
  const registered = new Set<string>();
  const confirmed = new Set<string>();
  const f = report.failures;

  const fromIso = new Date(from).toISOString();
  const toIso = new Date(to).toISOString();
  for await (const batch of sources.audit) for (const e of batch) {
    // ISO 8601 UTC times, as the audit writes them, compare as text.
    if (!(e.at < toIso)) continue;
    const uid = e.uid;
    if (e.event === 'reset.requested') {
      if (uid) lastRequest.set(uid, { at: Date.parse(e.at), channel: e.channel ?? 'unknown' });
      continue;
    }
    if (e.at < fromIso) continue;
    const d = e.detail ?? {};
    switch (e.event) {
      case 'pin.set': {
        const at = Date.parse(e.at);
        const via = d['via'] === 'sms' ? 'sms' : 'email';
        const request = uid ? lastRequest.get(uid) : undefined;
        const asked = request && at - request.at <= REQUEST_TO_PIN_MAX_MS ? request : undefined;
        const channel = asked?.channel ?? 'unknown';
        report.resets.total++;
        report.resets[via]++;
        report.resets.byChannel[channel] = (report.resets.byChannel[channel] ?? 0) + 1;
        const day = perDay.get(hkDay(at));
        if (day) {
          day[via]++;
          day.byChannel[channel] = (day.byChannel[channel] ?? 0) + 1;
        }
        if (asked) durations.push(at - asked.at);
        if (uid) lastRequest.delete(uid);
        break;
      }
      case 'code.wrong':
      case 'code.dead':
        f.wrongCode++;
        break;
      case 'code.expired':
        f.expiredCode++;
        break;
      case 'throttle.paused':
        f.paused++;
        break;
      case 'pin.rejected':
        if (isDirectoryRefusal(e)) f.directoryRefused++;
        break;
      case 'sms.undelivered':
        f.smsUndelivered++;
        break;
      case 'code.send_failed':
        if (SMS_PURPOSES.has(String(d['purpose']))) f.smsUndelivered++;
        break;
      case 'code.sent':
        if (e.outcome === 'ok' && SMS_PURPOSES.has(String(d['purpose']))) report.sms.codes++;
        break;
      case 'code.resent':
        if (e.outcome === 'ok' && SMS_PURPOSES.has(String(d['purpose']))) report.sms.codes++;
        break;
      case 'notice.sent':
        if (isMaskedMobile(d['to'])) report.sms.notices++;
        break;
      case 'handoff.requested':
        report.handoffs.requested++;
        report.handoffs.byReason[String(d['reason'] ?? 'asked')] = (report.handoffs.byReason[String(d['reason'] ?? 'asked')] ?? 0) + 1;
        break;
      case 'handoff.delivered':
        report.handoffs.delivered++;
        break;
      case 'handoff.send_failed':
        report.handoffs.failedAttempts++;
        break;
      case 'handoff.limited':
        report.handoffs.limited++;
        break;
      case 'reminder.sent':
        report.reminders.sent++;
        if (uid && !reminded.has(uid)) reminded.set(uid, { kind: String(d['kind'] ?? 'register') });
        break;
      case 'reminder.stopped':
        report.reminders.stopped++;
        break;
      case 'contacts.changed':
        if (uid && reminded.has(uid)) {
          registered.add(uid);
          confirmed.add(uid);
        }
        break;
      case 'contacts.confirmed':
        if (uid && reminded.has(uid)) confirmed.add(uid);
        break;
    }
  }
  report.resets.perDay = [...perDay.values()];
  report.days = report.resets.perDay.length;
  report.medianResetMs = median(durations);
  report.sms.total = report.sms.codes + report.sms.notices;
  for (const [uid, r] of reminded) {
    if (r.kind === 'reconfirm') {
      report.reminders.reconfirmAccounts++;
      if (confirmed.has(uid)) report.reminders.confirmedAfter++;
    } else {
      report.reminders.accounts++;
      if (registered.has(uid)) report.reminders.registeredAfter++;
    }
  }
  return report;
}

const EMAIL = 1;
const MOBILE = 2;
const SOURCE_BITS = 2;
const SOURCES: readonly ContactSource[] = ['self', 'import', 'directory'];

async function tallyCoverage(accounts: AsyncIterable<Account>, contacts: Iterable<ContactRecord> | AsyncIterable<ContactRecord>): Promise<Coverage> {
  // One small number per account with contacts: which contacts, and their source.
  const held = new Map<string, number>();
  for await (const c of contacts) {
    const kinds = (c.email ? EMAIL : 0) | (c.mobile ? MOBILE : 0);
    if (kinds) held.set(c.uid, kinds | (SOURCES.indexOf(c.source) << SOURCE_BITS));
  }
  const coverage: Coverage = { accounts: 0, withEmail: 0, withMobile: 0, withBoth: 0, withNone: 0, bySource: { self: 0, import: 0, directory: 0 } };
  for await (const a of accounts) {
    coverage.accounts++;
    let bits = held.get(a.uid);
    if (bits === undefined && a.contacts) {
      const kinds = (a.contacts.email ? EMAIL : 0) | (a.contacts.mobile ? MOBILE : 0);
      if (kinds) bits = kinds | (SOURCES.indexOf('directory') << SOURCE_BITS);
    }
    if (bits === undefined) {
      coverage.withNone++;
      continue;
    }
    if (bits & EMAIL) coverage.withEmail++;
    if (bits & MOBILE) coverage.withMobile++;
    if ((bits & EMAIL) && (bits & MOBILE)) coverage.withBoth++;
    coverage.bySource[SOURCES[bits >> SOURCE_BITS]!]++;
  }
  return coverage;
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
