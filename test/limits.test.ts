import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { runAdminCommand } from '../src/admin/commands.js';
import { openTestServices, addAccount, type TestServices } from './support/services.js';

let t: TestServices;
const admin = (...argv: string[]) => runAdminCommand(t.services, argv, { files: {}, stdin: '' });
const ctx = { channel: 'test' };

beforeEach(async () => {
  // Account limits raised, so that the address's own limit (5 codes an hour) is the one reached.
  t = await openTestServices({ SENDS_PER_ACCOUNT_PER_HOUR: '20', SENDS_PER_ACCOUNT_PER_DAY: '40' });
  await addAccount(t.services, 'jdoe');
  const now = t.clock.now();
  await t.services.store.contacts.put({ uid: 'jdoe', email: 'jane@gmail.com', mobile: '+85291234567', source: 'self', verifiedAt: now, updatedAt: now });
});
afterEach(async () => {
  await t.services.close();
});

/** Asks for a reset link by email; resolves with how many links the address has received so far. */
async function requestLink(): Promise<number> {
  await t.services.pinReset.requestEmailLink('jdoe', ctx);
  await t.services.background.drain();
  return t.mailer.to('jane@gmail.com').length;
}

describe('once an address has had its 5 codes in an hour (SENDS_PER_DESTINATION_PER_HOUR)', () => {
  test("unlock clears the limits of the account's own contacts too, so the next try sends again", async () => {
    for (let i = 1; i <= 5; i++) expect(await requestLink()).toBe(i);
    expect(await requestLink()).toBe(5);

    const unlocked = await admin('unlock', 'jdoe');
    expect(unlocked.exitCode).toBe(0);
    expect(unlocked.stdout).toContain('jdoe: the limits on codes to j***@gmail.com are cleared.');
    expect(unlocked.stdout).not.toContain('nothing to clear');
    expect(await requestLink()).toBe(6);
    const [event] = (await t.services.auditLog.read({ uid: 'jdoe' })).filter((e) => e.event === 'throttle.unlocked');
    expect(event).toMatchObject({ channel: 'admin', detail: { contactLimits: 1 } });
  });

  test('contacts show lists each pause and limit that applies, and when it ends', async () => {
    const quiet = await admin('contacts', 'show', 'jdoe');
    expect(quiet.stdout).toContain('  limits in force now: none\n');

    for (let i = 0; i < 6; i++) await requestLink();
    const limited = await admin('contacts', 'show', 'jdoe');
    // The first of the five leaves the hour one hour after it was sent (the clock has not moved).
    const ends = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Hong_Kong', dateStyle: 'medium', timeStyle: 'short' }).format(t.clock.now() + 3_600_000);
    expect(limited.stdout).toContain(`    - codes to j***@gmail.com: 5 of 5 in the last hour; none is sent until ${ends} HKT (unlock clears it)\n`);
    expect(limited.stdout).toContain('  sent:     5 of 20 in the last hour; 5 of 40 in the last day; codes to j***@gmail.com: 5 of 5 in the last hour; codes to +852 ****4567: 0 of 5 in the last hour\n');

    // A pause, and an opted-out mobile, are listed with theirs.
    await t.services.store.throttles.put({ key: 'account:jdoe', sends: [], consecutiveFailures: 0, pausedUntil: t.clock.now() + 24 * 3_600_000, updatedAt: t.clock.now() });
    await t.services.sms.optOuts.optOut('+85291234567', ctx);
    const paused = (await admin('contacts', 'show', 'jdoe')).stdout;
    const resumes = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Hong_Kong', dateStyle: 'medium', timeStyle: 'short' }).format(t.clock.now() + 24 * 3_600_000);
    expect(paused).toContain(`    - self-service is paused until ${resumes} HKT (unlock lifts it)\n`);
    expect(paused).toContain('    - +852 ****4567 texted STOP: nothing is sent to it until it texts START\n');

    await admin('unlock', 'jdoe');
    const after = (await admin('contacts', 'show', 'jdoe')).stdout;
    expect(after).not.toContain('paused until');
    expect(after).not.toContain('none is sent until');
  });
});
