import type { Clock } from '../ports/clock.js';
import type { DeskCounterRecord } from '../ports/deskStore.js';
import type { Table } from '../ports/store.js';
import { KeyedMutex } from './keyedMutex.js';

/**
 * The service desk's counters: "at most N within a window" (hand-offs per conversation and per
 * account) and running numbers (the day's case references). Each operation is one
 * read-modify-write of one record, serialised per key here; on a store shared by several
 * instances each is meant to become one atomic store operation (a conditional UPDATE ... RETURNING).
 */
export class DeskCounters {
  private readonly mutex = new KeyedMutex();

  constructor(private readonly table: Table<DeskCounterRecord>, private readonly clock: Clock) {}

  /** Counts one event under `key` unless `limit` were already counted in the last `windowMs`; true if counted. */
  take(key: string, limit: number, windowMs: number): Promise<boolean> {
    return this.mutex.run(key, async () => {
      const now = this.clock.now();
      const rec = (await this.table.get(key)) ?? { key, times: [], expiresAt: now };
      rec.times = rec.times.filter((t) => now - t < windowMs);
      if (rec.times.length >= limit) return false;
      rec.times.push(now);
      rec.expiresAt = Math.max(rec.expiresAt, now + windowMs);
      await this.table.put(rec);
      return true;
    });
  }

  /** Deletes counters past their window; maintenance, never on a turn's path. */
  async forgetExpired(): Promise<number> {
    const now = this.clock.now();
    const spent = await this.table.scan((r) => r.expiresAt <= now);
    for (const r of spent) await this.table.delete(r.key);
    return spent.length;
  }

  /** The next number under `key` (1, 2, 3...), the record kept until `keepUntil`. */
  next(key: string, keepUntil: number): Promise<number> {
    return this.mutex.run(key, async () => {
      const rec = (await this.table.get(key)) ?? { key, times: [], expiresAt: keepUntil };
      rec.last = (rec.last ?? 0) + 1;
      rec.expiresAt = Math.max(rec.expiresAt, keepUntil);
      await this.table.put(rec);
      return rec.last;
    });
  }
}
