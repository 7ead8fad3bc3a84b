import type { Clock } from '../ports/clock.js';
import type { Directory } from '../ports/directory.js';
import type { ContactRecord, Decision, LinkRecord, Table } from '../ports/store.js';
import type { Messages } from '../messages/catalog.js';
import type { Audit, AuditContext } from './audit.js';
import { maskEmail, maskMobile } from './contactFormats.js';
import { localTime } from './contactRegistration.js';
import { revokeOpenLinksAndCodes } from './pinReset.js';
import type { Notices } from './notices.js';
import type { LanguagePreferences } from './languagePreferences.js';
import type { SecurityPolicy } from './policy.js';
import type { VerificationCodes } from './verificationCodes.js';
import type { ServerKey } from './secrets.js';

/** The tombstone of one erased contact: an HMAC of the account, the kind and the value; never the value itself. */
export function erasureMark(key: ServerKey, uid: string, kind: 'email' | 'mobile', value: string): string {
  return key.mac('erased-contact', uid, kind, kind === 'email' ? value.toLowerCase() : value);
}

/** The erased contacts among `contact` for this account (by their tombstones in `record`). */
export function erasedAmong(key: ServerKey, record: ContactRecord | undefined, uid: string, contact: { email?: string; mobile?: string }): ('email' | 'mobile')[] {
  const marks = new Set(record?.erased ?? []);
  if (marks.size === 0) return [];
  return (['email', 'mobile'] as const).filter((kind) => contact[kind] !== undefined && marks.has(erasureMark(key, uid, kind, contact[kind]!)));
}

export interface ErasureResult {
  /** What was deleted, masked. */
  email?: string;
  mobile?: string;
  /** Open links and codes that stopped working with it. */
  revoked: number;
  /** Whether the institutional email is being told. */
  notified: boolean;
}

export interface ContactErasureDeps {
  contacts: Table<ContactRecord>;
  links: Table<LinkRecord>;
  codes: VerificationCodes;
  directory: Directory;
  audit: Audit;
  notices: Notices;
  messages: Messages;
  policy: SecurityPolicy;
  clock: Clock;
  languages: LanguagePreferences;
  key: ServerKey;
}

/**
 * Erases an account's registered contacts (the right to erasure, or a compromised registration):
 * the contacts go, the links and codes sent to them stop working, the erasure is audited, and the
 * institutional email is told.
 */
export class ContactErasure {
  constructor(private readonly deps: ContactErasureDeps) {}

  /**
   * Undefined when the account has no contacts to erase. What stays is a tombstone with no
   * contact data (an HMAC of each erased value), so a later import cannot bring them back.
   */
  async erase(uid: string, ctx: AuditContext): Promise<ErasureResult | undefined> {
    const { contacts, links, codes, directory, audit, key, clock } = this.deps;
    const now = clock.now();
    // One atomic step: what is erased is what was there, even if a registration is being saved meanwhile.
    const contact = await contacts.update(uid, (current): Decision<ContactRecord, ContactRecord | undefined> => {
      if (!current || (!current.email && !current.mobile)) return { answer: undefined };
      const marks = [
        ...(current.erased ?? []),
        ...(current.email ? [erasureMark(key, uid, 'email', current.email)] : []),
        ...(current.mobile ? [erasureMark(key, uid, 'mobile', current.mobile)] : []),
      ];
      return { next: { uid, source: current.source, verifiedAt: current.verifiedAt, updatedAt: now, erased: [...new Set(marks)], erasedAt: now }, answer: current };
    });
    if (!contact) return undefined;
    const stopped = await revokeOpenLinksAndCodes(links, codes, uid);
    const revoked = stopped.links + stopped.codes;
    const masked = { ...(contact.email ? { email: maskEmail(contact.email) } : {}), ...(contact.mobile ? { mobile: maskMobile(contact.mobile) } : {}) };
    await audit.record('contacts.deleted', { ...ctx, uid }, 'ok', { ...masked, source: contact.source, revoked });
    const account = await directory.findByUid(uid);
    if (account) await this.notify(uid, account.email, ctx);
    return { ...masked, revoked, notified: account !== undefined };
  }

  private async notify(uid: string, institutional: string, ctx: AuditContext): Promise<void> {
    const { messages, policy, clock } = this.deps;
    const params = { uid, when: localTime(clock.now()), serviceDesk: policy.serviceDeskContact };
    const audience = await this.deps.languages.of(uid);
    this.deps.notices.send(
      {
        name: 'contacts-deleted',
        emails: [institutional],
        mobiles: [],
        subject: messages.subject(audience, 'notice.contactsDeleted.subject', params),
        text: messages.sections(audience, 'notice.contactsDeleted.text', params),
        sms: '',
      },
      { ...ctx, uid },
    );
  }
}
