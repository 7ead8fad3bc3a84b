import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { MemoryStorage } from 'botbuilder';
import { openTestServices, addAccount, type TestServices } from './support/services.js';
import { converse, startChat, type Chat } from './support/dialogs.js';
import { expectAllIn } from './support/language.js';
import type { Language } from '../src/messages/catalog.js';

let t: TestServices;

beforeEach(async () => {
  t = await openTestServices({ PUBLIC_BASE_URL: 'https://pin.example.edu', SERVICE_DESK_CONTACT_ZH_HK: '資訊科技服務台（2859 0000）' });
  await addAccount(t.services, 'jdoe', 'jdoe@example.edu', { pin: 'Old-PIN-1234' });
  await addAccount(t.services, 'cwong', 'cwong@example.edu', { pin: 'Old-PIN-1234' });
  const now = t.clock.now();
  await t.services.store.contacts.put({ uid: 'cwong', email: 'chris@gmail.com', mobile: '+85261234567', source: 'import', verifiedAt: now, updatedAt: now });
});
afterEach(async () => {
  await t.services.close();
});

/** A chat whose every reply is kept, to check at the end that all of it reads in one language. */
function recorded(chat: Chat): Chat & { transcript: string[] } {
  const transcript: string[] = [];
  return {
    ...chat,
    transcript,
    async say(text: string) {
      const replies = await chat.say(text);
      transcript.push(...replies);
      return replies;
    },
  };
}

/** Full-width digits, as a Chinese keyboard types them. */
const fullWidth = (digits: string) => digits.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));

const languageOfAccount = (uid: string) => t.services.languages.of(uid);
const mailLanguages = (to: string) => t.mailer.to(to).map((m) => (/[\u4e00-\u9fff]/.test(m.text) ? (/[a-z]{4,} [a-z]{4,} [a-z]{4,}/i.test(m.text) ? 'both' : 'zh-hk') : 'en'));

describe('registering contacts in Chinese (zh-HK)', () => {
  test('the whole flow reads in Chinese, takes Chinese commands and full-width digits, and saves both contacts', async () => {
    const chat = recorded(startChat(t.services, new MemoryStorage(), 'msteams', 'zh-HK'));
    await converse(chat, [
      ['登記', '請輸入您的入門網站 UID。'],
      ['不是UID!', '這看來不是入門網站 UID'],
      ['JDoe', /如 \*\*jdoe\*\* 是本系統的帳戶，我已將 6 位數字驗證碼發送至該帳戶的大學電郵地址/],
      ['12ab', '驗證碼是 6 位數字'],
    ]);
    await t.services.background.drain();
    await converse(chat, [
      [fullWidth(t.mailer.lastCode('jdoe@example.edu')), '請提供一個備用電郵地址'],
      ['幫助', /我會在下面再問一次：請回答問題，或輸入 \*\*取消\*\* 停止。如遇困難，請聯絡資訊科技服務台（2859 0000）/, '請提供一個備用電郵地址'],
      ['tom at gmail', '這看來不是電郵地址'],
      ['jdoe@example.edu', '這是大學電郵地址'],
      ['tom.lee@gmail.com', '我已將 6 位數字驗證碼發送至 t•••@gmail.com'],
    ]);
    const right = t.mailer.lastCode('tom.lee@gmail.com');
    await converse(chat, [
      [right === '000000' ? '111111' : '000000', '驗證碼不正確，您還有 4 次機會'],
      [right, '請輸入您的手機號碼'],
      ['12345', '這看來不是手機號碼'],
      [fullWidth('9123 4567'), '我已以短訊將 6 位數字驗證碼發送至 +852 ••••4567'],
    ]);
    await converse(chat, [
      [fullWidth(t.sms.lastCode('+85291234567')), /完成！以下聯絡資料已經核實並儲存：\n- 電郵：t•••@gmail\.com\n- 手機：\+852 ••••4567/],
    ]);
    expectAllIn('zh-hk', chat.transcript);
    expect(await t.services.store.contacts.get('jdoe')).toMatchObject({ email: 'tom.lee@gmail.com', mobile: '+85291234567', source: 'self' });

    // Once the account is proved, its language is remembered, and everything sent after that is in Chinese only.
    expect(await languageOfAccount('jdoe')).toBe('zh-hk');
    await t.services.background.drain();
    expect(mailLanguages('jdoe@example.edu')).toEqual(['both', 'zh-hk']); // identity code (account not yet proved), then the change notice
    expect(mailLanguages('tom.lee@gmail.com')).toEqual(['zh-hk']);
    const notice = t.mailer.to('jdoe@example.edu').at(-1)!;
    expect(notice.subject).toBe('您用於重設 PIN 的聯絡資料已更改');
    expect(notice.text).toMatch(/用於重設 jdoe 入門網站 PIN 的備用電郵地址及手機號碼，已於 2026年9月1日 ?上午10:00（香港時間）在 Microsoft Teams 上更改/);
    expect(notice.text).not.toContain('msteams');
    expect(notice.html).toContain('<html lang="zh-HK">');
    expect(t.sms.sent.at(-1)!.body).toBe(`PIN 重設驗證碼：${t.sms.lastCode('+85291234567')}，10 分鐘內有效。切勿向任何人透露。`);
    expectAllIn('zh-hk', [notice.subject, notice.text, t.mailer.to('tom.lee@gmail.com')[0]!.text, t.sms.sent.at(-1)!.body]);
  });

  test('取消 stops the flow and saves nothing', async () => {
    const chat = startChat(t.services, new MemoryStorage(), 'msteams', 'zh-HK');
    await converse(chat, [
      ['登記', 'UID'],
      ['取消', '好的，已經停止，沒有再作任何更改'],
      ['今日天氣點呀？', '抱歉，我不明白您的意思。請問您想做甚麼？'],
    ]);
    expect(await t.services.store.contacts.get('jdoe')).toBeUndefined();
  });
});

describe('resetting a PIN in Chinese (zh-HK)', () => {
  test('by SMS: 忘記密碼, the UID, 短訊, a full-width code, and a one-time link', async () => {
    const chat = recorded(startChat(t.services, new MemoryStorage(), 'webchat', 'zh-HK'));
    await converse(chat, [
      ['忘記密碼', '請輸入您的入門網站 UID。'],
      ['cwong', /您想用哪種方式核實身分？\n1\. \*\*電郵\*\*[\s\S]*2\. \*\*短訊\*\*/],
      ['信鴿', '請回答 **電郵** 或 **短訊**（或輸入 1 或 2）'],
      ['短訊', /如 \*\*cwong\*\* 已登記手機號碼，我已以短訊將 6 位數字驗證碼發送至該號碼/],
    ]);
    await t.services.background.drain();
    // Sent before the account was proved, and cwong has no language remembered: both languages, within two segments.
    const sms = t.sms.sent.at(-1)!.body;
    expect(sms).toMatch(/^Your portal PIN reset code is \d{6}\. It expires in 10 min\. Never share it\.\n入門網站 PIN 重設碼：\d{6}，10 分鐘內有效。切勿向任何人透露。$/);
    await converse(chat, [
      ['重發', '如 **cwong** 已登記手機號碼，我已以短訊將新的驗證碼發送至該號碼'],
    ]);
    await t.services.background.drain();
    await converse(chat, [[fullWidth(t.sms.lastCode('+85261234567')), /驗證碼正確，謝謝。請於 10 分鐘內在以下頁面設定新 PIN（連結只可使用一次）：\nhttps:\/\/pin\.example\.edu\/reset\/[A-Za-z0-9_-]{32}/]]);
    expectAllIn('zh-hk', chat.transcript);
    expect(await languageOfAccount('cwong')).toBe('zh-hk');
  });

  test('by email (２ and １ work too): the link goes out in the account language, or in both when none is known', async () => {
    const ask = async (uid: string) => {
      const chat = recorded(startChat(t.services, new MemoryStorage(), 'msteams', 'zh-HK'));
      await converse(chat, [
        ['重設', 'UID'],
        [uid, '您想用哪種方式核實身分？'],
        [fullWidth('1'), /如 \*\*cwong\*\* 已登記備用電郵地址，我已將連結發送至該地址；[\s\S]*請於 30 分鐘內開啟連結設定新 PIN/],
      ]);
      expectAllIn('zh-hk', chat.transcript);
      await t.services.background.drain();
      return t.mailer.to('chris@gmail.com').at(-1)!;
    };
    const both = await ask('cwong');
    expect(both.subject).toBe('Reset your portal PIN / 重設您的入門網站 PIN');
    expect(both.text).toMatch(/^We received a request[\s\S]*\n--------\n[\s\S]*我們收到重設 cwong 入門網站 PIN 的要求/);
    expect(both.html).toMatch(/<div lang="en">[\s\S]*<hr>[\s\S]*<div lang="zh-HK">/);

    await t.services.languages.remember('cwong', 'zh-hk');
    const chinese = await ask('cwong');
    expect(chinese.subject).toBe('重設您的入門網站 PIN');
    expectAllIn('zh-hk', [chinese.subject, chinese.text, chinese.html.replace(/<[^>]+>/g, ' ')]);
  });
});

describe('choosing the language', () => {
  test('中文 or English at any prompt re-asks the same question in that language and keeps the step', async () => {
    const chat = startChat(t.services);
    await converse(chat, [
      ['register', 'What is your portal UID?'],
      ['jdoe', 'I have sent a 6-digit code'],
      // Asked again, not announced again: "I have sent a code" would claim another send.
      ['中文', '好的，之後會以中文回覆', /^我正在等待驗證碼：如 \*\*jdoe\*\* 是本系統的帳戶，6 位數字驗證碼會發送至該帳戶的大學電郵地址。[\s\S]*\*\*重發\*\*[\s\S]*\*\*更改\*\*[\s\S]*\*\*取消\*\*/],
    ]);
    await t.services.background.drain();
    await converse(chat, [
      [t.mailer.lastCode('jdoe@example.edu'), '請提供一個備用電郵地址'],
      ['English', "OK, I'll reply in English from now on", 'What alternate email address should we use'],
      ['language', '好的，之後會以中文回覆', '請提供一個備用電郵地址'],
      ['tom@gmail.com', '我已將 6 位數字驗證碼發送至 t•••@gmail.com'],
    ]);
    // Chosen in this conversation, so remembered for the account once proved.
    expect(await languageOfAccount('jdoe')).toBe('zh-hk');
  });

  test('the reset method prompt is re-asked in the new language, with its buttons', async () => {
    const chat = startChat(t.services);
    await chat.say('reset');
    const asked = await chat.client.sendActivity({ type: 'message', text: 'cwong', locale: 'en-US' });
    expect(asked.suggestedActions.actions.map((a: { title: string }) => a.title)).toEqual(['email', 'sms']);
    const switched = await chat.client.sendActivity({ type: 'message', text: '中文', locale: 'en-US' });
    expect(switched.text).toContain('好的');
    const again = chat.client.getNextReply();
    expect(again.text).toContain('您想用哪種方式核實身分？');
    expect(again.suggestedActions?.actions.map((a: { title: string }) => a.title)).toEqual(['電郵', '短訊']);
    await converse(chat, [['電郵', '我已將連結發送至該地址']]);
  });

  test('a choice outlasts the conversation: the same user on the same channel keeps it, whatever the locale says', async () => {
    const storage = new MemoryStorage();
    await converse(startChat(t.services, storage, 'msteams', 'en-US', 'first'), [['中文', '好的，之後會以中文回覆']]);
    await converse(startChat(t.services, storage, 'msteams', 'en-US', 'second'), [['hello', '您好！我是 PIN 重設助理']]);
  });

  test('the account remembers it across channels: proved over SMS, the chat switches to the account language', async () => {
    const teams = startChat(t.services, new MemoryStorage(), 'msteams', 'zh-HK');
    await converse(teams, [['登記', 'UID'], ['jdoe', '驗證碼']]);
    await t.services.background.drain();
    await converse(teams, [[t.mailer.lastCode('jdoe@example.edu'), '請提供一個備用電郵地址']]);
    expect(await languageOfAccount('jdoe')).toBe('zh-hk');

    // SMS sends no locale: English until the account is proved, then the account's Chinese.
    const sms = startChat(t.services, new MemoryStorage(), 'sms', null);
    await converse(sms, [
      ['register', 'What is your portal UID?'],
      ['jdoe', 'I have sent a 6-digit code'],
    ]);
    await t.services.background.drain();
    await converse(sms, [[t.mailer.lastCode('jdoe@example.edu'), '請提供一個備用電郵地址']]);
  });

  test('with no locale and no choice, nothing is remembered for the account and mail stays in both languages', async () => {
    const chat = startChat(t.services, new MemoryStorage(), 'sms', null);
    await converse(chat, [['register', 'UID'], ['jdoe', 'I have sent']]);
    await t.services.background.drain();
    await converse(chat, [[t.mailer.lastCode('jdoe@example.edu'), 'What alternate email address']]);
    await converse(chat, [['tom@gmail.com', 'I have sent']]);
    await t.services.background.drain();
    expect(await languageOfAccount('jdoe')).toBeUndefined();
    expect(mailLanguages('tom@gmail.com')).toEqual(['both']);
  });
});

describe('English stays English', () => {
  test.each<[string, Language]>([['en-US', 'en']])('a registration and a reset in %s contain no Chinese beyond the 中文 command', async (locale, lang) => {
    const chat = recorded(startChat(t.services, new MemoryStorage(), 'msteams', locale));
    await chat.say('hello');
    await chat.say('help');
    await chat.say('register');
    await chat.say('jdoe');
    await t.services.background.drain();
    await chat.say(t.mailer.lastCode('jdoe@example.edu'));
    await chat.say('tom@gmail.com');
    await chat.say(t.mailer.lastCode('tom@gmail.com'));
    await chat.say('91234567');
    await chat.say(t.sms.lastCode('+85291234567'));
    await chat.say('reset');
    await chat.say('cwong');
    await chat.say('sms');
    await t.services.background.drain();
    await chat.say(t.sms.lastCode('+85261234567'));
    expect(chat.transcript.length).toBeGreaterThan(10);
    expectAllIn(lang, chat.transcript);
    await t.services.background.drain();
    expectAllIn(lang, t.mailer.to('tom@gmail.com').map((m) => `${m.subject}\n${m.text}`));
  });
});
