import type { Account } from '../ports/directory.js';
import type { ContactRecord } from '../ports/store.js';

export interface AccountContacts {
  email?: string;
  mobile?: string;
}

/**
 * The contacts a code or link may go to. A contact the user registered with the bot always wins;
 * otherwise the directory's own two-factor attributes (live, so they win over a CSV snapshot),
 * then the imported ones, field by field. All three count as verified.
 */
export function contactsOf(account: Account | undefined, stored: ContactRecord | undefined): AccountContacts {
  if (stored?.source === 'self') return pick(stored.email, stored.mobile);
  return pick(account?.contacts?.email ?? stored?.email, account?.contacts?.mobile ?? stored?.mobile);
}

const pick = (email: string | undefined, mobile: string | undefined): AccountContacts => ({ ...(email ? { email } : {}), ...(mobile ? { mobile } : {}) });
