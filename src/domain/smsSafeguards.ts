import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { SmsDeliveryRecord, SmsOptOutRecord, Table, ThrottleRecord } from '../ports/store.js';
import type { Audit, AuditContext } from './audit.js';
import { maskMobile } from './contactFormats.js';
import { KeyedMutex } from './keyedMutex.js';

const HOUR = 3_600_000;

/** Numbers that texted STOP: durable, so an opt-out survives restarts, until the number texts START. */
export class SmsOptOuts {
  constructor(private readonly table: Table<SmsOptOutRecord>, private readonly clock: Clock, private readonly audit: Audit) {}

  async isOptedOut(number: string): Promise<boolean> {
    return (await this.table.get(number)) !== undefined;
  }

  async optOut(number: string, ctx: AuditContext): Promise<void> {
    await this.table.put({ number, optedOutAt: this.clock.now() });
    await this.audit.record('sms.opted_out', ctx, 'info', { number: maskMobile(number) });
  }

  async optIn(number: string, ctx: AuditContext): Promise<void> {
    if (!(await this.isOptedOut(number))) return;
    await this.table.delete(number);
    await this.audit.record('sms.opted_in', ctx, 'info', { number: maskMobile(number) });
  }
}

/** Twilio MessageSids already handled, so a replayed or retried webhook is processed once. */
export class SmsDeliveries {
  private readonly mutex = new KeyedMutex();
  constructor(private readonly table: Table<SmsDeliveryRecord>, private readonly clock: Clock, private readonly keepMs = 48 * HOUR) {}

  /** True the first time `sid` is seen (and records it); false for a repeat within the retention. */
  firstTime(sid: string): Promise<boolean> {
    return this.mutex.run(sid, async () => {
      const now = this.clock.now();
      const seen = await this.table.get(sid);
      if (seen && seen.expiresAt > now) return false;
      await this.table.put({ sid, expiresAt: now + this.keepMs });
      return true;
    });
  }
}

/** A sliding one-hour window of events under one key of the throttles table. */
class HourlyCounter {
  private readonly mutex = new KeyedMutex();
  constructor(private readonly table: Table<ThrottleRecord>, private readonly clock: Clock) {}

  /** Counts one event unless `limit` were already counted in the last hour; returns the count before, and whether it was counted. */
  take(key: string, limit: number, force = false): Promise<{ counted: boolean; before: number }> {
    return this.mutex.run(key, async () => {
      const now = this.clock.now();
      const rec = (await this.table.get(key)) ?? { key, sends: [], consecutiveFailures: 0, updatedAt: now };
      rec.sends = rec.sends.filter((t) => now - t < HOUR);
      const before = rec.sends.length;
      if (before >= limit && !force) return { counted: false, before };
      rec.sends.push(now);
      rec.updatedAt = now;
      await this.table.put(rec);
      return { counted: true, before };
    });
  }

  async count(key: string): Promise<number> {
    const now = this.clock.now();
    return ((await this.table.get(key))?.sends ?? []).filter((t) => now - t < HOUR).length;
  }
}

/** Per-number limit on inbound texts, so one number cannot flood the bot or run up the bill. */
export class SmsInboundLimit {
  private readonly counter: HourlyCounter;
  constructor(table: Table<ThrottleRecord>, clock: Clock, private readonly perHour: number, private readonly audit: Audit) {
    this.counter = new HourlyCounter(table, clock);
  }

  async allow(number: string, ctx: AuditContext): Promise<boolean> {
    const key = `sms-inbound:${number}`;
    const { counted, before } = await this.counter.take(key, this.perHour);
    if (counted) return true;
    if (before === this.perHour) {
      // Only the first refusal is counted and audited, so a flood cannot flood the audit log too.
      await this.counter.take(key, this.perHour, true);
      await this.audit.record('sms.flood_limited', ctx, 'fail', { number: maskMobile(number), perHour: this.perHour });
    }
    return false;
  }
}

export class SmsCeilingReached extends Error {
  constructor() {
    super('the hourly SMS ceiling is reached');
    this.name = 'SmsCeilingReached';
  }
}

/**
 * The hourly ceiling on outbound SMS for the whole service (SMS_MAX_PER_HOUR). Codes and notices
 * stop at the ceiling; replies to someone who texted the bot are counted but still sent (each
 * number is held to its own inbound limit), so the user can be told to use email instead.
 * Reaching it is logged as an alert and audited once per hour.
 */
export class SmsSpendCeiling {
  private static readonly KEY = 'sms-outbound:all';
  private readonly counter: HourlyCounter;
  private alertedAt = -Infinity;

  constructor(table: Table<ThrottleRecord>, private readonly clock: Clock, private readonly perHour: number, private readonly audit: Audit, private readonly logger: Logger) {
    this.counter = new HourlyCounter(table, clock);
  }

  /** Counts one SMS; false (and nothing counted) when the ceiling is reached, unless `reply`. */
  async take(kind: 'send' | 'reply'): Promise<boolean> {
    const { counted } = await this.counter.take(SmsSpendCeiling.KEY, this.perHour, kind === 'reply');
    if (!counted) await this.alert();
    return counted;
  }

  async reached(): Promise<boolean> {
    return (await this.counter.count(SmsSpendCeiling.KEY)) >= this.perHour;
  }

  private async alert(): Promise<void> {
    const now = this.clock.now();
    if (now - this.alertedAt < HOUR) return;
    this.alertedAt = now;
    this.logger.error({ alert: 'sms-ceiling', perHour: this.perHour }, 'outbound SMS ceiling reached: SMS codes are refused until the hourly count falls; users are offered email');
    await this.audit.record('sms.ceiling_reached', {}, 'fail', { perHour: this.perHour });
  }
}
