import { describe, expect, test } from '@jest/globals';
import { catalogs, LANGUAGES, Messages, fill, type Language, type MessageKey } from '../src/messages/catalog.js';
import { smsSize } from '../src/domain/smsSegments.js';
import { localTime } from '../src/domain/contactRegistration.js';
import { recognizeLanguage, recognizeMethod, recognizeYesNo, isResend } from '../dialogs/commands.js';
import { recognizeIntent } from '../dialogs/intents.js';
import { preferredLocale } from '../src/http/linkPage.js';
import { expectAllIn, untranslated } from './support/language.js';

const placeholders = (template: string) =>
  [...new Set([...template.replace(/\{(\w+), plural, one \{[^}]*\} other \{[^}]*\}\}/g, '{$1}').matchAll(/\{(\w+)\}/g)].map((m) => m[1]!))].sort();

describe('every sentence exists in every language', () => {
  // Whole catalogs, so keys spread in from other files (en.sms.ts, en.teams.ts...) are covered too.
  const all = new Set(LANGUAGES.flatMap((lang) => Object.keys(catalogs[lang])));

  test.each(LANGUAGES)('no key is missing or empty in %s', (lang) => {
    const missing = [...all].filter((key) => !(catalogs[lang][key as MessageKey] ?? '').trim());
    expect(missing).toEqual([]);
  });

  test('each translation has the same placeholders as the English', () => {
    const differ = Object.keys(catalogs.en).filter((key) =>
      LANGUAGES.some((lang) => placeholders(catalogs[lang][key as MessageKey]).join() !== placeholders(catalogs.en[key as MessageKey]).join()),
    );
    expect(differ).toEqual([]);
  });

  test.each(LANGUAGES)('no %s sentence is left untranslated from the other language', (lang) => {
    expectAllIn(lang, catalogs[lang] as Record<string, string>);
  });

  test('the check catches an English sentence in Chinese text, and Chinese in English text', () => {
    expect(untranslated('請輸入驗證碼。Type the code here, or resend.', 'zh-hk')).not.toEqual([]);
    expect(untranslated('請輸入 **登記**（register）或 **English**。', 'zh-hk')).toEqual([]);
    expect(untranslated('Your code is 123456. 請勿透露。', 'en')).not.toEqual([]);
    expect(untranslated('Type **中文** to chat in Chinese.', 'en')).toEqual([]);
  });
});

describe('filling sentences', () => {
  const messages = new Messages({ perLanguage: { en: { serviceDesk: 'the IT Service Desk' }, 'zh-hk': { serviceDesk: '資訊科技服務台' } } });

  test('the plural syntax still works in English, and Chinese needs none', () => {
    expect(messages.t('code.wrong', { triesLeft: 1 }, 'en')).toContain('1 try left');
    expect(messages.t('code.wrong', { triesLeft: 4 }, 'en')).toContain('4 tries left');
    expect(messages.t('code.wrong', { triesLeft: 1 }, 'zh-HK')).toContain('還有 1 次機會');
    expect(fill('{n, plural, one {# item} other {items}}', { n: 2 })).toBe('items');
  });

  test('any Chinese locale reads Traditional Chinese; anything else reads English', () => {
    for (const locale of ['zh-HK', 'zh-hk', 'zh-TW', 'zh-Hant-HK', 'zh']) expect(messages.t('status.notSet', {}, locale)).toBe('未設定');
    for (const locale of ['en-US', 'fr-FR', '', undefined]) expect(messages.t('status.notSet', {}, locale)).toBe('not set');
  });

  test('the service desk is named in each language, whatever the caller passed', () => {
    expect(messages.t('limit.paused', { serviceDesk: 'ignored' }, 'zh-hk')).toContain('請聯絡資訊科技服務台');
    expect(messages.t('limit.paused', { serviceDesk: 'ignored' }, 'en')).toContain('contact the IT Service Desk');
  });

  test('dates read naturally in each language, in Hong Kong time', () => {
    const when = localTime(Date.UTC(2026, 8, 1, 2, 5));
    expect(when.en).toBe('1 Sept 2026, 10:05 HKT');
    expect(when['zh-hk']).toMatch(/^2026年9月1日 ?上午10:05（香港時間）$/);
  });

  test('with no known reader, mail and SMS carry both languages, English first', () => {
    expect(messages.subject(undefined, 'mail.code.subject')).toBe('Your verification code / 您的驗證碼');
    expect(messages.sections(undefined, 'mail.code.text', { code: '1', minutes: 10 }).map((s) => s.lang)).toEqual(['en', 'zh-hk']);
    expect(messages.sms('zh-hk', 'sms.code', { code: '123456', minutes: 10 })).toBe('PIN 重設驗證碼：123456，10 分鐘內有效。切勿向任何人透露。');
  });
});

describe('SMS texts stay within two segments', () => {
  const defaults = { en: 'the IT Service Desk', 'zh-hk': '資訊科技服務台' };
  const long = { en: 'the IT Service Desk (2859 0000)', 'zh-hk': '資訊科技服務台（2859 0000）' };
  // Realistic longest values: a long UID, the longest TTL, a long date, masked contacts.
  const params = (uid: string) => ({
    uid,
    code: '123456',
    minutes: 60,
    when: localTime(Date.UTC(2026, 8, 30, 14, 59)),
    method: { key: 'notice.pinChanged.viaSms' as const },
    email: 'c***@connect.example.com',
    mobile: '+852 ****1234',
    target: '+852 ****1234',
    url: 'https://pin.example.edu/reset/AbCdEfGhIjKlMnOpQrStUvWxYz012345',
    minutesLeft: 60,
    triesLeft: 5,
    digits: 6,
  });
  // Replies on the SMS channel (keys `sms.*`, from any catalog file) and every text sent by SMS.
  const smsKeys = (Object.keys(catalogs.en) as MessageKey[]).filter((k) => /^sms\.|\.sms$/.test(k));
  // Sent outside a conversation: both languages when the account's is not known.
  const outbound: MessageKey[] = ['sms.code', 'sms.reset.code', 'notice.pinChanged.sms', 'notice.contactsChanged.sms'];

  test.each(LANGUAGES.flatMap((lang) => smsKeys.map((key) => [lang, key] as [Language, MessageKey])))('%s %s, with a 20-character UID and a long service desk', (lang, key) => {
    const messages = new Messages({ perLanguage: { en: { serviceDesk: long.en }, 'zh-hk': { serviceDesk: long['zh-hk'] } } });
    // Placeholders this test does not know (from another area's file) get a 16-character value.
    const unknown = Object.fromEntries(placeholders(catalogs[lang][key]).map((name) => [name, 'x'.repeat(16)]));
    const text = messages.sms(lang, key, { ...unknown, ...params('chan.taiman.2024.stu') });
    expect({ key, text, segments: smsSize(text).segments }).toEqual({ key, text, segments: expect.any(Number) });
    expect(smsSize(text).segments).toBeLessThanOrEqual(2);
  });

  test.each(outbound)('%s in both languages, with a 12-character UID and the default service desk', (key) => {
    const messages = new Messages({ perLanguage: { en: { serviceDesk: defaults.en }, 'zh-hk': { serviceDesk: defaults['zh-hk'] } } });
    const text = messages.sms(undefined, key, params('chantaiman24'));
    expect(text).toContain('\n');
    expect(smsSize(text)).toMatchObject({ encoding: 'UCS-2' });
    expect(smsSize(text).segments).toBeLessThanOrEqual(2);
  });
});

describe('Chinese input is understood', () => {
  test.each([
    ['登記', 'register'],
    ['重設', 'reset'],
    ['忘記密碼', 'reset'],
    ['重設 PIN', 'reset'],
    ['狀態', 'status'],
    ['幫助', 'help'],
    ['取消', 'cancel'],
    ['取消。', 'cancel'],
    ['ＨＥＬＰ', 'help'],
    ['？', 'help'],
  ])('%s means %s', (typed, command) => {
    expect(recognizeIntent(typed)).toBe(command);
  });

  test('resend, yes/no and the reset method in either language, with full-width digits', () => {
    expect(['重發', 'resend', '重新發送'].every((w) => isResend(w))).toBe(true);
    expect(['是', '係', 'yes', 'Y'].map(recognizeYesNo)).toEqual([true, true, true, true]);
    expect(['否', '唔係', 'no', 'N'].map(recognizeYesNo)).toEqual([false, false, false, false]);
    expect(recognizeYesNo('maybe')).toBeUndefined();
    expect(['１', '1', '電郵', 'email'].map(recognizeMethod)).toEqual(['email', 'email', 'email', 'email']);
    expect(['２', '2', '短訊', 'SMS', 'by text please', '用短信'].map(recognizeMethod)).toEqual(['sms', 'sms', 'sms', 'sms', 'sms', 'sms']);
    expect(['carrier pigeon', 'email or sms', '3'].map(recognizeMethod)).toEqual([undefined, undefined, undefined]);
  });

  test('中文, English and language switch', () => {
    expect(recognizeLanguage('中文', 'en')).toBe('zh-hk');
    expect(recognizeLanguage('English', 'zh-hk')).toBe('en');
    expect(recognizeLanguage('language', 'en')).toBe('zh-hk');
    expect(recognizeLanguage('language', 'zh-hk')).toBe('en');
    expect(recognizeLanguage('jdoe', 'en')).toBeUndefined();
  });

  test('the PIN page takes the best of our languages from Accept-Language', () => {
    const pick = (value?: string) => preferredLocale({ headers: value === undefined ? {} : { 'accept-language': value } });
    expect(pick('zh-HK,zh;q=0.9,en;q=0.8')).toBe('zh-hk');
    expect(pick('fr-FR,zh-TW;q=0.8,en;q=0.5')).toBe('zh-hk');
    expect(pick('en-GB,zh-HK;q=0.5')).toBe('en');
    expect(pick('zh-HK;q=0,en')).toBe('en');
    expect(pick('*')).toBeUndefined();
    expect(pick()).toBeUndefined();
  });
});
