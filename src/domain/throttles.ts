import type { Clock } from '../ports/clock.js';
import type { Decision, ThrottleRecord, ThrottleTable } from '../ports/store.js';
import type { Audit, AuditContext } from './audit.js';
import type { SecurityPolicy } from './policy.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export type SendDecision = 'ok' | 'paused' | 'destination-limited';

/**
 * One event offered to a counter: counted, or refused with the wait until one more would be
 * counted. `firstRefusal` marks the refusal that begins a run (the one worth auditing); the rest
 * of the run write nothing, so a flood cannot grow the store or the audit log.
 */
export type WindowTake = { counted: true } | { counted: false; retryAfterMs: number; firstRefusal: boolean };

/**
 * Rate limits (DESIGN.md): sends per account per hour and per day, after which self-service is
 * paused for the account; sends per destination (phone or address) per hour; consecutive failed
 * code checks per account, across codes. Applied to any UID string, known or not, so the limits
 * themselves do not reveal whether an account exists.
 */
export class Throttles {
  constructor(
    private readonly table: ThrottleTable,
    private readonly clock: Clock,
    private readonly policy: SecurityPolicy,
    private readonly audit: Audit,
  ) {}

  async pausedUntil(uid: string): Promise<number | undefined> {
    return (await this.checkState(uid)).pausedUntil;
  }

  /** What a code check needs to know of the account, in one read: its pause, and its failed checks in a row. */
  async checkState(uid: string): Promise<{ pausedUntil?: number; failures: number }> {
    const rec = await this.table.get(accountKey(uid));
    const failures = rec?.consecutiveFailures ?? 0;
    return rec?.pausedUntil && rec.pausedUntil > this.clock.now() ? { pausedUntil: rec.pausedUntil, failures } : { failures };
  }

  /** Counts one send for the account (and destination, if any), or refuses it. */
  async reserveSend(uid: string, destination: string | undefined, ctx: AuditContext): Promise<SendDecision> {
    const now = this.clock.now();
    const { sendsPerAccountPerHour: perHour, sendsPerAccountPerDay: perDay, pauseMs } = this.policy;
    // One atomic step: the check of the account's limits and the send it counts.
    const account = await this.table.update(accountKey(uid), (current): Decision<ThrottleRecord, 'reserved' | 'paused' | 'pausing'> => {
      const acct = lastDay(current, accountKey(uid), now);
      if (acct.pausedUntil && acct.pausedUntil > now) return { answer: 'paused' };
      const lastHour = acct.sends.filter((t) => now - t < HOUR).length;
      if (lastHour >= perHour || acct.sends.length >= perDay) return { next: { ...acct, pausedUntil: now + pauseMs, updatedAt: now }, answer: 'pausing' };
      return { next: { ...acct, sends: [...acct.sends, now], updatedAt: now }, answer: 'reserved' };
    });
    if (account === 'paused') return 'paused';
    if (account === 'pausing') {
      await this.audit.record('throttle.paused', ctx, 'fail', { reason: 'sends', hours: Math.round(pauseMs / HOUR) });
      return 'paused';
    }
    if (destination) {
      const destDecision = await this.takeHourly(destKey(destination), this.policy.sendsPerDestinationPerHour);
      if (!destDecision.counted) {
        // Nothing is sent, so the account's send is given back (a crash in between leaves it counted: the safe side).
        await this.table.update(accountKey(uid), (current) => {
          const at = current?.sends.lastIndexOf(now) ?? -1;
          return current && at >= 0 ? { next: { ...current, sends: current.sends.filter((_, i) => i !== at) }, answer: undefined } : { answer: undefined };
        });
        await this.audit.record('throttle.limited', ctx, 'fail', { reason: 'destination' });
        return 'destination-limited';
      }
    }
    return 'ok';
  }

  /**
   * Counts one event under `key` unless `limit` were already counted in the last hour (a sliding
   * window: per destination, per texting number). Only the last hour is kept.
   */
  takeHourly(key: string, limit: number): Promise<WindowTake> {
    const now = this.clock.now();
    return this.table.update(key, (current): Decision<ThrottleRecord, WindowTake> => {
      const base = current ?? fresh(key, now);
      const rec = { ...base, sends: base.sends.filter((t) => now - t < HOUR) };
      if (rec.sends.length >= limit) {
        // One more is counted once enough of the counted events have left the window.
        const freedBy = rec.sends[rec.sends.length - limit] ?? now;
        return refusal(rec, now, freedBy + HOUR - now);
      }
      const { refusedAt: _ended, ...counted } = rec;
      return { next: { ...counted, sends: [...rec.sends, now], updatedAt: now }, answer: { counted: true } };
    });
  }

  /**
   * Counts one event under `key` in the current clock hour (a fixed window: one number per key, not
   * a list), unless `limit` are already counted there; `force` counts it anyway.
   */
  async takeClockHour(key: string, limit: number, force = false): Promise<WindowTake> {
    const now = this.clock.now();
    const hourStart = now - (now % HOUR);
    if (await this.table.countInClockHour(key, hourStart, limit, force, now)) return { counted: true };
    return this.table.update(key, (current) => {
      const rec = { ...(current ?? fresh(key, now)) };
      // A run of refusals belongs to its hour: the next hour's first refusal is audited again.
      if (rec.refusedAt !== undefined && rec.refusedAt < hourStart) delete rec.refusedAt;
      return refusal(rec, now, hourStart + HOUR - now);
    });
  }

  /** Events counted under `key` in the current clock hour. */
  async countThisClockHour(key: string): Promise<number> {
    const rec = await this.table.get(key);
    return rec ? clockHourOf(rec, this.clock.now()).count : 0;
  }

  /** Counts a failed code check; pauses the account at the limit. Returns whether it is now paused. */
  async recordFailure(uid: string, ctx: AuditContext): Promise<boolean> {
    const now = this.clock.now();
    const failures = await this.table.update(accountKey(uid), (current) => {
      const acct = lastDay(current, accountKey(uid), now);
      const consecutiveFailures = acct.consecutiveFailures + 1;
      const next: ThrottleRecord = { ...acct, consecutiveFailures, updatedAt: now };
      if (consecutiveFailures >= this.policy.maxConsecutiveFailures) next.pausedUntil = now + this.policy.pauseMs;
      return { next, answer: consecutiveFailures };
    });
    const paused = failures >= this.policy.maxConsecutiveFailures;
    if (paused) await this.audit.record('throttle.paused', ctx, 'fail', { reason: 'failures', failures });
    return paused;
  }

  /** A correct code ends a run of failures. */
  async recordSuccess(uid: string): Promise<void> {
    const now = this.clock.now();
    await this.table.update(accountKey(uid), (acct) =>
      !acct || acct.consecutiveFailures === 0 ? { answer: undefined } : { next: { ...acct, consecutiveFailures: 0, updatedAt: now }, answer: undefined },
    );
  }

  /** The account's limits now: its pause, its sends in the last hour and day, its failed checks in a row. */
  async accountLimits(uid: string): Promise<AccountLimits> {
    const now = this.clock.now();
    const rec = await this.table.get(accountKey(uid));
    const sends = (rec?.sends ?? []).filter((t) => now - t < DAY);
    const pausedUntil = rec?.pausedUntil && rec.pausedUntil > now ? rec.pausedUntil : undefined;
    return {
      ...(pausedUntil ? { pausedUntil } : {}),
      lastHour: windowCount(sends.filter((t) => now - t < HOUR), this.policy.sendsPerAccountPerHour, HOUR),
      lastDay: windowCount(sends, this.policy.sendsPerAccountPerDay, DAY),
      failures: { count: rec?.consecutiveFailures ?? 0, limit: this.policy.maxConsecutiveFailures },
    };
  }

  /** Codes sent to `destination` (a phone number or address) in the last hour, against SENDS_PER_DESTINATION_PER_HOUR. */
  async destinationLimit(destination: string): Promise<WindowCount> {
    const now = this.clock.now();
    const rec = await this.table.get(destKey(destination));
    return windowCount((rec?.sends ?? []).filter((t) => now - t < HOUR), this.policy.sendsPerDestinationPerHour, HOUR);
  }

  /** Clears the per-destination counter of `destination` (by the service desk); true if there was one. */
  clearDestination(destination: string): Promise<boolean> {
    return this.table.update(destKey(destination), (rec) => (rec ? { next: null, answer: true } : { answer: false }));
  }

  /** Clears every counter and pause of an account: after a successful reset, or by the service desk. */
  clear(uid: string): Promise<boolean> {
    return this.table.update(accountKey(uid), (acct) => (acct ? { next: null, answer: true } : { answer: false }));
  }
}

const fresh = (key: string, now: number): ThrottleRecord => ({ key, sends: [], consecutiveFailures: 0, updatedAt: now });

/** The record under `key` (or a new one) with only the sends of the last day. */
function lastDay(current: ThrottleRecord | undefined, key: string, now: number): ThrottleRecord {
  const rec = current ?? fresh(key, now);
  return { ...rec, sends: rec.sends.filter((t) => now - t < DAY) };
}

/** A refusal; only the first of a run (see ThrottleRecord.refusedAt) is recorded, and is the one worth auditing. */
function refusal(rec: ThrottleRecord, now: number, retryAfterMs: number): Decision<ThrottleRecord, WindowTake> {
  if (rec.refusedAt !== undefined) return { answer: { counted: false, retryAfterMs, firstRefusal: false } };
  return { next: { ...rec, refusedAt: now, updatedAt: now }, answer: { counted: false, retryAfterMs, firstRefusal: true } };
}

/** Events counted in a sliding window against its limit; `until`: when one more may be counted, if the limit is reached now. */
export interface WindowCount {
  count: number;
  limit: number;
  until?: number;
}

export interface AccountLimits {
  /** Set while self-service is paused for the account. */
  pausedUntil?: number;
  lastHour: WindowCount;
  lastDay: WindowCount;
  failures: { count: number; limit: number };
}

/** `times` (oldest first, all inside the window) against `limit`: at the limit, one more fits once enough have left the window. */
function windowCount(times: readonly number[], limit: number, windowMs: number): WindowCount {
  const sorted = [...times].sort((a, b) => a - b);
  if (sorted.length < limit) return { count: sorted.length, limit };
  return { count: sorted.length, limit, until: sorted[sorted.length - limit]! + windowMs };
}

/**
 * The fixed-window count of the current clock hour. A record written before fixed windows (a list of
 * sends, sliding) starts the hour with the sends of the last hour, so an upgrade never lifts a ceiling.
 */
function clockHourOf(rec: ThrottleRecord, now: number): { start: number; count: number } {
  const start = now - (now % HOUR);
  if (rec.clockHour) return rec.clockHour.start === start ? { ...rec.clockHour } : { start, count: 0 };
  return { start, count: rec.sends.filter((t) => now - t < HOUR).length };
}

const accountKey = (uid: string) => `account:${uid}`;
const destKey = (destination: string) => `dest:${destination.toLowerCase()}`;
