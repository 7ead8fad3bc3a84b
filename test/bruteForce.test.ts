import { afterEach, describe, expect, test } from '@jest/globals';
import { randomInt } from 'node:crypto';
import { openTestServices, addAccount, type TestServices } from './support/services.js';

let t: TestServices;
afterEach(async () => {
  await t.services.close();
});

async function setup(env: Record<string, string> = {}) {
  t = await openTestServices(env);
  await addAccount(t.services, 'jdoe', 'jdoe@example.edu');
  const now = t.clock.now();
  await t.services.store.contacts.put({ uid: 'jdoe', email: 'jane@gmail.com', mobile: '+85261234567', source: 'self', verifiedAt: now, updatedAt: now });
  return t.services.pinReset;
}

/** Guesses random codes (never the real one), asking for a new code whenever the current one dies. */
async function attack(guesses: number, hoursBetweenCodes = 0) {
  const reset = await setup(hoursBetweenCodes ? { SENDS_PER_ACCOUNT_PER_HOUR: '100', SENDS_PER_ACCOUNT_PER_DAY: '1000', SENDS_PER_DESTINATION_PER_HOUR: '100' } : {});
  const ctx = { channel: 'test' };
  const outcomes: Record<string, number> = {};
  let challengeId: string | undefined;
  for (let i = 0; i < guesses; i++) {
    if (!challengeId) {
      t.clock.advance(hoursBetweenCodes * 3_600_000);
      const sent = await reset.requestSmsCode('jdoe', ctx);
      if (sent.kind === 'sent') challengeId = sent.challengeId;
      await t.services.background.drain();
    }
    if (!challengeId) {
      outcomes['refused-send'] = (outcomes['refused-send'] ?? 0) + 1;
      continue;
    }
    const real = t.sms.sent.length ? t.sms.lastCode('+85261234567') : '';
    let guess = String(randomInt(0, 1_000_000)).padStart(6, '0');
    if (guess === real) guess = String((Number(real) + 1) % 1_000_000).padStart(6, '0');
    const result = await t.services.codes.check(challengeId, guess, { uid: 'jdoe', purpose: 'reset-sms' }, { ...ctx, uid: 'jdoe' });
    outcomes[result.kind] = (outcomes[result.kind] ?? 0) + 1;
    if (result.kind === 'dead') challengeId = undefined;
  }
  return outcomes;
}

describe('brute force against SMS codes', () => {
  test('1,000 random guesses across resends never succeed, and the pause engages after the fifth code', async () => {
    const outcomes = await attack(1000);
    expect(outcomes['ok']).toBeUndefined();
    // Once paused, no new code is sent and every check is refused.
    expect((outcomes['paused'] ?? 0) + (outcomes['refused-send'] ?? 0)).toBe(975);
    expect(t.sms.sent).toHaveLength(5);
    expect(await t.services.throttles.pausedUntil('jdoe')).toBeGreaterThan(t.clock.now());
  });

  test('with send limits raised, 100 failed checks in a row pause the account; new codes do not reset the count', async () => {
    const outcomes = await attack(1000, 1);
    expect(outcomes['ok']).toBeUndefined();
    // The 100th failure is answered "paused"; every check after it is refused unseen.
    expect((outcomes['wrong'] ?? 0) + (outcomes['dead'] ?? 0)).toBe(99);
    expect(outcomes['paused']).toBeGreaterThan(0);
    expect(t.sms.sent).toHaveLength(20);
    const paused = (await t.services.auditLog.read({ uid: 'jdoe' })).filter((e) => e.event === 'throttle.paused');
    expect(paused.map((e) => e.detail?.['reason'])).toEqual(['failures']);
  });
});
