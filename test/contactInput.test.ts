import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { openTestServices, addAccount, type TestServices } from './support/services.js';
import { converse, startChat, type Chat } from './support/dialogs.js';
import { importContacts } from '../src/admin/contactImport.js';
import { importAccounts } from '../src/admin/accountImport.js';
import { parseEmail, parseMobile, parseUid } from '../src/domain/contactFormats.js';

let t: TestServices;

beforeEach(async () => {
  t = await openTestServices();
  await addAccount(t.services, 'jdoe', 'jdoe@example.edu');
});
afterEach(async () => {
  await t.services.close();
});

/**
 * A chat positioned at the alternate-email question (`locale`: the language the client sends). A
 * proven account's language follows it into later chats, so each language proves its own account.
 */
async function atAltEmail(locale = 'en-US'): Promise<Chat> {
  const uid = locale.startsWith('zh') ? 'kwong' : 'jdoe';
  if (uid !== 'jdoe') await addAccount(t.services, uid);
  const chat = startChat(t.services, undefined, 'test', locale);
  await chat.say('register');
  await chat.say(uid);
  await t.services.background.drain();
  await chat.say(t.mailer.lastCode(`${uid}@example.edu`));
  return chat;
}

/** A chat positioned at the mobile-number question. */
async function atMobile(locale = 'en-US'): Promise<Chat> {
  const chat = await atAltEmail(locale);
  await chat.say('tom@gmail.com');
  await chat.say(t.mailer.lastCode('tom@gmail.com'));
  return chat;
}

// The two addresses of the issue, and a few more invisible characters of both kinds.
const HIDDEN = ['in\u0000j2a@example.org', '\u202Ea2jni@example.org', 'tom\u200B@gmail.com', 'tom@gmail.com\u0007', '\uFEFFtom@gmail.com', 'tom@gm\u00ADail.com'];

describe('control (Cc) and format (Cf) characters in an address, a number or a UID are refused', () => {
  test('in chat: an address with a control or format character gets a re-prompt saying so, and nothing is sent', async () => {
    const chat = await atAltEmail();
    for (const typed of HIDDEN) {
      await converse(chat, [[typed, 'contains a hidden character (a control or formatting mark)']]);
    }
    await t.services.background.drain();
    expect(t.mailer.sent.map((m) => m.to)).toEqual(['jdoe@example.edu']);
    await converse(chat, [['tom@gmail.com', 'I have sent a 6-digit code to t•••@gmail.com']]);
  });

  test('in chat: a mobile number or a UID with one is refused with a re-prompt, in both languages', async () => {
    const chat = await atMobile();
    await converse(chat, [['9123\u200B4567', 'contains a hidden character']]);
    await converse(chat, [['\u202D91234567', 'contains a hidden character']]);
    expect(t.sms.sent).toEqual([]);
    const zh = await atMobile('zh-HK');
    await converse(zh, [['9123\u00004567', '含有隱藏字元']]);

    const mailsBefore = t.mailer.sent.length;
    const uid = startChat(t.services);
    await converse(uid, [['register', 'portal UID'], ['jd\u200Boe', "doesn't look like a portal UID"], ['\u0000jdoe', "doesn't look like a portal UID"]]);
    await t.services.background.drain();
    expect(t.mailer.sent.length).toBe(mailsBefore);
  });

  test('in CSV imports: the line and field are named, and the row is not applied', async () => {
    await addAccount(t.services, 'asmith');
    const contacts = ['uid,email,mobile', 'jdoe,in\u0000j2a@example.org,', 'asmith,,9123\u200B4567', 'jd\u202Eoe,tom@gmail.com,'].join('\n');
    const result = await importContacts(t.services, 'contacts.csv', contacts);
    expect(result.exitCode).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      'line 2: email: contains a control or format character (an invisible character such as NUL or a right-to-left override); retype the value',
      'line 3: mobile: contains a control or format character (an invisible character such as NUL or a right-to-left override); retype the value',
      'line 4: uid: contains a control or format character (an invisible character such as NUL or a right-to-left override); retype the value',
    ]);
    expect(await t.services.store.contacts.get('jdoe')).toBeUndefined();
    expect(await t.services.store.contacts.get('asmith')).toBeUndefined();

    const accounts = ['uid,name,email,upn', 'kchan,Kim Chan,kchan\u200D@example.edu,', 'lwong,L\u202EWong,lwong@example.edu,', 'mli,M Li,mli@example.edu,m\u0000li@example.edu'].join('\n');
    const imported = await importAccounts(t.services, 'accounts.csv', accounts);
    expect(imported.exitCode).toBe(1);
    expect(imported.stderr).toMatch(/^line 2: email: contains a control or format character/m);
    expect(imported.stderr).toMatch(/^line 3: name: contains a control or format character/m);
    expect(imported.stderr).toMatch(/^line 4: upn: contains a control or format character/m);
    for (const uid of ['kchan', 'lwong', 'mli']) expect(await t.services.directory.findByUid(uid)).toBeUndefined();
  });

  test('the normalisers that directory attributes are read through refuse them, and name the reason', () => {
    for (const typed of HIDDEN) expect(parseEmail(typed)).toEqual({ ok: false, problem: 'invisible' });
    expect(parseMobile('+852\u20609123 4567')).toEqual({ ok: false, problem: 'invisible' });
    expect(parseUid('jdoe\u200C')).toEqual({ ok: false, problem: 'invisible' });
    // Spaces, tabs and line breaks around a value are only trimmed.
    expect(parseEmail(' tom@gmail.com\n')).toEqual({ ok: true, value: 'tom@gmail.com' });
    expect(parseUid('\tjdoe ')).toEqual({ ok: true, value: 'jdoe' });
  });
});

describe('mobile numbers: only numbers that can receive SMS are accepted (libphonenumber-js)', () => {
  test('in chat: a landline and numbers that cannot exist are refused, each with its reason, in both languages', async () => {
    const chat = await atMobile();
    await converse(chat, [
      ['+852 2123 4567', 'That is a landline number, and a landline cannot receive a text'],
      ['+999 1234 5678', 'That is not a valid phone number'],
      ['+1 000 000 0000', 'That is not a valid phone number'],
      ['+852 800 123 456', 'That number cannot receive a text'],
      ['call me', "doesn't look like a mobile number"],
    ]);
    expect(t.sms.sent).toEqual([]);
    await converse(chat, [['9123 4567', 'I have sent a 6-digit code by SMS to +852 ••••4567']]);

    const zh = await atMobile('zh-HK');
    await converse(zh, [
      ['2123 4567', '這是固網電話號碼，固網電話不能接收短訊'],
      ['+999 1234 5678', '這不是有效的電話號碼'],
      ['+852 9123 4567', '+852 ••••4567'],
    ]);
  });

  test('in imports: each refused number names why, by line and field', async () => {
    for (const uid of ['a1', 'a2', 'a3', 'a4', 'a5']) await addAccount(t.services, uid);
    const rows = ['uid,email,mobile', 'a1,,+852 2123 4567', 'a2,,+999 1234 5678', 'a3,,+1 000 000 0000', 'a4,,9123 4567', 'a5,,+852 9123 4568'];
    const result = await importContacts(t.services, 'contacts.csv', rows.join('\n'));
    expect(result.stderr.trim().split('\n')).toEqual([
      'line 2: mobile: is a landline, which cannot receive SMS',
      'line 3: mobile: not a valid phone number (no such number can exist)',
      'line 4: mobile: not a valid phone number (no such number can exist)',
    ]);
    expect(result.stdout).toContain('2 created, 0 updated, 0 unchanged, 0 kept (self-registered), 3 rejected.');
    expect(await t.services.store.contacts.get('a4')).toMatchObject({ mobile: '+85291234567' });
    expect(await t.services.store.contacts.get('a5')).toMatchObject({ mobile: '+85291234568' });
  });

  test('the cases of the issue, as directory attributes are judged: landlines and impossible numbers refused, Hong Kong mobiles accepted', () => {
    expect(parseMobile('+852 2123 4567')).toEqual({ ok: false, problem: 'landline' });
    expect(parseMobile('+999 1234 5678')).toEqual({ ok: false, problem: 'invalid-number' });
    expect(parseMobile('+1 000 000 0000')).toEqual({ ok: false, problem: 'invalid-number' });
    expect(parseMobile('9123 4567')).toEqual({ ok: true, value: '+85291234567' });
    expect(parseMobile('+852 9123 4567')).toEqual({ ok: true, value: '+85291234567' });
    expect(parseMobile('００８５２ ９１２３ ４５６７')).toEqual({ ok: true, value: '+85291234567' });
    // Where a country cannot tell mobiles from landlines (the US), its numbers are accepted.
    expect(parseMobile('+1 212 555 0100')).toEqual({ ok: true, value: '+12125550100' });
  });

  test('DEFAULT_PHONE_REGION sets the country of numbers typed without a country code (default HK)', async () => {
    expect(t.services.policy.phoneRegion).toBe('HK');
    const uk = await openTestServices({ DEFAULT_PHONE_REGION: 'gb' });
    try {
      expect(uk.services.policy.phoneRegion).toBe('GB');
      await addAccount(uk.services, 'jdoe');
      const result = await importContacts(uk.services, 'contacts.csv', 'uid,mobile\njdoe,07911 123456\n');
      expect(result.stderr).toBe('');
      expect(await uk.services.store.contacts.get('jdoe')).toMatchObject({ mobile: '+447911123456' });
    } finally {
      await uk.services.close();
    }
    await expect(openTestServices({ DEFAULT_PHONE_REGION: 'XX' })).rejects.toThrow(/DEFAULT_PHONE_REGION must be a two-letter country code/);
  });
});
