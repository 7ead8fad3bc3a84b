import type { Clock } from '../ports/clock.js';
import type { ConversationRefRecord } from '../ports/deskStore.js';
import type { Table } from '../ports/store.js';

/** How often a reference whose Teams user is not matched to an account yet is looked at again. */
const RETRY_MATCH_MS = 24 * 3_600_000;

/**
 * The Teams conversations the bot may write to first (a reminder): one per Teams user, kept when
 * they install the app or first write, with the account once their signed-in identity matched one.
 */
export class TeamsConversations {
  constructor(private readonly table: Table<ConversationRefRecord>, private readonly clock: Clock) {}

  /** Whether this user's reference should be (re)written: unknown, changed, or still without an account after a while. */
  async needsKeeping(userKey: string, reference: Record<string, unknown>): Promise<boolean> {
    const kept = await this.table.get(userKey);
    if (!kept) return true;
    if (sameConversation(kept.reference, reference)) return kept.uid === undefined && this.clock.now() - kept.updatedAt >= RETRY_MATCH_MS;
    return true;
  }

  async keep(userKey: string, reference: Record<string, unknown>, uid: string | undefined): Promise<void> {
    const kept = await this.table.get(userKey);
    const account = uid ?? kept?.uid;
    await this.table.put({ key: userKey, reference, updatedAt: this.clock.now(), ...(account ? { uid: account } : {}) });
  }

  /** The newest conversation of an account's Teams user, if the bot holds one. */
  async ofAccount(uid: string): Promise<ConversationRefRecord | undefined> {
    return (await this.table.findBy('uid', uid)).sort((a, b) => b.updatedAt - a.updatedAt)[0];
  }

  async ofUser(userKey: string): Promise<ConversationRefRecord | undefined> {
    return this.table.get(userKey);
  }
}

/** Which Teams user a conversation is with: their Entra object id, else their Teams id. */
export function teamsUserKey(from: { id?: string; aadObjectId?: string } | undefined): string | undefined {
  const id = from?.aadObjectId ?? from?.id;
  return id ? `teams:${id.toLowerCase()}` : undefined;
}

function sameConversation(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const conv = (r: Record<string, unknown>) => (r['conversation'] as { id?: unknown } | undefined)?.id;
  return conv(a) === conv(b) && a['serviceUrl'] === b['serviceUrl'];
}
