import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BotClient } from './support/botClient.js';
import { startApp, type RunningApp } from './support/app.js';
import { openTestServices } from './support/services.js';

const OLD_PIN = 'Old-PIN-1234';
const NEW_PIN = 'blue kettle on the hill';
const LINK = /\/reset\/([A-Za-z0-9_-]{32})/;
const CSRF = /name="csrf" value="([^"]+)"/;

let running: RunningApp;

beforeAll(async () => {
  const { services, dataDir, clock } = await openTestServices();
  for (const [uid, email, mobile] of [
    ['jdoe', 'jane@gmail.com', '+85261234567'],
    ['asmith', 'alex@gmail.com', '+85269876543'],
  ] as const) {
    await services.directory.importAccount({ uid, name: uid, email: `${uid}@example.edu`, pin: OLD_PIN });
    await services.store.contacts.put({ uid, email, mobile, source: 'self', verifiedAt: clock.now(), updatedAt: clock.now() });
  }
  await services.close();
  running = await startApp({}, dataDir);
});
afterAll(async () => {
  await running?.app.close();
});

async function outbox(kind: 'mail' | 'sms'): Promise<Record<string, string>[]> {
  await running.app.services.background.drain();
  const text = await readFile(join(running.dataDir, 'outbox', `${kind}.jsonl`), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, string>);
}
const lastCode = async (kind: 'mail' | 'sms', to: string) => {
  const sent = (await outbox(kind)).filter((m) => m['to'] === to).at(-1);
  return /\b(\d{6})\b/.exec(sent?.[kind === 'mail' ? 'text' : 'body'] ?? '')![1]!;
};
async function emailedToken(uid: string, to: string): Promise<string> {
  await running.app.services.pinReset.requestEmailLink(uid, { channel: 'test' });
  const mail = (await outbox('mail')).filter((m) => m['to'] === to).at(-1);
  return LINK.exec(mail?.['text'] ?? '')![1]!;
}
async function openPage(token: string): Promise<string> {
  const res = await fetch(`${running.baseUrl}/reset/${token}`);
  expect(res.status).toBe(200);
  return CSRF.exec(await res.text())![1]!;
}
const post = (token: string, fields: Record<string, string>) =>
  fetch(`${running.baseUrl}/reset/${token}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
const pinIs = (uid: string, pin: string) => running.app.services.directory.checkPin(uid, pin);

describe('tokens are bound to their account and purpose', () => {
  test('a registration code (identity or contact) typed into the reset flow is refused and gets no link', async () => {
    const user = new BotClient(running.baseUrl);
    await user.send('register');
    await user.send('jdoe');
    const identityCode = await lastCode('mail', 'jdoe@example.edu');
    await user.send(identityCode);
    await user.send('new.jane@gmail.com');
    const contactCode = await lastCode('mail', 'new.jane@gmail.com');
    await user.send('cancel');

    await user.send('reset');
    await user.send('jdoe');
    expect((await user.send('sms')).join('\n')).toContain('I have sent a 6-digit code');
    const resetCode = await lastCode('sms', '+85261234567');
    for (const wrong of [identityCode, contactCode].filter((c) => c !== resetCode)) {
      const replies = (await user.send(wrong)).join('\n');
      expect(replies).toContain("That code isn't right");
      expect(replies).not.toMatch(LINK);
    }
    // The right code for this purpose still works afterwards.
    expect((await user.send(resetCode)).join('\n')).toMatch(LINK);
  });

  test('a used identity code cannot mint a PIN-page link, even for its own account', async () => {
    const { registration, codes, pinReset } = running.app.services;
    const sent = await registration.startIdentity('asmith', { channel: 'test' });
    if (sent.kind !== 'sent') throw new Error('not sent');
    const code = await lastCode('mail', 'asmith@example.edu');
    expect(await codes.check(sent.challengeId, code, { uid: 'asmith', purpose: 'reset-sms' }, { channel: 'test', uid: 'asmith' })).not.toMatchObject({ kind: 'ok' });
    expect(await codes.check(sent.challengeId, code, { uid: 'asmith', purpose: 'identity' }, { channel: 'test', uid: 'asmith' })).toMatchObject({ kind: 'ok' });
    expect(await pinReset.issueLinkAfterSms(sent.challengeId, 'asmith', { channel: 'test' })).toBeUndefined();
  });

  test("account A's link cannot set account B's PIN, whatever the form says", async () => {
    const tokenA = await emailedToken('jdoe', 'jane@gmail.com');
    const csrfA = await openPage(tokenA);
    const res = await post(tokenA, { csrf: csrfA, pin: NEW_PIN, confirm: NEW_PIN, uid: 'asmith', token: 'x' });
    expect(res.status).toBe(200);
    expect(await pinIs('jdoe', NEW_PIN)).toBe(true);
    expect(await pinIs('asmith', OLD_PIN)).toBe(true);
  });

  test("a link's CSRF value cannot be used on another link, of another account or of the same one", async () => {
    const tokenB1 = await emailedToken('asmith', 'alex@gmail.com');
    const tokenB2 = await emailedToken('asmith', 'alex@gmail.com');
    const tokenA = await emailedToken('jdoe', 'jane@gmail.com');
    const csrfA = await openPage(tokenA);
    const csrfB1 = await openPage(tokenB1);
    for (const [token, csrf] of [
      [tokenB2, csrfA],
      [tokenB2, csrfB1],
      [tokenA, csrfB1],
    ] as const) {
      const res = await post(token, { csrf, pin: NEW_PIN, confirm: NEW_PIN });
      expect(res.status).toBe(410);
    }
    expect(await pinIs('asmith', OLD_PIN)).toBe(true);
    // Refusing a forged form does not burn the link it was sent to.
    const csrfB2 = await openPage(tokenB2);
    expect((await post(tokenB2, { csrf: csrfB2, pin: NEW_PIN, confirm: NEW_PIN })).status).toBe(200);
    expect(await pinIs('asmith', NEW_PIN)).toBe(true);
  });
});
