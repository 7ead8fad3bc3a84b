import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Store, Table, ThrottleRecord } from '../ports/store.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A run of failed code checks is remembered this long after the last one, so purging never resets a live count. */
const FAILURE_MEMORY_MS = 30 * DAY;

export interface RetentionPolicy {
  /** A used code is the proof a registration relies on for this long after it was created. */
  verifiedWindowMs: number;
  /** Conversation state untouched this long is deleted. */
  conversationIdleMs: number;
  /** Audit records older than this are deleted. */
  auditRetentionMs: number;
}

/** The part of the audit log that retention needs. */
export interface PrunableAuditLog {
  /** Drops records older than `cutoffMs`; resolves with how many were dropped. */
  prune(cutoffMs: number): Promise<number>;
}

/** The part of the store that retention needs. */
export type RetentionStore = Pick<Store, 'challenges' | 'links' | 'throttles' | 'botState' | 'smsDeliveries' | 'runAlone'>;

export interface PurgeReport {
  challenges: number;
  links: number;
  throttles: number;
  conversations: number;
  smsDeliveries: number;
  auditRecords: number;
  /** Another instance was purging: this one did nothing this time. */
  skipped?: true;
}

/**
 * Data minimisation: deletes what is no longer needed, so the store does not grow without bound and
 * keeps nothing about a user longer than it must. Codes and links once they can no longer be used
 * (nor, for codes, serve as the proof of a registration in progress); rate-limit counters whose
 * window has passed; Twilio MessageSids past their replay window; conversation state left idle; audit records past their retention.
 * Each deletion is one store query (records past a time), checked and deleted atomically, so a
 * record a turn touches meanwhile is kept.
 */
export class Retention {
  private running: Promise<PurgeReport> | null = null;

  constructor(
    private readonly store: RetentionStore,
    private readonly auditLog: PrunableAuditLog,
    private readonly clock: Clock,
    private readonly policy: RetentionPolicy,
    private readonly logger: Logger,
  ) {}

  /** One purge; a call while one runs shares it. */
  purge(): Promise<PurgeReport> {
    return (this.running ??= this.purgeNow().finally(() => (this.running = null)));
  }

  /** Resolves once no purge is running (for shutdown). */
  async settled(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  private async purgeNow(): Promise<PurgeReport> {
    // One instance at a time is enough (PostgreSQL: an advisory lock); the others skip this round.
    const report = await this.store.runAlone('purge', () => this.purgeAll());
    return report ?? { ...EMPTY_REPORT, skipped: true };
  }

  private async purgeAll(): Promise<PurgeReport> {
    const now = this.clock.now();
    const { challenges, links, throttles, botState, smsDeliveries } = this.store;
    const { verifiedWindowMs, conversationIdleMs, auditRetentionMs } = this.policy;
    const report: PurgeReport = {
      // Once expired, and too old to prove a registration in progress.
      challenges: await challenges.purge({ expiresAt: now, createdAt: now - verifiedWindowMs }),
      links: await links.purge({ expiresAt: now }),
      throttles: await purgeSpentThrottles(throttles, now),
      conversations: await botState.purge({ updatedAt: now - conversationIdleMs }),
      smsDeliveries: await smsDeliveries.purge({ expiresAt: now }),
      auditRecords: await this.auditLog.prune(now - auditRetentionMs),
    };
    if (Object.values(report).some((n) => n > 0)) this.logger.info({ purged: report }, 'purged expired data');
    return report;
  }
}

const EMPTY_REPORT = { challenges: 0, links: 0, throttles: 0, conversations: 0, smsDeliveries: 0, auditRecords: 0 };

/**
 * A counter is spent when none of its sends is in the last day, it has not changed for an hour (so
 * a clock hour it counts is over), no pause runs, and no run of failures is still remembered.
 */
async function purgeSpentThrottles(throttles: Table<ThrottleRecord>, now: number): Promise<number> {
  const spent = { sends: now - DAY, pausedUntil: now };
  const noFailures = await throttles.purge({ ...spent, updatedAt: now - HOUR, consecutiveFailures: 0 });
  const forgotten = await throttles.purge({ ...spent, updatedAt: now - FAILURE_MEMORY_MS });
  return noFailures + forgotten;
}
