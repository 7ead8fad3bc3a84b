import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/browser.js';
import { TestSmtpServer } from './support/smtp.js';
import { TwilioMock } from './support/twilioMock.js';
import { BotClient } from './support/botClient.js';
import { startApp, type RunningApp } from './support/app.js';
import { openTestServices } from './support/services.js';
import { expectAllIn } from './support/language.js';

const smtp = new TestSmtpServer();
const twilio = new TwilioMock();
let running: RunningApp;
let browser: Browser;
const LINK = /(https?:\/\/\S+\/reset\/[A-Za-z0-9_-]+)/;
const CODE = /\b(\d{6})\b/;
const CHINESE_DESK = '資訊科技服務台（電話 2859 0000）';

beforeAll(async () => {
  const smtpUrl = await smtp.start();
  twilio.start();
  const { services, dataDir, clock } = await openTestServices();
  await services.directory.importAccount({ uid: 'ylee', name: 'ylee', email: 'ylee@example.edu', pin: 'Old-PIN-1234' });
  await services.store.contacts.put({ uid: 'ylee', email: 'yan@gmail.com', mobile: '+85265432109', source: 'import', verifiedAt: clock.now(), updatedAt: clock.now() });
  await services.close();
  running = await startApp(
    {
      SMTP_URL: smtpUrl,
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: 'test-auth-token-0123456789abcdef',
      TWILIO_FROM: '+85230001234',
      SERVICE_DESK_CONTACT_ZH_HK: CHINESE_DESK,
    },
    dataDir,
  );
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await running?.app.close();
  await smtp.stop();
  twilio.stop();
});

describe('a zh-HK user does everything in Chinese, end to end', () => {
  test('chat, email through SMTP, the PIN page in Chromium from Accept-Language, and the notices', async () => {
    const user = new BotClient(running.baseUrl);
    const transcript: string[] = [];
    const say = async (text: string) => {
      const replies = await user.send(text);
      transcript.push(...replies);
      return replies;
    };

    // The client sends no locale: the user asks for Chinese, then proves the account, which remembers it.
    expect(await say('中文')).toEqual([expect.stringContaining('好的，之後會以中文回覆')]);
    expect(await say('登記')).toEqual(['請輸入您的入門網站 UID。']);
    expect(await say('ylee')).toEqual([expect.stringContaining('我已將 6 位數字驗證碼發送至該帳戶的大學電郵地址')]);
    await running.app.services.background.drain();
    // Sent before the account was proved: both languages, in text and HTML.
    const identityMail = smtp.to('ylee@example.edu').at(-1)!;
    expect(identityMail.subject).toBe('Your verification code / 您的驗證碼');
    expect(identityMail.text).toMatch(/Your verification code is \d{6}[\s\S]*您的驗證碼是 \d{6}/);
    expect(identityMail.html).toMatch(/<div lang="en">[\s\S]*<div lang="zh-HK">[\s\S]*您的驗證碼是/);
    const identityCode = CODE.exec(identityMail.text)![1]!;
    expect(await say(identityCode)).toEqual([expect.stringContaining('請提供一個備用電郵地址')]);
    expect(await say('取消')).toEqual([expect.stringContaining('好的，已經停止')]);
    expect(await running.app.services.languages.of('ylee')).toBe('zh-hk');

    // Reset by email: the link mail is now in Chinese only.
    expect(await say('忘記密碼')).toEqual(['請輸入您的入門網站 UID。']);
    expect(await say('ylee')).toEqual([expect.stringContaining('您想用哪種方式核實身分？')]);
    expect(await say('電郵')).toEqual([expect.stringContaining('我已將連結發送至該地址')]);
    const url = await smtp.waitFor('yan@gmail.com', LINK);
    const linkMail = smtp.to('yan@gmail.com').at(-1)!;
    expect(linkMail.subject).toBe('重設您的入門網站 PIN');
    expect(linkMail.html).toContain('<html lang="zh-HK">');
    expectAllIn('zh-hk', { subject: linkMail.subject, text: linkMail.text, html: linkMail.html.replace(/<[^>]+>/g, ' ') });
    expect(linkMail.text).toContain(CHINESE_DESK);

    // Without a language from the browser, the page uses the account's; a browser that asks for English gets English.
    expect(await (await fetch(url, { headers: { 'Accept-Language': 'fr-FR' } })).text()).toContain('<title>設定新的入門網站 PIN</title>');
    expect(await (await fetch(url, { headers: { 'Accept-Language': 'en-GB,en;q=0.9' } })).text()).toContain('<title>Set a new portal PIN</title>');

    // The PIN page in Chromium, in Chinese from the browser's Accept-Language.
    const context = await browser.newContext({ locale: 'zh-HK' });
    const page = await context.newPage();
    try {
      await page.goto(url);
      expect(await page.getAttribute('html', 'lang')).toBe('zh-HK');
      expect(await page.title()).toBe('設定新的入門網站 PIN');
      const submit = async (pin: string, confirm = pin) => {
        await page.getByLabel('新 PIN', { exact: true }).fill(pin);
        await page.getByLabel('再次輸入新 PIN').fill(confirm);
        await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '設定 PIN' }).click()]);
        return page.locator('body').innerText();
      };
      const common = await submit('password1');
      expect(common).toContain('您的 PIN 尚未更改，請修正以下問題：');
      expect(common).toContain('此 PIN 屬於常見而容易被猜中的密碼');
      expect(await page.title()).toBe('錯誤：設定新的入門網站 PIN');
      expectAllIn('zh-hk', { page: common });
      expect(await submit('Lantern-Harbour-88', 'Lantern-Harbour-89')).toContain('兩次輸入的 PIN 不相符');
      const done = await submit('Lantern-Harbour-88');
      expect(done).toContain('您的 PIN 已更改');
      expectAllIn('zh-hk', { page: done });
    } finally {
      await context.close();
    }
    expect(await running.app.services.directory.checkPin('ylee', 'Lantern-Harbour-88')).toBe(true);

    // The used link: the same "no longer valid" page, in whichever language the browser asks for.
    const zh = await fetch(url, { headers: { 'Accept-Language': 'zh-HK,zh;q=0.9,en;q=0.8' } });
    expect(zh.status).toBe(410);
    expect(await zh.text()).toContain('此連結已失效');
    expect(await (await fetch(url, { headers: { 'Accept-Language': 'en-GB' } })).text()).toContain('This link is no longer valid');

    // The notices: Chinese only, by mail and SMS (within two segments).
    await running.app.services.background.drain();
    for (const to of ['ylee@example.edu', 'yan@gmail.com']) {
      const notice = smtp.to(to).find((m) => m.subject === '您的入門網站 PIN 已更改');
      expect(notice?.text).toMatch(/ylee 的入門網站 PIN 已於 .+（香港時間）透過發送至已登記備用電郵的重設連結更改/);
      expectAllIn('zh-hk', [notice!.text]);
    }
    const sms = twilio.sent.filter((m) => m.to === '+85265432109').at(-1)!;
    expect(sms.body).toBe(`ylee 的入門網站 PIN 剛被更改，如非本人請聯絡${CHINESE_DESK}。`);
    expectAllIn('zh-hk', transcript);
  });
});
