import type { Directory } from '../ports/directory.js';
import type { Clock } from '../ports/clock.js';
import type { ContactRecord, Decision, Table } from '../ports/store.js';
import type { Audience, Localized, Messages } from '../messages/catalog.js';
import type { LanguagePreferences } from './languagePreferences.js';
import type { Audit, AuditContext } from './audit.js';
import type { BackgroundWork } from './background.js';
import { isInstitutionalEmail, maskEmail, maskMobile, normalizeEmail, normalizeMobile } from './contactFormats.js';
import { composeMail } from './mailContent.js';
import { contactsOf } from './accountContacts.js';
import type { Outbound } from './outbound.js';
import type { Notices } from './notices.js';
import type { SecurityPolicy } from './policy.js';
import type { Throttles } from './throttles.js';
import type { VerificationCodes } from './verificationCodes.js';
import type { ServerKey } from './secrets.js';
import { erasedAmong, erasureMark } from './contactErasure.js';

export interface TurnContextInfo extends AuditContext {
  channel: string;
  locale?: string;
}

/** Self-service is paused for the account until `until` (ms since the epoch); any UID string has its own pause. */
export interface Paused {
  kind: 'paused';
  until: number;
}

/** `target` is the address or number the code went to, masked for chat (`''` where the user never typed it). */
export type SendResult =
  | { kind: 'sent'; challengeId: string; target: string }
  | Paused
  | { kind: 'destination-limited'; target: string }
  | { kind: 'send-failed'; target: string };

export type AltEmailResult = SendResult | { kind: 'invalid' } | { kind: 'institutional' };
export type MobileResult = SendResult | { kind: 'invalid' };

/**
 * What an import did with one account's contacts: `kept` (self-registered, never replaced),
 * `erased` (erased with contacts delete, not brought back), or a change; `restored` names the
 * erased contacts an import was told to bring back (`--restore-erased`).
 */
export type ImportedContact = 'created' | 'updated' | 'unchanged' | 'kept' | 'erased' | { restored: ('email' | 'mobile')[]; change: 'created' | 'updated' };

/** How the user proved who they are before changing contacts. */
export type IdentityProof = { kind: 'code'; challengeId: string } | { kind: 'signed-in' };

/** Contacts masked for chat (`t•••@gmail.com`, `+852 ••••1234`). */
export interface MaskedContacts {
  email?: string;
  mobile?: string;
}

export interface SavedContacts extends MaskedContacts {
  /** Whether earlier contacts, now replaced, were told of the change (besides the institutional email). */
  toldPrevious: boolean;
}

/** The account's pause, read once a limit refused a send or a check. */
export async function pauseOf(throttles: Throttles, uid: string, fallbackUntil: number): Promise<Paused> {
  return { kind: 'paused', until: (await throttles.pausedUntil(uid)) ?? fallbackUntil };
}

/**
 * Registering the alternate email and mobile used for PIN resets: prove the account by a code
 * sent to the institutional email, then verify each new contact by a code sent to it, then save
 * both and tell the previous contacts and the institutional email.
 */
export class ContactRegistration {
  constructor(
    private readonly deps: {
      directory: Directory;
      contacts: Table<ContactRecord>;
      codes: VerificationCodes;
      throttles: Throttles;
      outbound: Outbound;
      audit: Audit;
      messages: Messages;
      policy: SecurityPolicy;
      clock: Clock;
      background: BackgroundWork;
      notices: Notices;
      languages: LanguagePreferences;
      key: ServerKey;
    },
  ) {}

  /**
   * Sends an identity code to the account's institutional email. Replies the same whether or not
   * the account exists; the mail goes out in the background so timing does not tell either.
   */
  async startIdentity(uid: string, ctx: TurnContextInfo): Promise<SendResult> {
    const { directory, throttles, codes, audit } = this.deps;
    const actx = { ...ctx, uid };
    // Looked up first: an unreachable directory then costs the user no send.
    const account = await directory.findByUid(uid);
    if ((await throttles.reserveSend(uid, undefined, actx)) !== 'ok') return this.paused(uid);
    const { challenge, code } = await codes.create(uid, 'identity', 'email', account?.email ?? '', account !== undefined);
    if (account) {
      this.deps.background.run('identity code', async () => {
        const ok = await this.deps.outbound.email(this.codeMail(account.email, code, await this.deps.languages.of(uid)));
        await codes.markDelivery(challenge.id, ok);
        await audit.record(ok ? 'code.sent' : 'code.send_failed', actx, ok ? 'ok' : 'fail', { purpose: 'identity', to: maskEmail(account.email) });
      });
    } else {
      // Off the reply path too, so both branches do the same work before answering.
      this.deps.background.run('identity audit', () => audit.record('code.sent', actx, 'fail', { purpose: 'identity', reason: 'unknown account' }));
    }
    return { kind: 'sent', challengeId: challenge.id, target: '' };
  }

  async startAltEmail(uid: string, input: string, ctx: TurnContextInfo): Promise<AltEmailResult> {
    const email = normalizeEmail(input);
    if (!email) return { kind: 'invalid' };
    if (isInstitutionalEmail(email, this.deps.policy.institutionEmailDomains)) return { kind: 'institutional' };
    return this.sendToContact(uid, 'alt-email', email, ctx);
  }

  async startMobile(uid: string, input: string, ctx: TurnContextInfo): Promise<MobileResult> {
    const mobile = normalizeMobile(input, this.deps.policy.phoneRegion);
    if (!mobile) return { kind: 'invalid' };
    return this.sendToContact(uid, 'mobile', mobile, ctx);
  }

  /** A new code to replace `challengeId`, to the same place. */
  async resend(challengeId: string, uid: string, ctx: TurnContextInfo): Promise<SendResult> {
    const old = await this.deps.codes.get(challengeId);
    if (!old || old.uid !== uid) return this.startIdentity(uid, ctx);
    await this.deps.codes.revoke(challengeId);
    if (old.purpose === 'alt-email' || old.purpose === 'mobile') return this.sendToContact(uid, old.purpose, old.target, ctx);
    return this.startIdentity(uid, ctx);
  }

  /** The user typed an address or number and is waiting: send now, and say so if it failed. */
  private async sendToContact(uid: string, purpose: 'alt-email' | 'mobile', target: string, ctx: TurnContextInfo): Promise<SendResult> {
    const { throttles, codes, audit, outbound } = this.deps;
    const actx = { ...ctx, uid };
    const masked = purpose === 'mobile' ? maskMobile(target) : maskEmail(target);
    const shown = purpose === 'mobile' ? maskMobile(target, 'chat') : maskEmail(target, 'chat');
    const decision = await throttles.reserveSend(uid, target, actx);
    if (decision === 'paused') return this.paused(uid);
    if (decision === 'destination-limited') return { kind: 'destination-limited', target: shown };
    const { challenge, code } = await codes.create(uid, purpose, purpose === 'mobile' ? 'sms' : 'email', target, true);
    const minutes = Math.round(this.deps.policy.codeTtlMs / 60_000);
    const audience = await this.deps.languages.of(uid);
    const ok =
      purpose === 'mobile'
        ? await outbound.text(target, this.deps.messages.sms(audience, 'sms.code', { code, minutes }), true)
        : await outbound.email(this.codeMail(target, code, audience));
    await codes.markDelivery(challenge.id, ok);
    await audit.record(ok ? 'code.sent' : 'code.send_failed', actx, ok ? 'ok' : 'fail', { purpose, to: masked });
    if (!ok) {
      await codes.revoke(challenge.id);
      return { kind: 'send-failed', target: shown };
    }
    return { kind: 'sent', challengeId: challenge.id, target: shown };
  }

  private paused(uid: string): Promise<Paused> {
    return pauseOf(this.deps.throttles, uid, this.deps.clock.now() + this.deps.policy.pauseMs);
  }

  /**
   * Saves both contacts once each was verified by its code and the identity was proved recently.
   * Returns undefined when a proof is missing or too old (nothing is saved).
   */
  async save(uid: string, proofs: { identity: IdentityProof; emailChallengeId: string; mobileChallengeId: string }, ctx: TurnContextInfo): Promise<SavedContacts | undefined> {
    const { codes, policy, contacts, clock, audit } = this.deps;
    const window = policy.verifiedWindowMs;
    const identityOk = proofs.identity.kind === 'signed-in' || (await codes.usedRecently(proofs.identity.challengeId, uid, 'identity', window));
    const email = await codes.usedRecently(proofs.emailChallengeId, uid, 'alt-email', window);
    const mobile = await codes.usedRecently(proofs.mobileChallengeId, uid, 'mobile', window);
    if (!identityOk || !email || !mobile) return undefined;
    const account = await this.deps.directory.findByUid(uid);
    if (!account) return undefined;
    const now = clock.now();
    let record: ContactRecord = { uid, email: email.target, mobile: mobile.target, source: 'self', verifiedAt: now, updatedAt: now };
    // One atomic step, so a racing import or erasure (on any instance) sees either all of it or none.
    // Tombstones of erased contacts outlive a new registration, so a later import still cannot bring those back.
    const { previous, saved } = await contacts.update(uid, (before) => {
      const next: ContactRecord = before?.erased ? { ...record, erased: before.erased, ...(before.erasedAt !== undefined ? { erasedAt: before.erasedAt } : {}) } : record;
      return { next, answer: { previous: before, saved: next } };
    });
    record = saved;
    const masked = { email: maskEmail(email.target), mobile: maskMobile(mobile.target) };
    await audit.record('contacts.changed', { ...ctx, uid }, 'ok', { ...masked, via: proofs.identity.kind });
    const toldPrevious = this.notifyChange(account.uid, account.email, previous, record, ctx, await this.deps.languages.of(account.uid));
    return { email: maskEmail(email.target, 'chat'), mobile: maskMobile(mobile.target, 'chat'), toldPrevious };
  }

  /**
   * Replaces one contact (the other stays) once the new one was verified by its code and the
   * identity was proved recently: a re-confirmation where only one changed. Both count as
   * verified now, since the user has just said the other is still theirs.
   */
  async replaceOne(uid: string, proofs: { identity: IdentityProof; kind: 'email' | 'mobile'; challengeId: string }, ctx: TurnContextInfo): Promise<MaskedContacts | undefined> {
    const { codes, policy, contacts, clock, audit } = this.deps;
    const window = policy.verifiedWindowMs;
    const identityOk = proofs.identity.kind === 'signed-in' || (await codes.usedRecently(proofs.identity.challengeId, uid, 'identity', window));
    const proof = await codes.usedRecently(proofs.challengeId, uid, proofs.kind === 'email' ? 'alt-email' : 'mobile', window);
    if (!identityOk || !proof) return undefined;
    const account = await this.deps.directory.findByUid(uid);
    if (!account) return undefined;
    const now = clock.now();
    const { previous, record } = await contacts.update(uid, (before) => {
      const next: ContactRecord = { ...(before ?? {}), uid, source: 'self', verifiedAt: now, updatedAt: now, [proofs.kind]: proof.target };
      return { next, answer: { previous: before, record: next } };
    });
    const masked = { ...(record.email ? { email: maskEmail(record.email) } : {}), ...(record.mobile ? { mobile: maskMobile(record.mobile) } : {}) };
    await audit.record('contacts.changed', { ...ctx, uid }, 'ok', { ...masked, via: proofs.identity.kind, changed: proofs.kind });
    this.notifyChange(account.uid, account.email, previous, record, ctx, await this.deps.languages.of(account.uid));
    return { ...(record.email ? { email: maskEmail(record.email, 'chat') } : {}), ...(record.mobile ? { mobile: maskMobile(record.mobile, 'chat') } : {}) };
  }

  /**
   * Reuses a contact registered for the VPN's two-factor login (imported by the service desk), as
   * verified. A contact the user registered with the bot is never replaced by an import, and a
   * contact erased with `contacts delete` is not brought back (`erased`) unless `restoreErased`.
   */
  importContact(uid: string, contact: { email?: string; mobile?: string }, { restoreErased = false }: { restoreErased?: boolean } = {}): Promise<ImportedContact> {
    const { key, clock } = this.deps;
    const now = clock.now();
    // One atomic step: the checks (a self-registration, a tombstone) and the write, so a registration or erasure saved meanwhile is never undone.
    return this.deps.contacts.update(uid, (existing): Decision<ContactRecord, ImportedContact> => {
      const live = existing !== undefined && (existing.email !== undefined || existing.mobile !== undefined);
      if (live && existing.source === 'self') return { answer: 'kept' };
      const erased = erasedAmong(key, existing, uid, contact);
      if (erased.length > 0 && !restoreErased) return { answer: 'erased' };
      if (live && existing.email === contact.email && existing.mobile === contact.mobile) return { answer: 'unchanged' };
      const record: ContactRecord = { uid, source: 'import', verifiedAt: now, updatedAt: now };
      if (contact.email) record.email = contact.email;
      if (contact.mobile) record.mobile = contact.mobile;
      // A restored contact loses its tombstone; the others keep theirs.
      const restored = new Set(erased.map((kind) => erasureMark(key, uid, kind, contact[kind]!)));
      const kept = (existing?.erased ?? []).filter((mark) => !restored.has(mark));
      if (kept.length > 0) Object.assign(record, { erased: kept, ...(existing?.erasedAt !== undefined ? { erasedAt: existing.erasedAt } : {}) });
      const change = live ? 'updated' : 'created';
      return { next: record, answer: erased.length > 0 ? { restored: erased, change } : change };
    });
  }

  /** The contacts a reset would use (registered, or from the directory's own attributes), masked. */
  async current(uid: string): Promise<MaskedContacts | undefined> {
    const rec = contactsOf(await this.deps.directory.findByUid(uid), await this.deps.contacts.get(uid));
    if (!rec.email && !rec.mobile) return undefined;
    return { email: rec.email && maskEmail(rec.email, 'chat'), mobile: rec.mobile && maskMobile(rec.mobile, 'chat') };
  }

  /** Tells the institutional email and the previous contacts (which may now be an attacker's loss); true if there were previous ones to tell. */
  private notifyChange(uid: string, institutional: string, previous: ContactRecord | undefined, now: ContactRecord, ctx: TurnContextInfo, audience: Audience): boolean {
    const { messages, policy } = this.deps;
    const notSet = { key: 'status.notSet' } as const;
    const params = {
      uid,
      when: localTime(this.deps.clock.now()),
      via: { key: channelPhrase(ctx.channel) },
      email: now.email ? maskEmail(now.email) : notSet,
      mobile: now.mobile ? maskMobile(now.mobile) : notSet,
      serviceDesk: policy.serviceDeskContact,
    };
    const oldEmail = previous?.email?.toLowerCase() !== now.email?.toLowerCase() ? previous?.email : undefined;
    const oldMobile = previous?.mobile !== now.mobile ? previous?.mobile : undefined;
    this.deps.notices.send(
      {
        name: 'contacts-changed',
        emails: [institutional, oldEmail],
        mobiles: [oldMobile],
        subject: messages.subject(audience, 'notice.contactsChanged.subject', params),
        text: messages.sections(audience, 'notice.contactsChanged.text', params),
        sms: messages.sms(audience, 'notice.contactsChanged.sms', params),
      },
      { ...ctx, uid },
    );
    return Boolean(oldEmail || oldMobile);
  }

  private codeMail(to: string, code: string, audience: Audience) {
    const { messages, policy } = this.deps;
    const params = { code, minutes: Math.round(policy.codeTtlMs / 60_000), serviceDesk: policy.serviceDeskContact };
    return composeMail(to, messages.subject(audience, 'mail.code.subject', params), messages.sections(audience, 'mail.code.text', params));
  }
}

/** How a notice names the channel a change was made on: never its internal id (`msteams`, `emulator`). */
function channelPhrase(channel: string): 'notice.via.teams' | 'notice.via.sms' | 'notice.via.chat' {
  if (channel === 'msteams') return 'notice.via.teams';
  if (channel === 'sms') return 'notice.via.sms';
  return 'notice.via.chat';
}

// Built once: toLocaleString with options builds a new formatter (slow) on every call.
const HKT = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Hong_Kong', dateStyle: 'medium', timeStyle: 'short' });

export function formatTime(ms: number): string {
  return `${HKT.format(ms)} HKT`;
}

/** A time as each language writes it, in Hong Kong time: `1 Sept 2026, 10:00 HKT`, `2026年9月1日 上午10:00（香港時間）`. */
export function localTime(ms: number): Localized {
  return { en: formatTime(ms), 'zh-hk': `${HKT_ZH.format(ms)}（香港時間）` };
}

/** Built once: `toLocaleString` would build a new formatter on every call. */
const HKT_ZH = new Intl.DateTimeFormat('zh-HK', { timeZone: 'Asia/Hong_Kong', dateStyle: 'long', timeStyle: 'short' });
