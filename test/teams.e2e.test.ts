import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/browser.js';
import { TestSmtpServer } from './support/smtp.js';
import { TwilioMock } from './support/twilioMock.js';
import { startApp, type RunningApp } from './support/app.js';
import { openTestServices } from './support/services.js';
import { buttonsOf, FakeConnector, TENANT, TeamsUser, textOf } from './support/teams.js';

const smtp = new TestSmtpServer();
const twilio = new TwilioMock();
const connector = new FakeConnector();
let running: RunningApp;
let browser: Browser;
const ASMITH_OBJECT_ID = '0b8a6c2e-7f1d-4e3a-9c5b-2d4e6f8a0b1c';

beforeAll(async () => {
  const smtpUrl = await smtp.start();
  twilio.start();
  await connector.start();
  const { services, dataDir, clock } = await openTestServices();
  await services.directory.importAccount({ uid: 'kchan', name: 'Kim Chan', email: 'kchan@example.edu', upn: 'kim.chan@example.edu' });
  await services.directory.importAccount({ uid: 'jdoe', name: 'Jane Doe', email: 'jdoe@example.edu', upn: 'jane.doe@example.edu', pin: 'Old-PIN-1234' });
  await services.directory.importAccount({ uid: 'asmith', name: 'Alex Smith', email: 'asmith@example.edu', pin: 'Old-PIN-1234' });
  // An account already linked to its Entra object id.
  const asmith = (await services.store.accounts.get('asmith'))!;
  await services.store.accounts.put({ ...asmith, aadObjectId: ASMITH_OBJECT_ID });
  await services.store.contacts.put({ uid: 'asmith', email: 'alex@gmail.com', mobile: '+85269876543', source: 'self', verifiedAt: clock.now(), updatedAt: clock.now() });
  await services.store.contacts.put({ uid: 'jdoe', email: 'jane@gmail.com', mobile: '+85261234567', source: 'self', verifiedAt: clock.now(), updatedAt: clock.now() });
  await services.close();
  running = await startApp(
    // The fake connector on 127.0.0.1 stands in for Teams without tokens, so its identities are trusted explicitly.
    { SMTP_URL: smtpUrl, TWILIO_ACCOUNT_SID: twilio.accountSid, TWILIO_AUTH_TOKEN: 'test-auth-token-0123456789abcdef', TWILIO_FROM: '+85230001234', ALLOWED_TENANT_IDS: TENANT, TRUST_UNVERIFIED_TEAMS_IDENTITY: 'true' },
    dataDir,
  );
  // Local network access checks off: the stand-in Teams page (an https origin) frames this test server on 127.0.0.1.
  const lna = '--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults';
  browser = await launchChromium([lna]);
});

afterAll(async () => {
  await browser?.close();
  await running?.app.close();
  await connector.stop();
  await smtp.stop();
  twilio.stop();
});

/**
 * A stand-in for the Teams web client hosting a URL dialog: it frames the page and answers the
 * teams-js messages (initialize with a dialog frame context, and records tasks.completeTask).
 */
function teamsHost(dialogUrl: string): string {
  const runtime = { apiVersion: 4, hostVersionsInfo: { adaptiveCardSchemaVersion: { majorVersion: 1, minorVersion: 5 } }, isLegacyTeams: false, supports: { dialog: { card: { bot: {} }, url: { bot: {}, parentCommunication: {} }, update: {} } } };
  return `<!doctype html><html><body><iframe id="dialog" src="${dialogUrl}" width="600" height="700"></iframe><script>
window.calls = []; window.submitted = null;
window.addEventListener('message', (e) => {
  const m = e.data;
  if (!m || typeof m.func !== 'string') return;
  window.calls.push(m.func);
  const reply = (args) => e.source.postMessage({ id: m.id, uuidAsString: m.uuidAsString, args }, e.origin);
  if (m.func === 'initialize') reply(['task', 'web', ${JSON.stringify(JSON.stringify(runtime))}, '2.58.0']);
  else if (m.func === 'tasks.completeTask') window.submitted = m.args.slice(0, 1);
});
</script></body></html>`;
}

/** A Teams user whose member record (UPN, email) the connector knows. */
function signedIn(upn: string, email = upn): TeamsUser {
  const user = new TeamsUser(running.baseUrl, connector);
  connector.members.set(user.id, { id: user.id, name: upn, aadObjectId: user.aadObjectId, userPrincipalName: upn, email });
  return user;
}

describe('Microsoft Teams', () => {
  test('installing the bot in personal scope gets a welcome with buttons for every command', async () => {
    const user = new TeamsUser(running.baseUrl, connector);
    const before = connector.sent.length;
    const { status } = await user.post({ type: 'conversationUpdate', membersAdded: [{ id: '28:bot-id' }] });
    expect(status).toBe(200);
    const sent = connector.sent.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.text).toContain("I'm the PIN reset assistant");
    expect(buttonsOf(sent[0]!).map((b) => [b.type, b.value])).toEqual([
      ['imBack', 'register'],
      ['imBack', 'reset'],
      ['imBack', 'status'],
      ['imBack', 'help'],
    ]);
  });

  test('registration with the Teams identity skips the UID and the institutional-email code; a mention of the bot is stripped', async () => {
    const user = signedIn('Kim.Chan@EXAMPLE.edu');
    const mention = { type: 'mention', text: '<at>PIN reset</at>', mentioned: { id: '28:bot-id', name: 'PIN reset' } };
    const first = await user.send('<at>PIN reset</at> register', { entities: [mention] });
    expect(first.map(textOf)).toEqual([expect.stringContaining('signed in to Teams as **kchan**'), expect.stringContaining('alternate email')]);
    expect(connector.memberLookups).toContain(user.id);

    // Every answer may carry the mention too; the prompts see the text without it.
    const answer = await user.send('<at>PIN reset</at> kim@gmail.com', { entities: [mention] });
    expect(answer.map(textOf)).toEqual([expect.stringContaining('k•••@gmail.com')]);
    const emailCode = await smtp.waitFor('kim@gmail.com', /code is (\d{6})/);
    expect(await user.say(emailCode)).toEqual([expect.stringContaining('mobile number')]);
    expect(await user.say('6555 1234')).toEqual([expect.stringContaining('+852 ••••1234')]);
    expect(await user.say(twilio.lastCode('+85265551234'))).toEqual([expect.stringContaining('All done')]);

    const saved = await running.app.services.store.contacts.get('kchan');
    expect(saved).toMatchObject({ email: 'kim@gmail.com', mobile: '+85265551234', source: 'self' });
    // No identity code went to the institutional mailbox; only the change notice did.
    expect(smtp.to('kchan@example.edu').map((m) => m.text)).not.toContainEqual(expect.stringMatching(/verification code/i));
    const events = await running.app.services.auditLog.read({ uid: 'kchan' });
    expect(events).toContainEqual(expect.objectContaining({ event: 'contacts.changed', outcome: 'ok', detail: expect.objectContaining({ via: 'signed-in' }) }));

    // status, too, needs no UID in Teams.
    expect(await user.say('status')).toEqual([expect.stringContaining('**kchan**'), expect.stringMatching(/k•••@gmail\.com[\s\S]*\+852 ••••1234/)]);
  });

  test('reset by SMS in Teams: the UID comes from the Entra object id, "Set new PIN" opens the PIN page as a dialog, and the chat confirms', async () => {
    // No connector record for this user: the stored object id alone identifies the account.
    const user = new TeamsUser(running.baseUrl, connector, ASMITH_OBJECT_ID);
    const confirm = await user.send('reset');
    expect(confirm.map(textOf)).toEqual([expect.stringContaining('Do you want to reset the PIN of **asmith**?')]);
    expect(buttonsOf(confirm[0]!).map((b) => b.title)).toEqual(['Yes', 'No']);
    expect(connector.memberLookups).not.toContain(user.id);

    const method = await user.send('yes');
    expect(method.map(textOf)).toEqual([expect.stringContaining('How would you like to verify?')]);
    expect(buttonsOf(method[0]!).map((b) => b.value)).toEqual(['email', 'sms']);

    expect(await user.say('sms')).toEqual([expect.stringContaining('If **asmith** has a registered mobile number')]);
    // The code goes out in the background, after the reply: wait for it, as a user waits for the text.
    await running.app.services.background.drain();
    const card = await user.send(twilio.lastCode('+85269876543'));
    expect(card.map(textOf)).toEqual([expect.stringContaining('Select **Set new PIN**')]);
    const [setPin, inBrowser] = buttonsOf(card[0]!);
    expect(setPin).toMatchObject({ type: 'invoke', title: 'Set new PIN', value: { type: 'task/fetch' } });
    expect(inBrowser).toMatchObject({ type: 'openUrl', title: 'Open in browser' });
    const url = inBrowser!.value as string;
    expect(url.startsWith(`${running.baseUrl}/reset/`)).toBe(true);

    // Teams sends the button's value back as task/fetch; the bot answers with the page to show.
    const fetched = await user.invoke('task/fetch', { data: setPin!.value, context: { theme: 'default' } });
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual({ task: { type: 'continue', value: expect.objectContaining({ url, fallbackUrl: url, title: 'Set a new portal PIN' }) } });

    // The same page, opened outside Teams, loads its script and works without the SDK.
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    try {
      const script = page.waitForResponse((r) => r.url().endsWith('/static/teams-page.js'));
      await page.goto(url);
      expect((await script).status()).toBe(200);
      await page.getByLabel('New PIN', { exact: true }).fill('Quiet-Harbour-Lantern-7');
      await page.getByLabel('Type the new PIN again').fill('Quiet-Harbour-Lantern-7');
      await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Set PIN' }).click()]);
      expect(await page.locator('main').innerText()).toContain('Your PIN has been changed');
      expect(await page.locator('body').getAttribute('data-outcome')).toBe('pin-set');
      expect(pageErrors).toEqual([]);
    } finally {
      await page.close();
    }
    expect(await running.app.services.directory.checkPin('asmith', 'Quiet-Harbour-Lantern-7')).toBe(true);

    // In Teams the page then closes the dialog with dialog.url.submit; the bot confirms in chat.
    const submitted = await user.invoke('task/submit', { data: { pinChanged: true }, context: { theme: 'default' } });
    expect(submitted).toMatchObject({ status: 200, body: undefined });
    expect(submitted.replies.map(textOf)).toEqual([expect.stringContaining('Your portal PIN has been changed')]);
  });

  test('inside a Teams dialog the page initialises teams-js and, once the PIN is set, closes the dialog with dialog.url.submit', async () => {
    const user = signedIn('jane.doe@example.edu');
    await user.say('reset');
    await user.say('yes');
    await user.say('sms');
    // The code goes out in the background, after the reply: wait for it, as a user waits for the text.
    await running.app.services.background.drain();
    const card = await user.send(twilio.lastCode('+85261234567'));
    const url = buttonsOf(card[0]!)[1]!.value as string;

    // Teams on the web, played by this page: it frames the dialog and answers teams-js as a host does.
    const context = await browser.newContext();
    try {
      await context.route('https://teams.microsoft.com/**', (route) => route.fulfill({ contentType: 'text/html', body: teamsHost(url) }));
      const page = await context.newPage();
      await page.goto('https://teams.microsoft.com/dialog-host');
      const dialog = page.frameLocator('#dialog');
      await dialog.getByLabel('New PIN', { exact: true }).fill('Silver-Tram-Morning-9');
      await dialog.getByLabel('Type the new PIN again').fill('Silver-Tram-Morning-9');
      await dialog.getByRole('button', { name: 'Set PIN' }).click();
      await page.waitForFunction(() => (window as unknown as { submitted: unknown }).submitted !== null);
      expect(await page.evaluate(() => (window as unknown as { submitted: unknown }).submitted)).toEqual([{ pinChanged: true }]);
      expect(await page.evaluate(() => (window as unknown as { calls: string[] }).calls)).toContain('initialize');
    } finally {
      await context.close();
    }
    expect(await running.app.services.directory.checkPin('jdoe', 'Silver-Tram-Morning-9')).toBe(true);
  });

  test('the PIN page refuses to be framed by a site that is not Teams', async () => {
    const context = await browser.newContext();
    try {
      await context.route('https://evil.example/**', (route) => route.fulfill({ contentType: 'text/html', body: `<iframe id="dialog" src="${running.baseUrl}/reset/anything"></iframe>` }));
      const page = await context.newPage();
      const framed = page.waitForResponse((r) => r.url().endsWith('/reset/anything'));
      await page.goto('https://evil.example/');
      await framed;
      await expect(page.frameLocator('#dialog').locator('main').count()).resolves.toBe(0);
    } finally {
      await context.close();
    }
  });

  test('reset: answering no to the signed-in UID asks for the portal UID', async () => {
    const user = signedIn('jane.doe@example.edu');
    expect(await user.say('reset')).toEqual([expect.stringContaining('reset the PIN of **jdoe**')]);
    expect(await user.say('maybe')).toEqual([expect.stringContaining('Please answer **yes**')]);
    expect(await user.say('no')).toEqual(['What is your portal UID?']);
  });

  test('the signed-in email matches too, when the UPN is not on file', async () => {
    const user = signedIn('jane.d@tenant.onmicrosoft.com', 'JDOE@example.edu');
    expect(await user.say('reset')).toEqual([expect.stringContaining('reset the PIN of **jdoe**')]);
  });

  test('an unknown Teams user falls back to the ordinary flow, without a word about accounts', async () => {
    const stranger = new TeamsUser(running.baseUrl, connector);
    expect(await stranger.say('register')).toEqual(['What is your portal UID?']);
    expect(connector.memberLookups).toContain(stranger.id);
    const other = signedIn('nobody@example.edu');
    expect(await other.say('reset')).toEqual(['What is your portal UID?']);
  });

  test('a user from a tenant outside ALLOWED_TENANT_IDS is refused politely, in chat and in dialogs, and each refusal is audited', async () => {
    const foreign = new TeamsUser(running.baseUrl, connector, undefined, '99999999-8888-7777-6666-555555555555');
    connector.members.set(foreign.id, { id: foreign.id, name: 'x', aadObjectId: foreign.aadObjectId, userPrincipalName: 'kim.chan@example.edu' });
    expect(await foreign.say('register')).toEqual([expect.stringContaining('only for accounts of our institution')]);
    expect(connector.memberLookups).not.toContain(foreign.id);
    const fetched = await foreign.invoke('task/fetch', { data: { type: 'task/fetch', pinPage: `${running.baseUrl}/reset/abc` } });
    expect(fetched).toMatchObject({ status: 200, body: { task: { type: 'message', value: expect.stringContaining('only for accounts of our institution') } } });
    const refusals = (await running.app.services.auditLog.read({})).filter((e) => e.event === 'teams.tenant_refused');
    expect(refusals.map((e) => [e.outcome, e.detail?.['tenant']])).toEqual([
      ['fail', '99999999-8888-7777-6666-555555555555'],
      ['fail', '99999999-8888-7777-6666-555555555555'],
    ]);
  });

  test('task/fetch opens only our own PIN page', async () => {
    const user = new TeamsUser(running.baseUrl, connector);
    for (const pinPage of ['https://evil.example/reset/abc', `${running.baseUrl}/healthz`, `${running.baseUrl}/reset/abc/../../x`, 42]) {
      const fetched = await user.invoke('task/fetch', { data: { type: 'task/fetch', pinPage } });
      expect(fetched.body).toEqual({ task: { type: 'message', value: 'That button no longer works. Type **reset** to start again.' } });
    }
  });

  test('without MicrosoftAppId the connector is called without a token', async () => {
    // A call of its own: a signed-in user's member record is looked up.
    const before = connector.authorizations.length;
    await signedIn('jane.doe@example.edu').say('status');
    expect(connector.authorizations.length).toBeGreaterThan(before);
    expect(connector.authorizations.every((a) => a === undefined)).toBe(true);
  });
});
