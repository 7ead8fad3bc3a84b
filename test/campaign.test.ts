import { afterEach, describe, expect, test } from '@jest/globals';
import nock from 'nock';
import { runCli } from '../src/admin/cli.js';
import type { AdminProgress, AdminResult } from '../src/admin/result.js';
import { renderProgress } from '../src/admin/progressBar.js';
import { runAdminCommand } from '../src/admin/commands.js';
import type { AuditEvent } from '../src/ports/audit.js';
import { openServices } from '../src/services.js';
import { startApp, type RunningApp } from './support/app.js';
import { BotClient } from './support/botClient.js';
import { ManualClock } from './support/fakes.js';
import { openTestServices, testConfig } from './support/services.js';
import { TestSmtpServer } from './support/smtp.js';
import { buttonsOf, FakeConnector, TeamsUser, textOf, type SentActivity } from './support/teams.js';
import { silentLogger } from '../src/ports/logger.js';

const DAY = 24 * 3_600_000;
const APP_ID = '00000000-0000-0000-0000-0000000000aa';

interface World {
  running: RunningApp;
  smtp: TestSmtpServer;
  connector: FakeConnector;
  /** Teams users who installed the app (tkim) or wrote first (tlee). */
  teams: Record<'tkim' | 'tlee', TeamsUser>;
  close(): Promise<void>;
}

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/**
 * A running bot whose directory has: tkim and tlee (Teams users, no contacts), emma and finn (no
 * Teams, no contacts), reg (registered lately), old (contacts verified 200 days ago) and quiet
 * (no contacts, asked to stop reminders).
 */
async function startWorld(env: Record<string, string> = {}): Promise<World> {
  const smtp = new TestSmtpServer();
  const smtpUrl = await smtp.start();
  const connector = new FakeConnector();
  await connector.start();
  const { services, dataDir, clock } = await openTestServices();
  for (const uid of ['tkim', 'tlee', 'emma', 'finn', 'reg', 'old', 'quiet']) {
    await services.directory.importAccount({ uid, name: uid.toUpperCase(), email: `${uid}@example.edu`, upn: `${uid}@example.edu` });
  }
  const now = clock.now();
  await services.store.contacts.put({ uid: 'reg', email: 'reg@gmail.com', mobile: '+85291110001', source: 'self', verifiedAt: now, updatedAt: now });
  await services.store.contacts.put({ uid: 'old', email: 'old.one@gmail.com', mobile: '+85291110002', source: 'import', verifiedAt: now - 200 * DAY, updatedAt: now - 200 * DAY });
  await services.store.reminders.put({ uid: 'quiet', count: 1, lastAt: now - 100 * DAY, stoppedAt: now - 90 * DAY, updatedAt: now - 90 * DAY });
  await services.close();
  const running = await startApp({ SMTP_URL: smtpUrl, TRUST_UNVERIFIED_TEAMS_IDENTITY: 'true', CONTACTS_RECONFIRM_DAYS: '180', ...env }, dataDir);
  running.clock.advance(now - running.clock.now());
  const teamsUser = (uid: string) => {
    const user = new TeamsUser(running.baseUrl, connector);
    connector.members.set(user.id, { id: user.id, name: uid.toUpperCase(), aadObjectId: user.aadObjectId, userPrincipalName: `${uid}@example.edu` });
    return user;
  };
  const tkim = teamsUser('tkim');
  const tlee = teamsUser('tlee');
  // tkim installs the app; tlee writes first.
  expect((await tkim.post({ type: 'conversationUpdate', membersAdded: [{ id: '28:bot-id' }] })).status).toBe(200);
  await tlee.say('help');
  return {
    running,
    smtp,
    connector,
    teams: { tkim, tlee },
    async close() {
      await running.app.close();
      await connector.stop();
      await smtp.stop();
    },
  };
}

/** `npm run admin -- nudge ...` as the CLI runs it: the bot holds DATA_DIR, so the command runs inside it. */
async function nudge(w: World, args: string[], live: { onProgress?: (p: AdminProgress) => void; signal?: AbortSignal } = {}): Promise<AdminResult> {
  return runCli(['nudge', ...args], { env: { DATA_DIR: w.running.dataDir, LOG_LEVEL: 'silent' }, envFile: null }, { readFile: async () => '', readStdin: async () => '', warn: () => {}, live });
}

async function reminded(w: World): Promise<AuditEvent[]> {
  return (await w.running.app.services.auditLog.read()).filter((e) => e.event === 'reminder.sent');
}

/** The proactive messages the bot wrote to Teams users (not replies to a message they sent). */
const proactive = (w: World): SentActivity[] => w.connector.sent.filter((a) => buttonsOf(a).some((b) => b.value === 'stop reminders'));

describe('keeping Teams conversations', () => {
  test('installing the app or writing first keeps the Teams conversation, with the account its signed-in identity matches; later turns do not rewrite it', async () => {
    world = await startWorld();
    const { conversations } = world.running.app.services.desk;
    const kim = await conversations.ofAccount('tkim');
    const lee = await conversations.ofAccount('tlee');
    expect(kim?.reference).toMatchObject({ channelId: 'msteams', serviceUrl: world.connector.url, conversation: { id: world.teams.tkim.conversationId } });
    expect(kim?.reference).not.toHaveProperty('activityId');
    expect(lee?.reference).toMatchObject({ conversation: { id: world.teams.tlee.conversationId } });
    const before = lee!.updatedAt;
    world.running.clock.advance(60_000);
    await world.teams.tlee.say('help');
    expect((await conversations.ofAccount('tlee'))!.updatedAt).toBe(before);
  });
});

describe('admin nudge', () => {
  test('--dry-run counts and shows a sample, and sends nothing', async () => {
    world = await startWorld();
    const sentBefore = world.connector.sent.length;
    const result = await nudge(world, ['--dry-run']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Dry run: nothing was sent.');
    expect(result.stdout).toContain('5 accounts would be reminded: 4 to register, 1 to re-confirm; 2 in Teams, 3 by email.');
    expect(result.stdout).toContain('Left out: 0 accounts reminded in the last 30 days, 1 account that asked to stop reminders.');
    expect(result.stdout).toMatch(/Sample \(5 of 5\):\n {2}emma\s+register\s+email\n {2}finn\s+register\s+email\n {2}old\s+reconfirm\s+email\n {2}tkim\s+register\s+teams\n {2}tlee\s+register\s+teams/);
    expect(world.connector.sent.length).toBe(sentBefore);
    expect(world.smtp.received).toEqual([]);
    expect(await reminded(world)).toEqual([]);
    expect(await world.running.app.services.store.reminders.get('emma')).toBeUndefined();
  });

  test('a reminder is a proactive Teams message whose button starts register, else a mail to the institutional address saying why and how; each audited, and nobody is reminded again within NUDGE_MIN_DAYS', async () => {
    world = await startWorld();
    const result = await nudge(world, ['--per-minute', '600']);
    expect(result.stdout).toContain('Reminded 5 accounts: 4 to register, 1 to re-confirm; 2 in Teams, 3 by email.');
    expect(result.exitCode).toBe(0);

    const cards = proactive(world);
    expect(cards.map((a) => a.conversation?.id).sort()).toEqual([world.teams.tkim.conversationId, world.teams.tlee.conversationId].sort());
    expect(textOf(cards[0]!)).toContain('If you forget your portal PIN, you can reset it yourself here in a minute');
    expect(buttonsOf(cards[0]!).map((b) => [b.type, b.title, b.value])).toEqual([
      ['imBack', 'Register now', 'register'],
      ['imBack', 'Stop reminders', 'stop reminders'],
    ]);
    // One tap: the button sends "register", which starts the registration of the signed-in account.
    expect((await world.teams.tkim.say('register')).join('\n')).toContain('You are signed in to Teams as **tkim**');

    const [mail] = world.smtp.to('emma@example.edu');
    expect(mail?.subject).toBe('Register now, so you can reset your portal PIN yourself / 立即登記，日後可自行重設入門網站 PIN');
    expect(mail?.text).toContain("instead of waiting for the service desk");
    expect(mail?.text).toContain('Type register to the PIN reset assistant in the chat.');
    expect(mail?.text).toContain('No more reminders? Type stop reminders to the assistant.');
    // The re-confirmation rides along: masked contacts, and how to check them.
    const [reconfirm] = world.smtp.to('old@example.edu');
    expect(reconfirm?.subject).toContain('Are your PIN reset contacts still yours?');
    expect(reconfirm?.text).toContain('Email: o***@gmail.com');
    expect(reconfirm?.text).toContain('Mobile: +852 ****0002');
    expect(reconfirm?.text).not.toContain('old.one@gmail.com');

    const events = await reminded(world);
    expect(events.map((e) => [e.uid, e.detail?.['kind'], e.detail?.['via']]).sort()).toEqual([
      ['emma', 'register', 'email'],
      ['finn', 'register', 'email'],
      ['old', 'reconfirm', 'email'],
      ['tkim', 'register', 'teams'],
      ['tlee', 'register', 'teams'],
    ]);
    // Again at once, and 29 days later: nobody. After 30 days: everyone still unregistered.
    const again = await nudge(world, []);
    expect(again.stdout).toContain('Reminded 0 accounts');
    expect(again.stdout).toContain('Left out: 5 accounts reminded in the last 30 days, 1 account that asked to stop reminders.');
    world.running.clock.advance(29 * DAY);
    expect((await nudge(world, ['--dry-run'])).stdout).toContain('0 accounts would be reminded');
    world.running.clock.advance(DAY);
    expect((await nudge(world, ['--dry-run'])).stdout).toContain('5 accounts would be reminded');
  });

  test('--per-minute paces the run on the clock, --limit caps it, and the progress reaches the terminal through the bot', async () => {
    world = await startWorld();
    const progress: AdminProgress[] = [];
    const slept = world.running.clock.slept.length;
    const result = await nudge(world, ['--per-minute', '2', '--limit', '4'], { onProgress: (p) => progress.push(p) });
    expect(result.stdout).toContain('Reminded 4 accounts');
    // 2 a minute: 30 seconds between one reminder and the next, waited on the bot's clock.
    expect(world.running.clock.slept.slice(slept)).toEqual([30_000, 30_000, 30_000]);
    const times = (await reminded(world)).map((e) => Date.parse(e.at));
    expect(times.slice(1).map((t, i) => t - times[i]!)).toEqual([30_000, 30_000, 30_000]);
    expect(progress.map((p) => [p.done, p.total])).toEqual([
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 4],
    ]);
    expect(renderProgress(progress[1]!)).toBe('[###############...............] 2/4  50%  about 1 min left');
    expect(renderProgress(progress[3]!)).toBe('[##############################] 4/4  100%  done');
    // The fifth was left for the next run.
    expect((await nudge(world, ['--dry-run'])).stdout).toContain('1 account would be reminded');
  });

  test('a run stopped part way (Ctrl+C) and started again reminds everyone once, and nobody twice', async () => {
    world = await startWorld();
    const stop = new AbortController();
    const first = await nudge(world, ['--per-minute', '60'], { onProgress: (p) => p.done === 2 && stop.abort(), signal: stop.signal });
    expect(first.exitCode).toBe(1);
    // The stop reaches the bot over its socket while it goes on: it stops after the reminder in hand.
    const done = Number(/Reminded (\d) accounts/.exec(first.stdout)?.[1]);
    expect(done).toBeGreaterThanOrEqual(2);
    expect(done).toBeLessThan(5);
    expect(first.stdout).toContain(`Stopped after ${done} of 5. Run nudge again to go on: nobody already reminded is reminded again.`);
    const second = await nudge(world, ['--per-minute', '60']);
    expect(second.stdout).toContain(`Reminded ${5 - done} account`);
    const perAccount = new Map<string, number>();
    for (const e of await reminded(world)) perAccount.set(e.uid!, (perAccount.get(e.uid!) ?? 0) + 1);
    expect([...perAccount.entries()].sort()).toEqual([
      ['emma', 1],
      ['finn', 1],
      ['old', 1],
      ['tkim', 1],
      ['tlee', 1],
    ]);
    expect(world.smtp.received.length + proactive(world).length).toBe(5);
  });

  test('“stop reminders” from the reminder in Teams, or 停止提醒 after proving the account elsewhere: never reminded again, audited', async () => {
    world = await startWorld();
    await nudge(world, ['--per-minute', '600']);
    expect(await world.teams.tlee.say('stop reminders')).toEqual(["OK, I won't send you any more reminders. You can still type **register** at any time."]);
    // Elsewhere the bot first checks who it is talking to, by a code to the institutional email.
    const chat = new BotClient(world.running.baseUrl);
    expect(await chat.send('停止提醒')).toEqual(['What is your portal UID?']);
    const mailed = world.smtp.to('emma@example.edu').length;
    await chat.send('emma');
    const code = await world.smtp.waitFor('emma@example.edu', /(\d{6})/, mailed);
    expect(await chat.send(code)).toEqual(["OK, I won't send you any more reminders. You can still type **register** at any time."]);
    const stopped = (await world.running.app.services.auditLog.read()).filter((e) => e.event === 'reminder.stopped');
    expect(stopped.map((e) => [e.uid, e.channel])).toEqual([
      ['tlee', 'msteams'],
      ['emma', 'emulator'],
    ]);
    world.running.clock.advance(31 * DAY);
    const dry = await nudge(world, ['--dry-run']);
    expect(dry.stdout).toContain('Left out: 0 accounts reminded in the last 30 days, 3 accounts that asked to stop reminders.');
    expect(dry.stdout).not.toMatch(/tlee|emma/);
  });

  test('a reminder that cannot be sent is not counted: Teams falls back to mail, and a mail the server refuses is tried again by the next run', async () => {
    world = await startWorld();
    world.connector.refusePosts = true;
    world.smtp.failNext = 1;
    const first = await nudge(world, ['--per-minute', '600']);
    expect(first.exitCode).toBe(1);
    expect(first.stdout).toContain('Reminded 4 accounts: 3 to register, 1 to re-confirm; 0 in Teams, 4 by email.');
    expect(first.stdout).toContain('1 reminder could not be sent (the mail server or Teams refused); the next run tries them again.');
    expect(world.smtp.to('tkim@example.edu')).toHaveLength(1);
    expect((await world.running.app.services.auditLog.read()).filter((e) => e.event === 'reminder.failed').map((e) => e.uid)).toEqual(['emma']);
    const second = await nudge(world, ['--per-minute', '600']);
    expect(second.stdout).toContain('Reminded 1 account: 1 to register, 0 to re-confirm; 0 in Teams, 1 by email.');
    expect(world.smtp.to('emma@example.edu')).toHaveLength(1);
    expect((await reminded(world)).map((e) => e.uid).sort()).toEqual(['emma', 'finn', 'old', 'tkim', 'tlee']);
  });
});

describe('admin nudge with MicrosoftAppId', () => {
  test('proactive Teams messages carry the bot token from the token service (nock) to the Bot Connector on 127.0.0.1', async () => {
    const connector = new FakeConnector();
    await connector.start();
    nock.disableNetConnect();
    nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
    const token = nock('https://login.microsoftonline.com')
      .post('/botframework.com/oauth2/v2.0/token', (body: Record<string, string>) => body['client_id'] === APP_ID && body['grant_type'] === 'client_credentials')
      .query(true)
      .reply(200, { token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600, access_token: 'token-from-the-nocked-service' });
    const t = await openTestServices();
    const { clock } = t;
    try {
      await t.services.directory.importAccount({ uid: 'tkim', name: 'Kim', email: 'tkim@example.edu' });
      await t.services.store.conversationRefs.put({
        key: 'teams:11111111-1111-1111-1111-111111111111',
        uid: 'tkim',
        reference: { channelId: 'msteams', serviceUrl: connector.url, conversation: { id: 'a:kim-chat', conversationType: 'personal' }, user: { id: '29:kim' }, bot: { id: `28:${APP_ID}` }, locale: 'zh-HK' },
        updatedAt: clock.now(),
      });
      await t.services.close();
      const services = await openServices(testConfig({ DATA_DIR: t.dataDir, MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'app-password-for-the-test' }), { clock: new ManualClock(clock.now()), logger: silentLogger, role: 'admin CLI' });
      try {
        const result = await runAdminCommand(services, ['nudge'], { files: {}, stdin: '' });
        expect(result.stdout).toContain('Reminded 1 account: 1 to register, 0 to re-confirm; 1 in Teams, 0 by email.');
      } finally {
        await services.close();
      }
      expect(token.isDone()).toBe(true);
      expect(connector.authorizations).toEqual(['Bearer token-from-the-nocked-service']);
      const [card] = connector.sent;
      expect(card?.conversation?.id).toBe('a:kim-chat');
      // The Teams user's locale picks the language when the account has none.
      expect(textOf(card!)).toContain('您登記了 PIN 重設服務嗎？');
      expect(buttonsOf(card!).map((b) => b.value)).toEqual(['register', 'stop reminders']);
    } finally {
      nock.cleanAll();
      nock.enableNetConnect();
      await connector.stop();
    }
  });
});
