import type { Clock } from '../ports/clock.js';
import type { Table, ThrottleRecord } from '../ports/store.js';
import type { Audit, AuditContext } from './audit.js';
import { KeyedMutex } from './keyedMutex.js';
import type { SecurityPolicy } from './policy.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export type SendDecision = 'ok' | 'paused' | 'destination-limited';

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
        const destDecision = await this.mutex.run(destKey(destination), async () => {
          const dest = await this.load(destKey(destination));
          if (dest.sends.filter((t) => now - t < HOUR).length >= this.policy.sendsPerDestinationPerHour) return 'destination-limited' as const;
          dest.sends.push(now);
          dest.updatedAt = now;
          await this.table.put(dest);
          return 'ok' as const;
        });
        if (destDecision !== 'ok') {
          await this.audit.record('throttle.limited', ctx, 'fail', { reason: 'destination' });
          return destDecision;
        }
      }
      acct.sends.push(now);
      acct.updatedAt = now;
      await this.table.put(acct);
      return 'ok';
    });
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

  /** Clears every counter and pause of an account: after a successful reset, or by the service desk. */
  clear(uid: string): Promise<boolean> {
    return this.mutex.run(accountKey(uid), async () => {
      const existed = (await this.table.get(accountKey(uid))) !== undefined;
      await this.table.delete(accountKey(uid));
      return existed;
    });
  }
}

const accountKey = (uid: string) => `account:${uid}`;
const destKey = (destination: string) => `dest:${destination.toLowerCase()}`;
