/**
 * An instance on PostgreSQL saves round trips by keeping what it saw itself: the SMS ceiling's count
 * for a second, the codes typed correctly on it, whether a check began with failures to clear. Each
 * shortcut is checked here against a second instance on the same database, which must see every
 * rule enforced as if there were no shortcut.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { openServices, type Services } from '../src/services.js';
import { ManualClock } from './support/fakes.js';
import { createDatabase, postgresServer } from './support/servers/postgres.js';
import { tempDataDir, testConfig, TEST_SERVER_SECRET } from './support/services.js';

const silent = { info() {}, warn() {}, error() {}, debug() {} };
const ctx = { channel: 'emulator' as const };

let a: Services;
let b: Services;
let clockA: ManualClock;
let clockB: ManualClock;

beforeAll(async () => {
  const url = await createDatabase(await postgresServer());
  const env = { STORE: 'postgres', DATABASE_URL: url, SERVER_SECRET: TEST_SERVER_SECRET, SMS_MAX_PER_HOUR: '3' };
  clockA = new ManualClock();
  clockB = new ManualClock();
  // Schema first, then the second instance.
  a = await openServices(testConfig({ DATA_DIR: await tempDataDir(), ...env }), { clock: clockA, logger: silent });
  b = await openServices(testConfig({ DATA_DIR: await tempDataDir(), ...env }), { clock: clockB, logger: silent });
}, 60_000);

afterAll(async () => {
  await Promise.allSettled([a?.close(), b?.close()]);
});

/** Both instances' clocks at the same time, as real instances' clocks are. */
const advance = (ms: number) => {
  clockA.advance(ms);
  clockB.advance(ms);
};

describe('what one instance keeps of its own turns never weakens a rule the other enforces', () => {
  test('the SMS ceiling holds across instances: every SMS is counted in the database, an instance sees its own at once, the other within a second', async () => {
    // A clock hour of its own, so that no other test's SMS count here.
    advance(3_600_000);
    expect(await a.sms.ceiling.reached()).toBe(false);
    // Instance b sends up to the ceiling of the whole service.
    for (let i = 0; i < 3; i++) expect(await b.sms.ceiling.take('send')).toBe(true);
    // Whatever instance a last read, the next SMS is refused: the count that holds the ceiling is taken in the database.
    expect(await a.sms.ceiling.take('send')).toBe(false);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await a.sms.ceiling.reached()).toBe(true);

    // A new hour: instance a's own sends show in its answer at once, without waiting for a read.
    advance(3_600_000);
    expect(await a.sms.ceiling.reached()).toBe(false);
    for (let i = 0; i < 3; i++) expect(await a.sms.ceiling.take('send')).toBe(true);
    expect(await a.sms.ceiling.reached()).toBe(true);
    expect(await b.sms.ceiling.take('send')).toBe(false);
  });

  test('a code typed correctly on one instance proves the next step on either, only for its own account and purpose, only within its window', async () => {
    const { challenge, code } = await a.codes.create('memo1', 'reset-sms', 'sms', '+85260000001', true);
    await a.codes.markDelivery(challenge.id, true);
    expect((await a.codes.check(challenge.id, code, { uid: 'memo1', purpose: 'reset-sms' }, ctx)).kind).toBe('ok');
    const window = 600_000;
    for (const instance of [a, b]) {
      expect(await instance.codes.usedRecently(challenge.id, 'memo1', 'reset-sms', window)).toMatchObject({ id: challenge.id, status: 'used' });
      // The same code proves nothing for another account or another step.
      expect(await instance.codes.usedRecently(challenge.id, 'memo2', 'reset-sms', window)).toBeUndefined();
      expect(await instance.codes.usedRecently(challenge.id, 'memo1', 'identity', window)).toBeUndefined();
    }
    // Used once is used everywhere: typed again on the other instance, it is refused.
    expect((await b.codes.check(challenge.id, code, { uid: 'memo1', purpose: 'reset-sms' }, ctx)).kind).toBe('expired');
    // Past its window it proves nothing, on the instance that saw it used as on the other.
    advance(window + 1);
    expect(await a.codes.usedRecently(challenge.id, 'memo1', 'reset-sms', window)).toBeUndefined();
    expect(await b.codes.usedRecently(challenge.id, 'memo1', 'reset-sms', window)).toBeUndefined();
  });

  test('a correct code ends a run of failures counted on the other instance; with none counted, checking it leaves no counter behind', async () => {
    const first = await a.codes.create('memo3', 'reset-sms', 'sms', '+85260000003', true);
    await a.codes.markDelivery(first.challenge.id, true);
    const wrong = first.code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 2; i++) expect((await b.codes.check(first.challenge.id, wrong, { uid: 'memo3', purpose: 'reset-sms' }, ctx)).kind).toBe('wrong');
    expect((await a.throttles.accountLimits('memo3')).failures.count).toBe(2);
    expect((await a.codes.check(first.challenge.id, first.code, { uid: 'memo3', purpose: 'reset-sms' }, ctx)).kind).toBe('ok');
    expect((await b.throttles.accountLimits('memo3')).failures.count).toBe(0);

    const clean = await b.codes.create('memo4', 'reset-sms', 'sms', '+85260000004', true);
    await b.codes.markDelivery(clean.challenge.id, true);
    expect((await a.codes.check(clean.challenge.id, clean.code, { uid: 'memo4', purpose: 'reset-sms' }, ctx)).kind).toBe('ok');
    expect(await b.store.throttles.get('account:memo4')).toBeUndefined();
  });
});
