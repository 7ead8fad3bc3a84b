import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../src/admin/cli.js';
import { DIRECTORIES, type TestDirectory } from './support/directories.js';
import { LdapTestApp } from './support/ldapApp.js';
import { FakeConnector, TeamsUser } from './support/teams.js';
import { tempDataDir } from './support/services.js';
import { recordSecret } from './support/secrets.js';

/**
 * Everything else works on an LDAP directory as on the embedded one: registration's identity code
 * goes to the directory's mail, Teams users are matched on their UPN, the directory's own two-factor
 * attributes count as imported contacts (a registration with the bot wins), and the admin CLI
 * (directory check, contacts import, unlock) reads the directory; accounts import and check-pin say
 * plainly that they do not apply.
 */
const PIN = 'Known-Lantern-1357!v';
const connector = new FakeConnector();

beforeAll(async () => {
  await connector.start();
});
afterAll(async () => {
  await connector.stop();
});

describe.each(DIRECTORIES)('%s', (_name, kind, open) => {
  let directory: TestDirectory;
  let app: LdapTestApp;
  const cli = (argv: string[], options: { env?: Record<string, string>; files?: Record<string, string> } = {}) =>
    runCli(argv, { env: { ...directory.env(), DATA_DIR: app.running.dataDir, LOG_LEVEL: 'silent', INSTITUTION_EMAIL_DOMAINS: 'example.edu', ...options.env }, envFile: null }, { readFile: async (p) => options.files?.[p] ?? '', readStdin: async () => `${PIN}\n`, warn: () => {} });

  beforeAll(async () => {
    directory = await open();
    app = await LdapTestApp.start(directory);
  }, 300_000);
  afterAll(async () => {
    await app?.close();
  });

  test("registration's identity code goes to the institutional mail the directory holds", async () => {
    const uid = await directory.addUser({ uid: 'reg', pin: PIN });
    const user = app.chat();
    await user.send('register');
    expect(await user.send(uid)).toEqual([expect.stringContaining('I have sent a 6-digit code to its institutional email address')]);
    const code = await app.lastCode('mail', `${uid}@example.edu`);
    expect(await user.send(code)).toEqual([expect.stringContaining('What alternate email address')]);
  });

  test("a Teams user is matched to the directory's account by their UPN", async () => {
    const uid = await directory.addUser({ uid: 'teams', pin: PIN });
    const upn = kind === 'ad' ? `${uid}@prb.test` : `${uid}@example.edu`;
    const user = new TeamsUser(app.baseUrl, connector);
    connector.members.set(user.id, { id: user.id, name: uid, aadObjectId: user.aadObjectId, userPrincipalName: upn, email: upn });
    expect((await user.say('reset')).join('\n')).toContain(`You are signed in to Teams as **${uid}**. Do you want to reset the PIN of **${uid}**?`);
    const stranger = new TeamsUser(app.baseUrl, connector);
    connector.members.set(stranger.id, { id: stranger.id, name: 'x', aadObjectId: stranger.aadObjectId, userPrincipalName: '*@prb.test', email: '*@example.edu' });
    expect((await stranger.say('reset')).join('\n')).toContain('What is your portal UID?');
  });

  test("the directory's own two-factor attributes are used as imported contacts; contacts registered with the bot win", async () => {
    const uid = await directory.addUser({ uid: 'attrs', pin: PIN, mobile: '+85291001111', altEmail: 'from.directory@gmail.com' });
    const reset = async (method: string) => {
      const user = app.chat();
      await user.send('reset');
      await user.send(uid);
      await user.send(method);
      await app.services.background.drain();
    };
    await reset('sms');
    await reset('email');
    expect((await app.outbox('sms')).some((m) => m.to === '+85291001111' && /\b\d{6}\b/.test(m.text))).toBe(true);
    expect((await app.outbox('mail')).some((m) => m.to === 'from.directory@gmail.com' && m.text.includes('/reset/'))).toBe(true);
    (await app.outbox('mail')).forEach((m) => recordSecret('token', /\/reset\/([A-Za-z0-9_-]{32})/.exec(m.text)?.[1]));

    await app.registerContacts(uid, 'own.choice@gmail.com', '+85291002222');
    await reset('email');
    await reset('sms');
    const mail = await app.outbox('mail');
    expect(mail.at(-1)?.to).toBe('own.choice@gmail.com');
    expect((await app.outbox('sms')).at(-1)?.to).toBe('+85291002222');
    mail.forEach((m) => recordSecret('token', /\/reset\/([A-Za-z0-9_-]{32})/.exec(m.text)?.[1]));
  });

  test('directory check binds, reports the server and TLS, and with a UID how the account is found; exit 0', async () => {
    const uid = await directory.addUser({ uid: 'check', pin: PIN, mobile: '+85291003333' });
    const plain = await cli(['directory', 'check']);
    expect(plain).toMatchObject({ exitCode: 0, stdout: expect.stringContaining('directory check: everything works.') });
    expect(plain.stdout).toMatch(/TLS: TLSv1\.[23]/);
    const found = await cli(['directory', 'check', uid]);
    expect(found.exitCode).toBe(0);
    expect(found.stdout).toContain(`The bot would use: UID ${uid}`);
    expect(found.stdout).toContain('mobile +852 ****3333');
    expect(found.stdout).toContain(kind === 'ad' ? 'the service account may reset the PIN' : 'Reset rights: not checked');
    expect(found.stdout).not.toContain(directory.env()['LDAP_BIND_PASSWORD']);
  });

  test('directory check exits 2 with the reason: an unknown UID, a wrong bind password', async () => {
    const unknown = await cli(['directory', 'check', 'nosuchuser']);
    expect(unknown).toMatchObject({ exitCode: 2, stderr: expect.stringContaining('directory check failed: No account nosuchuser') });
    const wrong = 'Not-The-Password-1!';
    recordSecret('password', wrong);
    // A DATA_DIR no bot holds: the CLI opens its own services with this configuration.
    const refused = await cli(['directory', 'check'], { env: { LDAP_BIND_PASSWORD: wrong, DATA_DIR: await tempDataDir() } });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain("the service account's bind was refused (error 49, invalid credentials");
    if (kind === 'ad') expect(refused.stderr).toContain('data 52e');
    expect(`${refused.stdout}${refused.stderr}`).not.toContain(wrong);
  });

  test('contacts import checks each UID against the directory', async () => {
    const uid = await directory.addUser({ uid: 'imp', pin: PIN });
    const file = join(app.running.dataDir, 'import.csv');
    const text = `uid,email,mobile\n${uid},imported@gmail.com,+85291004444\nnotindirectory,other@gmail.com,+85291005555\n`;
    await writeFile(file, text);
    const result = await cli(['contacts', 'import', file], { files: { [file]: text } });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('line 3: uid: no such account');
    expect(await app.services.store.contacts.get(uid)).toMatchObject({ email: 'imported@gmail.com', source: 'import' });
  });

  test('accounts import and accounts check-pin say plainly that they do not apply to an LDAP directory', async () => {
    const importing = await cli(['accounts', 'import', 'accounts.csv'], { files: { 'accounts.csv': 'uid,name,email\nx,X,x@example.edu\n' } });
    expect(importing).toMatchObject({ exitCode: 2, stderr: expect.stringContaining('accounts import does not apply to an LDAP directory (DIRECTORY=ldap)') });
    const checking = await cli(['accounts', 'check-pin', 'x']);
    expect(checking).toMatchObject({ exitCode: 2, stderr: expect.stringContaining('counts toward the account lockout') });
  });
});
