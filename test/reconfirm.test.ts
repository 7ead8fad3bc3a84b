import { afterEach, describe, expect, test } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startApp, type RunningApp } from './support/app.js';
import { BotClient } from './support/botClient.js';
import { openTestServices } from './support/services.js';
import { buttonsOf, FakeConnector, TeamsUser, textOf } from './support/teams.js';

const DAY = 24 * 3_600_000;
const STILL_YOURS = 'Are these still yours?';
const JDOE_OBJECT_ID = '5d0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b';

let running: RunningApp | undefined;
let connector: FakeConnector | undefined;
afterEach(async () => {
  await running?.app.close();
  await connector?.stop();
  running = connector = undefined;
});

/** jdoe (a Teams user) and kchan, both registered when the clock starts. */
async function start(env: Record<string, string> = { CONTACTS_RECONFIRM_DAYS: '180' }): Promise<{ running: RunningApp; connector: FakeConnector }> {
  const { services, dataDir, clock } = await openTestServices();
  await services.directory.importAccount({ uid: 'jdoe', name: 'Jane Doe', email: 'jdoe@example.edu', upn: 'jane.doe@example.edu' });
  await services.directory.importAccount({ uid: 'kchan', name: 'Kim Chan', email: 'kchan@example.edu' });
  for (const [uid, email, mobile] of [
    ['jdoe', 'jane@gmail.com', '+85261234567'],
    ['kchan', 'kim@gmail.com', '+85262223333'],
  ] as const) {
    await services.store.contacts.put({ uid, email, mobile, source: 'self', verifiedAt: clock.now(), updatedAt: clock.now() });
  }
  await services.close();
  running = await startApp({ TRUST_UNVERIFIED_TEAMS_IDENTITY: 'true', ...env }, dataDir);
  running.clock.advance(clock.now() - running.clock.now());
  connector = new FakeConnector();
  await connector.start();
  return { running, connector };
}

/** A new Teams conversation of jdoe (signed in: the connector knows the UPN). */
function jdoeInTeams(r: RunningApp, c: FakeConnector): TeamsUser {
  const user = new TeamsUser(r.baseUrl, c, JDOE_OBJECT_ID);
  c.members.set(user.id, { id: user.id, name: 'Jane Doe', aadObjectId: JDOE_OBJECT_ID, userPrincipalName: 'jane.doe@example.edu' });
  return user;
}

/** The newest 6-digit code the outbox holds for `to` (mail or SMS), waiting for it to be written. */
async function outboxCode(r: RunningApp, file: 'mail' | 'sms', to: string, after = 0): Promise<string> {
  for (let i = 0; i < 250; i++) {
    const lines = (await readFile(join(r.dataDir, 'outbox', `${file}.jsonl`), 'utf8').catch(() => '')).split('\n').filter(Boolean);
    const mine = lines.map((l) => JSON.parse(l) as { to: string; text?: string; body?: string }).filter((m) => m.to === to).slice(after);
    const code = mine.map((m) => /\b(\d{6})\b/.exec(m.text ?? m.body ?? '')?.[1]).filter(Boolean).at(-1);
    if (code) return code;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no code in the ${file} outbox for ${to}`);
}

async function outboxCount(r: RunningApp, file: 'mail' | 'sms', to: string): Promise<number> {
  const lines = (await readFile(join(r.dataDir, 'outbox', `${file}.jsonl`), 'utf8').catch(() => '')).split('\n').filter(Boolean);
  return lines.filter((l) => (JSON.parse(l) as { to: string }).to === to).length;
}

describe('re-confirming contacts (CONTACTS_RECONFIRM_DAYS)', () => {
  test('asked only once contacts are older than the setting: yes records the confirmation, which counts as fresh from then on', async () => {
    const { running: r, connector: c } = await start();
    r.clock.advance(179 * DAY);
    expect((await jdoeInTeams(r, c).say('help')).join('\n')).not.toContain(STILL_YOURS);

    r.clock.advance(2 * DAY);
    const user = jdoeInTeams(r, c);
    const replies = await user.send('help');
    const question = replies.at(-1)!;
    expect(textOf(question)).toMatch(/^Your contacts for resetting your PIN were last confirmed on \d+ \w+ 2026, \d\d:\d\d HKT:\n- Email: j\*\*\*@gmail\.com\n- Mobile: \+852 \*\*\*\*4567\n\nAre these still yours\?/);
    expect(buttonsOf(question).map((b) => b.value)).toEqual(['Yes', 'change']);
    expect(await user.say('yes')).toEqual(['Thank you, I have noted that they are still yours.']);
    expect(await r.app.services.store.contactConfirmations.get('jdoe')).toEqual({ uid: 'jdoe', confirmedAt: r.clock.now() });
    const confirmed = (await r.app.services.auditLog.read()).filter((e) => e.event === 'contacts.confirmed');
    expect(confirmed.map((e) => [e.uid, e.channel, e.outcome])).toEqual([['jdoe', 'msteams', 'ok']]);
    // Not again in this conversation, nor in a new one for 180 days after the confirmation.
    expect((await user.say('help')).join('\n')).not.toContain(STILL_YOURS);
    r.clock.advance(100 * DAY);
    expect((await jdoeInTeams(r, c).say('help')).join('\n')).not.toContain(STILL_YOURS);
    r.clock.advance(81 * DAY);
    expect((await jdoeInTeams(r, c).say('help')).at(-1)).toContain(STILL_YOURS);
  });

  test('change runs the registration for the one that changed, and keeps the other', async () => {
    const { running: r, connector: c } = await start();
    r.clock.advance(200 * DAY);
    const user = jdoeInTeams(r, c);
    expect((await user.say('status')).at(-1)).toContain(STILL_YOURS);
    expect(await user.say('change')).toEqual(['Which has changed?\n1. **email**\n2. **mobile**\n3. **both**']);
    expect((await user.say('mobile')).join()).toContain('What is your mobile number?');
    expect((await user.say('9876 5432')).join()).toContain('I have sent a 6-digit code by SMS to +852 ••••5432');
    const code = await outboxCode(r, 'sms', '+85298765432');
    const saved = await user.say(code);
    expect(saved).toEqual([expect.stringContaining('Done. These contacts are saved and verified:\n- Email: j•••@gmail.com\n- Mobile: +852 ••••5432')]);
    const stored = await r.app.services.store.contacts.get('jdoe');
    expect(stored).toMatchObject({ email: 'jane@gmail.com', mobile: '+85298765432', source: 'self', verifiedAt: r.clock.now() });
    const changed = (await r.app.services.auditLog.read()).filter((e) => e.event === 'contacts.changed');
    expect(changed.map((e) => [e.uid, e.detail?.['changed'], e.detail?.['via']])).toEqual([['jdoe', 'mobile', 'signed-in']]);
    // The institutional email and the replaced mobile are told.
    await r.app.services.background.drain();
    expect(await outboxCount(r, 'mail', 'jdoe@example.edu')).toBe(1);
    expect(await outboxCount(r, 'sms', '+85261234567')).toBe(1);
    // Fresh now: not asked again.
    r.clock.advance(DAY);
    expect((await jdoeInTeams(r, c).say('help')).join('\n')).not.toContain(STILL_YOURS);
  });

  test('outside Teams the question follows a proof of the account (status), and a change reuses that proof instead of a second code', async () => {
    const { running: r } = await start();
    r.clock.advance(200 * DAY);
    const chat = new BotClient(r.baseUrl);
    // Not proved yet: nothing is said about any account's contacts.
    expect(await chat.send('help')).toHaveLength(1);
    await chat.send('status');
    await chat.send('kchan');
    const identityCode = await outboxCode(r, 'mail', 'kchan@example.edu');
    const shown = await chat.send(identityCode);
    expect(shown[0]).toContain('Registered contacts for this account:');
    expect(shown.at(-1)).toContain(STILL_YOURS);
    expect(await chat.send('change')).toHaveLength(1);
    const identityMails = await outboxCount(r, 'mail', 'kchan@example.edu');
    expect((await chat.send('1')).join()).toContain('What alternate email address should we use');
    await chat.send('kim.chan@outlook.com');
    const emailCode = await outboxCode(r, 'mail', 'kim.chan@outlook.com');
    expect((await chat.send(emailCode)).join()).toContain('Done. These contacts are saved and verified:\n- Email: k•••@outlook.com\n- Mobile: +852 ••••3333');
    expect(await r.app.services.store.contacts.get('kchan')).toMatchObject({ email: 'kim.chan@outlook.com', mobile: '+85262223333' });
    // No second identity code was sent for the change (only the change notice went to the institutional email).
    await r.app.services.background.drain();
    expect(await outboxCount(r, 'mail', 'kchan@example.edu')).toBe(identityMails + 1);
  });

  test('with CONTACTS_RECONFIRM_DAYS at its default, 0, nobody is ever asked', async () => {
    const { running: r, connector: c } = await start({});
    r.clock.advance(3 * 365 * DAY);
    const user = jdoeInTeams(r, c);
    expect((await user.say('help')).join('\n')).not.toContain(STILL_YOURS);
    expect((await user.say('status')).join('\n')).not.toContain(STILL_YOURS);
  });
});
