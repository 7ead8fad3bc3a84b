import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { openTestServices, addAccount, type TestServices } from './support/services.js';
import { MemoryStorage } from 'botbuilder';
import { converse, startChat } from './support/dialogs.js';

let t: TestServices;

beforeEach(async () => {
  t = await openTestServices({ PUBLIC_BASE_URL: 'https://pin.example.edu' });
  await addAccount(t.services, 'jdoe', 'jdoe@example.edu', { pin: 'Old-PIN-1234' });
  await addAccount(t.services, 'noreg', 'noreg@example.edu');
  const now = t.clock.now();
  await t.services.store.contacts.put({ uid: 'jdoe', email: 'jane@gmail.com', mobile: '+85261234567', source: 'self', verifiedAt: now, updatedAt: now });
});
afterEach(async () => {
  await t.services.close();
});

async function resetBySms(uid: string) {
  const chat = startChat(t.services);
  await converse(chat, [
    ['forgot pin', 'What is your portal UID?'],
    [uid, /How would you like to verify\?[\s\S]*email[\s\S]*sms/],
    ['sms', new RegExp(`If \\*\\*${uid}\\*\\* has a registered mobile number, I have sent a 6-digit code`)],
  ]);
  await t.services.background.drain();
  return chat;
}

describe('resetting a PIN in chat', () => {
  test('by email: the bot says a link was sent and the alternate email receives a one-time link', async () => {
    const chat = startChat(t.services);
    await converse(chat, [
      ['reset', 'portal UID'],
      ['jdoe', 'How would you like to verify?'],
      ['1', /If \*\*jdoe\*\* has a registered alternate email, I have sent a link[\s\S]*30 minutes/],
    ]);
    await t.services.background.drain();
    const mail = t.mailer.to('jane@gmail.com').at(-1);
    expect(mail?.text).toMatch(/https:\/\/pin\.example\.edu\/reset\/[A-Za-z0-9_-]{32,}/);
    expect(t.mailer.to('jdoe@example.edu')).toHaveLength(0);
  });

  test('by SMS: a correct code is answered with a one-time link to the PIN page', async () => {
    const chat = await resetBySms('jdoe');
    await converse(chat, [[t.sms.lastCode('+85261234567'), /Set your new PIN on this page within 10 minutes[\s\S]*https:\/\/pin\.example\.edu\/reset\/[A-Za-z0-9_-]{32,}/]]);
    const events = (await t.services.auditLog.read({ uid: 'jdoe' })).map((e) => e.event);
    expect(events).toEqual(expect.arrayContaining(['reset.requested', 'code.verified']));
  });

  test('a code typed where the UID is asked for is refused unread, and kept neither in state nor in the audit log', async () => {
    const storage = new MemoryStorage();
    const chat = startChat(t.services, storage);
    await converse(chat, [
      ['reset', 'What is your portal UID?'],
      ['４８２ 913', /That looks like a verification code, not a portal UID[\s\S]*What is your portal UID\?/],
      ['jdoe', 'How would you like to verify?'],
    ]);
    const kept = JSON.stringify(await storage.read(Object.keys((storage as unknown as { memory: Record<string, unknown> }).memory)));
    const audited = JSON.stringify(await t.services.auditLog.read({}));
    expect({ inState: /482 ?913/.test(kept), inAudit: /482 ?913/.test(audited) }).toEqual({ inState: false, inAudit: false });
  });

  test('words that name JavaScript built-ins (__proto__, constructor, toString) are ordinary unknown input, at the top and at a prompt', async () => {
    const chat = startChat(t.services);
    await converse(chat, [
      ['__proto__', "Sorry, I didn't understand that"],
      ['constructor', "Sorry, I didn't understand that"],
      ['reset', 'What is your portal UID?'],
      ['toString', 'How would you like to verify?'],
      ['__proto__', 'Please answer'],
    ]);
  });

  test('unknown, unregistered and registered UIDs get identical replies, both ways', async () => {
    const transcript = async (uid: string, method: string) => {
      const chat = startChat(t.services);
      const replies = [...(await chat.say('reset')), ...(await chat.say(uid)), ...(await chat.say(method)), ...(await chat.say('000000'))];
      return replies.map((r) => r.replaceAll(uid, 'UID'));
    };
    for (const method of ['email', 'sms']) {
      const registered = await transcript('jdoe', method);
      expect(await transcript('noreg', method)).toEqual(registered);
      expect(await transcript('ghost', method)).toEqual(registered);
    }
    await t.services.background.drain();
    expect(t.mailer.sent.map((m) => m.to)).toEqual(['jane@gmail.com']);
    expect(t.sms.sent.map((m) => m.to)).toEqual(['+85261234567']);
  });

  test('wrong SMS codes count down and never give a link', async () => {
    const chat = await resetBySms('jdoe');
    const right = t.sms.lastCode('+85261234567');
    const wrong = right === '999999' ? '888888' : '999999';
    await converse(chat, [
      [wrong, 'You have 4 tries left'],
      [wrong, 'You have 3 tries left'],
      [wrong, 'You have 2 tries left'],
      [wrong, 'You have 1 try left'],
      [wrong, 'too many wrong tries'],
      [right, 'too many wrong tries'],
    ]);
  });

  test('an SMS code expires after ten minutes', async () => {
    const chat = await resetBySms('jdoe');
    t.clock.advance(10 * 60_000 + 1);
    await converse(chat, [[t.sms.lastCode('+85261234567'), 'That code has expired']]);
  });

  test('resends are limited and then self-service pauses with the service desk named', async () => {
    const chat = await resetBySms('jdoe');
    for (let i = 0; i < 4; i++) await converse(chat, [['resend', 'I have sent a new code']]);
    await converse(chat, [['resend', /paused[\s\S]*the IT Service Desk/]]);
    await t.services.background.drain();
    expect(t.sms.sent).toHaveLength(5);
  });

  test('cancel stops the reset and gives no link', async () => {
    const chat = await resetBySms('jdoe');
    await converse(chat, [
      ['cancel', 'I have stopped'],
      [t.sms.lastCode('+85261234567'), "didn't understand"],
    ]);
  });

  test('a method the bot does not know is re-prompted', async () => {
    const chat = startChat(t.services);
    await converse(chat, [
      ['reset', 'portal UID'],
      ['jdoe', 'How would you like to verify?'],
      ['carrier pigeon', 'Please answer **email** or **sms**'],
    ]);
  });
});
