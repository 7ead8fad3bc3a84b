import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import nock from 'nock';
import { startApp, type RunningApp } from './support/app.js';
import { openTestServices } from './support/services.js';
import { BotFrameworkTokens } from './support/botFrameworkTokens.js';
import { FakeConnector, TeamsUser } from './support/teams.js';
import { testConfig } from './support/services.js';
import { ConfigError } from '../src/config/load.js';

const APP_ID = '5b6c7d8e-9f01-4a2b-8c3d-4e5f6a7b8c9d';
const VICTIM_OBJECT_ID = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

/** A data folder with one account, tvictim, linked to its Entra object id and UPN. */
async function dataWithVictim(): Promise<string> {
  const { services, dataDir } = await openTestServices();
  await services.directory.importAccount({ uid: 'tvictim', name: 'T Victim', email: 'tvictim@example.edu', upn: 'tvictim@example.edu' });
  const record = (await services.store.accounts.get('tvictim'))!;
  await services.store.accounts.put({ ...record, aadObjectId: VICTIM_OBJECT_ID });
  await services.close();
  return dataDir;
}

const replyTexts = (body: unknown) => ((body as { activities?: { type: string; text?: string }[] }).activities ?? []).filter((a) => a.type === 'message').map((a) => a.text ?? '');

describe('a Teams identity is trusted only from a request whose Bot Framework token the bot verified', () => {
  const tokens = new BotFrameworkTokens(APP_ID);
  const connector = new FakeConnector();
  let verifiedApp: RunningApp;
  let localApp: RunningApp;

  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
    tokens.publish();
    await connector.start();
    verifiedApp = await startApp({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'not-a-real-secret' }, await dataWithVictim());
    localApp = await startApp({}, await dataWithVictim());
  });
  afterAll(async () => {
    await verifiedApp?.app.close();
    await localApp?.app.close();
    await connector.stop();
    tokens.unpublish();
    nock.enableNetConnect();
  });

  test('with a verified token, the signed-in Teams user skips the UID', async () => {
    const user = new TeamsUser(verifiedApp.baseUrl, connector, VICTIM_OBJECT_ID);
    const { status, body } = await user.post({ type: 'message', text: 'register', deliveryMode: 'expectReplies' }, { authorization: tokens.authorization(connector.url) });
    expect(status).toBe(200);
    expect(replyTexts(body).join('\n')).toContain('You are signed in to Teams as **tvictim**');
  });

  test('without MicrosoftAppId, a connector on this machine cannot vouch for a Teams user: the UID is asked, and no member is looked up', async () => {
    // The fake connector answers the member lookup with the victim's UPN.
    const attacker = new TeamsUser(localApp.baseUrl, connector);
    connector.members.set(attacker.id, { id: attacker.id, name: 'x', aadObjectId: attacker.aadObjectId, userPrincipalName: 'tvictim@example.edu' });
    const lookupsBefore = connector.memberLookups.length;
    const replies = await attacker.say('register');
    expect(replies.join('\n')).toContain('portal UID');
    expect(replies.join('\n')).not.toContain('tvictim');
    // The latent hole: the victim's object id on the activity itself proves nothing either.
    const claimingObjectId = new TeamsUser(localApp.baseUrl, connector, VICTIM_OBJECT_ID);
    expect((await claimingObjectId.say('register')).join('\n')).toContain('portal UID');
    expect(connector.memberLookups.slice(lookupsBefore)).toEqual([]);
  });
});

describe('TRUST_UNVERIFIED_TEAMS_IDENTITY', () => {
  test('the bot refuses to start with it when NODE_ENV=production or when MicrosoftAppId is set', () => {
    const problems = (env: Record<string, string>) => {
      try {
        testConfig(env);
        return [];
      } catch (err) {
        return (err as ConfigError).problems;
      }
    };
    expect(problems({ TRUST_UNVERIFIED_TEAMS_IDENTITY: 'true', NODE_ENV: 'production' })).toEqual([expect.stringMatching(/^TRUST_UNVERIFIED_TEAMS_IDENTITY must not be true when NODE_ENV=production/)]);
    expect(problems({ TRUST_UNVERIFIED_TEAMS_IDENTITY: 'true', MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'x' })).toEqual([expect.stringMatching(/^TRUST_UNVERIFIED_TEAMS_IDENTITY must not be true when MicrosoftAppId is set/)]);
    expect(problems({ TRUST_UNVERIFIED_TEAMS_IDENTITY: 'yes' })).toEqual([expect.stringMatching(/^TRUST_UNVERIFIED_TEAMS_IDENTITY must be true or false/)]);
    expect(problems({ TRUST_UNVERIFIED_TEAMS_IDENTITY: 'true' })).toEqual([]);
    expect(problems({ NODE_ENV: 'production' })).toEqual([]);
  });

  test('when it is on, the bot logs it at every start', async () => {
    const dataDir = await dataWithVictim();
    for (let start = 0; start < 2; start++) {
      const app = await startApp({ TRUST_UNVERIFIED_TEAMS_IDENTITY: 'true' }, dataDir);
      await app.app.close();
      const lines = app.logs().split('\n').filter((l) => l.includes('"setting":"TRUST_UNVERIFIED_TEAMS_IDENTITY"'));
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!)).toMatchObject({ level: 40, msg: expect.stringMatching(/pose as any Teams user/) });
    }
    const off = await startApp({}, dataDir);
    await off.app.close();
    expect(off.logs()).not.toContain('"setting":"TRUST_UNVERIFIED_TEAMS_IDENTITY"');
  });
});
