import type { Clock } from '../ports/clock.js';
import type { ChallengePurpose, ChallengeRecord, Table } from '../ports/store.js';
import type { Audit, AuditContext } from './audit.js';
import { toAsciiDigits } from './contactFormats.js';
import type { SecurityPolicy } from './policy.js';
import { constantTimeEqual, randomDigits, randomToken, type ServerKey } from './secrets.js';
import type { Throttles } from './throttles.js';
import { KeyedMutex } from './keyedMutex.js';

export type CodeCheck =
  | { kind: 'ok'; challenge: ChallengeRecord }
  | { kind: 'wrong'; triesLeft: number }
  | { kind: 'dead' }
  | { kind: 'expired' }
  | { kind: 'undelivered' }
  | { kind: 'paused'; until: number };

export interface NewCode {
  challenge: ChallengeRecord;
  /** The code to send; never stored, logged or returned to the chat. */
  code: string;
}

/**
 * One-time codes: 6 digits from the CSPRNG, stored only as an HMAC under the server key, valid
 * for a few minutes, single use, dead after a few wrong tries. Failed checks also count towards
 * the account's consecutive-failure limit, which a new code does not reset.
 */
export class VerificationCodes {
  private readonly mutex = new KeyedMutex();
  private readonly undeliveredListeners: ((challenge: ChallengeRecord) => void)[] = [];

  constructor(
    private readonly table: Table<ChallengeRecord>,
    private readonly key: ServerKey,
    private readonly clock: Clock,
    private readonly policy: SecurityPolicy,
    private readonly throttles: Throttles,
    private readonly audit: Audit,
  ) {}

  /** Creates a code for `uid`. With `deliver: false` nothing will be sent (unknown account), yet it behaves the same. */
  async create(uid: string, purpose: ChallengePurpose, channel: 'email' | 'sms', target: string, deliver: boolean): Promise<NewCode> {
    const now = this.clock.now();
    const code = randomDigits(this.policy.codeDigits);
    const id = randomToken();
    const challenge: ChallengeRecord = {
      id,
      uid,
      purpose,
      channel,
      target,
      codeMac: this.key.mac('code', id, code),
      createdAt: now,
      expiresAt: now + this.policy.codeTtlMs,
      wrongTries: 0,
      status: 'open',
      delivery: deliver ? 'pending' : 'none',
    };
    await this.table.put(challenge);
    return { challenge, code };
  }

  /** Called whenever a code turns out not to have been delivered (a refused send, or a carrier's report). */
  onUndelivered(listener: (challenge: ChallengeRecord) => void): void {
    this.undeliveredListeners.push(listener);
  }

  private undelivered(challenge: ChallengeRecord): void {
    for (const listener of this.undeliveredListeners) listener(challenge);
  }

  get(id: string): Promise<ChallengeRecord | undefined> {
    return this.table.get(id);
  }

  async markDelivery(id: string, delivered: boolean): Promise<void> {
    await this.mutex.run(id, async () => {
      const ch = await this.table.get(id);
      if (!ch || ch.delivery !== 'pending') return;
      ch.delivery = delivered ? 'sent' : 'failed';
      await this.table.put(ch);
      if (!delivered) this.undelivered(ch);
    });
  }

  /** Checks what the user typed against a code of the expected purpose and account. */
  check(id: string, input: string, expect: { uid: string; purpose: ChallengePurpose }, ctx: AuditContext): Promise<CodeCheck> {
    return this.mutex.run(id, async () => {
      const now = this.clock.now();
      const typed = toAsciiDigits(input).replace(/\s+/g, '');
      const ch = await this.table.get(id);
      // A code made for another account or purpose is treated like one that does not exist.
      if (!ch || ch.uid !== expect.uid || ch.purpose !== expect.purpose || ch.status === 'revoked' || ch.status === 'used') return { kind: 'expired' };
      const pausedUntil = await this.throttles.pausedUntil(ch.uid);
      if (pausedUntil) return { kind: 'paused', until: pausedUntil };
      if (ch.status === 'dead') return { kind: 'dead' };
      if (ch.delivery === 'failed') return { kind: 'undelivered' };
      if (now >= ch.expiresAt) {
        await this.audit.record('code.expired', ctx, 'fail', { purpose: ch.purpose });
        return { kind: 'expired' };
      }
      const matches = constantTimeEqual(this.key.mac('code', ch.id, typed), ch.codeMac) && ch.delivery !== 'none';
      if (matches) {
        ch.status = 'used';
        await this.table.put(ch);
        await this.throttles.recordSuccess(ch.uid);
        await this.audit.record('code.verified', ctx, 'ok', { purpose: ch.purpose });
        return { kind: 'ok', challenge: ch };
      }
      ch.wrongTries += 1;
      if (ch.wrongTries >= this.policy.codeMaxTries) ch.status = 'dead';
      await this.table.put(ch);
      await this.audit.record(ch.status === 'dead' ? 'code.dead' : 'code.wrong', ctx, 'fail', { purpose: ch.purpose, tries: ch.wrongTries });
      if (await this.throttles.recordFailure(ch.uid, ctx)) return { kind: 'paused', until: (await this.throttles.pausedUntil(ch.uid)) ?? now + this.policy.pauseMs };
      return ch.status === 'dead' ? { kind: 'dead' } : { kind: 'wrong', triesLeft: this.policy.codeMaxTries - ch.wrongTries };
    });
  }

  /** Revokes every open code of an account (after a PIN reset, or when a new code replaces one). */
  async revokeOpen(uid: string, except?: string): Promise<number> {
    const open = (await this.table.findBy('uid', uid)).filter((c) => c.status === 'open' && c.id !== except);
    for (const ch of open) {
      ch.status = 'revoked';
      await this.table.put(ch);
    }
    return open.length;
  }

  async revoke(id: string): Promise<void> {
    await this.mutex.run(id, async () => {
      const ch = await this.table.get(id);
      if (ch && ch.status === 'open') {
        ch.status = 'revoked';
        await this.table.put(ch);
      }
    });
  }

  /**
   * The carrier could not deliver an SMS to `number` (Twilio's status callback): the open SMS codes
   * sent there are marked undelivered, so the user is told and offered email. Returns how many.
   */
  async markUndeliveredTo(number: string): Promise<ChallengeRecord[]> {
    const now = this.clock.now();
    const open = (await this.table.findBy('target', number)).filter((c) => c.channel === 'sms' && c.status === 'open' && c.delivery === 'sent' && c.expiresAt > now);
    for (const ch of open) {
      await this.mutex.run(ch.id, async () => {
        const fresh = await this.table.get(ch.id);
        if (!fresh || fresh.status !== 'open') return;
        fresh.delivery = 'failed';
        await this.table.put(fresh);
        this.undelivered(fresh);
      });
    }
    return open;
  }

  /** A used code of this account and purpose, used within `windowMs`: the proof a later step relies on. */
  async usedRecently(id: string | undefined, uid: string, purpose: ChallengePurpose, windowMs: number): Promise<ChallengeRecord | undefined> {
    if (!id) return undefined;
    const ch = await this.table.get(id);
    if (!ch || ch.uid !== uid || ch.purpose !== purpose || ch.status !== 'used') return undefined;
    return this.clock.now() - ch.createdAt <= windowMs ? ch : undefined;
  }
}
