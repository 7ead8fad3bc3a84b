import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { TestAdapter, TurnContext, type Activity } from 'botbuilder';
import { TeamsIdentity, tenantAllowed } from '../src/bot/teamsIdentity.js';
import { markTokenVerified } from '../src/bot/botToken.js';
import { silentLogger } from '../src/ports/logger.js';
import { openTestServices, type TestServices } from './support/services.js';

const OBJECT_ID = '5e0d9c1a-2b3c-4d5e-8f90-a1b2c3d4e5f6';
let t: TestServices;

beforeAll(async () => {
  t = await openTestServices();
  await t.services.directory.importAccount({ uid: 'asmith', name: 'Alex Smith', email: 'asmith@example.edu' });
  const record = (await t.services.store.accounts.get('asmith'))!;
  await t.services.store.accounts.put({ ...record, aadObjectId: OBJECT_ID });
});
afterAll(() => t.services.close());

function contextFor(activity: Partial<Activity>): TurnContext {
  return new TurnContext(new TestAdapter(), {
    type: 'message',
    text: 'reset',
    from: { id: '29:x', name: 'x', aadObjectId: OBJECT_ID },
    recipient: { id: '28:bot', name: 'bot' },
    conversation: { id: 'a:1', name: '', isGroup: false, conversationType: 'personal' },
    channelId: 'msteams',
    serviceUrl: 'http://127.0.0.1:9/',
    ...activity,
  } as Activity);
}

describe('who the signed-in Teams user is', () => {
  test('only Teams activities carry a signed-in identity; other channels always prove it the ordinary way', async () => {
    const identity = new TeamsIdentity(t.services.directory, silentLogger, true);
    expect(await identity.uidOf(contextFor({}))).toBe('asmith');
    for (const channelId of ['emulator', 'webchat', 'sms', 'directline']) expect(await identity.uidOf(contextFor({ channelId }))).toBeUndefined();
  });

  test('a Teams identity is believed only on a turn whose Bot Framework token was verified, not from a connector on this machine', async () => {
    const identity = new TeamsIdentity(t.services.directory, silentLogger);
    // A loopback serviceUrl, or an object id on the activity itself, proves nothing.
    for (const serviceUrl of ['http://127.0.0.1:9/', 'http://localhost:3979/', 'https://smba.trafficmanager.net/emea/']) {
      expect(await identity.uidOf(contextFor({ serviceUrl }))).toBeUndefined();
    }
    const verified = contextFor({ serviceUrl: 'https://smba.trafficmanager.net/emea/' });
    markTokenVerified(verified);
    expect(await identity.uidOf(verified)).toBe('asmith');
    // TRUST_UNVERIFIED_TEAMS_IDENTITY, for local trials and tests, believes it without a token.
    expect(await new TeamsIdentity(t.services.directory, silentLogger, true).uidOf(contextFor({}))).toBe('asmith');
  });

  test('ALLOWED_TENANT_IDS applies to Teams activities only, by channelData.tenant or conversation.tenantId', () => {
    const allowed = ['11111111-2222-3333-4444-555555555555'];
    expect(tenantAllowed({ channelId: 'msteams', channelData: { tenant: { id: '11111111-2222-3333-4444-555555555555' } } }, allowed)).toBe(true);
    expect(tenantAllowed({ channelId: 'msteams', channelData: { tenant: { id: 'AAAAAAAA-2222-3333-4444-555555555555' } } }, ['aaaaaaaa-2222-3333-4444-555555555555'])).toBe(true);
    expect(tenantAllowed({ channelId: 'msteams', conversation: { id: 'c', tenantId: '11111111-2222-3333-4444-555555555555' } as Activity['conversation'] }, allowed)).toBe(true);
    expect(tenantAllowed({ channelId: 'msteams', channelData: { tenant: { id: '99999999-2222-3333-4444-555555555555' } } }, allowed)).toBe(false);
    expect(tenantAllowed({ channelId: 'msteams' }, allowed)).toBe(false);
    expect(tenantAllowed({ channelId: 'msteams' }, [])).toBe(true);
    expect(tenantAllowed({ channelId: 'sms' }, allowed)).toBe(true);
  });
});
