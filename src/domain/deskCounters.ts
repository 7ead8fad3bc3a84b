import type { Clock } from '../ports/clock.js';
import type { DeskCounterRecord } from '../ports/deskStore.js';
import type { Table } from '../ports/store.js';

/**
 * The service desk's counters: "at most N within a window" (hand-offs per conversation and per
 * account) and running numbers (the day's case references). Each operation is one atomic
 * read-modify-write of one record in the store (Table.update), so it holds across instances.
 */
export class DeskCounters {
  constructor(private readonly table: Table<DeskCounterRecord>, private readonly clock: Clock) {}

  /** Counts one event under `key` unless `limit` were already counted in the last `windowMs`; true if counted. */
  take(key: string, limit: number, windowMs: number): Promise<boolean> {
    const now = this.clock.now();
    return this.table.update(key, (current) => {
      const rec = current ?? { key, times: [], expiresAt: now };
      const times = rec.times.filter((t) => now - t < windowMs);
      if (times.length >= limit) return { answer: false };
      return { next: { ...rec, times: [...times, now], expiresAt: Math.max(rec.expiresAt, now + windowMs) }, answer: true };
    });
  }

  /** Deletes counters past their window; maintenance, never on a turn's path. */
  forgetExpired(): Promise<number> {
    return this.table.purge({ expiresAt: this.clock.now() });
  }

  /** The next number under `key` (1, 2, 3...), the record kept until `keepUntil`. */
  next(key: string, keepUntil: number): Promise<number> {
    return this.table.update(key, (current) => {
      const rec = current ?? { key, times: [], expiresAt: keepUntil };
      const last = (rec.last ?? 0) + 1;
      return { next: { ...rec, last, expiresAt: Math.max(rec.expiresAt, keepUntil) }, answer: last };
    });
  }
}
