import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { runCli } from '../src/admin/cli.js';
import { DIRECTORIES, type TestDirectory } from './support/directories.js';
import { LdapTestApp, pageText } from './support/ldapApp.js';
import { openTestServices } from './support/services.js';
import { converse, startChat } from './support/dialogs.js';

/**
 * Unlock: a user who remembers the PIN but is locked out proves control of a registered contact
 * (a code by SMS, or a link by email), and the directory clears the lockout without changing the
 * PIN; the contacts are told and it is audited. Against real directories.
 */
const PIN = 'Kept-Lantern-4321!z';

describe.each(DIRECTORIES)('%s', (_name, kind, open) => {
  let directory: TestDirectory;
  let app: LdapTestApp;
  const lockedAccount = async (prefix: string) => {
    const uid = await directory.addUser({ uid: prefix, pin: PIN });
    const email = `${uid}@gmail.com`;
    const mobile = `+8526${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
    await app.registerContacts(uid, email, mobile);
    await directory.lockOut(uid);
    expect(await directory.isLocked(uid)).toBe(true);
    return { uid, email, mobile };
  };

  beforeAll(async () => {
    directory = await open();
    app = await LdapTestApp.start(directory);
  }, 300_000);
  afterAll(async () => {
    await app?.close();
  });

  test('a locked account is unlocked by an SMS code, without changing the PIN; the contacts are told and it is audited', async () => {
    const { uid, email, mobile } = await lockedAccount('unsms');
    const user = app.chat();
    expect(await user.send("I'm locked out")).toEqual([expect.stringContaining('What is your portal UID?')]);
    expect(await user.send(uid)).toEqual([expect.stringContaining('To unlock your account without changing your PIN')]);
    expect(await user.send('sms')).toEqual([expect.stringContaining('I have sent a 6-digit code to it by SMS')]);
    const [done] = await user.send(await app.lastCode('sms', mobile));
    expect(done).toContain(`The account **${uid}** is unlocked`);

    expect(await directory.isLocked(uid)).toBe(false);
    expect(await directory.canBind(uid, PIN)).toBe(true);
    const mail = await app.outbox('mail');
    expect(mail.filter((m) => m.text.includes(`${uid} was unlocked`)).map((m) => m.to).sort()).toEqual([email, `${uid}@example.edu`].sort());
    expect((await app.outbox('sms')).some((m) => m.to === mobile && m.text.includes(`${uid} was unlocked`))).toBe(true);
    const events = (await app.services.auditLog.readReport({ uid })).events;
    expect(events.find((e) => e.event === 'account.unlocked')).toMatchObject({ outcome: 'ok', detail: { via: 'sms', wasLocked: true } });
  });

  test('a locked account is unlocked by an email link: opening it changes nothing, the POST unlocks, once', async () => {
    const { uid, email } = await lockedAccount('unmail');
    const user = app.chat();
    await user.send('unlock');
    await user.send(uid);
    expect(await user.send('email')).toEqual([expect.stringContaining('Open it within 30 minutes to unlock the account; your PIN stays the same.')]);
    const { url } = await app.lastLink(email);
    expect(url).toContain('/unlock/');

    // Mail scanners open links: GET and HEAD unlock nothing.
    const page = await app.open(url);
    expect(page.status).toBe(200);
    expect((await fetch(url, { method: 'HEAD' })).status).toBe(200);
    expect(await directory.isLocked(uid)).toBe(true);
    // An unlock link is no PIN-page link.
    expect((await app.open(url.replace('/unlock/', '/reset/'))).status).toBe(410);

    const done = await app.post(url, { csrf: page.csrf! });
    expect({ status: done.status, text: pageText(done.html) }).toEqual({ status: 200, text: expect.stringContaining('Your account is unlocked') });
    expect(await directory.isLocked(uid)).toBe(false);
    expect(await directory.canBind(uid, PIN)).toBe(true);
    expect((await app.post(url, { csrf: page.csrf! })).status).toBe(410);
  });

  test('unlock gives unknown, unregistered and registered UIDs identical words, both ways', async () => {
    const registered = (await lockedAccount('unknown')).uid;
    const unregistered = await directory.addUser({ uid: 'unreg', pin: PIN });
    for (const method of ['email', 'sms']) {
      const words = new Set<string>();
      for (const uid of [registered, unregistered, `nobody${registered.slice(-4)}`]) {
        const user = app.chat();
        await user.send('account locked');
        await user.send(uid);
        words.add((await user.send(method)).join('\n').replaceAll(uid, '{uid}'));
      }
      expect({ method, words: [...words] }).toEqual({ method, words: [expect.any(String)] });
    }
  });

  test('an account that is not locked is told so after the code, and its contacts hear nothing', async () => {
    const uid = await directory.addUser({ uid: 'notlocked', pin: PIN });
    const mobile = '+85261112222';
    await app.registerContacts(uid, `${uid}@gmail.com`, mobile);
    const user = app.chat();
    await user.send('unlock');
    await user.send(uid);
    await user.send('2');
    expect((await user.send(await app.lastCode('sms', mobile))).join('\n')).toContain('is not locked, so there was nothing to unlock');
    expect((await app.outbox('mail')).some((m) => m.text.includes(`${uid} was unlocked`))).toBe(false);
  });

  if (kind === 'ad') {
    test('with LDAP_UNLOCK_ON_RESET=false a reset sets the PIN and leaves the lockout to the service desk', async () => {
      const keeping = await LdapTestApp.start(directory, { extra: { LDAP_UNLOCK_ON_RESET: 'false' } });
      try {
        const uid = await directory.addUser({ uid: 'keeplock', pin: PIN });
        const mobile = '+85263334444';
        await keeping.registerContacts(uid, `${uid}@gmail.com`, mobile);
        await directory.lockOut(uid);
        const newPin = 'Reset-Kept-Lock-8080!j';
        expect((await keeping.setPin(await keeping.smsLinkFor(uid, mobile), newPin)).status).toBe(200);
        expect(await directory.isLocked(uid)).toBe(true);
        expect(await directory.canBind(uid, newPin)).toBe(false);
      } finally {
        await keeping.close();
      }
    });
  }

  test("the service desk's unlock UID also clears the lockout in the directory", async () => {
    const { uid } = await lockedAccount('desk');
    const result = await runCli(['unlock', uid], { env: { ...directory.env(), DATA_DIR: app.running.dataDir, LOG_LEVEL: 'silent' }, envFile: null }, { readFile: async () => '', readStdin: async () => '', warn: () => {} });
    expect(result).toMatchObject({ exitCode: 0, stdout: expect.stringContaining(`${uid}: the account was locked out in the directory; the lockout is cleared`) });
    expect(await directory.isLocked(uid)).toBe(false);
    const again = await runCli(['unlock', uid], { env: { ...directory.env(), DATA_DIR: app.running.dataDir, LOG_LEVEL: 'silent' }, envFile: null }, { readFile: async () => '', readStdin: async () => '', warn: () => {} });
    expect(again.stdout).toContain(`${uid}: the account is not locked out in the directory.`);
    expect((await app.services.auditLog.readReport({ uid })).events.filter((e) => e.event === 'account.unlocked').map((e) => e.channel)).toEqual(['admin', 'admin']);
  });
});

describe('on the embedded directory', () => {
  test('unlock (and "locked out" phrasings) says accounts are never locked here, and offers a reset', async () => {
    const t = await openTestServices();
    try {
      for (const said of ['unlock', "I'm locked out", 'I’m locked out', 'account locked', '解鎖']) {
        const chat = startChat(t.services);
        await converse(chat, [[said, /never locked by wrong PINs|不會因輸入錯誤的 PIN 而被鎖/]]);
      }
      const chat = startChat(t.services);
      await converse(chat, [['reset', 'What is your portal UID?']]);
    } finally {
      await t.services.close();
    }
  });
});
