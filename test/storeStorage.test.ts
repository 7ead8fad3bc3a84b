import { describe, expect, test } from '@jest/globals';
import { StoreStorage } from '../src/bot/storeStorage.js';
import { openTestServices } from './support/services.js';

describe('conversation state storage (eTags as in the SDK MemoryStorage)', () => {
  test('a write with a stale eTag is refused, before and after a restart; * and no eTag always write', async () => {
    const { services, dataDir, clock } = await openTestServices();
    const storage = new StoreStorage(services.store.botState, clock);
    await storage.write({ k: { step: 1 } });
    const first = (await storage.read(['k']))['k'] as { eTag: string; step: number };
    await storage.write({ k: { ...first, step: 2 } });
    await expect(storage.write({ k: { ...first, step: 3 } })).rejects.toThrow(/eTag conflict/);
    await storage.write({ k: { step: 4, eTag: '*' } });
    await storage.write({ k: { step: 5 } });
    expect((await storage.read(['k']))['k']).toMatchObject({ step: 5 });
    await services.close();

    // A new process knows no eTags yet: it still compares against the stored one.
    const reopened = await openTestServices({}, dataDir);
    const after = new StoreStorage(reopened.services.store.botState, reopened.clock);
    await expect(after.write({ k: { ...first, step: 6 } })).rejects.toThrow(/eTag conflict/);
    const current = (await after.read(['k']))['k'] as { eTag: string };
    await after.write({ k: { ...current, step: 7 } });
    await after.delete(['k']);
    await after.write({ k: { ...current, step: 8 } }); // nothing stored any more: nothing to conflict with
    expect((await after.read(['k']))['k']).toMatchObject({ step: 8 });
    await reopened.services.close();
  });
});
