import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { SmsDeliveryRecord, SmsOptOutRecord, Table } from '../ports/store.js';
import type { Audit, AuditContext } from './audit.js';
import { maskMobile } from './contactFormats.js';
import type { Throttles } from './throttles.js';

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
    const wasOut = await this.table.update(number, (current) => (current ? { next: null, answer: true } : { answer: false }));
    if (wasOut) await this.audit.record('sms.opted_in', ctx, 'info', { number: maskMobile(number) });
  }
}

/** Twilio MessageSids already handled, so a replayed or retried webhook is processed once. */
export class SmsDeliveries {
  constructor(private readonly table: Table<SmsDeliveryRecord>, private readonly clock: Clock, private readonly keepMs = 48 * HOUR) {}

  /** True the first time `sid` is seen (and records it, atomically: of two instances given it at once, one says true); false for a repeat within the retention. */
  firstTime(sid: string): Promise<boolean> {
    const now = this.clock.now();
    return this.table.update(sid, (seen) => (seen && seen.expiresAt > now ? { answer: false } : { next: { sid, expiresAt: now + this.keepMs }, answer: true }));
  }
}

export type InboundDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Per-number limit on inbound texts (a sliding hour), so one number cannot flood the bot or run up the bill. */
export class SmsInboundLimit {
  constructor(private readonly throttles: Throttles, private readonly perHour: number, private readonly audit: Audit) {}

  /** Counts the text, or refuses it with the whole seconds (at least 1) until the number's oldest counted text leaves the hour. */
  async allow(number: string, ctx: AuditContext): Promise<InboundDecision> {
    const taken = await this.throttles.takeHourly(`sms-inbound:${number}`, this.perHour);
    if (taken.counted) return { allowed: true };
    // Only the first refusal of a run is audited, so a flood cannot flood the audit log too.
    if (taken.firstRefusal) await this.audit.record('sms.flood_limited', ctx, 'fail', { number: maskMobile(number), perHour: this.perHour });
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(taken.retryAfterMs / 1000)) };
  }
}

export class SmsCeilingReached extends Error {
  constructor() {
    super('the hourly SMS ceiling is reached');
    this.name = 'SmsCeilingReached';
  }
}

/**
 * The hourly ceiling on outbound SMS for the whole service (SMS_MAX_PER_HOUR), counted per clock
 * hour. Codes and notices stop at the ceiling; replies to someone who texted the bot are counted but
 * still sent (each number is held to its own inbound limit), so the user can be told to use email
 * instead. The first refused SMS of an hour is logged as an alert and audited; the rest are not.
 */
export class SmsSpendCeiling {
  private static readonly KEY = 'sms-outbound:all';
  /** How long `reached()` reuses a count it read. */
  private static readonly REUSE_MS = 1000;

  /** The hour's count as last read by `reached()`: when (real time, ms), for which clock hour, and this instance's takes since. */
  private lastCount?: { readAt: number; hourStart: number; count: number };

  constructor(
    private readonly throttles: Throttles,
    private readonly perHour: number,
    private readonly audit: Audit,
    private readonly logger: Logger,
    private readonly clock: Clock,
    /** Real elapsed milliseconds, for how long a count read is reused (a test's clock may stand still). */
    private readonly elapsed: () => number = () => performance.now(),
  ) {}

  /** Counts one SMS; false (and nothing counted) when the ceiling is reached, unless `reply`. */
  async take(kind: 'send' | 'reply'): Promise<boolean> {
    const taken = await this.throttles.takeClockHour(SmsSpendCeiling.KEY, this.perHour, kind === 'reply');
    if (!taken.counted && taken.firstRefusal) await this.alert();
    if (taken.counted && this.lastCount) this.lastCount.count++;
    return taken.counted;
  }

  /**
   * Whether the hour's SMS are used up: to decide whether to offer SMS at all (each SMS is still
   * counted atomically by `take`, which is what holds the ceiling). The count read is reused for
   * REUSE_MS, plus this instance's own takes since, so a busy service does not read the one
   * service-wide counter on every turn; what other instances sent meanwhile shows a second later.
   */
  async reached(): Promise<boolean> {
    const now = this.clock.now();
    const hourStart = now - (now % HOUR);
    const last = this.lastCount;
    if (last && last.hourStart === hourStart && this.elapsed() - last.readAt < SmsSpendCeiling.REUSE_MS) return last.count >= this.perHour;
    const readAt = this.elapsed();
    const count = await this.throttles.countThisClockHour(SmsSpendCeiling.KEY);
    this.lastCount = { readAt, hourStart, count };
    return count >= this.perHour;
  }

  private async alert(): Promise<void> {
    this.logger.error({ alert: 'sms-ceiling', perHour: this.perHour }, 'outbound SMS ceiling reached: SMS codes are refused until the next clock hour; users are offered email');
    await this.audit.record('sms.ceiling_reached', {}, 'fail', { perHour: this.perHour });
  }
}
