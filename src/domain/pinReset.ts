import type { Clock } from '../ports/clock.js';
import { DirectoryUnavailableError, PinRefusedError, type Account, type Directory, type DirectoryRefusal, type PublishedPinRules } from '../ports/directory.js';
import type { ContactRecord, Decision, LinkRecord, Table } from '../ports/store.js';
import type { Messages } from '../messages/catalog.js';
import type { LanguagePreferences } from './languagePreferences.js';
import type { Audit, AuditContext } from './audit.js';
import type { BackgroundWork } from './background.js';
import { maskEmail, maskMobile } from './contactFormats.js';
import { contactsOf, type AccountContacts } from './accountContacts.js';
import { localTime, pauseOf, type Paused, type SendResult, type TurnContextInfo } from './contactRegistration.js';
import { composeMail } from './mailContent.js';
import type { Outbound } from './outbound.js';
import type { Notices } from './notices.js';
import { pinPolicyFrom, type PinPolicy, type PinProblem, type Strength } from './pinPolicy.js';
import type { SecurityPolicy } from './policy.js';
import { isLinkToken, OneTimeLinks } from './oneTimeLinks.js';
import type { ServerKey } from './secrets.js';
import type { Throttles } from './throttles.js';
import type { VerificationCodes } from './verificationCodes.js';

export type EmailLinkResult = { kind: 'accepted' } | Paused;
/** A subset of ContactRegistration's SendResult, so a dialog can treat both alike. `target` is always ''. */
export type ResetSmsResult = Extract<SendResult, { kind: 'sent' } | { kind: 'paused' }>;
export type PageOpen = { kind: 'valid'; uid: string; csrf: string; expiresAt: number } | { kind: 'invalid' };
export interface PinSubmission {
  csrf: string;
  pin: string;
  confirm: string;
}
/**
 * `rejected` carries the account and the link's expiry so the page can show the form again without
 * reopening the link, and zxcvbn's feedback on a weak PIN;
 * `refusal` when the directory refused the PIN under its own policy. `unavailable`: the directory
 * could not be reached, nothing changed and the link still works.
 */
export type SubmitResult =
  | { kind: 'invalid' }
  | { kind: 'rejected'; problems: PinProblem[]; refusal?: DirectoryRefusal; uid: string; expiresAt: number; strength?: Strength }
  | { kind: 'unavailable'; uid: string }
  | { kind: 'done'; uid: string };

export interface PinResetDeps {
  directory: Directory;
  contacts: Table<ContactRecord>;
  links: Table<LinkRecord>;
  codes: VerificationCodes;
  throttles: Throttles;
  outbound: Outbound;
  audit: Audit;
  messages: Messages;
  policy: SecurityPolicy;
  clock: Clock;
  background: BackgroundWork;
  notices: Notices;
  key: ServerKey;
  languages: LanguagePreferences;
  /** Default: 8-64 characters, zxcvbn-ts at `policy.pinMinStrength`, the institution's name as easy-to-guess words. */
  pinPolicy?: PinPolicy;
}

// Each rejected PIN may have been compared with the current one, so a link allows only a few.
const MAX_REJECTED_PER_LINK = 10;

/** Whether `token` has the shape of a PIN-page token (says nothing about whether it is valid). */
export const isPinPageToken = isLinkToken;

/**
 * Resetting a forgotten PIN: a one-time link to the PIN page, either mailed to the registered
 * alternate email or shown in chat after a code sent by SMS to the registered mobile. Requests
 * get the same answer, in about the same time, whether or not the account exists or has contacts.
 * Only the SHA-256 of a link's token is stored; only the page's POST consumes it.
 */
export class PinReset {
  readonly pinPolicy: PinPolicy;
  private readonly oneTimeLinks: OneTimeLinks;

  constructor(private readonly deps: PinResetDeps) {
    this.pinPolicy = deps.pinPolicy ?? pinPolicyFrom(deps.policy);
    this.oneTimeLinks = new OneTimeLinks(deps, {
      purpose: 'reset-pin',
      csrfScope: 'csrf',
      invalidDetail: (reason, link) => ({ reason, ...(link ? { via: link.via } : {}) }),
      namesAccountOfOtherPurpose: true,
    });
  }

  /** Mails a link to the registered alternate email, if there is one. The mail goes out in the background. */
  async requestEmailLink(uid: string, ctx: TurnContextInfo): Promise<EmailLinkResult> {
    const { throttles, audit } = this.deps;
    const actx = { ...ctx, uid };
    const { account, contact } = await this.lookUp(uid);
    const email = account && contact?.email;
    const decision = await throttles.reserveSend(uid, email || standIn(uid), actx);
    if (decision === 'paused') return this.paused(uid);
    const outcome = !account ? 'unknown account' : !email ? 'no alternate email' : decision === 'destination-limited' ? 'destination limited' : 'link';
    await audit.record('reset.requested', actx, 'info', { via: 'email', outcome });
    if (account && email && decision === 'ok') {
      this.deps.background.run('reset link', () => this.mailLink(account, email, ctx));
    }
    return { kind: 'accepted' };
  }

  /** Texts a code to the registered mobile, if there is one; without one the code exists but is never sent. */
  async requestSmsCode(uid: string, ctx: TurnContextInfo): Promise<ResetSmsResult> {
    const { throttles, codes, audit, outbound, messages, policy } = this.deps;
    const actx = { ...ctx, uid };
    const { account, contact } = await this.lookUp(uid);
    const mobile = account && contact?.mobile;
    const decision = await throttles.reserveSend(uid, mobile || standIn(uid), actx);
    if (decision === 'paused') return this.paused(uid);
    const deliver = Boolean(mobile) && decision === 'ok';
    const { challenge, code } = await codes.create(uid, 'reset-sms', 'sms', mobile || '', deliver);
    const outcome = !account ? 'unknown account' : !mobile ? 'no mobile' : decision === 'destination-limited' ? 'destination limited' : 'code';
    await audit.record('reset.requested', actx, 'info', { via: 'sms', outcome });
    if (mobile && deliver) {
      const params = { code, minutes: Math.round(policy.codeTtlMs / 60_000) };
      this.deps.background.run('reset code', async () => {
        const ok = await outbound.text(mobile, messages.sms(await this.deps.languages.of(uid), 'sms.reset.code', params), true);
        await codes.markDelivery(challenge.id, ok);
        await audit.record(ok ? 'code.sent' : 'code.send_failed', actx, ok ? 'ok' : 'fail', { purpose: 'reset-sms', to: maskMobile(mobile) });
      });
    }
    return { kind: 'sent', challengeId: challenge.id, target: '' };
  }

  private paused(uid: string): Promise<Paused> {
    return pauseOf(this.deps.throttles, uid, this.deps.clock.now() + this.deps.policy.pauseMs);
  }

  /** A new SMS code replacing `challengeId` (which stops working). */
  async resendSms(challengeId: string, uid: string, ctx: TurnContextInfo): Promise<ResetSmsResult> {
    const old = await this.deps.codes.get(challengeId);
    if (old && old.uid === uid && old.purpose === 'reset-sms') await this.deps.codes.revoke(challengeId);
    return this.requestSmsCode(uid, ctx);
  }

  /**
   * The PIN-page URL to show in chat once the SMS code `challengeId` was typed correctly. Undefined
   * when that code was not used by this account recently, or a PIN was already set after it.
   * A new link replaces any earlier one from an SMS code.
   */
  async issueLinkAfterSms(challengeId: string, uid: string, ctx: TurnContextInfo): Promise<string | undefined> {
    const { codes, links, policy, audit, directory } = this.deps;
    const proof = await codes.usedRecently(challengeId, uid, 'reset-sms', policy.smsLinkTtlMs);
    if (!proof) return undefined;
    // The code went only to a registered mobile of an existing account; with the directory down the link is
    // still given, and the PIN page says to try again later (the link keeps until then).
    const account = await directory.findByUid(uid).catch((err: unknown) => {
      if (err instanceof DirectoryUnavailableError) return { uid: proof.uid };
      throw err;
    });
    if (!account) return undefined;
    const earlier = (await links.findBy('uid', account.uid)).filter((l) => l.createdAt >= proof.createdAt);
    if (earlier.some((l) => l.status === 'used')) return undefined;
    for (const link of earlier.filter((l) => l.via === 'sms' && l.status === 'open')) await revokeIfOpen(links, link.tokenHash);
    const token = await this.oneTimeLinks.create(account.uid, 'sms', policy.smsLinkTtlMs, 'none');
    await audit.record('link.sent', { ...ctx, uid: account.uid }, 'ok', { via: 'sms', to: 'chat' });
    return this.url(token);
  }

  /** For GET and HEAD of the page: never changes a link or code (mail scanners open links too). */
  async openPage(token: string, ctx: AuditContext = { channel: 'web' }): Promise<PageOpen> {
    const found = await this.oneTimeLinks.findOpen(token, ctx);
    if (!found) return { kind: 'invalid' };
    const { link } = found;
    await this.deps.audit.record('page.opened', { ...ctx, uid: link.uid }, 'info', { via: link.via });
    // A PIN is about to be typed: load the policy's dictionaries now rather than on the POST.
    this.pinPolicy.prepare().catch(() => undefined);
    return { kind: 'valid', uid: link.uid, csrf: this.oneTimeLinks.csrfFor(found), expiresAt: link.expiresAt };
  }

  /** The page's POST: checks the new PIN, sets it, burns the link and revokes everything else open. */
  async submit(token: string, form: PinSubmission, ctx: TurnContextInfo): Promise<SubmitResult> {
    const { audit, directory } = this.deps;
    const found = await this.oneTimeLinks.findOpen(token, ctx);
    if (!found) return { kind: 'invalid' };
    const { link } = found;
    const actx = { ...ctx, uid: link.uid };
    if (!(await this.oneTimeLinks.csrfMatches(found, form.csrf, actx))) return { kind: 'invalid' };
    const account = await this.unlessDirectoryDown(actx, () => directory.findByUid(link.uid));
    if (account === DOWN) return { kind: 'unavailable', uid: link.uid };
    if (!account) {
      await this.oneTimeLinks.refuse('unknown account', link, actx);
      return { kind: 'invalid' };
    }
    const judged = await this.pinPolicy.judge(form.pin, form.confirm, { uid: account.uid, name: account.name, email: account.email, isCurrentPin: false });
    // Compared with the current PIN only when nothing else refuses it (scrypt is slow on purpose, and each
    // comparison is a guess at it), and only where that is no logon attempt; elsewhere the directory's history decides.
    const isCurrentPin = judged.problems.length === 0 && directory.comparesPins && (await directory.checkPin(account.uid, form.pin));
    const { problems, strength } = isCurrentPin ? { problems: ['is-current' as const], strength: judged.strength } : judged;
    if (problems.length > 0) return this.reject(found.tokenHash, problems, actx, { strength });

    // Of two POSTs at once (on any instances) only one burns the link and sets a PIN.
    if (!(await this.oneTimeLinks.burn(found, actx))) return { kind: 'invalid' };
    let outcome: 'set' | DirectoryRefusal | typeof DOWN;
    try {
      outcome = await this.setInDirectory(account.uid, form.pin, actx);
    } catch (err) {
      // The PIN was not set: give the link back so the user can try again.
      await this.oneTimeLinks.giveBack(found);
      throw err;
    }
    if (outcome !== 'set') {
      // Refused by the directory's own policy, or the directory is unreachable: the link stays usable.
      await this.oneTimeLinks.giveBack(found);
      if (outcome === DOWN) return { kind: 'unavailable', uid: account.uid };
      return this.reject(found.tokenHash, [], actx, { refusal: outcome });
    }
    const revoked = await revokeOpenLinksAndCodes(this.deps.links, this.deps.codes, account.uid, found.tokenHash);
    await this.deps.throttles.clear(account.uid);
    await audit.record('pin.set', actx, 'ok', { via: link.via, revokedLinks: revoked.links, revokedCodes: revoked.codes });
    await this.notifyPinChanged(account, link.via, ctx);
    return { kind: 'done', uid: account.uid };
  }

  private async reject(tokenHash: string, problems: PinProblem[], actx: AuditContext & { uid: string }, { strength, refusal }: { strength?: Strength; refusal?: DirectoryRefusal } = {}): Promise<SubmitResult> {
    // Counted on the link itself, in one atomic step, so neither a restart nor another instance resets it.
    const counted = await this.deps.links.update(tokenHash, (link): Decision<LinkRecord, LinkRecord | undefined> => {
      if (!link || link.status !== 'open') return { answer: undefined };
      const rejectedPins = (link.rejectedPins ?? 0) + 1;
      const next: LinkRecord = { ...link, rejectedPins, status: rejectedPins < MAX_REJECTED_PER_LINK ? 'open' : 'revoked' };
      return { next, answer: next };
    });
    if (!counted) return { kind: 'invalid' };
    await this.deps.audit.record('pin.rejected', actx, 'fail', refusal ? { by: 'directory', rules: refusal, via: counted.via } : { rules: problems.join(','), via: counted.via });
    if (counted.status === 'open') {
      return { kind: 'rejected', problems, ...(refusal ? { refusal } : {}), uid: counted.uid, expiresAt: counted.expiresAt, ...(strength && problems.includes('weak') ? { strength } : {}) };
    }
    await this.oneTimeLinks.refuse('too many rejected PINs', counted, actx);
    return { kind: 'invalid' };
  }

  /**
   * The directory's own rules for a new PIN, to show on the page before the user types; none when
   * the directory publishes none or cannot be reached (the page still works, and the POST says so).
   */
  async directoryRules(uid: string): Promise<PublishedPinRules> {
    try {
      return await this.deps.directory.pinRules(uid);
    } catch {
      return {};
    }
  }

  /** Sets the PIN in the directory: 'set', the directory's refusal, or DOWN when it cannot be reached. */
  private async setInDirectory(uid: string, pin: string, actx: AuditContext): Promise<'set' | DirectoryRefusal | typeof DOWN> {
    return this.unlessDirectoryDown(actx, async () => {
      try {
        await this.deps.directory.setPin(uid, pin);
        return 'set' as const;
      } catch (err) {
        if (err instanceof PinRefusedError) return err.refusal;
        throw err;
      }
    });
  }

  /** Runs `work`; a directory that cannot be reached is audited (the log has the reason) and comes back as DOWN. */
  private async unlessDirectoryDown<T>(actx: AuditContext, work: () => Promise<T>): Promise<T | typeof DOWN> {
    try {
      return await work();
    } catch (err) {
      if (!(err instanceof DirectoryUnavailableError)) throw err;
      await this.deps.audit.record('directory.unreachable', actx, 'fail', { during: 'pin-page' });
      return DOWN;
    }
  }

  /** The account and where its codes and links may go (see contactsOf). */
  private async lookUp(uid: string): Promise<{ account?: Account; contact?: AccountContacts }> {
    const account = await this.deps.directory.findByUid(uid);
    const contact = contactsOf(account, await this.deps.contacts.get(account?.uid ?? uid));
    return { ...(account ? { account } : {}), contact };
  }

  private async mailLink(account: Account, email: string, ctx: TurnContextInfo): Promise<void> {
    const { outbound, audit, messages, policy } = this.deps;
    const actx = { ...ctx, uid: account.uid };
    const token = await this.oneTimeLinks.create(account.uid, 'email', policy.linkTtlMs, 'pending');
    const params = { uid: account.uid, url: this.url(token), minutes: Math.round(policy.linkTtlMs / 60_000), serviceDesk: policy.serviceDeskContact };
    const audience = await this.deps.languages.of(account.uid);
    const ok = await outbound.email(composeMail(email, messages.subject(audience, 'mail.reset.subject', params), messages.sections(audience, 'mail.reset.text', params)));
    await this.oneTimeLinks.markDelivery(token, ok);
    await audit.record(ok ? 'link.sent' : 'link.send_failed', actx, ok ? 'ok' : 'fail', { via: 'email', to: maskEmail(email) });
  }

  /** Tells every registered contact and the institutional email, so someone else's reset does not go unnoticed. */
  private async notifyPinChanged(account: Account, via: LinkRecord['via'], ctx: TurnContextInfo): Promise<void> {
    const { messages, policy, contacts } = this.deps;
    const contact = contactsOf(account, await contacts.get(account.uid));
    const method = { key: via === 'email' ? 'notice.pinChanged.viaEmail' : 'notice.pinChanged.viaSms' } as const;
    const params = { uid: account.uid, when: localTime(this.deps.clock.now()), method, serviceDesk: policy.serviceDeskContact };
    const audience = await this.deps.languages.of(account.uid);
    this.deps.notices.send(
      {
        name: 'pin-changed',
        emails: [account.email, contact?.email],
        mobiles: [contact?.mobile],
        subject: messages.subject(audience, 'notice.pinChanged.subject', params),
        text: messages.sections(audience, 'notice.pinChanged.text', params),
        sms: messages.sms(audience, 'notice.pinChanged.sms', params),
      },
      { ...ctx, uid: account.uid },
    );
  }

  private url(token: string): string {
    return `${this.deps.policy.publicBaseUrl}/reset/${token}`;
  }
}

const DOWN = Symbol('directory down');

/** Accounts with nothing to send to still count a send against a destination, so every request does the same writes. */
const standIn = (uid: string) => `none:${uid}`;

/**
 * Stops every PIN-page link (but `except`) and every code still open for an account: after a PIN
 * change, or when the contacts they were sent to are erased.
 */
export async function revokeOpenLinksAndCodes(links: Table<LinkRecord>, codes: VerificationCodes, uid: string, except?: string): Promise<{ links: number; codes: number }> {
  const open = (await links.findBy('uid', uid)).filter((l) => l.status === 'open' && l.tokenHash !== except);
  let revoked = 0;
  for (const link of open) if (await revokeIfOpen(links, link.tokenHash)) revoked++;
  return { links: revoked, codes: await codes.revokeOpen(uid) };
}

function revokeIfOpen(links: Table<LinkRecord>, tokenHash: string): Promise<boolean> {
  return links.update(tokenHash, (link) => (link && link.status === 'open' ? { next: { ...link, status: 'revoked' }, answer: true } : { answer: false }));
}
