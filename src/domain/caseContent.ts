import type { AuditEvent } from '../ports/audit.js';
import type { CaseStep, HandoffCaseRecord, HandoffReason } from '../ports/deskStore.js';
import type { MailMessage } from '../ports/mailer.js';
import type { CaseDestination } from '../ports/serviceDesk.js';
import { formatTime } from './contactRegistration.js';
import type { Outbound } from './outbound.js';

/** What each reason means to the service desk (operator-facing, like the admin CLI: English). */
export const REASON_FOR_DESK: Readonly<Record<HandoffReason, string>> = {
  asked: 'The user asked for a person.',
  'no-code': 'The user says they never receive the verification code.',
  'lost-contact': 'The user says they no longer have the registered phone or mailbox.',
  paused: 'Self-service is paused for this account (too many codes or failed checks).',
  'pins-refused': 'Every new PIN the user tried was refused, and the PIN page link stopped working.',
};

const LANGUAGE_NAMES: Readonly<Record<string, string>> = { en: 'English', 'zh-hk': 'Chinese (Traditional, Hong Kong)' };
const CHANNEL_NAMES: Readonly<Record<string, string>> = { msteams: 'Microsoft Teams', sms: 'SMS', webchat: 'Web Chat', emulator: 'Emulator or terminal chat', directline: 'Direct Line' };

/** The steps of a case from the account's audit events: names, outcomes and the (already masked) details. */
export function stepsFrom(events: readonly AuditEvent[]): CaseStep[] {
  return events.map((e) => {
    const detail = Object.entries(e.detail ?? {})
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(' ');
    return { at: e.at, event: e.event, outcome: e.outcome, ...(detail ? { detail } : {}) };
  });
}

/** The case as the webhook receives it. */
export function caseJson(c: HandoffCaseRecord) {
  return {
    type: 'pin-reset.handoff',
    reference: c.reference,
    createdAt: new Date(c.createdAt).toISOString(),
    reason: c.reason,
    reasonText: REASON_FOR_DESK[c.reason],
    account: { uid: c.uid, verified: c.verified },
    channel: c.channel,
    language: c.language,
    reach: c.reach,
    steps: c.steps,
  };
}

/** How to reach the user, as lines for the desk. */
function reachLines(c: HandoffCaseRecord): string[] {
  return Object.entries(c.reach).map(([k, v]) => `  ${k}: ${v}`);
}

/**
 * The case as a structured mail: the reference in the subject (ticket systems thread on it), then
 * one `Field: value` a line, so a mail-to-ticket rule can pick each field out.
 */
export function caseMail(c: HandoffCaseRecord, to: string): MailMessage {
  const account = c.uid ? `${c.uid} (${c.verified ? 'verified: the user proved this account' : 'unverified: as typed, not proved'})` : '(none given)';
  const subject = `[${c.reference}] PIN reset hand-off: ${c.uid || 'no UID'}${c.uid && !c.verified ? ' (unverified)' : ''}, ${c.reason}`;
  const lines = [
    'A PIN reset case the self-service bot could not solve.',
    '',
    `Reference: ${c.reference}`,
    `Reason: ${c.reason}: ${REASON_FOR_DESK[c.reason]}`,
    `UID: ${account}`,
    `Channel: ${CHANNEL_NAMES[c.channel] ?? c.channel}`,
    `Language: ${LANGUAGE_NAMES[c.language] ?? c.language}`,
    `When: ${formatTime(c.createdAt)} (${new Date(c.createdAt).toISOString()})`,
    'Reach the user:',
    ...reachLines(c),
    '',
    `Steps in the last 24 hours, from the audit (no codes, links or PINs are ever recorded):`,
    ...(c.steps.length ? c.steps.map((s) => `  ${s.at}  ${s.event}  ${s.outcome}${s.detail ? `  ${s.detail}` : ''}`) : ['  (none recorded)']),
    '',
    'The user was told this reference and that the service desk will contact them. Never ask them for their PIN.',
  ];
  const text = lines.join('\n');
  const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
  const row = (k: string, v: string) => `<tr><th style="text-align:left;padding:2px 12px 2px 0">${esc(k)}</th><td>${esc(v)}</td></tr>`;
  const html = `<!doctype html><html lang="en"><body style="font-family:system-ui,sans-serif;line-height:1.5">
<p>A PIN reset case the self-service bot could not solve.</p>
<table>${[
    row('Reference', c.reference),
    row('Reason', `${c.reason}: ${REASON_FOR_DESK[c.reason]}`),
    row('UID', account),
    row('Channel', CHANNEL_NAMES[c.channel] ?? c.channel),
    row('Language', LANGUAGE_NAMES[c.language] ?? c.language),
    row('When', `${formatTime(c.createdAt)} (${new Date(c.createdAt).toISOString()})`),
    ...Object.entries(c.reach).map(([k, v]) => row(`Reach: ${k}`, v)),
  ].join('')}</table>
<p>Steps in the last 24 hours, from the audit (no codes, links or PINs are ever recorded):</p>
<pre>${esc(c.steps.map((s) => `${s.at}  ${s.event}  ${s.outcome}${s.detail ? `  ${s.detail}` : ''}`).join('\n') || '(none recorded)')}</pre>
<p>The user was told this reference and that the service desk will contact them. Never ask them for their PIN.</p>
</body></html>`;
  return { to, subject, text, html };
}

/** Cases by mail to SERVICE_DESK_EMAIL, through the ordinary mail transport. */
export class EmailCaseDestination implements CaseDestination {
  readonly name = 'email';

  constructor(private readonly outbound: Outbound, private readonly to: string) {}

  async send(c: HandoffCaseRecord): Promise<void> {
    if (!(await this.outbound.email(caseMail(c, this.to)))) throw new Error('the mail server did not accept the case');
  }
}
