/**
 * One contract, two stores: every promise of the store port (src/ports/store.ts), checked against
 * the embedded lowdb store and against a real PostgreSQL 15. On PostgreSQL the races run between two
 * separate stores (two connection pools on one database), as two instances of the bot would.
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import { LowStore } from '../src/adapters/store/lowStore.js';
import { PgStore } from '../src/adapters/store/postgres/pgStore.js';
import type { AccountRecord, BotStateRecord, ChallengeRecord, ContactRecord, LinkRecord, Store, ThrottleRecord } from '../src/ports/store.js';
import { createDatabase, postgresServer } from './support/servers/postgres.js';
import { tempDataDir } from './support/services.js';

interface Opened {
  /** The store, and a second one on the same data where the store allows it (PostgreSQL: another instance). */
  store: Store;
  other: Store;
  /** Closes everything and opens the same data again. */
  reopen(): Promise<Store>;
}

const open: Record<'lowdb' | 'postgres', () => Promise<Opened>> = {
  lowdb: async () => {
    const dir = await tempDataDir();
    const store = await LowStore.open(dir);
    // One process per DATA_DIR: its "other instance" is itself.
    return { store, other: store, reopen: async () => (await store.close(), LowStore.open(dir)) };
  },
  postgres: async () => {
    const url = await createDatabase(await postgresServer());
    const store = await PgStore.open({ url, poolSize: 5 });
    const other = await PgStore.open({ url, poolSize: 5 });
    return { store, other, reopen: async () => (await Promise.all([store.close(), other.close()]), PgStore.open({ url, poolSize: 5 })) };
  },
};

const T0 = 1_756_692_000_123; // a time with milliseconds, which must survive the round trip

const account = (uid: string, extra: Partial<AccountRecord> = {}): AccountRecord => ({ uid, name: `User ${uid}`, email: `${uid}@example.edu`, createdAt: T0, updatedAt: T0, ...extra });
const contact = (uid: string, extra: Partial<ContactRecord> = {}): ContactRecord => ({ uid, email: `${uid}@gmail.com`, mobile: '+85291234567', source: 'self', verifiedAt: T0, updatedAt: T0, ...extra });
const challenge = (id: string, extra: Partial<ChallengeRecord> = {}): ChallengeRecord => ({
  id,
  uid: 'u1',
  purpose: 'reset-sms',
  channel: 'sms',
  target: '+85291234567',
  codeMac: 'a'.repeat(64),
  createdAt: T0,
  expiresAt: T0 + 600_000,
  wrongTries: 0,
  status: 'open',
  delivery: 'sent',
  ...extra,
});
const link = (n: number, extra: Partial<LinkRecord> = {}): LinkRecord => ({
  tokenHash: n.toString(16).padStart(64, '0'),
  uid: 'u1',
  purpose: 'reset-pin',
  via: 'email',
  createdAt: T0,
  expiresAt: T0 + 1_800_000,
  status: 'open',
  delivery: 'sent',
  ...extra,
});
const throttle = (key: string, extra: Partial<ThrottleRecord> = {}): ThrottleRecord => ({ key, sends: [T0, T0 + 1], consecutiveFailures: 0, updatedAt: T0, ...extra });
const state = (key: string, eTag: string, step = 1): BotStateRecord => ({ key, eTag, value: { dialogStack: [{ id: 'reset', state: { step, text: '重設 PIN' } }] }, updatedAt: T0 });

let opened: Opened | undefined;
afterEach(async () => {
  if (!opened) return;
  const { store, other } = opened;
  opened = undefined;
  await Promise.allSettled([store.close(), other === store ? undefined : other.close()]);
});

describe.each(['lowdb', 'postgres'] as const)('the store contract (%s)', (kind) => {
  const start = async () => (opened = await open[kind]());

  test('every record type comes back as written, optional fields absent or present, times to the millisecond, also after a reopen', async () => {
    const { store, reopen } = await start();
    const records = {
      accounts: [account('u1', { upn: 'u1@example.edu', aadObjectId: 'AB-12', pinHash: 'scrypt$1$2$3$s$h', pinSetAt: T0 + 7, pinSetBy: 'service-desk' }), account('u2')],
      contacts: [contact('u1'), contact('u2', { mobile: undefined, source: 'import' }), { uid: 'u3', source: 'self', verifiedAt: T0, updatedAt: T0, erased: ['mac-1', 'mac-2'], erasedAt: T0 + 3 }],
      challenges: [challenge('c1'), challenge('c2', { status: 'dead', wrongTries: 5, delivery: 'none', target: '' })],
      links: [link(1), link(2, { rejectedPins: 3, via: 'sms', status: 'used' })],
      throttles: [throttle('account:u1', { pausedUntil: T0 + 5, refusedAt: T0 + 6, consecutiveFailures: 2 }), throttle('sms-outbound:all', { sends: [], clockHour: { start: T0 - 123, count: 7 } })],
      botState: [state('emulator/conversations/c1', 'e1')],
      preferences: [{ uid: 'u1', language: 'zh-hk', updatedAt: T0 }],
      smsOptOuts: [{ number: '+85290000000', optedOutAt: T0 }],
      smsDeliveries: [{ sid: 'SM0123', expiresAt: T0 }],
      handoffCases: [
        { reference: 'PR-20260901-0001', reason: 'asked', uid: '', verified: false, channel: 'sms', language: 'en', reach: { sms: '+852 ••••4567' }, steps: [], createdAt: T0, delivery: { email: 'pending', webhook: 'sent' }, attempts: 2, nextAttemptAt: T0 + 60_000 },
        { reference: 'PR-20260901-0002', reason: 'no-code', uid: 'u1', verified: true, channel: 'msteams', language: 'zh-hk', reach: { teams: 'aad-1' }, steps: [{ at: '2026-09-01T02:00:00.000Z', event: 'code.sent', outcome: 'ok', detail: 'sms' }], createdAt: T0, delivery: { email: 'sent' }, attempts: 1, deliveredAt: T0 + 9 },
      ],
      deskCounters: [{ key: 'ref:2026-09-01', times: [], last: 12, expiresAt: T0 + 1 }, { key: 'handoff-account:u1', times: [T0, T0 + 2], expiresAt: T0 + 3 }],
      conversationRefs: [{ key: 'teams:aad-1', uid: 'u1', reference: { conversation: { id: 'a:1' }, serviceUrl: 'https://smba.example/' }, updatedAt: T0 }, { key: 'teams:aad-2', reference: {}, updatedAt: T0 }],
      reminders: [{ uid: 'u1', lastAt: T0, previousAt: T0 - 5, kind: 'reconfirm', via: 'teams', status: 'sending', count: 2, stoppedAt: T0 + 4, updatedAt: T0 }, { uid: 'u2', count: 0, updatedAt: T0 }],
      contactConfirmations: [{ uid: 'u1', confirmedAt: T0 }],
    };
    const keys: Record<string, string> = { accounts: 'uid', contacts: 'uid', challenges: 'id', links: 'tokenHash', throttles: 'key', botState: 'key', preferences: 'uid', smsOptOuts: 'number', smsDeliveries: 'sid', handoffCases: 'reference', deskCounters: 'key', conversationRefs: 'key', reminders: 'uid', contactConfirmations: 'uid' };
    const key = (name: string, r: Record<string, unknown>) => String(r[keys[name]!]);
    for (const [name, list] of Object.entries(records)) for (const r of list) await (store[name as keyof typeof records] as { put(r: unknown): Promise<void> }).put(r);
    const check = async (s: Store) => {
      for (const [name, list] of Object.entries(records)) {
        const table = s[name as keyof typeof records] as { get(k: string): Promise<unknown>; count(): Promise<number> };
        for (const r of list) expect({ name, got: await table.get(key(name, r as Record<string, unknown>)) }).toEqual({ name, got: JSON.parse(JSON.stringify(r)) });
        expect(await table.count()).toBe(list.length);
      }
    };
    await check(store);
    const again = await reopen();
    opened = { store: again, other: again, reopen: async () => again };
    await check(again);
  });

  test('findBy: accounts by UPN, email and AAD object id ignoring case, contacts by email and mobile; an update or delete moves them', async () => {
    const { store } = await start();
    await store.accounts.put(account('u1', { upn: 'Jane.Doe@Example.EDU', aadObjectId: 'ABC-DEF' }));
    await store.accounts.put(account('u2', { email: 'shared@example.edu' }));
    await store.accounts.put(account('u3', { email: 'SHARED@example.edu' }));
    expect((await store.accounts.findBy('upn', 'jane.doe@example.edu')).map((a) => a.uid)).toEqual(['u1']);
    expect((await store.accounts.findBy('aadObjectId', 'abc-def')).map((a) => a.uid)).toEqual(['u1']);
    expect((await store.accounts.findBy('email', 'Shared@Example.edu')).map((a) => a.uid).sort()).toEqual(['u2', 'u3']);
    await store.contacts.put(contact('u1', { email: 'Me@Gmail.com' }));
    expect((await store.contacts.findBy('email', 'me@gmail.com')).map((c) => c.uid)).toEqual(['u1']);
    expect((await store.contacts.findBy('mobile', '+85291234567')).map((c) => c.uid)).toEqual(['u1']);
    await store.challenges.put(challenge('c1'));
    await store.challenges.put(challenge('c2', { uid: 'u2', target: '+85260000000' }));
    expect((await store.challenges.findBy('uid', 'u2')).map((c) => c.id)).toEqual(['c2']);
    expect((await store.challenges.findBy('target', '+85291234567')).map((c) => c.id)).toEqual(['c1']);
    await store.links.put(link(1));
    expect((await store.links.findBy('uid', 'u1')).map((l) => l.tokenHash)).toEqual([link(1).tokenHash]);

    await store.accounts.update('u1', (a) => ({ next: { ...a!, upn: 'new@example.edu' }, answer: undefined }));
    expect(await store.accounts.findBy('upn', 'jane.doe@example.edu')).toEqual([]);
    expect((await store.accounts.findBy('upn', 'NEW@example.edu')).map((a) => a.uid)).toEqual(['u1']);
    await store.contacts.delete('u1');
    expect(await store.contacts.findBy('mobile', '+85291234567')).toEqual([]);
  });

  test('getMany reads several keys in one lookup, in the order asked, undefined where there is none', async () => {
    const { store } = await start();
    await store.botState.put(state('conv', 'e1'));
    await store.botState.put(state('user', 'e2', 2));
    expect(await store.botState.getMany(['user', 'nothing', 'conv'])).toEqual([state('user', 'e2', 2), undefined, state('conv', 'e1')]);
    expect(await store.botState.getMany([])).toEqual([]);
  });

  test('insert writes only a new key; put replaces; delete of a missing key is harmless', async () => {
    const { store } = await start();
    expect(await store.challenges.insert(challenge('c1'))).toBe(true);
    expect(await store.challenges.insert(challenge('c1', { status: 'used' }))).toBe(false);
    expect((await store.challenges.get('c1'))?.status).toBe('open');
    await store.challenges.put(challenge('c1', { status: 'revoked' }));
    expect((await store.challenges.get('c1'))?.status).toBe('revoked');
    await store.challenges.delete('c1');
    await store.challenges.delete('c1');
    expect(await store.challenges.get('c1')).toBeUndefined();
  });

  test('update creates, changes, deletes or leaves a record as its decision says, and answers what the decision answered', async () => {
    const { store } = await start();
    expect(await store.links.update(link(1).tokenHash, (l) => ({ answer: l === undefined }))).toBe(true);
    expect(await store.links.get(link(1).tokenHash)).toBeUndefined();
    expect(await store.links.update(link(1).tokenHash, () => ({ next: link(1), answer: 'created' }))).toBe('created');
    expect(await store.links.update(link(1).tokenHash, (l) => ({ next: { ...l!, status: 'used' }, answer: l!.status }))).toBe('open');
    expect((await store.links.get(link(1).tokenHash))?.status).toBe('used');
    // What a decision is shown is a copy: changing it without deciding to write changes nothing.
    await store.links.update(link(1).tokenHash, (l) => {
      l!.status = 'revoked';
      return { answer: undefined };
    });
    expect((await store.links.get(link(1).tokenHash))?.status).toBe('used');
    expect(await store.links.update(link(1).tokenHash, () => ({ next: null, answer: 'gone' }))).toBe('gone');
    expect(await store.links.get(link(1).tokenHash)).toBeUndefined();
    await expect(store.links.update(link(1).tokenHash, () => ({ next: link(2), answer: undefined }))).rejects.toThrow(/another key/);
  });

  test('200 concurrent updates of one record, from two instances, each count once: none is lost or applied twice', async () => {
    const { store, other } = await start();
    await store.throttles.put(throttle('account:race', { sends: [] }));
    const bump = (s: Store) => s.throttles.update('account:race', (t) => ({ next: { ...t!, consecutiveFailures: t!.consecutiveFailures + 1 }, answer: t!.consecutiveFailures + 1 }));
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => bump(i % 2 ? store : other)));
    expect((await store.throttles.get('account:race'))?.consecutiveFailures).toBe(200);
    // Every answer was decided on the record as it really was: each count from 1 to 200 exactly once.
    expect([...answers].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  }, 60_000);

  test('an update decides on what is stored now, even after another instance changed the record this one read before', async () => {
    const { store, other } = await start();
    await store.challenges.put(challenge('c1'));
    expect((await store.challenges.get('c1'))?.wrongTries).toBe(0); // this instance has seen version 1
    await other.challenges.update('c1', (c) => ({ next: { ...c!, wrongTries: 4 }, answer: undefined }));
    const seen = await store.challenges.update('c1', (c) => ({ next: { ...c!, wrongTries: c!.wrongTries + 1 }, answer: c!.wrongTries }));
    expect(seen).toBe(4);
    expect((await other.challenges.get('c1'))?.wrongTries).toBe(5);
    // A decision to change nothing is taken on the stored record too, not on the one seen before.
    await other.challenges.update('c1', (c) => ({ next: { ...c!, status: 'dead' }, answer: undefined }));
    expect(await store.challenges.update('c1', (c) => ({ answer: c!.status }))).toBe('dead');
  });

  test('an update of a counter this instance never saw decides on the one another instance stored, not on none', async () => {
    const { store, other } = await start();
    await other.throttles.put(throttle('account:elsewhere', { consecutiveFailures: 3 }));
    const bump = (t: ThrottleRecord | undefined) => {
      const failures = (t?.consecutiveFailures ?? 0) + 1;
      return { next: { ...(t ?? throttle('account:elsewhere', { sends: [] })), consecutiveFailures: failures }, answer: failures };
    };
    expect(await store.throttles.update('account:elsewhere', bump)).toBe(4);
    expect((await other.throttles.get('account:elsewhere'))?.consecutiveFailures).toBe(4);
    // A decision to leave it, or to delete it, is taken on what is stored too, not on "none".
    await other.throttles.put(throttle('account:left', { consecutiveFailures: 2 }));
    expect(await store.throttles.update('account:left', (t) => ({ answer: t?.consecutiveFailures ?? 0 }))).toBe(2);
    await other.throttles.put(throttle('account:cleared'));
    expect(await store.throttles.update('account:cleared', (t) => (t ? { next: null, answer: true } : { answer: false }))).toBe(true);
    await other.throttles.put(throttle('account:dropped'));
    await store.throttles.update('account:dropped', () => ({ next: null, answer: undefined }));
    expect(await other.throttles.get('account:cleared')).toBeUndefined();
    expect(await other.throttles.get('account:dropped')).toBeUndefined();
  });

  test('putIfVersion: writes when nothing is stored or the version matches; of 20 writers holding the same version exactly one wins', async () => {
    const { store, other } = await start();
    expect(await store.botState.putIfVersion(state('k', 'v1'), 'anything')).toBe(true);
    expect(await store.botState.putIfVersion(state('k', 'v2', 2), 'v1')).toBe(true);
    expect(await store.botState.putIfVersion(state('k', 'v3', 3), 'v1')).toBe(false);
    expect(await store.botState.get('k')).toEqual(state('k', 'v2', 2));
    const wins = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? store : other).botState.putIfVersion(state('k', `w${i}`, 10 + i), 'v2')));
    expect(wins.filter(Boolean)).toHaveLength(1);
    const winner = wins.indexOf(true);
    expect(await other.botState.get('k')).toEqual(state('k', `w${winner}`, 10 + winner));
  });

  test('purge deletes, in one step, exactly the records whose named times (or every time of a list) are absent or at most the bounds', async () => {
    const { store } = await start();
    await store.challenges.put(challenge('old', { createdAt: T0 - 10_000, expiresAt: T0 - 1 }));
    await store.challenges.put(challenge('edge', { createdAt: T0 - 10_000, expiresAt: T0 }));
    await store.challenges.put(challenge('live', { createdAt: T0 - 10_000, expiresAt: T0 + 1 }));
    await store.challenges.put(challenge('recent', { createdAt: T0 - 10, expiresAt: T0 - 1 }));
    expect(await store.challenges.purge({ expiresAt: T0, createdAt: T0 - 5_000 })).toBe(2);
    expect((await store.challenges.all()).map((c) => c.id).sort()).toEqual(['live', 'recent']);

    await store.throttles.put(throttle('a', { updatedAt: T0 - 100, consecutiveFailures: 0 }));
    await store.throttles.put(throttle('paused', { updatedAt: T0 - 100, pausedUntil: T0 + 1 }));
    await store.throttles.put(throttle('pause-over', { updatedAt: T0 - 100, pausedUntil: T0 - 1 }));
    await store.throttles.put(throttle('failing', { updatedAt: T0 - 100, consecutiveFailures: 3 }));
    await store.throttles.put(throttle('fresh', { updatedAt: T0, clockHour: { start: T0, count: 1 } }));
    expect(await store.throttles.purge({ updatedAt: T0 - 50, pausedUntil: T0, consecutiveFailures: 0 })).toBe(2);
    expect((await store.throttles.all()).map((t) => t.key).sort()).toEqual(['failing', 'fresh', 'paused']);
    // A list of times is within the bound when every time in it is (an empty list always is).
    await store.throttles.put(throttle('old-sends', { sends: [T0 - 5, T0 - 1] }));
    await store.throttles.put(throttle('no-sends', { sends: [] }));
    expect(await store.throttles.purge({ sends: T0 - 1 })).toBe(2);
    expect(await store.throttles.purge({})).toBe(3);
  });

  test('purge with keepAbsent keeps the records without the named field: delivered hand-off cases go, cases still being sent stay', async () => {
    const { store } = await start();
    const handoff = (reference: string, deliveredAt?: number) => ({ reference, reason: 'asked' as const, uid: '', verified: false, channel: 'sms', language: 'en', reach: {}, steps: [], createdAt: T0, delivery: { email: 'sent' as const }, attempts: 1, ...(deliveredAt === undefined ? { nextAttemptAt: T0 } : { deliveredAt }) });
    for (const c of [handoff('PR-20260901-0001', T0 - 10), handoff('PR-20260901-0002', T0), handoff('PR-20260901-0003', T0 + 1), handoff('PR-20260901-0004')]) await store.handoffCases.put(c);
    expect(await store.handoffCases.purge({ deliveredAt: T0 }, { keepAbsent: true })).toBe(2);
    expect((await store.handoffCases.all()).map((c) => c.reference).sort()).toEqual(['PR-20260901-0003', 'PR-20260901-0004']);
    expect((await store.handoffCases.findBy('pending', 'yes')).map((c) => c.reference)).toEqual(['PR-20260901-0004']);
    expect(await store.handoffCases.purge({ deliveredAt: T0 + 1 })).toBe(2);
  });

  test('countInClockHour counts to the limit in one atomic step, even from two instances at once; a new hour starts afresh', async () => {
    const { store, other } = await start();
    const HOUR = 3_600_000;
    const hour = T0 - (T0 % HOUR);
    const counted = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? store : other).throttles.countInClockHour('sms-outbound:all', hour, 60, false, T0)));
    expect(counted.filter(Boolean)).toHaveLength(60);
    expect((await store.throttles.get('sms-outbound:all'))?.clockHour).toEqual({ start: hour, count: 60 });
    expect(await store.throttles.countInClockHour('sms-outbound:all', hour, 60, true, T0)).toBe(true); // forced: a reply to someone who texted
    expect((await store.throttles.get('sms-outbound:all'))?.clockHour).toEqual({ start: hour, count: 61 });
    await store.throttles.update('sms-outbound:all', (t) => ({ next: { ...t!, refusedAt: T0 }, answer: undefined }));
    expect(await other.throttles.countInClockHour('sms-outbound:all', hour + HOUR, 60, false, T0 + HOUR)).toBe(true);
    expect(await store.throttles.get('sms-outbound:all')).toEqual({ key: 'sms-outbound:all', sends: [], consecutiveFailures: 0, clockHour: { start: hour + HOUR, count: 1 }, updatedAt: T0 + HOUR });
    // A counter written before clock hours (a list of sends) starts the hour with its sends of the last hour.
    await store.throttles.put(throttle('legacy', { sends: [T0 - HOUR, T0 - 10, T0 - 5], consecutiveFailures: 0 }));
    expect(await other.throttles.countInClockHour('legacy', hour, 3, false, T0)).toBe(true);
    expect(await other.throttles.countInClockHour('legacy', hour, 3, false, T0)).toBe(false);
    expect((await store.throttles.get('legacy'))?.clockHour).toEqual({ start: hour, count: 3 });
  });

  test('runAlone runs the task and answers what it answered; health is ok while the store works', async () => {
    const { store } = await start();
    expect(await store.runAlone('purge', async () => 42)).toBe(42);
    expect(await store.health()).toEqual({ ok: true });
  });
});
