import type { Clock } from '../ports/clock.js';
import type { Broadcast, ChallengePurpose, ChallengeRecord, Decision, Table } from '../ports/store.js';
import type { Audit, AuditContext } from './audit.js';
import { toAsciiDigits } from './contactFormats.js';
import type { SecurityPolicy } from './policy.js';
import { constantTimeEqual, randomDigits, randomToken, type ServerKey } from './secrets.js';
import type { Throttles } from './throttles.js';

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
  private readonly undeliveredListeners: ((challenge: ChallengeRecord) => void)[] = [];
  /**
   * Codes this instance saw typed correctly, by id. A used code never changes again (revoking,
   * expiring and retries apply to open codes only) and is purged only after the window in which it
   * proves anything, so the step that relies on it right after (usedRecently) need not read it back.
   */
  private readonly usedHere = new Map<string, Readonly<ChallengeRecord>>();

  constructor(
    private readonly table: Table<ChallengeRecord>,
    private readonly key: ServerKey,
    private readonly clock: Clock,
    private readonly policy: SecurityPolicy,
    private readonly throttles: Throttles,
    private readonly audit: Audit,
    /** Where other instances share the store: a code found undelivered here is told to them too (the user may wait on any). */
    private readonly broadcast?: Broadcast,
  ) {
    broadcast?.subscribe(UNDELIVERED_TOPIC, (id) => {
      void this.table.get(id).then(
        (challenge) => challenge?.delivery === 'failed' && this.tellListeners(challenge),
        () => undefined, // the user is told on their next turn instead
      );
    });
  }

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
    await this.table.insert(challenge);
    return { challenge, code };
  }

  /** Called whenever a code turns out not to have been delivered (a refused send, or a carrier's report), on whichever instance it was noticed. */
  onUndelivered(listener: (challenge: ChallengeRecord) => void): void {
    this.undeliveredListeners.push(listener);
  }

  private undelivered(challenge: ChallengeRecord): void {
    this.tellListeners(challenge);
    this.broadcast?.publish(UNDELIVERED_TOPIC, challenge.id).catch(() => undefined);
  }

  private tellListeners(challenge: ChallengeRecord): void {
    for (const listener of this.undeliveredListeners) listener(challenge);
  }

  get(id: string): Promise<ChallengeRecord | undefined> {
    return this.table.get(id);
  }

  async markDelivery(id: string, delivered: boolean): Promise<void> {
    const marked = await this.table.update(id, (ch): Decision<ChallengeRecord, ChallengeRecord | undefined> => {
      if (!ch || ch.delivery !== 'pending') return { answer: undefined };
      const next: ChallengeRecord = { ...ch, delivery: delivered ? 'sent' : 'failed' };
      return { next, answer: next };
    });
    if (marked && !delivered) this.undelivered(marked);
  }

  /** Checks what the user typed against a code of the expected purpose and account. */
  async check(id: string, input: string, expect: { uid: string; purpose: ChallengePurpose }, ctx: AuditContext): Promise<CodeCheck> {
    const now = this.clock.now();
    const typed = toAsciiDigits(input).replace(/\s+/g, '');
    const { pausedUntil, failures } = await this.throttles.checkState(expect.uid);
    // One atomic step: whether the code is still open, the comparison, and the try it uses up.
    const outcome = await this.table.update(id, (ch): Decision<ChallengeRecord, Checked> => {
      // A code made for another account or purpose is treated like one that does not exist.
      if (!ch || ch.uid !== expect.uid || ch.purpose !== expect.purpose || ch.status === 'revoked' || ch.status === 'used') return { answer: { kind: 'expired' } };
      if (pausedUntil) return { answer: { kind: 'paused', until: pausedUntil } };
      if (ch.status === 'dead') return { answer: { kind: 'dead' } };
      if (ch.delivery === 'failed') return { answer: { kind: 'undelivered' } };
      if (now >= ch.expiresAt) return { answer: { kind: 'expired', audit: ch } };
      const matches = constantTimeEqual(this.key.mac('code', ch.id, typed), ch.codeMac) && ch.delivery !== 'none';
      if (matches) {
        const used: ChallengeRecord = { ...ch, status: 'used' };
        return { next: used, answer: { kind: 'ok', challenge: used } };
      }
      const wrongTries = ch.wrongTries + 1;
      const next: ChallengeRecord = { ...ch, wrongTries, status: wrongTries >= this.policy.codeMaxTries ? 'dead' : ch.status };
      return { next, answer: { kind: 'tried', challenge: next } };
    });
    switch (outcome.kind) {
      case 'expired':
        if (outcome.audit) await this.audit.record('code.expired', ctx, 'fail', { purpose: outcome.audit.purpose });
        return { kind: 'expired' };
      case 'ok':
        // A correct code ends a run of failures. With none counted when this check began, there is none to
        // end: a failure counted meanwhile, elsewhere, stays counted (the strict side).
        if (failures > 0) await this.throttles.recordSuccess(outcome.challenge.uid);
        this.rememberUsed(outcome.challenge);
        await this.audit.record('code.verified', ctx, 'ok', { purpose: outcome.challenge.purpose });
        return outcome;
      case 'tried': {
        const ch = outcome.challenge;
        const dead = ch.status === 'dead';
        await this.audit.record(dead ? 'code.dead' : 'code.wrong', ctx, 'fail', { purpose: ch.purpose, tries: ch.wrongTries });
        if (await this.throttles.recordFailure(ch.uid, ctx)) return { kind: 'paused', until: (await this.throttles.pausedUntil(ch.uid)) ?? now + this.policy.pauseMs };
        return dead ? { kind: 'dead' } : { kind: 'wrong', triesLeft: this.policy.codeMaxTries - ch.wrongTries };
      }
      default:
        return outcome;
    }
  }

  private rememberUsed(challenge: ChallengeRecord): void {
    if (this.usedHere.size >= MAX_USED_REMEMBERED) this.usedHere.clear();
    this.usedHere.set(challenge.id, Object.freeze({ ...challenge }));
  }

  /** Revokes every open code of an account (after a PIN reset, or when a new code replaces one). */
  async revokeOpen(uid: string, except?: string): Promise<number> {
    const open = (await this.table.findBy('uid', uid)).filter((c) => c.status === 'open' && c.id !== except);
    let revoked = 0;
    for (const ch of open) if (await this.revokeIfOpen(ch.id)) revoked++;
    return revoked;
  }

  async revoke(id: string): Promise<void> {
    await this.revokeIfOpen(id);
  }

  private revokeIfOpen(id: string): Promise<boolean> {
    return this.table.update(id, (ch) => (ch && ch.status === 'open' ? { next: { ...ch, status: 'revoked' }, answer: true } : { answer: false }));
  }

  /**
   * The carrier could not deliver an SMS to `number` (Twilio's status callback): the open SMS codes
   * sent there are marked undelivered, so the user is told and offered email. Returns them.
   */
  async markUndeliveredTo(number: string): Promise<ChallengeRecord[]> {
    const now = this.clock.now();
    const open = (await this.table.findBy('target', number)).filter((c) => c.channel === 'sms' && c.status === 'open' && c.delivery === 'sent' && c.expiresAt > now);
    const marked: ChallengeRecord[] = [];
    for (const ch of open) {
      const failed = await this.table.update(ch.id, (fresh): Decision<ChallengeRecord, ChallengeRecord | undefined> => {
        if (!fresh || fresh.status !== 'open' || fresh.delivery === 'failed') return { answer: undefined };
        const next: ChallengeRecord = { ...fresh, delivery: 'failed' };
        return { next, answer: next };
      });
      if (failed) {
        marked.push(failed);
        this.undelivered(failed);
      }
    }
    return marked;
  }

  /** A used code of this account and purpose, used within `windowMs`: the proof a later step relies on. */
  async usedRecently(id: string | undefined, uid: string, purpose: ChallengePurpose, windowMs: number): Promise<ChallengeRecord | undefined> {
    if (!id) return undefined;
    const ch = this.usedHere.get(id) ?? (await this.table.get(id));
    if (!ch || ch.uid !== uid || ch.purpose !== purpose || ch.status !== 'used') return undefined;
    return this.clock.now() - ch.createdAt <= windowMs ? ch : undefined;
  }
}

/** What the atomic step of a check found; the audit and the failure count follow it. */
type Checked = Exclude<CodeCheck, { kind: 'wrong' } | { kind: 'expired' }> | { kind: 'expired'; audit?: ChallengeRecord } | { kind: 'tried'; challenge: ChallengeRecord };

const UNDELIVERED_TOPIC = 'code-undelivered';
/** Used codes remembered at most (see usedHere): a few minutes of a busy service. */
const MAX_USED_REMEMBERED = 5000;
