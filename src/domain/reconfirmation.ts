import type { Clock } from '../ports/clock.js';
import type { ContactConfirmationRecord } from '../ports/deskStore.js';
import type { ChallengeRecord, ContactRecord, Table } from '../ports/store.js';
import type { Audit, AuditContext } from './audit.js';
import { maskEmail, maskMobile } from './contactFormats.js';
import type { IdentityProof } from './contactRegistration.js';

const DAY = 24 * 3_600_000;

export interface DueContacts {
  email?: string;
  mobile?: string;
  /** When they were last verified or confirmed. */
  since: number;
}

/**
 * Re-confirming contacts (CONTACTS_RECONFIRM_DAYS): a registered user whose contacts were verified
 * or last confirmed longer ago is asked whether they are still theirs. Asked only about an account
 * the user has proved, so it tells nobody anything about other accounts.
 */
export class ContactReconfirmation {
  constructor(
    private readonly deps: {
      contacts: Table<ContactRecord>;
      confirmations: Table<ContactConfirmationRecord>;
      challenges: Table<ChallengeRecord>;
      audit: Audit;
      clock: Clock;
      /** 0: never asked. */
      days: number;
      /** How long after proving identity by a code a change may still be saved (SecurityPolicy.verifiedWindowMs). */
      verifiedWindowMs: number;
    },
  ) {}

  get enabled(): boolean {
    return this.deps.days > 0;
  }

  /** The account's contacts, masked, if it is time to ask about them; undefined otherwise. */
  async due(uid: string): Promise<DueContacts | undefined> {
    if (!this.enabled) return undefined;
    const contact = await this.deps.contacts.get(uid);
    if (!contact || (!contact.email && !contact.mobile)) return undefined;
    const since = Math.max(contact.verifiedAt, (await this.deps.confirmations.get(uid))?.confirmedAt ?? 0);
    if (this.deps.clock.now() - since <= this.deps.days * DAY) return undefined;
    return { since, ...(contact.email ? { email: maskEmail(contact.email) } : {}), ...(contact.mobile ? { mobile: maskMobile(contact.mobile) } : {}) };
  }

  /** "Yes, they are still mine": recorded and audited. */
  async confirm(uid: string, ctx: AuditContext): Promise<void> {
    await this.deps.confirmations.put({ uid, confirmedAt: this.deps.clock.now() });
    await this.deps.audit.record('contacts.confirmed', { ...ctx, uid }, 'ok');
  }

  /** The identity code this account used recently, if there is one: the proof a change can be saved with, without a second code. */
  async recentIdentityProof(uid: string): Promise<IdentityProof | undefined> {
    const now = this.deps.clock.now();
    const used = (await this.deps.challenges.findBy('uid', uid))
      .filter((c) => c.purpose === 'identity' && c.status === 'used' && now - c.createdAt < this.deps.verifiedWindowMs)
      .sort((a, b) => b.createdAt - a.createdAt)[0];
    return used ? { kind: 'code', challengeId: used.id } : undefined;
  }
}
