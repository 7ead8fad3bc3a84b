import { randomBytes } from 'node:crypto';
import type { Storage, StoreItems } from 'botbuilder';
import type { BotStateRecord, VersionedTable } from '../ports/store.js';
import type { Clock } from '../ports/clock.js';

/**
 * Bot Framework `Storage` on the durable store, so conversation and dialog state survive a
 * restart and can be carried on by another instance. eTags behave as in the SDK's MemoryStorage: a
 * write whose eTag is set, is not '*' and differs from the stored one is refused with an "eTag
 * conflict" error; the comparison and the write are one compare-and-set in the store, so this holds
 * across instances.
 */
export class StoreStorage implements Storage {
  private counter = 0;
  /** Tells this process's eTags from another instance's written in the same millisecond. */
  private readonly instance = randomBytes(4).toString('hex');

  /** Reads started at the beginning of a turn (see prefetching), taken by that turn's read of the key. */
  private readonly early = new Map<string, Promise<BotStateRecord | undefined>>();

  constructor(private readonly table: VersionedTable<BotStateRecord>, private readonly clock: Clock) {}

  /**
   * Runs a turn with the state it will load (conversation and user state) read at its start in one
   * store lookup instead of one each: a round trip less per turn on PostgreSQL, and as fresh as
   * reading each when it is loaded.
   */
  async prefetching<T>(keys: (string | undefined)[], turn: () => Promise<T>): Promise<T> {
    const wanted = keys.filter((k): k is string => typeof k === 'string' && !this.early.has(k));
    const all = this.table.getMany(wanted);
    const started = wanted.map((key, i) => {
      const one = all.then((records) => records[i]);
      one.catch(() => undefined); // a read that fails is reported by the turn's own read, if there is one
      this.early.set(key, one);
      return [key, one] as const;
    });
    try {
      return await turn();
    } finally {
      for (const [key, one] of started) if (this.early.get(key) === one) this.early.delete(key);
    }
  }

  async read(keys: string[]): Promise<StoreItems> {
    if (!keys) throw new Error('Keys are required when reading');
    const items: StoreItems = {};
    for (const key of keys) {
      const early = this.early.get(key);
      if (early) this.early.delete(key);
      const rec = await (early ?? this.table.get(key));
      if (rec) items[key] = { ...rec.value, eTag: rec.eTag };
    }
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    if (!changes) throw new Error('Changes are required when writing');
    await Promise.all(
      Object.entries(changes).map(async ([key, item]) => {
        const { eTag, ...value } = (item ?? {}) as Record<string, unknown> & { eTag?: string };
        const now = this.clock.now();
        const next = `${now.toString(36)}-${this.instance}-${(++this.counter).toString(36)}`;
        // The store keeps its own copy of what it is given, so `value` is passed as is.
        const record: BotStateRecord = { key, eTag: next, value, updatedAt: now };
        if (!eTag || eTag === '*') return this.table.put(record);
        if (!(await this.table.putIfVersion(record, eTag))) throw new Error(`Storage: error writing "${key}" due to eTag conflict.`);
      }),
    );
  }

  async delete(keys: string[]): Promise<void> {
    if (!keys) throw new Error('Keys are required when deleting');
    await Promise.all(keys.map((key) => this.table.delete(key)));
  }
}
