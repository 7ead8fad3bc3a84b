import { afterEach, describe, expect, jest, test } from '@jest/globals';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreStorage } from '../src/bot/storeStorage.js';
import type { LowStore } from '../src/adapters/store/lowStore.js';
import { openTestServices, addAccount, type TestServices } from './support/services.js';
import { converse, startChat } from './support/dialogs.js';

const HOUR = 3_600_000;
const USERS = ['ann', 'bob', 'cat', 'dan'];
let t: TestServices | undefined;

afterEach(async () => {
  await t?.services.close();
  t = undefined;
});

/** One user registers contacts and resets the PIN by SMS, through the dialogs, with conversation state in the store. */
async function flows(t: TestServices, uid: string, n: number) {
  const storage = new StoreStorage(t.services.store.botState, t.clock);
  const mobile = `+85261${String(n % 1_000_000).padStart(6, '0')}`;
  const chat = startChat(t.services, storage);
  await converse(chat, [['register', 'portal UID'], [uid, 'I have sent']]);
  await t.services.background.drain();
  await converse(chat, [[t.mailer.lastCode(`${uid}@example.edu`), 'alternate email'], [`${uid}.${n}@gmail.com`, 'I have sent']]);
  await t.services.background.drain();
  await converse(chat, [[t.mailer.lastCode(`${uid}.${n}@gmail.com`), 'mobile'], [mobile.slice(4), 'SMS']]);
  await t.services.background.drain();
  await converse(chat, [[t.sms.lastCode(mobile), 'All done']]);
  const reset = startChat(t.services, storage);
  await converse(reset, [['reset', 'portal UID'], [uid, 'How would you like'], ['sms', 'I have sent']]);
  await t.services.background.drain();
  await converse(reset, [[t.sms.lastCode(mobile), /reset\//]]);
}

/** Size of the sessions database (snapshot + journal) after a compaction. */
async function sessionsBytes(t: TestServices): Promise<number> {
  await (t.services.store as LowStore).sessions.compact();
  const size = (f: string) => stat(join(t.dataDir, 'store', f)).then((s) => s.size, () => 0);
  return (await size('sessions.json')) + (await size('sessions.journal'));
}

/** Rounds of flows a day apart; returns the store size after each round. */
async function run(t: TestServices, rounds: number, purge: boolean): Promise<number[]> {
  for (const uid of USERS) await addAccount(t.services, uid);
  const sizes: number[] = [];
  let n = 0;
  for (let round = 0; round < rounds; round++) {
    for (const uid of USERS) await flows(t, uid, n++);
    t.clock.advance(25 * HOUR);
    if (purge) await t.services.retention.purge();
    sizes.push(await sessionsBytes(t));
  }
  return sizes;
}

describe('data retention', () => {
  test('expired codes, links, spent counters and idle conversations are purged, so the store stays flat over many flows', async () => {
    t = await openTestServices();
    const sizes = await run(t, 6, true);
    expect(await t.services.store.challenges.all()).toEqual([]);
    expect(await t.services.store.links.all()).toEqual([]);
    expect(await t.services.store.throttles.all()).toEqual([]);
    expect(await t.services.store.botState.all()).toEqual([]);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(sizes[0]! + 512);
    // The registrations themselves are kept.
    expect(await t.services.store.contacts.get('ann')).toMatchObject({ source: 'self' });
  }, 60_000);

  test('without the purge the same flows make the store grow (the check above can fail)', async () => {
    t = await openTestServices();
    const sizes = await run(t, 3, false);
    expect(sizes[2]!).toBeGreaterThan(sizes[0]! * 2);
  }, 60_000);

  test('a code still counts as proof of a registration in progress, and a live conversation is kept', async () => {
    t = await openTestServices();
    await addAccount(t.services, 'ann');
    const storage = new StoreStorage(t.services.store.botState, t.clock);
    const chat = startChat(t.services, storage);
    await converse(chat, [['register', 'portal UID'], ['ann', 'I have sent']]);
    await t.services.background.drain();
    await converse(chat, [[t.mailer.lastCode('ann@example.edu'), 'alternate email']]);
    t.clock.advance(11 * 60_000); // past the code's 10 minutes, within the 30-minute registration window
    expect(await t.services.retention.purge()).toMatchObject({ challenges: 0, conversations: 0 });
    await converse(chat, [['ann@gmail.com', 'I have sent']]);
    await t.services.background.drain();
    await converse(chat, [[t.mailer.lastCode('ann@gmail.com'), 'mobile']]);
  });

  test('a run of failed code checks is not forgotten by the purge while it may still matter', async () => {
    t = await openTestServices();
    const now = t.clock.now();
    await t.services.store.throttles.put({ key: 'account:ann', sends: [], consecutiveFailures: 7, updatedAt: now });
    t.clock.advance(48 * HOUR);
    await t.services.retention.purge();
    expect(await t.services.store.throttles.get('account:ann')).toMatchObject({ consecutiveFailures: 7 });
    t.clock.advance(31 * 24 * HOUR);
    await t.services.retention.purge();
    expect(await t.services.store.throttles.get('account:ann')).toBeUndefined();
  });

  test('the purge runs on its own every PURGE_INTERVAL_MINUTES', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask', 'Date', 'hrtime', 'performance'] });
    try {
      t = await openTestServices({ PURGE_INTERVAL_MINUTES: '5' });
      const now = t.clock.now();
      await t.services.store.links.put({ tokenHash: 'a'.repeat(64), uid: 'ann', purpose: 'reset-pin', via: 'email', createdAt: now, expiresAt: now + 60_000, status: 'open', delivery: 'sent' });
      t.clock.advance(2 * 60_000);
      jest.advanceTimersByTime(4 * 60_000);
      await t.services.retention.settled();
      expect(await t.services.store.links.get('a'.repeat(64))).toBeDefined();
      jest.advanceTimersByTime(60_000);
      await t.services.retention.settled();
      expect(await t.services.store.links.get('a'.repeat(64))).toBeUndefined();
    } finally {
      jest.useRealTimers();
    }
  });
});
