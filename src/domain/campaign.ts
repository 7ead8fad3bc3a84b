import { sleepOn, type Clock } from '../ports/clock.js';
import type { ContactConfirmationRecord, ReminderRecord } from '../ports/deskStore.js';
import type { Directory } from '../ports/directory.js';
import type { ContactRecord, Table } from '../ports/store.js';
import type { TeamsMessenger } from '../ports/teamsMessenger.js';
import { languageOfLocale, type Audience, type Language, type MessageKey, type MessageRef, type Messages, type Params } from '../messages/catalog.js';
import type { Audit, AuditContext } from './audit.js';
import { maskEmail, maskMobile } from './contactFormats.js';
import { localTime } from './contactRegistration.js';
import type { LanguagePreferences } from './languagePreferences.js';
import { composeMail } from './mailContent.js';
import type { Outbound } from './outbound.js';
import type { TeamsConversations } from './teamsConversations.js';

const DAY = 24 * 3_600_000;

export type ReminderKind = 'register' | 'reconfirm';
export type ReminderVia = 'teams' | 'email';

/**
 * Who was reminded when, and who asked to stop. `claim` is the one atomic read-modify-write
 * (Table.update) that keeps an account from being reminded twice: across a stop and restart, two
 * runs at once, or runs on several instances.
 */
export class ReminderLedger {
  constructor(private readonly table: Table<ReminderRecord>, private readonly clock: Clock, private readonly audit: Audit) {}

  /** Takes the right to remind `uid` now: refused if they asked to stop, or were reminded within `minDays`. */
  claim(uid: string, kind: ReminderKind, via: ReminderVia, minDays: number): Promise<boolean> {
    const now = this.clock.now();
    return this.table.update(uid, (current) => {
      const rec = current ?? { uid, count: 0, updatedAt: now };
      if (rec.stoppedAt !== undefined) return { answer: false };
      if (rec.lastAt !== undefined && now - rec.lastAt < minDays * DAY) return { answer: false };
      const claimed: ReminderRecord = { ...rec, lastAt: now, kind, via, status: 'sending', updatedAt: now };
      if (rec.lastAt !== undefined) claimed.previousAt = rec.lastAt;
      else delete claimed.previousAt;
      return { next: claimed, answer: true };
    });
  }

  /** The claimed reminder went out. */
  sent(uid: string, via: ReminderVia): Promise<void> {
    return this.change(uid, (rec) => ({ ...rec, via, status: 'sent', count: rec.count + 1 }));
  }

  /** The claimed reminder could not be sent: the account may be reminded again by the next run. */
  release(uid: string): Promise<void> {
    return this.change(uid, ({ lastAt: _claimed, previousAt, ...rec }) => ({ ...rec, status: 'failed', ...(previousAt !== undefined ? { lastAt: previousAt } : {}) }));
  }

  /** The user said "stop reminders": never reminded again. Resolves true if they had not already. Audited. */
  async stop(uid: string, ctx: AuditContext): Promise<boolean> {
    const now = this.clock.now();
    const stopped = await this.table.update(uid, (current) => {
      const rec = current ?? { uid, count: 0, updatedAt: now };
      if (rec.stoppedAt !== undefined) return { answer: false };
      return { next: { ...rec, stoppedAt: now, updatedAt: now }, answer: true };
    });
    if (stopped) await this.audit.record('reminder.stopped', { ...ctx, uid }, 'ok');
    return stopped;
  }

  private change(uid: string, change: (rec: ReminderRecord) => ReminderRecord): Promise<void> {
    const now = this.clock.now();
    return this.table.update(uid, (rec) => (rec ? { next: { ...change(rec), updatedAt: now }, answer: undefined } : { answer: undefined }));
  }
}

export interface CampaignSettings {
  /** Never remind an account twice within this many days (NUDGE_MIN_DAYS). */
  minDays: number;
  /** Also remind accounts whose contacts were last verified or confirmed longer ago (CONTACTS_RECONFIRM_DAYS); 0: only registration. */
  reconfirmDays: number;
  /** The bot's Microsoft App id, for a link that opens its chat in Teams. */
  teamsAppId?: string;
  /** The number users text (TWILIO_FROM), for the SMS way to register. */
  smsNumber?: string;
}

export interface Candidate {
  uid: string;
  /** The institutional address, where a reminder goes when there is no Teams conversation. */
  email: string;
  kind: ReminderKind;
  via: ReminderVia;
  /** For a re-confirmation: the contacts as they are now, masked, and when last confirmed. */
  contacts?: { email?: string; mobile?: string; since: number };
}

export interface CampaignPlan {
  candidates: Candidate[];
  /** Accounts left out: reminded within NUDGE_MIN_DAYS, or asked to stop. */
  skipped: { recent: number; stopped: number };
}

export interface CampaignProgress {
  done: number;
  total: number;
  sent: number;
  failed: number;
  skipped: number;
  startedAt: number;
  now: number;
  /** The pace asked for, if any (for the time left). */
  perMinute?: number;
}

export interface CampaignResult extends CampaignProgress {
  byVia: Record<ReminderVia, number>;
  byKind: Record<ReminderKind, number>;
  /** The run was stopped before its end (Ctrl+C, or the CLI went away). */
  stopped: boolean;
}

export interface CampaignRunOptions {
  limit?: number;
  perMinute?: number;
  signal?: AbortSignal;
  onProgress?: (progress: CampaignProgress) => void;
}

export interface CampaignDeps {
  directory: Directory;
  contacts: Table<ContactRecord>;
  confirmations: Table<ContactConfirmationRecord>;
  reminders: Table<ReminderRecord>;
  ledger: ReminderLedger;
  conversations: TeamsConversations;
  teams: TeamsMessenger;
  outbound: Outbound;
  messages: Messages;
  languages: LanguagePreferences;
  audit: Audit;
  clock: Clock;
  settings: CampaignSettings;
}

/**
 * The registration campaign (`admin nudge`): reminds every account with no registered contact
 * to register, and, with CONTACTS_RECONFIRM_DAYS, every account whose contacts are old to check
 * them. In Teams where the bot holds a conversation with the user (a card whose button starts
 * `register`), else by mail to the institutional address. Each reminder is claimed before it is
 * sent (see ReminderLedger), so a run stopped and started again reminds nobody twice.
 */
export class RegistrationCampaign {
  constructor(private readonly deps: CampaignDeps) {}

  /** Who would be reminded now, and how; one pass over the directory, the contacts, the confirmations and the reminders. */
  async plan(): Promise<CampaignPlan> {
    const { directory, contacts, confirmations, reminders, clock, settings, conversations } = this.deps;
    if (!directory.listAccounts) throw new Error('this directory cannot list its accounts, so there is no one to remind');
    const now = clock.now();
    const held = new Map<string, ContactRecord>();
    for (const c of await contacts.all()) if (c.email || c.mobile) held.set(c.uid, c);
    const confirmed = new Map<string, number>();
    if (settings.reconfirmDays > 0) {
      for (const c of await confirmations.all()) confirmed.set(c.uid, c.confirmedAt);
    }
    const ledger = new Map<string, ReminderRecord>();
    for (const r of await reminders.all()) ledger.set(r.uid, r);
    const candidates: Candidate[] = [];
    const skipped = { recent: 0, stopped: 0 };
    for await (const account of directory.listAccounts()) {
      const contact = held.get(account.uid);
      const fromDirectory = account.contacts?.email || account.contacts?.mobile;
      let kind: ReminderKind | undefined;
      let since = 0;
      if (!contact && !fromDirectory) kind = 'register';
      else if (contact && settings.reconfirmDays > 0) {
        since = Math.max(contact.verifiedAt, confirmed.get(account.uid) ?? 0);
        if (now - since > settings.reconfirmDays * DAY) kind = 'reconfirm';
      }
      if (!kind) continue;
      const reminded = ledger.get(account.uid);
      if (reminded?.stoppedAt !== undefined) {
        skipped.stopped++;
        continue;
      }
      if (reminded?.lastAt !== undefined && now - reminded.lastAt < settings.minDays * DAY) {
        skipped.recent++;
        continue;
      }
      const via: ReminderVia = (await conversations.ofAccount(account.uid)) ? 'teams' : 'email';
      candidates.push({
        uid: account.uid,
        email: account.email,
        kind,
        via,
        ...(kind === 'reconfirm' && contact
          ? { contacts: { since, ...(contact.email ? { email: maskEmail(contact.email) } : {}), ...(contact.mobile ? { mobile: maskMobile(contact.mobile) } : {}) } }
          : {}),
      });
    }
    // A stable order, so a run started again goes on where the last one stopped.
    candidates.sort((a, b) => (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0));
    return { candidates, skipped };
  }

  /** Reminds the planned accounts, at most `limit`, `perMinute` a minute, until done or `signal` aborts. */
  async run(plan: CampaignPlan, options: CampaignRunOptions = {}): Promise<CampaignResult> {
    const { clock, ledger, settings, audit } = this.deps;
    const todo = plan.candidates.slice(0, options.limit ?? plan.candidates.length);
    const startedAt = clock.now();
    const result: CampaignResult = {
      done: 0,
      total: todo.length,
      sent: 0,
      failed: 0,
      skipped: 0,
      startedAt,
      now: startedAt,
      ...(options.perMinute ? { perMinute: options.perMinute } : {}),
      byVia: { teams: 0, email: 0 },
      byKind: { register: 0, reconfirm: 0 },
      stopped: false,
    };
    const gapMs = options.perMinute ? 60_000 / options.perMinute : 0;
    for (const [i, candidate] of todo.entries()) {
      if (options.signal?.aborted) {
        result.stopped = true;
        break;
      }
      if (gapMs > 0 && i > 0) await sleepOn(clock, startedAt + i * gapMs - clock.now());
      if (options.signal?.aborted) {
        result.stopped = true;
        break;
      }
      const actx = { uid: candidate.uid, channel: 'admin' };
      if (!(await ledger.claim(candidate.uid, candidate.kind, candidate.via, settings.minDays))) {
        // Reminded meanwhile (another run), or asked to stop since the plan was made.
        result.skipped++;
      } else {
        const via = await this.send(candidate);
        if (via) {
          await ledger.sent(candidate.uid, via);
          await audit.record('reminder.sent', actx, 'ok', { kind: candidate.kind, via });
          result.sent++;
          result.byVia[via]++;
          result.byKind[candidate.kind]++;
        } else {
          await ledger.release(candidate.uid);
          await audit.record('reminder.failed', actx, 'fail', { kind: candidate.kind });
          result.failed++;
        }
      }
      result.done++;
      result.now = clock.now();
      options.onProgress?.({ ...result });
    }
    result.now = clock.now();
    return result;
  }

  /** Sends one reminder: in Teams where the bot holds the user's conversation, by mail otherwise (or if Teams refused). */
  private async send(c: Candidate): Promise<ReminderVia | undefined> {
    const { conversations, teams, outbound, languages } = this.deps;
    const known = await languages.of(c.uid);
    if (c.via === 'teams') {
      const conversation = await conversations.ofAccount(c.uid);
      if (conversation) {
        const language: Language = known ?? languageOfLocale(String(conversation.reference['locale'] ?? '')) ?? 'en';
        try {
          await teams.send(conversation.reference, this.teamsMessage(c, language));
          return 'teams';
        } catch {
          // The user may have removed the app: the mail still reaches them.
        }
      }
    }
    const { subject, text } = this.mailWords(c, known);
    return (await outbound.email(composeMail(c.email, subject, text))) ? 'email' : undefined;
  }

  private teamsMessage(c: Candidate, lang: Language) {
    const t = (key: MessageKey, params: Params = {}) => this.deps.messages.t(key, params, lang);
    if (c.kind === 'register') {
      return { text: t('reminder.register.teams', { uid: c.uid }), buttons: [{ title: t('reminder.button.register'), value: 'register' }, { title: t('reminder.button.stop'), value: 'stop reminders' }] };
    }
    return {
      text: t('reminder.reconfirm.teams', this.reconfirmParams(c)),
      buttons: [{ title: t('reminder.button.check'), value: 'status' }, { title: t('reminder.button.stop'), value: 'stop reminders' }],
    };
  }

  private mailWords(c: Candidate, audience: Audience) {
    const { messages } = this.deps;
    const params: Params = { uid: c.uid, where: this.whereToChat(), ...(c.kind === 'reconfirm' ? this.reconfirmParams(c) : {}) };
    const [subject, text] = c.kind === 'register' ? (['reminder.register.subject', 'reminder.register.text'] as const) : (['reminder.reconfirm.subject', 'reminder.reconfirm.text'] as const);
    return { subject: messages.subject(audience, subject, params), text: messages.sections(audience, text, params) };
  }

  private reconfirmParams(c: Candidate): Params {
    const notSet: MessageRef = { key: 'status.notSet' };
    return { uid: c.uid, email: c.contacts?.email ?? notSet, mobile: c.contacts?.mobile ?? notSet, when: localTime(c.contacts?.since ?? 0) };
  }

  /** Where the bot can be reached in one tap in this deployment: Teams (a link that opens its chat), SMS. */
  private whereToChat(): MessageRef {
    const { teamsAppId, smsNumber } = this.deps.settings;
    const link = teamsAppId ? `https://teams.microsoft.com/l/chat/0/0?users=28:${encodeURIComponent(teamsAppId)}` : undefined;
    if (link && smsNumber) return { key: 'reminder.where.teamsAndSms', params: { link, number: smsNumber } };
    if (link) return { key: 'reminder.where.teams', params: { link } };
    if (smsNumber) return { key: 'reminder.where.sms', params: { number: smsNumber } };
    return { key: 'reminder.where.chat' };
  }
}
