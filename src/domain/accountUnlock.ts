import { DirectoryUnavailableError, type Account } from '../ports/directory.js';
import type { LinkRecord } from '../ports/store.js';
import { contactsOf, type AccountContacts } from './accountContacts.js';
import type { AuditContext } from './audit.js';
import { maskEmail, maskMobile } from './contactFormats.js';
import { localTime, type TurnContextInfo, pauseOf } from './contactRegistration.js';
import { composeMail } from './mailContent.js';
import { OneTimeLinks } from './oneTimeLinks.js';
import type { EmailLinkResult, PinResetDeps, ResetSmsResult } from './pinReset.js';

/** What a reset works with, but a PIN policy: an unlock never sets a PIN. */
export type AccountUnlockDeps = Omit<PinResetDeps, 'pinPolicy'>;

/** What became of an unlock once the user proved control of a contact. */
export type UnlockResult = { kind: 'unlocked'; uid: string } | { kind: 'not-locked'; uid: string } | { kind: 'unavailable'; uid: string } | { kind: 'invalid' };
export type UnlockPageOpen = { kind: 'valid'; uid: string; csrf: string } | { kind: 'invalid' };

/**
 * Unlocking an account locked out by wrong PINs, for a user who still knows the PIN: they prove
 * control of a registered contact (a link to the alternate email, or a code to the mobile), under
 * the same limits and with the same words for unknown, unregistered and registered accounts as a
 * reset; then the directory clears the lockout without changing the PIN, the contacts are told
 * and it is audited. On a directory without lockouts (the embedded one) there is nothing to do.
 */
export class AccountUnlock {
  private readonly oneTimeLinks: OneTimeLinks;

  constructor(private readonly deps: AccountUnlockDeps) {
    this.oneTimeLinks = new OneTimeLinks(deps, {
      purpose: 'unlock',
      csrfScope: 'unlock-csrf',
      invalidDetail: (reason) => ({ reason, purpose: 'unlock' }),
      namesAccountOfOtherPurpose: false,
    });
  }

  /** Whether accounts can be locked out here at all. */
  get available(): boolean {
    return this.deps.directory.locksOut;
  }

  /** Mails an unlock link to the registered alternate email, if there is one. The mail goes out in the background. */
  async requestEmailLink(uid: string, ctx: TurnContextInfo): Promise<EmailLinkResult> {
    const actx = { ...ctx, uid };
    const { account, contact } = await this.lookUp(uid);
    const email = account && contact.email;
    const decision = await this.deps.throttles.reserveSend(uid, email || standIn(uid), actx);
    if (decision === 'paused') return pauseOf(this.deps.throttles, uid, this.deps.clock.now() + this.deps.policy.pauseMs);
    const outcome = !account ? 'unknown account' : !email ? 'no alternate email' : decision === 'destination-limited' ? 'destination limited' : 'link';
    await this.deps.audit.record('unlock.requested', actx, 'info', { via: 'email', outcome });
    if (account && email && decision === 'ok') this.deps.background.run('unlock link', () => this.mailLink(account, email, ctx));
    return { kind: 'accepted' };
  }

  /** Texts a code to the registered mobile, if there is one; without one the code exists but is never sent. */
  async requestSmsCode(uid: string, ctx: TurnContextInfo): Promise<ResetSmsResult> {
    const { throttles, codes, audit, outbound, messages, policy } = this.deps;
    const actx = { ...ctx, uid };
    const { account, contact } = await this.lookUp(uid);
    const mobile = account && contact.mobile;
    const decision = await throttles.reserveSend(uid, mobile || standIn(uid), actx);
    if (decision === 'paused') return pauseOf(this.deps.throttles, uid, this.deps.clock.now() + this.deps.policy.pauseMs);
    const deliver = Boolean(mobile) && decision === 'ok';
    const { challenge, code } = await codes.create(uid, 'unlock-sms', 'sms', mobile || '', deliver);
    const outcome = !account ? 'unknown account' : !mobile ? 'no mobile' : decision === 'destination-limited' ? 'destination limited' : 'code';
    await audit.record('unlock.requested', actx, 'info', { via: 'sms', outcome });
    if (mobile && deliver) {
      const params = { code, minutes: Math.round(policy.codeTtlMs / 60_000) };
      this.deps.background.run('unlock code', async () => {
        const ok = await outbound.text(mobile, messages.sms(await this.deps.languages.of(uid), 'sms.unlock.code', params), true);
        await codes.markDelivery(challenge.id, ok);
        await audit.record(ok ? 'code.sent' : 'code.send_failed', actx, ok ? 'ok' : 'fail', { purpose: 'unlock-sms', to: maskMobile(mobile) });
      });
    }
    return { kind: 'sent', challengeId: challenge.id, target: '' };
  }

  /** A new SMS code replacing `challengeId` (which stops working). */
  async resendSms(challengeId: string, uid: string, ctx: TurnContextInfo): Promise<ResetSmsResult> {
    const old = await this.deps.codes.get(challengeId);
    if (old && old.uid === uid && old.purpose === 'unlock-sms') await this.deps.codes.revoke(challengeId);
    return this.requestSmsCode(uid, ctx);
  }

  /** Unlocks once the SMS code `challengeId` was typed correctly (recently, by this account). */
  async unlockAfterSms(challengeId: string, uid: string, ctx: TurnContextInfo): Promise<UnlockResult> {
    const proof = await this.deps.codes.usedRecently(challengeId, uid, 'unlock-sms', this.deps.policy.smsLinkTtlMs);
    if (!proof) return { kind: 'invalid' };
    return this.unlock(proof.uid, 'sms', ctx);
  }

  /** For GET and HEAD of the unlock page: never changes anything (mail scanners open links too). */
  async openPage(token: string, ctx: AuditContext = { channel: 'web' }): Promise<UnlockPageOpen> {
    const found = await this.oneTimeLinks.findOpen(token, ctx);
    if (!found) return { kind: 'invalid' };
    return { kind: 'valid', uid: found.link.uid, csrf: this.oneTimeLinks.csrfFor(found) };
  }

  /** The unlock page's POST: burns the link and unlocks. A directory that cannot be reached gives the link back. */
  async confirm(token: string, csrf: string, ctx: TurnContextInfo): Promise<UnlockResult> {
    const found = await this.oneTimeLinks.findOpen(token, ctx);
    if (!found) return { kind: 'invalid' };
    const actx = { ...ctx, uid: found.link.uid };
    if (!(await this.oneTimeLinks.csrfMatches(found, csrf, actx))) return { kind: 'invalid' };
    // Of two POSTs at once (on any instances) only one burns the link and unlocks.
    if (!(await this.oneTimeLinks.burn(found, actx))) return { kind: 'invalid' };
    const result = await this.unlock(found.link.uid, 'email', ctx);
    if (result.kind === 'unavailable') await this.oneTimeLinks.giveBack(found);
    return result;
  }

  private async unlock(uid: string, via: LinkRecord['via'], ctx: TurnContextInfo): Promise<UnlockResult> {
    const { directory, audit } = this.deps;
    const actx = { ...ctx, uid };
    try {
      const account = await directory.findByUid(uid);
      if (!account) return { kind: 'invalid' };
      const outcome = await directory.unlock(account.uid);
      if (outcome !== 'unlocked') {
        await audit.record('account.unlocked', actx, 'info', { via, wasLocked: false });
        return { kind: 'not-locked', uid: account.uid };
      }
      await audit.record('account.unlocked', actx, 'ok', { via, wasLocked: true });
      await this.notifyUnlocked(account, via, ctx);
      return { kind: 'unlocked', uid: account.uid };
    } catch (err) {
      if (!(err instanceof DirectoryUnavailableError)) throw err;
      await audit.record('directory.unreachable', actx, 'fail', { during: 'unlock' });
      return { kind: 'unavailable', uid };
    }
  }

  private async lookUp(uid: string): Promise<{ account?: Account; contact: AccountContacts }> {
    const account = await this.deps.directory.findByUid(uid);
    const contact = contactsOf(account, await this.deps.contacts.get(account?.uid ?? uid));
    return { ...(account ? { account } : {}), contact };
  }

  private async mailLink(account: Account, email: string, ctx: TurnContextInfo): Promise<void> {
    const { outbound, audit, messages, policy } = this.deps;
    const token = await this.oneTimeLinks.create(account.uid, 'email', policy.linkTtlMs, 'pending');
    const params = { uid: account.uid, url: `${policy.publicBaseUrl}/unlock/${token}`, minutes: Math.round(policy.linkTtlMs / 60_000), serviceDesk: policy.serviceDeskContact };
    const audience = await this.deps.languages.of(account.uid);
    const ok = await outbound.email(composeMail(email, messages.subject(audience, 'mail.unlock.subject', params), messages.sections(audience, 'mail.unlock.text', params)));
    await this.oneTimeLinks.markDelivery(token, ok);
    await audit.record(ok ? 'link.sent' : 'link.send_failed', { ...ctx, uid: account.uid }, ok ? 'ok' : 'fail', { via: 'email', purpose: 'unlock', to: maskEmail(email) });
  }

  /** Tells every registered contact and the institutional email: an unlock nobody asked for means someone is guessing the PIN. */
  private async notifyUnlocked(account: Account, via: LinkRecord['via'], ctx: TurnContextInfo): Promise<void> {
    const { messages, policy } = this.deps;
    const contact = contactsOf(account, await this.deps.contacts.get(account.uid));
    const method = { key: via === 'email' ? 'notice.unlocked.viaEmail' : 'notice.unlocked.viaSms' } as const;
    const params = { uid: account.uid, when: localTime(this.deps.clock.now()), method, serviceDesk: policy.serviceDeskContact };
    const audience = await this.deps.languages.of(account.uid);
    this.deps.notices.send(
      {
        name: 'account-unlocked',
        emails: [account.email, contact.email],
        mobiles: [contact.mobile],
        subject: messages.subject(audience, 'notice.unlocked.subject', params),
        text: messages.sections(audience, 'notice.unlocked.text', params),
        sms: messages.sms(audience, 'notice.unlocked.sms', params),
      },
      { ...ctx, uid: account.uid },
    );
  }
}

/** Accounts with nothing to send to still count a send against a destination, so every request does the same writes. */
const standIn = (uid: string) => `none:${uid}`;
