import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readAllFiles } from './support/app.js';
import { DIRECTORIES, type TestDirectory } from './support/directories.js';
import { LdapTestApp, pageText } from './support/ldapApp.js';

/**
 * Resets against real directories (OpenLDAP's slapd with ppolicy; Samba as an AD domain
 * controller): the new PIN is written there, the directory's own policy has the last word, and
 * its refusals are explained on the PIN page without using up the link.
 */
const OLD_PIN = 'Old-Lantern-1234!x';

describe.each(DIRECTORIES)('%s', (_name, kind, open) => {
  let directory: TestDirectory;
  let app: LdapTestApp;
  const secrets: string[] = [OLD_PIN];
  /** An account in the directory, with contacts registered with the bot. */
  const account = async (uid: string, extra: { youngPolicy?: boolean } = {}) => {
    const real = await directory.addUser({ uid, pin: OLD_PIN, ...extra });
    const contacts = { email: `${real}@gmail.com`, mobile: `+8529${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}` };
    await app.registerContacts(real, contacts.email, contacts.mobile);
    return { uid: real, ...contacts };
  };
  const pin = (label: string) => {
    const value = `${label}-Harbour-${Math.floor(Math.random() * 9000 + 1000)}!Q`;
    secrets.push(value);
    return value;
  };

  beforeAll(async () => {
    directory = await open();
    app = await LdapTestApp.start(directory);
  }, 300_000);
  afterAll(async () => {
    await app?.close();
  });

  test('a reset by SMS sets the PIN in the directory: a bind with the new PIN works, the old one fails', async () => {
    const { uid, mobile } = await account('sms');
    const url = await app.smsLinkFor(uid, mobile);
    const newPin = pin('Sms');
    const done = await app.setPin(url, newPin);
    expect({ status: done.status, text: pageText(done.html) }).toEqual({ status: 200, text: expect.stringContaining('Your PIN has been changed') });
    expect(await directory.canBind(uid, newPin)).toBe(true);
    expect(await directory.canBind(uid, OLD_PIN)).toBe(false);
  });

  test('a reset by email sets the PIN in the directory: a bind with the new PIN works, the old one fails', async () => {
    const { uid, email } = await account('mail');
    const url = await app.emailLinkFor(uid, email);
    const newPin = pin('Mail');
    expect((await app.setPin(url, newPin)).status).toBe(200);
    expect(await directory.canBind(uid, newPin)).toBe(true);
    expect(await directory.canBind(uid, OLD_PIN)).toBe(false);
    // Every registered contact and the institutional email hear of it, as on the embedded directory.
    const mail = await app.outbox('mail');
    expect(mail.filter((m) => m.text.includes(`PIN of ${uid} was changed`)).map((m) => m.to).sort()).toEqual([email, `${uid}@example.edu`].sort());
  });

  test("each kind of refusal by the directory's own policy is explained on the PIN page, and the same link then sets the PIN", async () => {
    const { uid, email } = await account('refused');
    const url = await app.emailLinkFor(uid, email);
    // Each passes the bot's own policy; the directory refuses it for the reason named.
    const refusals: [string, string][] =
      directory.kind === 'ad'
        ? [
            ['Kx9#mQ2vLp-7', 'The account directory needs a longer PIN: at least 14 characters.'],
            ['lantern harbour quiet river', 'characters from at least three of these: capital letters, small letters, digits and symbols'],
          ]
        : [
            ['Kx9#mQ2vLp', 'The account directory needs a longer PIN than this.'],
            ['{SSHA}Harbour-Lantern-88', "The account directory's quality check did not accept this PIN."],
            [OLD_PIN, 'The account directory does not accept your current PIN or one you used recently.'],
          ];
    for (const [refused, said] of refusals) {
      secrets.push(refused);
      const page = await app.setPin(url, refused);
      expect({ refused, status: page.status, said: pageText(page.html).includes(said), unchanged: pageText(page.html).includes('Your PIN was not changed') }).toEqual({ refused, status: 422, said: true, unchanged: true });
      expect(await directory.canBind(uid, OLD_PIN)).toBe(true);
    }
    const audit = await app.services.auditLog.readReport({ uid });
    expect(audit.events.filter((e) => e.event === 'pin.rejected').map((e) => e.detail?.['by'])).toEqual(refusals.map(() => 'directory'));

    const good = pin('Good');
    expect((await app.setPin(url, good)).status).toBe(200);
    expect(await directory.canBind(uid, good)).toBe(true);
  });

  test('refusals by the directory count toward the ten refused PINs a link allows', async () => {
    const { uid, email } = await account('ten');
    const url = await app.emailLinkFor(uid, email);
    const tooShort = 'Kx9#mQ2vLp';
    for (let i = 1; i < 10; i++) expect((await app.setPin(url, tooShort)).status).toBe(422);
    const tenth = await app.setPin(url, tooShort);
    expect(tenth.status).toBe(410);
    expect((await app.setPin(url, pin('Late'))).status).toBe(410);
    expect(await directory.canBind(uid, OLD_PIN)).toBe(true);
  });

  if (kind === 'openldap') {
    test('a PIN changed too recently for the directory is explained, and the link is not used up', async () => {
      const { uid, email } = await account('young', { youngPolicy: true });
      const url = await app.emailLinkFor(uid, email);
      const page = await app.setPin(url, pin('Young'));
      expect(page.status).toBe(422);
      expect(pageText(page.html)).toContain('Your PIN was changed too recently for the account directory to allow another change yet.');
      expect((await app.open(url)).status).toBe(200);
      expect(await directory.canBind(uid, OLD_PIN)).toBe(true);
    });
  }

  test('the PIN page says the rules the directory publishes before the user types', async () => {
    // AD publishes minPwdLength and pwdProperties on the domain; OpenLDAP the policy an account names (pwdPolicySubentry).
    const { uid, email } = await account('rules', { youngPolicy: directory.kind === 'openldap' });
    const page = await app.open(await app.emailLinkFor(uid, email));
    expect(page.status).toBe(200);
    const text = pageText(page.html);
    expect(text).toContain(`The account directory requires at least ${directory.minLength} characters.`);
    if (directory.kind === 'ad') expect(text).toContain('The account directory also requires characters from at least three of these');
  });

  test('a reset clears a lockout: the locked account signs in with the new PIN', async () => {
    const { uid, mobile } = await account('locked');
    await directory.lockOut(uid);
    expect(await directory.isLocked(uid)).toBe(true);
    const url = await app.smsLinkFor(uid, mobile);
    const newPin = pin('Unlocked');
    expect((await app.setPin(url, newPin)).status).toBe(200);
    expect(await directory.isLocked(uid)).toBe(false);
    expect(await directory.canBind(uid, newPin)).toBe(true);
  });

  test('a filter injection in a UID or login finds nothing, like an unknown one, and a refused UID shape is never looked up', async () => {
    const { uid } = await account('inject');
    const { directory: port } = app.services;
    // Every account's mail is @example.edu: an unescaped `*` would match them all.
    expect(await port.findByLogin(`${uid}@example.edu`)).toMatchObject({ uid });
    for (const login of ['*@example.edu', `${uid.slice(0, 3)}*@example.edu`, 'nobody@example.edu']) expect({ login, found: await port.findByLogin(login) }).toEqual({ login, found: undefined });
    for (const typed of ['*', `${uid})(uid=*`, `${uid}\u0000`, `*)(|(uid=*`]) expect({ typed, found: await port.findByUid(typed) }).toEqual({ typed, found: undefined });

    // In chat, those shapes get the same polite re-prompt as any other malformed UID, whoever types them.
    const replies = new Set<string>();
    for (const typed of ['*', ')(', `${uid}\u0000`, 'not a uid']) {
      const user = app.chat();
      await user.send('reset');
      replies.add((await user.send(typed)).join('\n'));
    }
    expect([...replies]).toEqual([expect.stringContaining("doesn't look like a portal UID")]);
  });

  test('unknown, unregistered, registered (and on AD disabled) UIDs get identical words', async () => {
    const registered = (await account('known')).uid;
    const unregistered = await directory.addUser({ uid: 'noreg', pin: OLD_PIN });
    const kinds: Record<string, string> = { registered, unregistered, unknown: `ghost${registered.slice(-5)}` };
    if (directory.kind === 'ad') {
      const disabled = (await account('off')).uid;
      await directory.disable(disabled);
      kinds['disabled'] = disabled;
    }
    for (const [start, answer] of [['reset', 'email'], ['reset', 'sms'], ['register', undefined]] as const) {
      const words = new Set<string>();
      for (const uid of Object.values(kinds)) {
        const user = app.chat();
        await user.send(start);
        let replies = await user.send(uid);
        if (answer) replies = await user.send(answer);
        words.add(replies.join('\n').replaceAll(uid, '{uid}'));
      }
      expect({ flow: `${start} ${answer ?? ''}`, distinct: [...words] }).toEqual({ flow: `${start} ${answer ?? ''}`, distinct: [expect.any(String)] });
    }
  });

  test('no PIN and no bind password appears in the logs, the audit log or the store files', async () => {
    await app.services.background.drain();
    const files = await readAllFiles(app.running.dataDir);
    const bindPassword = directory.env()['LDAP_BIND_PASSWORD']!;
    const haystacks = { logs: app.running.logs(), ...files };
    expect(secrets.length).toBeGreaterThan(5);
    for (const secret of [...secrets, bindPassword]) {
      for (const [where, text] of Object.entries(haystacks)) {
        expect({ where, secret: secret.slice(0, 4), leaks: text.includes(secret) }).toEqual({ where, secret: secret.slice(0, 4), leaks: false });
      }
    }
  });
});

