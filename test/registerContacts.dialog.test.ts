import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { StoreStorage } from '../src/bot/storeStorage.js';
import { openTestServices, addAccount, type TestServices } from './support/services.js';
import { converse, startChat } from './support/dialogs.js';

let t: TestServices;

beforeEach(async () => {
  t = await openTestServices();
  await addAccount(t.services, 'jdoe', 'jdoe@example.edu');
});
afterEach(async () => {
  await t.services.close();
});

/** Drives the identity step and returns the chat positioned at the alternate-email question. */
async function proveIdentity(chat = startChat(t.services)) {
  await converse(chat, [
    ['register', 'What is your portal UID?'],
    ['JDoe', /If \*\*jdoe\*\* is an account here, I have sent a 6-digit code/],
  ]);
  await t.services.background.drain();
  await converse(chat, [[t.mailer.lastCode('jdoe@example.edu'), 'What alternate email address']]);
  return chat;
}

describe('registering contacts in chat', () => {
  test('the happy path saves both contacts, verified, and confirms them masked', async () => {
    const chat = await proveIdentity();
    await converse(chat, [['tom.lee@gmail.com', 'I have sent a 6-digit code to t•••@gmail.com']]);
    await converse(chat, [[t.mailer.lastCode('tom.lee@gmail.com'), 'What is your mobile number?']]);
    await converse(chat, [['9123 4567', 'I have sent a 6-digit code by SMS to +852 ••••4567']]);
    await converse(chat, [[t.sms.lastCode('+85291234567'), /All done[\s\S]*t•••@gmail\.com[\s\S]*\+852 ••••4567/]]);

    const saved = await t.services.store.contacts.get('jdoe');
    expect(saved).toMatchObject({ uid: 'jdoe', email: 'tom.lee@gmail.com', mobile: '+85291234567', source: 'self' });
    const events = (await t.services.auditLog.read({ uid: 'jdoe' })).map((e) => e.event);
    expect(events).toEqual(expect.arrayContaining(['code.sent', 'code.verified', 'contacts.changed']));
  });

  test('the institutional email is told about the change', async () => {
    const chat = await proveIdentity();
    await converse(chat, [['tom.lee@gmail.com', 'I have sent']]);
    await converse(chat, [[t.mailer.lastCode('tom.lee@gmail.com'), 'mobile']]);
    await converse(chat, [['91234567', 'SMS']]);
    await converse(chat, [[t.sms.lastCode('+85291234567'), 'All done']]);
    await t.services.background.drain();
    const notices = t.mailer.to('jdoe@example.edu').filter((m) => m.subject.includes('contacts were changed'));
    expect(notices).toHaveLength(1);
    expect(notices[0]!.text).toContain('t***@gmail.com');
    expect(notices[0]!.text).toContain('the IT Service Desk');
  });

  test('an unknown UID gets the same words as a real one and no mail is sent', async () => {
    const real = startChat(t.services);
    const unknown = startChat(t.services);
    const realReplies = [await real.say('register'), await real.say('jdoe')];
    const unknownReplies = [await unknown.say('register'), await unknown.say('nobody1')];
    expect(unknownReplies[1]![0]!.replace('nobody1', 'X')).toEqual(realReplies[1]![0]!.replace('jdoe', 'X'));
    await t.services.background.drain();
    expect(t.mailer.sent.map((m) => m.to)).toEqual(['jdoe@example.edu']);
    expect(await unknown.say('123456')).toEqual([expect.stringContaining("That code isn't right. You have 4 tries left.")]);
  });

  test('each invalid input is re-prompted with what is wrong', async () => {
    const chat = startChat(t.services);
    await converse(chat, [
      ['register', 'What is your portal UID?'],
      ['not a uid!', "doesn't look like a portal UID"],
      ['jdoe', 'I have sent a 6-digit code'],
      ['12ab', 'The code is 6 digits'],
    ]);
    await t.services.background.drain();
    await converse(chat, [
      [t.mailer.lastCode('jdoe@example.edu'), 'alternate email'],
      ['tom at gmail', "doesn't look like an email address"],
      ['jdoe@example.edu', 'That is an institutional address'],
      ['someone@mail.example.edu', 'That is an institutional address'],
      ['tom@gmail.com', 'I have sent'],
    ]);
    await converse(chat, [
      [t.mailer.lastCode('tom@gmail.com'), 'mobile number'],
      ['12345', "doesn't look like a mobile number"],
      ['+44 7911 123456', 'I have sent a 6-digit code by SMS to +•• ••••3456'],
    ]);
  });

  test('five wrong codes kill the code; only a new code works then', async () => {
    const chat = startChat(t.services);
    await converse(chat, [['register', 'UID'], ['jdoe', 'I have sent']]);
    await t.services.background.drain();
    const right = t.mailer.lastCode('jdoe@example.edu');
    const wrong = right === '000000' ? '111111' : '000000';
    await converse(chat, [
      [wrong, 'You have 4 tries left'],
      [wrong, 'You have 3 tries left'],
      [wrong, 'You have 2 tries left'],
      [wrong, 'You have 1 try left'],
      [wrong, 'too many wrong tries'],
      [right, 'too many wrong tries'],
      ['resend', 'I have sent a new code'],
    ]);
    await t.services.background.drain();
    await converse(chat, [[t.mailer.lastCode('jdoe@example.edu'), 'alternate email']]);
    expect((await t.services.auditLog.read({ uid: 'jdoe' })).filter((e) => e.event === 'code.dead')).toHaveLength(1);
  });

  test('an expired code is refused after the clock moves past ten minutes', async () => {
    const chat = startChat(t.services);
    await converse(chat, [['register', 'UID'], ['jdoe', 'I have sent']]);
    await t.services.background.drain();
    t.clock.advance(10 * 60_000 + 1);
    await converse(chat, [[t.mailer.lastCode('jdoe@example.edu'), 'That code has expired']]);
  });

  test('resends are limited: the sixth send in an hour pauses self-service and names the service desk', async () => {
    const chat = startChat(t.services);
    await converse(chat, [['register', 'UID'], ['jdoe', 'I have sent']]);
    for (let i = 0; i < 4; i++) await converse(chat, [['resend', 'I have sent a new code']]);
    await converse(chat, [['resend', /paused[\s\S]*the IT Service Desk/]]);
    await t.services.background.drain();
    expect(t.mailer.to('jdoe@example.edu')).toHaveLength(5);
    expect(await t.services.throttles.pausedUntil('jdoe')).toBeGreaterThan(t.clock.now());
    expect((await t.services.auditLog.read({ uid: 'jdoe' })).some((e) => e.event === 'throttle.paused')).toBe(true);
  });

  test('cancel in the middle stops the flow and saves nothing', async () => {
    const chat = await proveIdentity();
    await converse(chat, [['tom@gmail.com', 'I have sent']]);
    await converse(chat, [
      ['cancel', 'I have stopped'],
      [t.mailer.lastCode('tom@gmail.com'), "didn't understand"],
    ]);
    expect(await t.services.store.contacts.get('jdoe')).toBeUndefined();
  });

  test('help in the middle explains and asks the same question again', async () => {
    const chat = await proveIdentity();
    await converse(chat, [['help', /cancel[\s\S]*the IT Service Desk/, 'What alternate email address']]);
  });

  test('a failed send is reported, never claimed as sent', async () => {
    const chat = await proveIdentity();
    t.mailer.failNext = 1;
    await converse(chat, [['tom@gmail.com', /could not send a code to t•••@gmail\.com[\s\S]*alternate email/]]);
    expect((await t.services.auditLog.read({ uid: 'jdoe' })).some((e) => e.event === 'code.send_failed')).toBe(true);
  });

  test('the flow carries on after the bot restarts mid-way', async () => {
    const storage = new StoreStorage(t.services.store.botState, t.clock);
    const chat = startChat(t.services, storage);
    await converse(chat, [['register', 'UID'], ['jdoe', 'I have sent']]);
    await t.services.background.drain();
    const code = t.mailer.lastCode('jdoe@example.edu');
    await t.services.close();

    const reopened = await openTestServices({}, t.dataDir);
    reopened.clock.advance(t.clock.now() - reopened.clock.now());
    t = { ...reopened, mailer: t.mailer };
    const again = startChat(t.services, new StoreStorage(t.services.store.botState, t.clock));
    await converse(again, [[code, 'What alternate email address']]);
  });

  test('no reply ever repeats a code the user typed, right or wrong', async () => {
    const chat = startChat(t.services);
    const replies: string[] = [...(await chat.say('register')), ...(await chat.say('jdoe'))];
    await t.services.background.drain();
    const right = t.mailer.lastCode('jdoe@example.edu');
    const wrong = right === '246810' ? '135791' : '246810';
    replies.push(...(await chat.say(wrong)), ...(await chat.say(right)), ...(await chat.say('tom@gmail.com')));
    const emailCode = t.mailer.lastCode('tom@gmail.com');
    replies.push(...(await chat.say(emailCode)));
    for (const code of [right, wrong, emailCode]) expect(replies.filter((r) => r.includes(code))).toEqual([]);
  });

  test('changing contacts tells the previous email and mobile too', async () => {
    const now = t.clock.now();
    await t.services.store.contacts.put({ uid: 'jdoe', email: 'old@gmail.com', mobile: '+85261111111', source: 'import', verifiedAt: now, updatedAt: now });
    const chat = await proveIdentity();
    await converse(chat, [['new@gmail.com', 'I have sent']]);
    await converse(chat, [[t.mailer.lastCode('new@gmail.com'), 'mobile']]);
    await converse(chat, [['92222222', 'SMS']]);
    await converse(chat, [[t.sms.lastCode('+85292222222'), 'All done']]);
    await t.services.background.drain();
    expect(t.mailer.to('old@gmail.com').map((m) => m.subject)).toEqual(['Your PIN reset contacts were changed']);
    expect(t.sms.sent.filter((m) => m.to === '+85261111111').map((m) => m.body)).toEqual([expect.stringContaining('were changed')]);
    expect(t.mailer.to('new@gmail.com').filter((m) => m.subject.includes('changed'))).toEqual([]);
  });

  test('one phone number gets at most five codes an hour, whichever accounts ask (SMS pumping)', async () => {
    const replies: string[] = [];
    for (const uid of ['u1', 'u2', 'u3', 'u4', 'u5', 'u6']) {
      await addAccount(t.services, uid);
      const chat = startChat(t.services);
      await chat.say('register');
      await chat.say(uid);
      await t.services.background.drain();
      await chat.say(t.mailer.lastCode(`${uid}@example.edu`));
      await chat.say(`${uid}@gmail.com`);
      await chat.say(t.mailer.lastCode(`${uid}@gmail.com`));
      replies.push((await chat.say('9333 3333'))[0]!);
    }
    expect(replies.slice(0, 5)).toEqual(Array(5).fill(expect.stringContaining('I have sent a 6-digit code by SMS')));
    // Said like any failed send: "too many codes went to this number" would tell that someone else's codes went there.
    expect(replies[5]).toContain('could not send a code to +852 ••••3333');
    expect(replies[5]).not.toMatch(/too many|recently/i);
    expect(t.sms.sent.filter((m) => m.to === '+85293333333')).toHaveLength(5);
  });
});
