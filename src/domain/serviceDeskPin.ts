import type { Clock } from '../ports/clock.js';
import type { Directory } from '../ports/directory.js';
import type { ContactRecord, LinkRecord, Table } from '../ports/store.js';
import type { Messages } from '../messages/catalog.js';
import type { Audit } from './audit.js';
import { localTime } from './contactRegistration.js';
import type { LanguagePreferences } from './languagePreferences.js';
import type { Notices } from './notices.js';
import { revokeOpenLinksAndCodes } from './pinReset.js';
import type { PinPolicy, PinProblem, Strength } from './pinPolicy.js';
import type { SecurityPolicy } from './policy.js';
import type { VerificationCodes } from './verificationCodes.js';

export interface ServiceDeskPinDeps {
  directory: Directory;
  contacts: Table<ContactRecord>;
  links: Table<LinkRecord>;
  codes: VerificationCodes;
  audit: Audit;
  notices: Notices;
  messages: Messages;
  policy: SecurityPolicy;
  clock: Clock;
  languages: LanguagePreferences;
  /** The PIN page's own policy, so the service desk cannot set a PIN a user could not. */
  pinPolicy: PinPolicy;
}

export type ServiceDeskPinResult = { kind: 'no-account' } | { kind: 'rejected'; problems: PinProblem[]; strength?: Strength } | { kind: 'done'; revoked: number };

const CHANNEL = 'admin';

/**
 * A PIN set by the service desk (`accounts set-pin`), for the deliberate case an import must not
 * do silently: the PIN page's policy applies, the open links and codes stop working, it is
 * audited, and the user's contacts and institutional email are told, as after a reset.
 */
export async function setPinByServiceDesk(deps: ServiceDeskPinDeps, uid: string, pin: string, confirm: string): Promise<ServiceDeskPinResult> {
  const { directory, audit, pinPolicy } = deps;
  const account = await directory.findByUid(uid);
  if (!account) return { kind: 'no-account' };
  const ctx = { uid: account.uid, channel: CHANNEL };
  const judged = await pinPolicy.judge(pin, confirm, { uid: account.uid, name: account.name, email: account.email, isCurrentPin: false });
  // As on the PIN page: compared with the current PIN only when nothing else refuses it.
  const isCurrentPin = judged.problems.length === 0 && (await directory.checkPin(account.uid, pin));
  const problems: PinProblem[] = isCurrentPin ? ['is-current'] : judged.problems;
  if (problems.length > 0) {
    await audit.record('pin.rejected', ctx, 'fail', { rules: problems.join(','), via: 'service desk' });
    return { kind: 'rejected', problems, ...(judged.strength ? { strength: judged.strength } : {}) };
  }
  await directory.setPin(account.uid, pin, 'service-desk');
  const revoked = await revokeOpenLinksAndCodes(deps.links, deps.codes, account.uid);
  await audit.record('pin.set', ctx, 'ok', { via: 'service desk', revokedLinks: revoked.links, revokedCodes: revoked.codes });

  const contact = await deps.contacts.get(account.uid);
  const params = { uid: account.uid, when: localTime(deps.clock.now()), method: { key: 'notice.pinChanged.byServiceDesk' }, serviceDesk: deps.policy.serviceDeskContact } as const;
  const audience = await deps.languages.of(account.uid);
  deps.notices.send(
    {
      name: 'pin-changed',
      emails: [account.email, contact?.email],
      mobiles: [contact?.mobile],
      subject: deps.messages.subject(audience, 'notice.pinChanged.subject', params),
      text: deps.messages.sections(audience, 'notice.pinChanged.text', params),
      sms: deps.messages.sms(audience, 'notice.pinChanged.sms', params),
    },
    ctx,
  );
  return { kind: 'done', revoked: revoked.links + revoked.codes };
}
