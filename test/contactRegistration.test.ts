import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { ContactRegistration } from '../src/domain/contactRegistration.js';
import type { ContactRecord, Table } from '../src/ports/store.js';
import { openTestServices, addAccount, type TestServices } from './support/services.js';

let t: TestServices;
beforeEach(async () => {
  t = await openTestServices();
  await addAccount(t.services, 'jdoe');
});
afterEach(async () => {
  await t.services.close();
});

/** A contacts table whose every step takes a while, to open the window a race would need. */
function slowly(table: Table<ContactRecord>): Table<ContactRecord> {
  const later = <T>(run: () => Promise<T>) => new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 25)).then(run);
  return {
    get: (k) => later(() => table.get(k)),
    getMany: (k) => later(() => table.getMany(k)),
    findBy: (i, v) => later(() => table.findBy(i, v)),
    insert: (r) => later(() => table.insert(r)),
    put: (r) => later(() => table.put(r)),
    delete: (k) => later(() => table.delete(k)),
    update: (k, decide) => later(() => table.update(k, decide)),
    purge: (b) => later(() => table.purge(b)),
    all: () => later(() => table.all()),
    count: () => later(() => table.count()),
  };
}

describe('contact registration and imports', () => {
  test('an import racing a self-registration never replaces it', async () => {
    const s = t.services;
    const registration = new ContactRegistration({ ...s, contacts: slowly(s.store.contacts) });
    const ctx = { channel: 'test' };
    const identity = await registration.startIdentity('jdoe', ctx);
    await s.background.drain();
    if (identity.kind !== 'sent') throw new Error('no identity code');
    await s.codes.check(identity.challengeId, t.mailer.lastCode('jdoe@example.edu'), { uid: 'jdoe', purpose: 'identity' }, ctx);
    const email = await registration.startAltEmail('jdoe', 'self@gmail.com', ctx);
    const mobile = await registration.startMobile('jdoe', '91234567', ctx);
    if (email.kind !== 'sent' || mobile.kind !== 'sent') throw new Error('no contact codes');
    await s.codes.check(email.challengeId, t.mailer.lastCode('self@gmail.com'), { uid: 'jdoe', purpose: 'alt-email' }, ctx);
    await s.codes.check(mobile.challengeId, t.sms.lastCode('+85291234567'), { uid: 'jdoe', purpose: 'mobile' }, ctx);

    const [saved, imported] = await Promise.all([
      registration.save('jdoe', { identity: { kind: 'code', challengeId: identity.challengeId }, emailChallengeId: email.challengeId, mobileChallengeId: mobile.challengeId }, ctx),
      registration.importContact('jdoe', { email: 'vpn@gmail.com', mobile: '+85260000000' }),
    ]);
    expect(saved).toBeDefined();
    expect(['kept', 'created']).toContain(imported);
    expect(await s.store.contacts.get('jdoe')).toMatchObject({ email: 'self@gmail.com', mobile: '+85291234567', source: 'self' });
  });
});
