import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runAdminCommand } from '../src/admin/commands.js';
import { openTestServices, addAccount, type TestServices } from './support/services.js';
import { converse, startChat } from './support/dialogs.js';

let t: TestServices;
/** An admin command run on this test's services, with the files it names. */
const admin = (argv: string[], files: Record<string, string> = {}) => runAdminCommand(t.services, argv, { files, stdin: '' });
const TWO_FACTOR = 'uid,email,mobile\ncwong,cw.vpn@gmail.com,+852 9123 4567\n';

beforeEach(async () => {
  t = await openTestServices();
  await addAccount(t.services, 'cwong', 'cwong@example.edu');
});
afterEach(async () => {
  await t.services.close();
});

async function storeFiles(): Promise<string> {
  const dir = join(t.dataDir, 'store');
  return (await Promise.all((await readdir(dir)).map((n) => readFile(join(dir, n), 'utf8')))).join('\n');
}

describe('an erasure sticks', () => {
  test('after contacts delete, a later contacts import of the same file does not bring the erased contact back', async () => {
    expect((await admin(['contacts', 'import', 'contacts.csv'], { 'contacts.csv': TWO_FACTOR })).stdout).toContain('1 created');
    const deleted = await admin(['contacts', 'delete', 'cwong']);
    expect(deleted.exitCode).toBe(0);

    const again = await admin(['contacts', 'import', 'contacts.csv'], { 'contacts.csv': TWO_FACTOR });
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('line 2: cwong: not imported; this contact was erased with contacts delete');
    expect(again.stdout).toContain('0 created, 0 updated, 0 unchanged, 0 kept (self-registered), 1 not brought back (erased), 0 rejected.');
    expect(await t.services.registration.current('cwong')).toBeUndefined();
    expect((await admin(['contacts', 'show', 'cwong'])).stdout).toMatch(/^cwong has no registered contacts \(erased on .+ HKT\)\./);
    // Only one of the two erased values in a new row is enough to keep the row out.
    const half = await admin(['contacts', 'import', 'half.csv'], { 'half.csv': 'uid,email,mobile\ncwong,other@gmail.com,+852 9123 4567\n' });
    expect(half.stdout).toContain('1 not brought back (erased)');
  });

  test('the tombstone keeps no contact data: neither the address nor the number is in the store files', async () => {
    await admin(['contacts', 'import', 'contacts.csv'], { 'contacts.csv': TWO_FACTOR });
    await admin(['contacts', 'delete', 'cwong']);
    await t.services.close();
    t = { ...t, ...(await openTestServices({}, t.dataDir)) };
    const text = await storeFiles();
    expect(text).not.toMatch(/cw\.vpn@gmail\.com/i);
    expect(text).not.toContain('+85291234567');
    expect(text).not.toContain('91234567');
    const tombstone = await t.services.store.contacts.get('cwong');
    expect(tombstone).toEqual({ uid: 'cwong', source: 'import', verifiedAt: expect.any(Number), updatedAt: expect.any(Number), erasedAt: expect.any(Number), erased: [expect.any(String), expect.any(String)] });
  });

  test('an erased contact comes back when the user registers it again, and is erased again for good', async () => {
    await admin(['contacts', 'import', 'contacts.csv'], { 'contacts.csv': TWO_FACTOR });
    await admin(['contacts', 'delete', 'cwong']);
    const chat = startChat(t.services);
    await converse(chat, [['register', 'portal UID'], ['cwong', 'I have sent']]);
    await t.services.background.drain();
    await converse(chat, [[t.mailer.lastCode('cwong@example.edu'), 'alternate email'], ['cw.vpn@gmail.com', 'I have sent']]);
    await converse(chat, [[t.mailer.lastCode('cw.vpn@gmail.com'), 'mobile'], ['9123 4567', 'SMS']]);
    await converse(chat, [[t.sms.lastCode('+85291234567'), 'All done']]);
    expect(await t.services.store.contacts.get('cwong')).toMatchObject({ email: 'cw.vpn@gmail.com', mobile: '+85291234567', source: 'self' });

    // Erased again: the import still cannot bring back what was erased, before or now.
    await admin(['contacts', 'delete', 'cwong']);
    expect((await admin(['contacts', 'import', 'contacts.csv'], { 'contacts.csv': TWO_FACTOR })).stdout).toContain('1 not brought back (erased)');
  });

  test('--restore-erased brings an erased contact back, and each restore is audited', async () => {
    await admin(['contacts', 'import', 'contacts.csv'], { 'contacts.csv': TWO_FACTOR });
    await admin(['contacts', 'delete', 'cwong']);
    const restored = await admin(['contacts', 'import', 'contacts.csv', '--restore-erased'], { 'contacts.csv': TWO_FACTOR });
    expect(restored.exitCode).toBe(0);
    expect(restored.stdout).toContain('1 created');
    expect(await t.services.store.contacts.get('cwong')).toMatchObject({ email: 'cw.vpn@gmail.com', mobile: '+85291234567', source: 'import' });
    const events = await t.services.auditLog.read({ uid: 'cwong' });
    expect(events.filter((e) => e.event === 'contacts.restored')).toEqual([
      expect.objectContaining({ channel: 'admin', outcome: 'ok', detail: { restored: 'email,mobile', via: 'contacts import --restore-erased', email: 'c***@gmail.com', mobile: '+852 ****4567' } }),
    ]);
  });
});

describe('the service desk is told plainly what happened', () => {
  test('contacts delete says, as a person would, that the user is being told', async () => {
    await admin(['contacts', 'import', 'contacts.csv'], { 'contacts.csv': TWO_FACTOR });
    const deleted = await admin(['contacts', 'delete', 'cwong']);
    expect(deleted.stdout).toContain('cwong: we are emailing their institutional address to let them know.');
    expect(deleted.stdout).not.toContain('is being told');
  });

  test('contacts delete nobody and unlock nobody say that no such account exists, and exit 1', async () => {
    expect(await admin(['contacts', 'delete', 'nobody'])).toEqual({ stdout: 'There is no account nobody, and no contacts are registered under that UID; nothing deleted.\n', stderr: '', exitCode: 1 });
    expect(await admin(['unlock', 'nobody'])).toEqual({ stdout: 'There is no account nobody; nothing to unlock.\n', stderr: '', exitCode: 1 });
  });
});
