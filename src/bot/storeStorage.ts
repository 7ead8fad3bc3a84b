import type { Storage, StoreItems } from 'botbuilder';
import type { BotStateRecord, Table } from '../ports/store.js';
import type { Clock } from '../ports/clock.js';
import { KeyedMutex } from '../domain/keyedMutex.js';

/**
 * Bot Framework `Storage` on the durable store, so conversation and dialog state survive a
 * restart. eTags behave as in the SDK's MemoryStorage: a write whose eTag is set, is not '*' and
 * differs from the stored one is refused with an "eTag conflict" error.
 */
export class StoreStorage implements Storage {
  private readonly mutex = new KeyedMutex();
  private counter = 0;
  /**
   * The stored eTag of each key this storage has read or written, so a write need not copy the
   * whole state to compare it. Only a shortcut: a key not here is read from the table, so the map
   * is simply emptied when it grows large (purged conversations would otherwise stay in it).
   */
  private readonly eTags = new Map<string, string | undefined>();

  constructor(private readonly table: Table<BotStateRecord>, private readonly clock: Clock) {}

  async read(keys: string[]): Promise<StoreItems> {
    if (!keys) throw new Error('Keys are required when reading');
    const items: StoreItems = {};
    for (const key of keys) {
      const rec = await this.table.get(key);
      this.remember(key, rec?.eTag);
      if (rec) items[key] = { ...rec.value, eTag: rec.eTag };
    }
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    if (!changes) throw new Error('Changes are required when writing');
    await Promise.all(
      Object.entries(changes).map(([key, item]) =>
        this.mutex.run(key, async () => {
          const { eTag, ...value } = (item ?? {}) as Record<string, unknown> & { eTag?: string };
          const current = this.eTags.has(key) ? this.eTags.get(key) : (await this.table.get(key))?.eTag;
          if (current !== undefined && eTag && eTag !== '*' && eTag !== current) {
            throw new Error(`Storage: error writing "${key}" due to eTag conflict.`);
          }
          const next = `${this.clock.now().toString(36)}-${(++this.counter).toString(36)}`;
          // The store keeps its own JSON copy of what it is given, so `value` is passed as is.
          await this.table.put({ key, eTag: next, value, updatedAt: this.clock.now() });
          this.remember(key, next);
        }),
      ),
    );
  }

  async delete(keys: string[]): Promise<void> {
    if (!keys) throw new Error('Keys are required when deleting');
    await Promise.all(
      keys.map((key) =>
        this.mutex.run(key, async () => {
          await this.table.delete(key);
          this.remember(key, undefined);
        }),
      ),
    );
  }

  private remember(key: string, eTag: string | undefined): void {
    if (this.eTags.size >= MAX_REMEMBERED_ETAGS && !this.eTags.has(key)) this.eTags.clear();
    this.eTags.set(key, eTag);
  }
}

const MAX_REMEMBERED_ETAGS = 20_000;
