import { describe, expect, test } from '@jest/globals';
import { openTestServices } from './support/services.js';

describe('SMS safeguards in the store', () => {
  test('a MessageSid is handled once within two days, and forgotten after', async () => {
    const { services, clock } = await openTestServices();
    try {
      const { deliveries } = services.sms;
      expect(await deliveries.firstTime('SM1')).toBe(true);
      expect(await deliveries.firstTime('SM1')).toBe(false);
      clock.advance(47 * 3_600_000);
      expect(await deliveries.firstTime('SM1')).toBe(false);
      expect(await deliveries.firstTime('SM2')).toBe(true);
      clock.advance(2 * 3_600_000);
      // The scheduled purge (Retention) forgets it.
      expect((await services.retention.purge()).smsDeliveries).toBe(1);
      expect(await services.store.smsDeliveries.get('SM1')).toBeUndefined();
      expect(await services.store.smsDeliveries.get('SM2')).toBeDefined();
    } finally {
      await services.close();
    }
  });

  test('an opt-out and the hourly SMS count survive a restart', async () => {
    const first = await openTestServices({ SMS_MAX_PER_HOUR: '2' });
    await first.services.sms.optOuts.optOut('+85291234567', { channel: 'sms' });
    expect(await first.services.sms.ceiling.take('send')).toBe(true);
    expect(await first.services.sms.ceiling.take('send')).toBe(true);
    await first.services.close();
    const again = await openTestServices({ SMS_MAX_PER_HOUR: '2' }, first.dataDir);
    try {
      expect(await again.services.sms.optOuts.isOptedOut('+85291234567')).toBe(true);
      expect(await again.services.sms.ceiling.reached()).toBe(true);
      // Nothing reaches the transport: the opted-out number first, then the ceiling.
      expect(await again.services.outbound.text('+85291234567', 'x')).toBe(false);
      expect(await again.services.outbound.text('+85290000000', 'x')).toBe(false);
      expect(again.sms.sent).toEqual([]);
    } finally {
      await again.services.close();
    }
  });

  test('a ceiling counter written before fixed windows (a list of sends) still loads and keeps counting; retention keeps the current hour and purges it after', async () => {
    const first = await openTestServices({ SMS_MAX_PER_HOUR: '3' });
    const now = first.clock.now();
    await first.services.store.throttles.put({ key: 'sms-outbound:all', sends: [now - 2 * 3_600_000, now - 20 * 60_000, now - 60_000], consecutiveFailures: 0, updatedAt: now });
    await first.services.close();
    const again = await openTestServices({ SMS_MAX_PER_HOUR: '3' }, first.dataDir);
    try {
      const { ceiling } = again.services.sms;
      // The two sends of the last hour still count: one more, then the ceiling.
      expect(await ceiling.reached()).toBe(false);
      expect(await ceiling.take('send')).toBe(true);
      expect(await ceiling.take('send')).toBe(false);
      expect(await again.services.store.throttles.get('sms-outbound:all')).toMatchObject({ sends: [], clockHour: { start: now - (now % 3_600_000), count: 3 } });
      expect((await again.services.retention.purge()).throttles).toBe(0);
      again.clock.advance(3_600_000);
      expect(await ceiling.reached()).toBe(false);
      expect((await again.services.retention.purge()).throttles).toBe(1);
    } finally {
      await again.services.close();
    }
  });
});
