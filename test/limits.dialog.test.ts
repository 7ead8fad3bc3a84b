import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { MemoryStorage } from 'botbuilder';
import { openTestServices, addAccount, type TestServices } from './support/services.js';
import { converse, startChat } from './support/dialogs.js';

let t: TestServices;

beforeEach(async () => {
  t = await openTestServices({ PUBLIC_BASE_URL: 'https://pin.example.edu', SERVICE_DESK_CONTACT_ZH_HK: '資訊科技服務台（2859 0000）' });
  await addAccount(t.services, 'cwong', 'cwong@example.edu');
  const now = t.clock.now();
  await t.services.store.contacts.put({ uid: 'cwong', email: 'chris@gmail.com', mobile: '+85261234567', source: 'self', verifiedAt: now, updatedAt: now });
});
afterEach(async () => {
  await t.services.close();
});

/** Every reply of a conversation, with the UID written as UID so that accounts can be compared. */
async function transcript(uid: string, typed: string[], locale = 'en-US'): Promise<string[]> {
  const chat = startChat(t.services, new MemoryStorage(), 'test', locale);
  const replies: string[] = [];
  for (const text of typed) replies.push(...(await chat.say(text)));
  return replies.map((r) => r.replaceAll(uid, 'UID'));
}

describe('pauses say when they end', () => {
  test('a pause says until when, in Hong Kong time, and what to do meanwhile, in the same words for unknown and real accounts', async () => {
    const pausedReply = async (uid: string, locale: string) => {
      // Five links an hour, then the sixth request pauses the account for 24 hours.
      for (let i = 0; i < 5; i++) await transcript(uid, ['reset', uid, 'email'], locale);
      return (await transcript(uid, ['reset', uid, 'email'], locale)).at(-1)!;
    };
    const real = await pausedReply('cwong', 'en-US');
    // The clock reads 10:00 on 1 September in Hong Kong.
    expect(real).toBe('For your security, self-service for this account is paused until 10:00 on 2 Sept (Hong Kong time). Please try again after that; if you need help sooner, contact the IT Service Desk (2859 0000).');
    expect(await pausedReply('ghost', 'en-US')).toBe(real);
    expect(await pausedReply('ghost2', 'zh-HK')).toBe('為保障您的帳戶安全，此帳戶的自助服務已暫停，直至香港時間9月2日 10:00。請在此之後再試；如需盡快協助，請聯絡資訊科技服務台（2859 0000）。');
    await t.services.background.drain();
    expect(t.mailer.to('chris@gmail.com')).toHaveLength(5);
  });

  test('a code typed after the account was paused is answered with the end of the pause too', async () => {
    const waiting = startChat(t.services);
    await converse(waiting, [['reset', 'UID'], ['cwong', 'verify'], ['sms', 'I have sent']]);
    await t.services.background.drain();
    const code = t.sms.lastCode('+85261234567');
    for (let i = 0; i < 4; i++) await transcript('cwong', ['reset', 'cwong', 'email']);
    expect((await transcript('cwong', ['reset', 'cwong', 'email'])).at(-1)).toContain('paused until 10:00 on 2 Sept (Hong Kong time)');
    await converse(waiting, [[code, 'paused until 10:00 on 2 Sept (Hong Kong time)']]);
  });
});

describe('a destination limit never turns into "sent"', () => {
  /** Someone else's requests have used up this hour's sends to cwong's email and mobile (SENDS_PER_DESTINATION_PER_HOUR). */
  async function useUpDestinations() {
    for (let i = 0; i < 5; i++) {
      for (const destination of ['chris@gmail.com', '+85261234567']) expect(await t.services.throttles.reserveSend(`other${i}`, destination, { channel: 'test' })).toBe('ok');
    }
  }

  test('a reset link, a reset SMS code and an SMS resend stopped by the limit are never claimed as sent: every UID hears the same hedge and when to try again', async () => {
    await useUpDestinations();
    const byEmail = await transcript('cwong', ['reset', 'cwong', 'email']);
    const bySms = await transcript('cwong', ['reset', 'cwong', 'sms', 'resend']);
    await t.services.background.drain();
    expect({ mail: t.mailer.to('chris@gmail.com').length, sms: t.sms.sent.filter((m) => m.to === '+85261234567').length }).toEqual({ mail: 0, sms: 0 });

    expect(byEmail.at(-1)).toMatch(/^If \*\*UID\*\* has a registered alternate email, I have sent a link to it, unless that address has had too many messages this hour \(then try again in an hour\)\./);
    expect(bySms.slice(-2)).toEqual([
      expect.stringMatching(/^If \*\*UID\*\* has a registered mobile number, I have sent a 6-digit code to it by SMS, unless that number has had too many codes this hour \(then try again in an hour\)\./),
      expect.stringMatching(/^If \*\*UID\*\* has a registered mobile number, I have sent a new code to it by SMS, unless that number has had too many codes this hour \(then try again in an hour\)\./),
    ]);
    for (const reply of [...byEmail, ...bySms]) expect(reply).not.toMatch(/^(I have sent a new code\.|Too many codes have been sent)/);

    // The same words for an account that was not limited and for one that does not exist.
    await addAccount(t.services, 'free');
    await t.services.store.contacts.put({ uid: 'free', email: 'free@gmail.com', mobile: '+85261110000', source: 'self', verifiedAt: t.clock.now(), updatedAt: t.clock.now() });
    for (const uid of ['free', 'ghost']) {
      expect(await transcript(uid, ['reset', uid, 'email'])).toEqual(byEmail);
      expect(await transcript(uid, ['reset', uid, 'sms', 'resend'])).toEqual(bySms);
    }
  });

  test('a resend of a registration code stopped by the limit says it could not send, without naming the limit, and asks for the number again', async () => {
    await addAccount(t.services, 'jdoe');
    const chat = startChat(t.services);
    await converse(chat, [['register', 'UID'], ['jdoe', 'I have sent']]);
    await t.services.background.drain();
    await converse(chat, [[t.mailer.lastCode('jdoe@example.edu'), 'alternate email'], ['jane@gmail.com', 'I have sent']]);
    await converse(chat, [[t.mailer.lastCode('jane@gmail.com'), 'mobile number'], ['9555 0000', 'I have sent a 6-digit code by SMS to +852 ••••0000']]);
    for (let i = 0; i < 4; i++) await t.services.throttles.reserveSend(`other${i}`, '+85295550000', { channel: 'test' });
    const replies = await chat.say('resend');
    expect(replies).toEqual([expect.stringMatching(/^Sorry, I could not send a code to \+852 ••••0000 just now\. Please try again later, or use a different one\.\n\nWhat is your mobile number\?/)]);
    expect(replies.join('\n')).not.toMatch(/I have sent|too many|limit/i);
    expect(t.sms.sent.filter((m) => m.to === '+85295550000')).toHaveLength(1);
  });

  test('in Chinese too, the hedge says a limit may hold it back and to try again in an hour', async () => {
    await useUpDestinations();
    const replies = await transcript('cwong', ['重設', 'cwong', '短訊', '重發'], 'zh-HK');
    expect(replies.slice(-2)).toEqual([
      expect.stringContaining('我已以短訊將 6 位數字驗證碼發送至該號碼；但如該號碼在這一小時內已收到太多驗證碼，便不會發送，請一小時後再試。'),
      expect.stringContaining('我已以短訊將新的驗證碼發送至該號碼；但如該號碼在這一小時內已收到太多驗證碼，便不會發送，請一小時後再試。'),
    ]);
  });
});
