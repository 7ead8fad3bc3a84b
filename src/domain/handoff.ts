import type { AuditHistory } from '../ports/auditHistory.js';
import type { Clock } from '../ports/clock.js';
import type { HandoffCaseRecord, HandoffReason } from '../ports/deskStore.js';
import type { Logger } from '../ports/logger.js';
import type { CaseDestination } from '../ports/serviceDesk.js';
import type { LinkRecord, Table } from '../ports/store.js';
import type { Audit } from './audit.js';
import type { BackgroundWork } from './background.js';
import { stepsFrom } from './caseContent.js';
import type { DeskCounters } from './deskCounters.js';
import { hkDay } from './deskReport.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface HandoffLimits {
  /** Cases one conversation may open in an hour. */
  perConversationPerHour: number;
  /** Cases for one UID (as typed, known or not) in a day. */
  perAccountPerDay: number;
  /** How long the reply waits for the first delivery before saying it will keep trying. */
  replyWaitMs: number;
  /** Delivered cases are deleted after this long (the ticket system has them). */
  keepDeliveredMs: number;
}

export const DEFAULT_HANDOFF_LIMITS: HandoffLimits = { perConversationPerHour: 1, perAccountPerDay: 3, replyWaitMs: 8_000, keepDeliveredMs: 30 * DAY };

/** Waits between delivery attempts of a case: quickly at first, then every hour until it goes. */
const RETRY_AFTER_MS = [MINUTE, 2 * MINUTE, 5 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR];
/** A delivery attempt is claimed for this long, so two instances never send the same case at once. */
const ATTEMPT_LEASE_MS = 2 * MINUTE;
/** The PIN page stops a link after this many refused PINs (PinReset's limit). */
const PINS_REFUSED_BEFORE_LINK_STOPS = 10;
/** How far back a case's steps go in the account's audit. */
const STEPS_SINCE_MS = DAY;
const MAX_STEPS = 40;

export interface HandoffRequest {
  reason: HandoffReason;
  /** The UID as the user typed it (normalised), or as Teams proved it; '' if none. */
  uid: string;
  verified: boolean;
  channel: string;
  language: string;
  conversationId: string;
  reach: Record<string, string>;
}

/** `delivered`: the desk has it. `pending`: recorded and being retried (never told to the user as sent). `limited`: not opened. */
export type HandoffOutcome = { kind: 'delivered'; reference: string } | { kind: 'pending'; reference: string } | { kind: 'limited' };

export interface HandoffDeps {
  cases: Table<HandoffCaseRecord>;
  links: Table<LinkRecord>;
  counters: DeskCounters;
  history: AuditHistory;
  destinations: readonly CaseDestination[];
  audit: Audit;
  clock: Clock;
  logger: Logger;
  /** Tracks a delivery that outlasts the reply, so shutdown waits for it. */
  background?: BackgroundWork;
  limits?: HandoffLimits;
}

/**
 * Passing a case the self-service flows cannot solve to the service desk, by mail to
 * SERVICE_DESK_EMAIL and/or a signed POST to SERVICE_DESK_WEBHOOK_URL. A case is stored before it
 * is sent and retried until every destination took it; the user is told it was passed on only
 * when it was. Cases are opened the same way for any UID, known or not, so neither the words nor
 * the limits tell whether an account exists.
 */
export class ServiceDeskHandoff {
  private readonly limits: HandoffLimits;
  private retrying: Promise<void> | null = null;

  constructor(private readonly deps: HandoffDeps) {
    this.limits = deps.limits ?? DEFAULT_HANDOFF_LIMITS;
  }

  /** Whether a destination is configured; without one the bot names the service desk instead of offering a hand-off. */
  get available(): boolean {
    return this.deps.destinations.length > 0;
  }

  async open(request: HandoffRequest): Promise<HandoffOutcome> {
    const { counters, audit, clock, cases } = this.deps;
    const actx = { channel: request.channel, ...(request.uid ? { uid: request.uid } : {}) };
    const now = clock.now();
    if (!(await counters.take(`handoff-conversation:${request.channel}:${request.conversationId}`, this.limits.perConversationPerHour, HOUR))) {
      await audit.record('handoff.limited', actx, 'fail', { reason: request.reason, limit: 'conversation' });
      return { kind: 'limited' };
    }
    if (request.uid && !(await counters.take(`handoff-account:${request.uid}`, this.limits.perAccountPerDay, DAY))) {
      await audit.record('handoff.limited', actx, 'fail', { reason: request.reason, limit: 'account' });
      return { kind: 'limited' };
    }
    const day = hkDay(now);
    const number = await counters.next(`ref:${day}`, now + 2 * DAY);
    const reference = `PR-${day.replace(/-/g, '')}-${String(number).padStart(4, '0')}`;
    const steps = request.uid ? stepsFrom(await this.deps.history.forAccount(request.uid, now - STEPS_SINCE_MS, MAX_STEPS)) : [];
    const record: HandoffCaseRecord = {
      reference,
      reason: request.reason,
      uid: request.uid,
      verified: request.verified,
      channel: request.channel,
      language: request.language,
      reach: request.reach,
      steps,
      createdAt: now,
      delivery: Object.fromEntries(this.deps.destinations.map((d) => [d.name, 'pending'])),
      attempts: 0,
      nextAttemptAt: now,
    };
    await cases.put(record);
    await audit.record('handoff.requested', actx, 'info', { reference, reason: request.reason, verified: request.verified });
    // The reply waits a little for the first delivery; the attempt goes on (and retries) if it takes longer.
    const attempt = this.attempt(reference);
    this.deps.background?.run('hand-off delivery', () => attempt);
    const delivered = await Promise.race([attempt, new Promise<boolean>((resolve) => setTimeout(() => resolve(false), this.limits.replyWaitMs).unref())]);
    return delivered ? { kind: 'delivered', reference } : { kind: 'pending', reference };
  }

  /** Tries every destination that has not taken the case yet; true once all have. */
  private async attempt(reference: string): Promise<boolean> {
    const { cases, clock, audit, logger } = this.deps;
    const c = await this.claim(reference);
    if (!c) return (await cases.get(reference))?.deliveredAt !== undefined;
    const actx = { channel: c.channel, ...(c.uid ? { uid: c.uid } : {}) };
    const sent: string[] = [];
    const failed: string[] = [];
    for (const destination of this.deps.destinations) {
      if (c.delivery[destination.name] !== 'pending') continue;
      try {
        await destination.send(c);
        sent.push(destination.name);
      } catch (err) {
        failed.push(destination.name);
        logger.warn({ err: { message: (err as Error).message }, reference, destination: destination.name, attempt: c.attempts }, 'hand-off case not delivered; it will be retried');
      }
    }
    const now = clock.now();
    // One atomic step records what this attempt delivered, on the case as it is stored now.
    const after = await cases.update(reference, (current) => {
      if (!current) return { answer: undefined };
      const delivery = { ...current.delivery };
      for (const name of sent) delivery[name as keyof typeof delivery] = 'sent';
      const next: HandoffCaseRecord = { ...current, delivery };
      if (Object.values(delivery).every((state) => state === 'sent')) {
        next.deliveredAt = current.deliveredAt ?? now;
        delete next.nextAttemptAt;
      } else {
        next.nextAttemptAt = now + RETRY_AFTER_MS[Math.min(current.attempts - 1, RETRY_AFTER_MS.length - 1)]!;
      }
      return { next, answer: next };
    });
    if (after?.deliveredAt !== undefined) {
      if (failed.length === 0) await audit.record('handoff.delivered', actx, 'ok', { reference, attempts: after.attempts, to: Object.keys(after.delivery).join(',') });
      return true;
    }
    await audit.record('handoff.send_failed', actx, 'fail', { reference, attempt: c.attempts, to: failed.join(',') });
    if (c.attempts >= RETRY_AFTER_MS.length) logger.error({ reference, attempts: c.attempts, since: new Date(c.createdAt).toISOString() }, 'a hand-off case still cannot reach the service desk');
    return false;
  }

  /**
   * Takes the next delivery attempt of a case if it is due: counts it and pushes the next one out
   * by a lease, in one atomic step, so of several instances (or retries) only one attempts it.
   */
  private claim(reference: string): Promise<HandoffCaseRecord | undefined> {
    const now = this.deps.clock.now();
    return this.deps.cases.update(reference, (c) => {
      if (!c || c.deliveredAt !== undefined || (c.nextAttemptAt ?? 0) > now) return { answer: undefined };
      const claimed: HandoffCaseRecord = { ...c, attempts: c.attempts + 1, nextAttemptAt: now + ATTEMPT_LEASE_MS };
      return { next: claimed, answer: claimed };
    });
  }

  /** Retries every case whose next attempt is due, and forgets delivered cases past their keep. Runs one at a time. */
  retryDue(): Promise<void> {
    return (this.retrying ??= (async () => {
      const now = this.deps.clock.now();
      for (const c of await this.deps.cases.findBy('pending', 'yes')) {
        if ((c.nextAttemptAt ?? 0) <= now) await this.attempt(c.reference);
      }
    })().finally(() => (this.retrying = null)));
  }

  /** Resolves once no retry is running (for shutdown). */
  async settled(): Promise<void> {
    await this.retrying?.catch(() => undefined);
  }

  /** Deletes delivered cases past their keep; maintenance, never on a turn's path. */
  forgetDelivered(): Promise<number> {
    const cutoff = this.deps.clock.now() - this.limits.keepDeliveredMs;
    return this.deps.cases.purge({ deliveredAt: cutoff }, { keepAbsent: true });
  }

  /** Cases not yet delivered (for the operator). */
  pending(): Promise<HandoffCaseRecord[]> {
    return this.deps.cases.findBy('pending', 'yes');
  }

  /**
   * Whether the account's latest PIN-page link stopped working because every PIN typed on it was
   * refused (by the policy or the directory). Only asked for an account the user has proved.
   */
  async pinsAllRefused(uid: string): Promise<boolean> {
    const links = await this.deps.links.findBy('uid', uid);
    const latest = links.sort((a, b) => b.createdAt - a.createdAt)[0];
    return latest !== undefined && latest.status === 'revoked' && (latest.rejectedPins ?? 0) >= PINS_REFUSED_BEFORE_LINK_STOPS;
  }
}
