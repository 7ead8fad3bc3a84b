import { describe, expect, test } from '@jest/globals';
import { normalizeInput, recognizeChange } from '../dialogs/commands.js';
import { recognizeIntent, recognizeInterruption, type Intent } from '../dialogs/intents.js';
import { looksLikeTypedPin } from '../dialogs/typedPin.js';

/** Phrasings as people type them: case, punctuation, full-width forms and contractions as they come. */
const ENGLISH: [string, Intent][] = [
  ['I forgot my PIN', 'reset'],
  ['reset my pin', 'reset'],
  ['forgot password', 'reset'],
  ['change my pin', 'reset'],
  ['i cant log in', 'reset'],
  ["I can't log in", 'reset'],
  ['I cannot sign in to the portal', 'reset'],
  ['what is my PIN?', 'reset'],
  ['Forgot PIN!', 'reset'],
  ["I've forgotten my password", 'reset'],
  ['reset', 'reset'],
  ['Reset PIN.', 'reset'],
  ['password reset please', 'reset'],
  ['How do I reset my password?', 'reset'],
  ["I don't remember my PIN", 'reset'],
  ['i dont remember my password', 'reset'],
  ['I need a new PIN', 'reset'],
  ['lost my pin', 'reset'],
  ["my password doesn't work", 'reset'],
  ['wrong password', 'reset'],
  ['hi, I forgot my PIN', 'reset'],
  ['ＲＥＳＥＴ ＰＩＮ', 'reset'],
  ['unlock', 'unlock'],
  ["I'm locked out", 'unlock'],
  ['im locked out', 'unlock'],
  ['account locked', 'unlock'],
  ['my account is locked', 'unlock'],
  ['Locked out of my account!', 'unlock'],
  ['unlock my account please', 'unlock'],
  ["I'm locked out and can't log in", 'unlock'],
  ['too many attempts, it says my account is blocked', 'unlock'],
  ['register', 'register'],
  ['register my mobile', 'register'],
  ['update my mobile number', 'register'],
  ['change my phone number', 'register'],
  ['add my email', 'register'],
  ['sign up', 'register'],
  ['I got a new phone number', 'register'],
  ['update my contact details', 'register'],
  ['set up my alternate email', 'register'],
  ['my mobile', 'register'],
  ['my mobile number changed', 'register'],
  ['Change my email.', 'register'],
  ['update', 'register'],
  ['status', 'status'],
  ['my contacts', 'status'],
  ['what contacts do I have?', 'status'],
  ['show my contacts', 'status'],
  ['which number is registered?', 'status'],
  ['is my mobile registered', 'status'],
  ['check my registration', 'status'],
  ['help', 'help'],
  ['?', 'help'],
  ['menu', 'help'],
  ['what can you do?', 'help'],
  ['can you help me', 'help'],
  ['cancel', 'cancel'],
  ['stop', 'cancel'],
  ['never mind', 'cancel'],
  ['hi', 'greeting'],
  ['hello', 'greeting'],
  ['Hey!', 'greeting'],
  ['good morning', 'greeting'],
  ['Hi there', 'greeting'],
  ['thanks', 'thanks'],
  ['thank you', 'thanks'],
  ['Thanks!', 'thanks'],
  ['thx', 'thanks'],
  ['ok thanks', 'thanks'],
  ['agent', 'handoff'],
  ['human', 'handoff'],
  ['service desk', 'handoff'],
  ['I want to talk to a person', 'handoff'],
  ['can I speak to someone?', 'handoff'],
  ['real person please', 'handoff'],
  ['stop reminders', 'stop-reminders'],
  ['Stop the reminders', 'stop-reminders'],
  ['no more reminders please', 'stop-reminders'],
];

const CHINESE: [string, Intent][] = [
  ['忘記密碼', 'reset'],
  ['我忘記了密碼', 'reset'],
  ['我忘記咗個 PIN', 'reset'],
  ['唔記得密碼', 'reset'],
  ['我唔記得入門網站 PIN', 'reset'],
  ['重設', 'reset'],
  ['重設 PIN', 'reset'],
  ['我想重設密碼', 'reset'],
  ['點樣重設密碼？', 'reset'],
  ['我想改密碼', 'reset'],
  ['更改 PIN', 'reset'],
  ['我的密碼是什麼？', 'reset'],
  ['我嘅密碼係咩', 'reset'],
  ['登入唔到', 'reset'],
  ['我無法登入入門網站', 'reset'],
  ['密碼錯誤', 'reset'],
  ['你好，我忘記咗密碼', 'reset'],
  ['ｐｉｎ 忘記了', 'reset'],
  ['解鎖', 'unlock'],
  ['我個帳戶被鎖咗', 'unlock'],
  ['帳戶被鎖', 'unlock'],
  ['我被鎖住了', 'unlock'],
  ['我的帳戶被鎖定了', 'unlock'],
  ['幫我解鎖', 'unlock'],
  ['登記', 'register'],
  ['註冊', 'register'],
  ['登記我的手機', 'register'],
  ['我想登記電話號碼', 'register'],
  ['更新手機號碼', 'register'],
  ['我換咗手機號碼', 'register'],
  ['更改電郵', 'register'],
  ['登記備用電郵', 'register'],
  ['我想更新聯絡資料', 'register'],
  ['我的手機', 'register'],
  ['狀態', 'status'],
  ['查看我的聯絡資料', 'status'],
  ['我登記咗咩？', 'status'],
  ['我的聯絡資料', 'status'],
  ['已登記的電話號碼', 'status'],
  ['幫助', 'help'],
  ['求助', 'help'],
  ['點用？', 'help'],
  ['你可以做甚麼？', 'help'],
  ['取消', 'cancel'],
  ['停止', 'cancel'],
  ['算了', 'cancel'],
  ['你好', 'greeting'],
  ['您好！', 'greeting'],
  ['哈囉', 'greeting'],
  ['早晨', 'greeting'],
  ['多謝', 'thanks'],
  ['謝謝你的幫忙', 'thanks'],
  ['唔該晒', 'thanks'],
  ['真人', 'handoff'],
  ['我想搵真人', 'handoff'],
  ['我想同職員傾', 'handoff'],
  ['轉駁客服', 'handoff'],
  ['停止提醒', 'stop-reminders'],
  ['唔好再提醒我', 'stop-reminders'],
  ['取消提醒', 'stop-reminders'],
];

/** Answers to questions, and things the bot cannot do: none may start a flow. */
const NOTHING = ['cancel my registration', 'delete my contacts', '取消登記', 'jdoe', 'tom.lee@gmail.com', '9123 4567', '123456', 'email', 'sms', 'yes', 'no', "what's the weather like?", 'asdf', 'I like turtles', '今日天氣點呀？', '你係邊個？', '', '   '];

describe('how people start: a phrase table of real phrasings', () => {
  test('there are at least 40 phrasings in each language', () => {
    expect({ en: ENGLISH.length >= 40, zh: CHINESE.length >= 40 }).toEqual({ en: true, zh: true });
  });

  test.each(ENGLISH)('English: "%s" starts %s', (typed, intent) => {
    expect(recognizeIntent(typed)).toBe(intent);
  });

  test.each(CHINESE)('zh-HK: "%s" starts %s', (typed, intent) => {
    expect(recognizeIntent(typed)).toBe(intent);
  });

  test('answers and things the bot cannot do start nothing', () => {
    expect(NOTHING.map((typed) => [typed, recognizeIntent(typed)])).toEqual(NOTHING.map((typed) => [typed, undefined]));
  });

  test('normalising: case, punctuation, full-width forms and "can\'t" / "cant" / "cannot" read alike', () => {
    expect(['I CAN’T LOG IN!!', 'i cant log in', 'I cannot log in.', 'I can not log in', 'Ｉ ｃａｎ’ｔ ｌｏｇ ｉｎ'].map(normalizeInput)).toEqual(Array(5).fill('i cannot log in'));
    expect(normalizeInput('重設 PIN。')).toBe('重設pin');
    expect(normalizeInput('？')).toBe('?');
  });
});

describe('in the middle of a flow', () => {
  test('only a whole message of cancel or help words interrupts a step, so an answer such as help@gmail.com stays an answer', () => {
    expect(['cancel', 'Stop.', '取消', 'help', 'Help me!', '？', '幫助'].map(recognizeInterruption)).toEqual(['cancel', 'cancel', 'cancel', 'help', 'help', 'help', 'help']);
    expect(['help@gmail.com', 'stop.it@gmail.com', 'cancel my registration please', 'jdoe'].map(recognizeInterruption)).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe('changing one\'s mind at a code prompt', () => {
  test.each<[string, string | undefined]>([
    ['change', 'this'],
    ['back', 'this'],
    ['oops', 'this'],
    ['wrong email', 'email'],
    ['oops, I typed the wrong email', 'email'],
    ['wrong number', 'mobile'],
    ['change my email', 'email'],
    ['I made a typo in the number', 'mobile'],
    ['wrong UID', 'uid'],
    ['更改', 'this'],
    ['打錯電郵', 'email'],
    ['我打錯咗手機號碼', 'mobile'],
    ['123456', undefined],
    ['resend', undefined],
    ['change my pin', undefined],
    ['email', undefined],
  ])('"%s" goes back to: %s', (typed, target) => {
    expect(recognizeChange(typed)).toBe(target);
  });
});

describe('a PIN typed into chat is recognised', () => {
  test.each(['my pin is Hunter2-Secret', 'My PIN is tram harbour lantern', 'password: Summer2024!', 'my new password is "Passw0rd"', 'set my pin to 8kd93jf', '我的密碼是 abcd1234', 'PIN 係 Hunter2', 'Hunter2-Secret', 'Tr0ub4dor&3'])(
    '"%s" looks like a typed PIN',
    (typed) => {
      expect(looksLikeTypedPin(typed, 6)).toBe(true);
    },
  );

  test.each(['what is my PIN?', 'my pin is not working', 'my password is expired', 'my PIN is locked', 'I forgot my password', '我的密碼是什麼？', 'jdoe', 'JDoe', 'j.doe-2024', 'Tom.Lee99@gmail.com', '+852 9123 4567', '123 456', 'reset', 'resend'])(
    '"%s" is not a typed PIN',
    (typed) => {
      expect(looksLikeTypedPin(typed, 6)).toBe(false);
    },
  );
});
