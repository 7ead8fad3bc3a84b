import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { MemoryStorage } from 'botbuilder';
import { StoreStorage } from '../src/bot/storeStorage.js';
import { openTestServices, addAccount, type TestServices } from './support/services.js';
import { converse, startChat, type Chat } from './support/dialogs.js';
import { recordSecret } from './support/secrets.js';

let t: TestServices;

beforeEach(async () => {
  t = await openTestServices({ PUBLIC_BASE_URL: 'https://pin.example.edu' });
  await addAccount(t.services, 'jdoe', 'jdoe@example.edu', { pin: 'Old-PIN-1234' });
  const now = t.clock.now();
  await addAccount(t.services, 'cwong', 'cwong@example.edu');
  await t.services.store.contacts.put({ uid: 'cwong', email: 'chris@gmail.com', mobile: '+85261234567', source: 'self', verifiedAt: now, updatedAt: now });
});
afterEach(async () => {
  await t.services.close();
});

/** The titles and values of the buttons on a reply: suggested actions, or a card's buttons (Teams). */
function buttonsOf(reply: { suggestedActions?: { actions: { title: string; value: unknown }[] }; attachments?: { content: { buttons?: { title: string; value: unknown }[] } }[] }) {
  const actions = reply.suggestedActions?.actions ?? reply.attachments?.flatMap((a) => a.content.buttons ?? []) ?? [];
  return actions.map((a) => [a.title, a.value]);
}

const MENU_EN = [['Register contacts', 'register'], ['Reset PIN', 'reset'], ['My contacts', 'status'], ['Help', 'help']];

/** A chat at the identity-code prompt of `register`, then past it (the alternate-email question). */
async function provedAndAskedForEmail(chat: Chat = startChat(t.services)): Promise<Chat> {
  await converse(chat, [['register', 'What is your portal UID?'], ['jdoe', 'I have sent a 6-digit code']]);
  await t.services.background.drain();
  await converse(chat, [[t.mailer.lastCode('jdoe@example.edu'), 'What alternate email address']]);
  return chat;
}

describe('how people start', () => {
  test('people start flows in their own words, in English and zh-HK', async () => {
    await converse(startChat(t.services), [
      ['I forgot my PIN', 'What is your portal UID?'],
      ['cancel', 'I have stopped'],
      ["i can't log in", 'What is your portal UID?'],
      ['cancel', 'I have stopped'],
      ['register my mobile', 'What is your portal UID?'],
      ['cancel', 'I have stopped'],
      ['what contacts do I have?', 'What is your portal UID?'],
    ]);
    await converse(startChat(t.services, new MemoryStorage(), 'msteams', 'zh-HK'), [
      ['我忘記了密碼', '請輸入您的入門網站 UID。'],
      ['取消', '好的，已經停止'],
      ['我換咗手機號碼', '請輸入您的入門網站 UID。'],
    ]);
  });

  test('a greeting gets the welcome with its choices as buttons; thanks gets a short answer', async () => {
    const chat = startChat(t.services);
    const hello = await chat.client.sendActivity({ type: 'message', text: 'Hello!', locale: 'en-US' });
    expect(hello.text).toMatch(/^Hi! I'm the PIN reset assistant[\s\S]*What would you like to do\?/);
    expect(buttonsOf(hello)).toEqual(MENU_EN);
    await converse(chat, [['thanks', "You're welcome!"]]);

    const teams = startChat(t.services, new MemoryStorage(), 'msteams', 'zh-HK');
    const hi = await teams.client.sendActivity({ type: 'message', text: '你好', locale: 'zh-HK' });
    expect(hi.text).toMatch(/^您好！我是 PIN 重設助理/);
    expect(buttonsOf(hi)).toEqual([['登記聯絡資料', 'register'], ['重設 PIN', 'reset'], ['我的聯絡資料', 'status'], ['幫助', 'help']]);
  });

  test('something truly unrecognised gets a short sorry and the choices as buttons, not a wall of text; a button starts its flow', async () => {
    const chat = startChat(t.services);
    const sorry = await chat.client.sendActivity({ type: 'message', text: "what's the weather like?", locale: 'en-US' });
    expect(sorry.text).toBe("Sorry, I didn't understand that. What would you like to do? Pick one below, or type **help**.");
    expect(buttonsOf(sorry)).toEqual(MENU_EN);
    await converse(chat, [['reset', 'What is your portal UID?']]);
  });

  test('asking to unlock, in either language, starts the unlock flow (on the embedded directory: nothing is ever locked, and a reset is offered)', async () => {
    for (const typed of ["I'm locked out", 'my account is locked', '解鎖']) {
      const replies = await startChat(t.services).say(typed);
      expect({ typed, replies }).toEqual({ typed, replies: [expect.stringMatching(/never locked|不會/)] });
    }
  });

  test('asking for a person, in either language, starts the hand-off; stop reminders asks who you are first', async () => {
    for (const typed of ['agent', 'I want to talk to a human', '真人']) {
      const replies = await startChat(t.services).say(typed);
      expect({ typed, replies }).toEqual({ typed, replies: [expect.not.stringContaining("didn't understand")] });
    }
    for (const typed of ['stop reminders', '停止提醒']) {
      const replies = await startChat(t.services).say(typed);
      expect({ typed, replies }).toEqual({ typed, replies: [expect.stringContaining('UID')] });
    }
  });
});

describe("changing one's mind at a code prompt", () => {
  test('oops, I typed the wrong email: back to the address question, the identity stays proved and no new institutional code is sent', async () => {
    const chat = await provedAndAskedForEmail();
    await converse(chat, [['tom.lee@gmial.con', 'I have sent a 6-digit code to t•••@gmial.con']]);
    const typo = t.mailer.lastCode('tom.lee@gmial.con');
    await converse(chat, [
      ['oops, I typed the wrong email', 'No problem: that code no longer works.\n\nWhat alternate email address'],
      ['tom.lee@gmail.com', 'I have sent a 6-digit code to t•••@gmail.com'],
    ]);
    await converse(chat, [
      [t.mailer.lastCode('tom.lee@gmail.com'), 'What is your mobile number?'],
      ['9123 4567', 'I have sent a 6-digit code by SMS to +852 ••••4567'],
      ['wrong number', 'No problem: that code no longer works.\n\nWhat is your mobile number?'],
      ['9123 4568', 'I have sent a 6-digit code by SMS to +852 ••••4568'],
    ]);
    await converse(chat, [[t.sms.lastCode('+85291234568'), /All done[\s\S]*t•••@gmail\.com[\s\S]*\+852 ••••4568/]]);
    expect(t.mailer.to('jdoe@example.edu').filter((m) => m.subject.startsWith('Your verification code'))).toHaveLength(1);
    expect(await t.services.store.contacts.get('jdoe')).toMatchObject({ email: 'tom.lee@gmail.com', mobile: '+85291234568' });
    // The code sent to the mistyped address no longer works.
    expect((await t.services.store.challenges.findBy('target', 'tom.lee@gmial.con')).map((c) => c.status)).toEqual(['revoked']);
    expect(typo).toMatch(/^\d{6}$/);
  });

  test('"wrong email" at the mobile code goes back to the email question, still without a new identity code', async () => {
    const chat = await provedAndAskedForEmail();
    await converse(chat, [['tom@gmail.com', 'I have sent']]);
    await converse(chat, [
      [t.mailer.lastCode('tom@gmail.com'), 'What is your mobile number?'],
      ['9123 4567', 'by SMS to +852 ••••4567'],
      ['wrong email', 'No problem: that code no longer works.\n\nWhat alternate email address'],
      ['tom.lee@gmail.com', 'I have sent a 6-digit code to t•••@gmail.com'],
    ]);
    await converse(chat, [[t.mailer.lastCode('tom.lee@gmail.com'), 'What is your mobile number?']]);
    expect(t.mailer.to('jdoe@example.edu')).toHaveLength(1);
  });

  test('"change" and "back" at the identity code ask for the UID again; at the reset code, for the way to verify', async () => {
    await converse(startChat(t.services), [
      ['register', 'UID'],
      ['jdoe', 'I have sent'],
      ['back', 'No problem: that code no longer works.\n\nWhat is your portal UID?'],
    ]);
    await converse(startChat(t.services), [
      ['reset', 'UID'],
      ['cwong', 'How would you like to verify?'],
      ['sms', 'I have sent a 6-digit code'],
      ['change', /^No problem: that code no longer works.\n\nHow would you like to verify\?/],
      ['email', 'I have sent a link'],
    ]);
    await converse(startChat(t.services), [
      ['reset', 'UID'],
      ['cwong', 'How would you like to verify?'],
      ['2', 'I have sent a 6-digit code'],
      ['oops, wrong UID', 'No problem: that code no longer works.\n\nWhat is your portal UID?'],
    ]);
  });

  test('another command at a code prompt says what it will do, then does it; the flow already under way carries on', async () => {
    const chat = startChat(t.services);
    await converse(chat, [
      ['register', 'UID'],
      ['jdoe', 'I have sent'],
      ['reset', "OK, I've stopped here (nothing more was changed). Let's reset your portal PIN instead.", 'What is your portal UID?'],
      ['cwong', 'How would you like to verify?'],
      ['sms', 'I have sent a 6-digit code'],
      ['status', "OK, I've stopped here (nothing more was changed). Let's look at the contacts you have registered instead.", 'What is your portal UID?'],
      ['jdoe', 'I have sent'],
      ['I forgot my PIN', "OK, I've stopped here", 'What is your portal UID?'],
      ['I forgot my PIN', "We are resetting your PIN already, so let's carry on.", 'What is your portal UID?'],
    ]);
    const teams = startChat(t.services, new MemoryStorage(), 'msteams', 'zh-HK');
    await converse(teams, [
      ['登記', 'UID'],
      ['jdoe', '驗證碼'],
      ['忘記密碼', '好的，我已停下（沒有再作任何更改）。現在改為重設您的入門網站 PIN。', '請輸入您的入門網站 UID。'],
    ]);
  });

  test('an answer that merely contains a command word is still an answer (an address, a method)', async () => {
    const chat = await provedAndAskedForEmail();
    await converse(chat, [['register.me@gmail.com', 'I have sent a 6-digit code to r•••@gmail.com']]);
    await converse(startChat(t.services), [
      ['reset', 'UID'],
      ['cwong', 'How would you like to verify?'],
      ['reset by email please', 'I have sent a link'],
    ]);
  });

  test('the code re-prompt names resend, change and cancel', async () => {
    await converse(startChat(t.services), [
      ['register', 'UID'],
      ['jdoe', 'I have sent'],
      ['what?', 'The code is 6 digits, like 123456.\n\nType the code here, **resend** for a new one, **change** to type a different UID, or **cancel** to stop.'],
    ]);
    await converse(startChat(t.services, new MemoryStorage(), 'msteams', 'zh-HK'), [
      ['重設', 'UID'],
      ['cwong', '您想用哪種方式核實身分？'],
      ['短訊', '驗證碼'],
      ['甚麼？', '驗證碼是 6 位數字，例如 123456。\n\n請在此輸入驗證碼。輸入 **重發** 可索取新的驗證碼，**更改** 可改用另一種方式，**取消** 可停止。'],
    ]);
  });
});

describe('a PIN typed into chat', () => {
  test('at any prompt, and before any flow, a typed PIN is warned about once and asked past; it is neither kept in state nor echoed', async () => {
    const pins = ['Hunter2-Secret', 'tram harbour lantern', 'Summer2024!', 'Tr0ub4dor&3', 'abcd1234'];
    recordSecret('pin', ...pins);
    const storage = new StoreStorage(t.services.store.botState, t.clock);
    const chat = startChat(t.services, storage);
    const warning = "Never type your PIN in chat; you'll set it on a private page.";
    const replies: string[] = [];
    const step = async (typed: string, ...expected: (string | RegExp)[]) => {
      const got = await chat.say(typed);
      replies.push(...got);
      await converse({ ...chat, say: async () => got }, [[typed, ...expected]]);
    };
    await step('my pin is Hunter2-Secret', `${warning} To get a link to that page, type **reset**.`);
    await step('reset', 'What is your portal UID?');
    await step('Hunter2-Secret', warning, 'What is your portal UID?');
    await step('cwong', 'How would you like to verify?');
    await step('My PIN is tram harbour lantern', warning, 'How would you like to verify?');
    await step('sms', 'I have sent a 6-digit code');
    await step('my new password is Summer2024!', warning, /^I'm waiting for the 6-digit code that goes by SMS to the registered mobile number of \*\*cwong\*\*/);
    await step('register', "OK, I've stopped here", 'What is your portal UID?');
    await step('jdoe', 'I have sent');
    await t.services.background.drain();
    await step(t.mailer.lastCode('jdoe@example.edu'), 'What alternate email address');
    await step('Tr0ub4dor&3', warning, 'What alternate email address');
    await step('我的密碼是 abcd1234', warning, 'What alternate email address');

    for (const pin of pins) expect(replies.filter((r) => r.includes(pin))).toEqual([]);
    const kept = JSON.stringify(await t.services.store.botState.all());
    expect(pins.filter((pin) => kept.includes(pin))).toEqual([]);
    const audited = JSON.stringify(await t.services.auditLog.read({}));
    expect(pins.filter((pin) => audited.includes(pin))).toEqual([]);
  });

  test('questions about a PIN are not taken for one: "what is my PIN?" starts a reset, "my PIN is not working" too', async () => {
    await converse(startChat(t.services), [['what is my PIN?', 'What is your portal UID?']]);
    await converse(startChat(t.services), [['my PIN is not working', 'What is your portal UID?']]);
  });
});

describe('resend and help say what is true', () => {
  test('help after resend asks for the code again without claiming another send, and the question comes below it', async () => {
    const chat = startChat(t.services);
    await converse(chat, [
      ['register', 'UID'],
      ['jdoe', 'I have sent'],
      ['resend', 'If **jdoe** is an account here, I have sent a new code to its institutional email address. Earlier codes no longer work; type the new one here.'],
      ['help', /^I'll ask my question again below: answer it, or type \*\*cancel\*\* to stop\./, /^I'm waiting for the 6-digit code that goes to the institutional email address of \*\*jdoe\*\*, if it is an account here\./],
    ]);
    const again = await chat.say('help');
    expect(again.join('\n')).not.toMatch(/I have sent|above/);
  });

  test('HELP on SMS points to the next text, says EXIT, and does not repeat the resend either', async () => {
    const chat = startChat(t.services, new MemoryStorage(), 'sms', null);
    await converse(chat, [
      ['reset', 'UID'],
      ['cwong', 'How would you like to verify?'],
      ['sms', 'I have sent'],
      ['resend', 'If **cwong** has a registered mobile number, I have sent a new code'],
      ['HELP', /^PIN reset service: answer the question in my next text, or text EXIT to stop\./, /I'm waiting for the 6-digit code[\s\S]*Text the code, RESEND for a new one, CHANGE to choose another way, or EXIT to stop\./],
    ]);
  });

  test('every resend is hedged the same way, whether the UID is real or not', async () => {
    const resent = async (uid: string) => {
      const chat = startChat(t.services);
      await chat.say('reset');
      await chat.say(uid);
      await chat.say('sms');
      return (await chat.say('resend')).map((r) => r.replaceAll(uid, 'UID'));
    };
    const real = await resent('cwong');
    expect(real).toEqual([expect.stringMatching(/^If \*\*UID\*\* has a registered mobile number, I have sent a new code to it by SMS, unless that number has had too many codes this hour \(then try again in an hour\)\./)]);
    expect(await resent('ghost')).toEqual(real);
  });
});

describe('what a change of contacts says', () => {
  test('a first registration does not claim to have told previous contacts; a change does, and the notice names the channel in words', async () => {
    const register = async (chat: Chat, email: string, mobile: string) => {
      await converse(chat, [['register', 'UID'], ['jdoe', 'I have sent']]);
      await t.services.background.drain();
      await converse(chat, [[t.mailer.lastCode('jdoe@example.edu'), 'alternate email'], [email, 'I have sent']]);
      await converse(chat, [[t.mailer.lastCode(email), 'mobile'], [mobile, 'I have sent']]);
      const e164 = `+852${mobile.replace(/\D/g, '')}`;
      return (await chat.say(t.sms.lastCode(e164)))[0]!;
    };
    const first = await register(startChat(t.services, new MemoryStorage(), 'emulator'), 'tom@gmail.com', '91234567');
    expect(first).toMatch(/I've told your institutional email about this change\.$/);
    await t.services.background.drain();
    expect(t.mailer.to('jdoe@example.edu').at(-1)!.text).toMatch(/were changed on .* HKT in a chat\./);

    // Past the hourly limit of sends for the account.
    t.clock.advance(61 * 60_000);
    const second = await register(startChat(t.services, new MemoryStorage(), 'sms', null), 'tom.lee@gmail.com', '92345678');
    expect(second).toMatch(/I've told your institutional email and your previous contacts about this change\.$/);
    await t.services.background.drain();
    const notice = t.mailer.to('tom@gmail.com').at(-1)!.text;
    expect(notice).toMatch(/were changed on .* HKT by text message\./);
    expect(notice).not.toMatch(/emulator|sms\)|\(sms/);
  });

  test('every email reads naturally with the default service desk: "If you have questions, contact the IT Service Desk."', async () => {
    await t.services.close();
    t = await openTestServices({ SERVICE_DESK_CONTACT: 'the IT Service Desk' });
    await addAccount(t.services, 'cwong');
    const now = t.clock.now();
    await t.services.store.contacts.put({ uid: 'cwong', email: 'chris@gmail.com', mobile: '+85261234567', source: 'self', verifiedAt: now, updatedAt: now });
    await converse(startChat(t.services), [['register', 'UID'], ['cwong', 'I have sent']]);
    await converse(startChat(t.services), [['reset', 'UID'], ['cwong', 'verify'], ['email', 'I have sent a link']]);
    await t.services.background.drain();
    const mails = t.mailer.sent.map((m) => m.text);
    expect(mails).toHaveLength(2);
    for (const text of mails) {
      expect(text).toContain('If you have questions, contact the IT Service Desk.');
      expect(text).not.toContain('Questions:');
    }
  });
});
