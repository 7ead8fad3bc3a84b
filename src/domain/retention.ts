import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { BotStateRecord, ChallengeRecord, LinkRecord, SmsDeliveryRecord, Table, ThrottleRecord } from '../ports/store.js';

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

export interface RetentionTables {
  challenges: Table<ChallengeRecord>;
  links: Table<LinkRecord>;
  throttles: Table<ThrottleRecord>;
  botState: Table<BotStateRecord>;
  smsDeliveries: Table<SmsDeliveryRecord>;
}

export interface PurgeReport {
  challenges: number;
  links: number;
  throttles: number;
  conversations: number;
  smsDeliveries: number;
  auditRecords: number;
}

/**
 * Data minimisation: deletes what is no longer needed, so the store does not grow without bound and
 * keeps nothing about a user longer than it must. Codes and links once they can no longer be used
 * (nor, for codes, serve as the proof of a registration in progress); rate-limit counters whose
 * window has passed; Twilio MessageSids past their replay window; conversation state left idle; audit records past their retention.
 */
export class Retention {
  private running: Promise<PurgeReport> | null = null;

  constructor(
    private readonly tables: RetentionTables,
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
    const now = this.clock.now();
    const { challenges, links, throttles, botState, smsDeliveries } = this.tables;
    const { verifiedWindowMs, conversationIdleMs, auditRetentionMs } = this.policy;
    const report: PurgeReport = {
      challenges: await deleteAll(challenges, (c) => now >= Math.max(c.expiresAt, c.createdAt + verifiedWindowMs), (c) => c.id),
      links: await deleteAll(links, (l) => now >= l.expiresAt, (l) => l.tokenHash),
      throttles: await deleteAll(throttles, (t) => throttleSpent(t, now), (t) => t.key),
      conversations: await deleteAll(botState, (s) => now - s.updatedAt >= conversationIdleMs, (s) => s.key),
      smsDeliveries: await deleteAll(smsDeliveries, (d) => now >= d.expiresAt, (d) => d.sid),
      auditRecords: await this.auditLog.prune(now - auditRetentionMs),
    };
    if (Object.values(report).some((n) => n > 0)) this.logger.info({ purged: report }, 'purged expired data');
    return report;
  }
}

/** A counter is spent when no send is left in its day, its clock hour (if any) is over, no pause runs, and no run of failures is still remembered. */
function throttleSpent(t: ThrottleRecord, now: number): boolean {
  if (t.sends.some((s) => now - s < DAY)) return false;
  if (t.clockHour && now - t.clockHour.start < HOUR) return false;
  if (t.pausedUntil !== undefined && t.pausedUntil > now) return false;
  return t.consecutiveFailures === 0 || now - t.updatedAt >= FAILURE_MEMORY_MS;
}

/** Deletes issued together, so they share the store's durable writes (group commit) instead of one each. */
const DELETE_BATCH = 500;

async function deleteAll<T>(table: Table<T>, expired: (r: T) => boolean, key: (r: T) => string): Promise<number> {
  let deleted = 0;
  let batch: Promise<void>[] = [];
  for (const found of await table.scan(expired)) {
    // Checked again just before: a turn may have touched the record since the scan.
    const r = await table.get(key(found));
    if (!r || !expired(r)) continue;
    batch.push(table.delete(key(r)));
    deleted++;
    if (batch.length >= DELETE_BATCH) {
      await Promise.all(batch);
      batch = [];
    }
  }
  await Promise.all(batch);
  return deleted;
}
