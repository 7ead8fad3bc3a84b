import type { Directory } from '../ports/directory.js';
import type { Clock } from '../ports/clock.js';
import type { ContactRecord, Table } from '../ports/store.js';
import type { Audience, Localized, Messages } from '../messages/catalog.js';
import type { LanguagePreferences } from './languagePreferences.js';
import type { Audit, AuditContext } from './audit.js';
import type { BackgroundWork } from './background.js';
import { isInstitutionalEmail, maskEmail, maskMobile, normalizeEmail, normalizeMobile } from './contactFormats.js';
import { composeMail } from './mailContent.js';
import { contactsOf } from './accountContacts.js';
import type { Outbound } from './outbound.js';
import type { Notices } from './notices.js';
import { KeyedMutex } from './keyedMutex.js';
import type { SecurityPolicy } from './policy.js';
import type { Throttles } from './throttles.js';
import type { VerificationCodes } from './verificationCodes.js';

export interface TurnContextInfo extends AuditContext {
  channel: string;
  locale?: string;
}

export type SendResult =
  | { kind: 'sent'; challengeId: string; target: string }
  | { kind: 'paused' }
  | { kind: 'destination-limited'; target: string }
  | { kind: 'send-failed'; target: string };

export type AltEmailResult = SendResult | { kind: 'invalid' } | { kind: 'institutional' };
export type MobileResult = SendResult | { kind: 'invalid' };

/** How the user proved who they are before changing contacts. */
export type IdentityProof = { kind: 'code'; challengeId: string } | { kind: 'signed-in' };

export interface MaskedContacts {
  email?: string;
  mobile?: string;
}

/**
 * Registering the alternate email and mobile used for PIN resets: prove the account by a code
 * sent to the institutional email, then verify each new contact by a code sent to it, then save
 * both and tell the previous contacts and the institutional email.
 */
export class ContactRegistration {
  /** Saves and imports of one account's contacts never interleave. */
  private readonly perAccount = new KeyedMutex();

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
    if ((await throttles.reserveSend(uid, undefined, actx)) !== 'ok') return { kind: 'paused' };
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
    const mobile = normalizeMobile(input);
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
    const decision = await throttles.reserveSend(uid, target, actx);
    if (decision === 'paused') return { kind: 'paused' };
    if (decision === 'destination-limited') return { kind: 'destination-limited', target: masked };
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
      return { kind: 'send-failed', target: masked };
    }
    return { kind: 'sent', challengeId: challenge.id, target: masked };
  }

  /**
   * Saves both contacts once each was verified by its code and the identity was proved recently.
   * Returns undefined when a proof is missing or too old (nothing is saved).
   */
  async save(uid: string, proofs: { identity: IdentityProof; emailChallengeId: string; mobileChallengeId: string }, ctx: TurnContextInfo): Promise<MaskedContacts | undefined> {
    const { codes, policy, contacts, clock, audit } = this.deps;
    const window = policy.verifiedWindowMs;
    const identityOk = proofs.identity.kind === 'signed-in' || (await codes.usedRecently(proofs.identity.challengeId, uid, 'identity', window));
    const email = await codes.usedRecently(proofs.emailChallengeId, uid, 'alt-email', window);
    const mobile = await codes.usedRecently(proofs.mobileChallengeId, uid, 'mobile', window);
    if (!identityOk || !email || !mobile) return undefined;
    const account = await this.deps.directory.findByUid(uid);
    if (!account) return undefined;
    const now = clock.now();
    const record: ContactRecord = { uid, email: email.target, mobile: mobile.target, source: 'self', verifiedAt: now, updatedAt: now };
    const previous = await this.perAccount.run(uid, async () => {
      const before = await contacts.get(uid);
      await contacts.put(record);
      return before;
    });
    const masked = { email: maskEmail(email.target), mobile: maskMobile(mobile.target) };
    await audit.record('contacts.changed', { ...ctx, uid }, 'ok', { ...masked, via: proofs.identity.kind });
    this.notifyChange(account.uid, account.email, previous, record, ctx, await this.deps.languages.of(account.uid));
    return masked;
  }

  /**
   * Reuses a contact registered for the VPN's two-factor login (imported by the service desk), as
   * verified. A contact the user registered with the bot is never replaced by an import.
   */
  importContact(uid: string, contact: { email?: string; mobile?: string }): Promise<'created' | 'updated' | 'unchanged' | 'kept'> {
    return this.perAccount.run(uid, async () => {
      const existing = await this.deps.contacts.get(uid);
      if (existing?.source === 'self') return 'kept';
      if (existing && existing.email === contact.email && existing.mobile === contact.mobile) return 'unchanged';
      const now = this.deps.clock.now();
      const record: ContactRecord = { uid, source: 'import', verifiedAt: now, updatedAt: now };
      if (contact.email) record.email = contact.email;
      if (contact.mobile) record.mobile = contact.mobile;
      await this.deps.contacts.put(record);
      return existing ? 'updated' : 'created';
    });
  }

  /** The contacts a reset would use (registered, or from the directory's own attributes), masked. */
  async current(uid: string): Promise<MaskedContacts | undefined> {
    const rec = contactsOf(await this.deps.directory.findByUid(uid), await this.deps.contacts.get(uid));
    if (!rec.email && !rec.mobile) return undefined;
    return { email: rec.email && maskEmail(rec.email), mobile: rec.mobile && maskMobile(rec.mobile) };
  }

  /** Tells the institutional email and the previous contacts (which may now be an attacker's loss). */
  private notifyChange(uid: string, institutional: string, previous: ContactRecord | undefined, now: ContactRecord, ctx: TurnContextInfo, audience: Audience): void {
    const { messages, policy } = this.deps;
    const notSet = { key: 'status.notSet' } as const;
    const params = {
      uid,
      when: localTime(this.deps.clock.now()),
      channel: ctx.channel,
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
  }

  private codeMail(to: string, code: string, audience: Audience) {
    const { messages, policy } = this.deps;
    const params = { code, minutes: Math.round(policy.codeTtlMs / 60_000), serviceDesk: policy.serviceDeskContact };
    return composeMail(to, messages.subject(audience, 'mail.code.subject', params), messages.sections(audience, 'mail.code.text', params));
  }
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
