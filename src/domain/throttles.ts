import type { Clock } from '../ports/clock.js';
import type { Table, ThrottleRecord } from '../ports/store.js';
import type { Audit, AuditContext } from './audit.js';
import { KeyedMutex } from './keyedMutex.js';
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
  private readonly mutex = new KeyedMutex();

  constructor(
    private readonly table: Table<ThrottleRecord>,
    private readonly clock: Clock,
    private readonly policy: SecurityPolicy,
    private readonly audit: Audit,
  ) {}

  private async load(key: string): Promise<ThrottleRecord> {
    const now = this.clock.now();
    const rec = (await this.table.get(key)) ?? { key, sends: [], consecutiveFailures: 0, updatedAt: now };
    rec.sends = rec.sends.filter((t) => now - t < DAY);
    return rec;
  }

  async pausedUntil(uid: string): Promise<number | undefined> {
    const rec = await this.table.get(accountKey(uid));
    return rec?.pausedUntil && rec.pausedUntil > this.clock.now() ? rec.pausedUntil : undefined;
  }

  /** Counts one send for the account (and destination, if any), or refuses it. */
  reserveSend(uid: string, destination: string | undefined, ctx: AuditContext): Promise<SendDecision> {
    return this.mutex.run(accountKey(uid), async () => {
      const now = this.clock.now();
      const acct = await this.load(accountKey(uid));
      if (acct.pausedUntil && acct.pausedUntil > now) return 'paused';
      const lastHour = acct.sends.filter((t) => now - t < HOUR).length;
      if (lastHour >= this.policy.sendsPerAccountPerHour || acct.sends.length >= this.policy.sendsPerAccountPerDay) {
        acct.pausedUntil = now + this.policy.pauseMs;
        acct.updatedAt = now;
        await this.table.put(acct);
        await this.audit.record('throttle.paused', ctx, 'fail', { reason: 'sends', hours: Math.round(this.policy.pauseMs / HOUR) });
        return 'paused';
      }
      if (destination) {
        const destDecision = await this.takeHourly(destKey(destination), this.policy.sendsPerDestinationPerHour);
        if (!destDecision.counted) {
          await this.audit.record('throttle.limited', ctx, 'fail', { reason: 'destination' });
          return 'destination-limited';
        }
      }
      acct.sends.push(now);
      acct.updatedAt = now;
      await this.table.put(acct);
      return 'ok';
    });
  }

  /**
   * Counts one event under `key` unless `limit` were already counted in the last hour (a sliding
   * window: per destination, per texting number). Only the last hour is kept.
   */
  takeHourly(key: string, limit: number): Promise<WindowTake> {
    return this.mutex.run(key, async () => {
      const now = this.clock.now();
      const rec = (await this.table.get(key)) ?? { key, sends: [], consecutiveFailures: 0, updatedAt: now };
      rec.sends = rec.sends.filter((t) => now - t < HOUR);
      if (rec.sends.length >= limit) {
        // One more is counted once enough of the counted events have left the window.
        const freedBy = rec.sends[rec.sends.length - limit] ?? now;
        return { counted: false, retryAfterMs: freedBy + HOUR - now, firstRefusal: await this.noteRefusal(rec, now) };
      }
      rec.sends.push(now);
      delete rec.refusedAt;
      rec.updatedAt = now;
      await this.table.put(rec);
      return { counted: true };
    });
  }

  /**
   * Counts one event under `key` in the current clock hour (a fixed window: one number per key, not
   * a list), unless `limit` are already counted there; `force` counts it anyway.
   */
  takeClockHour(key: string, limit: number, force = false): Promise<WindowTake> {
    return this.mutex.run(key, async () => {
      const now = this.clock.now();
      const rec = (await this.table.get(key)) ?? { key, sends: [], consecutiveFailures: 0, updatedAt: now };
      const hour = clockHourOf(rec, now);
      // A run of refusals belongs to its hour: the next hour's first refusal is audited again.
      if (rec.refusedAt !== undefined && rec.refusedAt < hour.start) delete rec.refusedAt;
      rec.clockHour = hour;
      rec.sends = [];
      if (hour.count >= limit && !force) {
        return { counted: false, retryAfterMs: hour.start + HOUR - now, firstRefusal: await this.noteRefusal(rec, now) };
      }
      hour.count += 1;
      rec.updatedAt = now;
      await this.table.put(rec);
      return { counted: true };
    });
  }

  /** Events counted under `key` in the current clock hour. */
  async countThisClockHour(key: string): Promise<number> {
    const rec = await this.table.get(key);
    return rec ? clockHourOf(rec, this.clock.now()).count : 0;
  }

  /** True (and recorded) if this refusal begins a run (see ThrottleRecord.refusedAt): the one worth auditing. */
  private async noteRefusal(rec: ThrottleRecord, now: number): Promise<boolean> {
    if (rec.refusedAt !== undefined) return false;
    rec.refusedAt = now;
    rec.updatedAt = now;
    await this.table.put(rec);
    return true;
  }

  /** Counts a failed code check; pauses the account at the limit. Returns whether it is now paused. */
  recordFailure(uid: string, ctx: AuditContext): Promise<boolean> {
    return this.mutex.run(accountKey(uid), async () => {
      const now = this.clock.now();
      const acct = await this.load(accountKey(uid));
      acct.consecutiveFailures += 1;
      acct.updatedAt = now;
      let paused = false;
      if (acct.consecutiveFailures >= this.policy.maxConsecutiveFailures) {
        acct.pausedUntil = now + this.policy.pauseMs;
        paused = true;
      }
      await this.table.put(acct);
      if (paused) await this.audit.record('throttle.paused', ctx, 'fail', { reason: 'failures', failures: acct.consecutiveFailures });
      return paused;
    });
  }

  /** A correct code ends a run of failures. */
  recordSuccess(uid: string): Promise<void> {
    return this.mutex.run(accountKey(uid), async () => {
      const acct = await this.table.get(accountKey(uid));
      if (!acct || acct.consecutiveFailures === 0) return;
      acct.consecutiveFailures = 0;
      acct.updatedAt = this.clock.now();
      await this.table.put(acct);
    });
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
    const key = destKey(destination);
    return this.mutex.run(key, async () => {
      const existed = (await this.table.get(key)) !== undefined;
      if (existed) await this.table.delete(key);
      return existed;
    });
  }

  /** Clears every counter and pause of an account: after a successful reset, or by the service desk. */
  clear(uid: string): Promise<boolean> {
    return this.mutex.run(accountKey(uid), async () => {
      const existed = (await this.table.get(accountKey(uid))) !== undefined;
      await this.table.delete(accountKey(uid));
      return existed;
    });
  }
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
