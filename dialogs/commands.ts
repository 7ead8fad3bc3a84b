import { toAsciiDigits } from '../src/domain/contactFormats.js';
import type { Language } from '../src/messages/catalog.js';

/** The words that start or stop a flow, in the forms users type them, in English and Chinese. */
export type Command = 'register' | 'reset' | 'status' | 'unlock' | 'help' | 'cancel';

const WORDS: Record<string, Command> = {
  register: 'register',
  registration: 'register',
  'register contacts': 'register',
  登記: 'register',
  登記聯絡資料: 'register',
  reset: 'reset',
  'reset pin': 'reset',
  forgot: 'reset',
  'forgot pin': 'reset',
  'forgot my pin': 'reset',
  重設: 'reset',
  重設pin: 'reset',
  重設密碼: 'reset',
  忘記密碼: 'reset',
  忘記pin: 'reset',
  unlock: 'unlock',
  'unlock account': 'unlock',
  'unlock my account': 'unlock',
  'locked out': 'unlock',
  "i'm locked out": 'unlock',
  'i’m locked out': 'unlock',
  'im locked out': 'unlock',
  'i am locked out': 'unlock',
  'account locked': 'unlock',
  'my account is locked': 'unlock',
  解鎖: 'unlock',
  帳戶解鎖: 'unlock',
  帳戶被鎖: 'unlock',
  status: 'status',
  'my contacts': 'status',
  狀態: 'status',
  help: 'help',
  '?': 'help',
  menu: 'help',
  幫助: 'help',
  說明: 'help',
  求助: 'help',
  cancel: 'cancel',
  stop: 'cancel',
  quit: 'cancel',
  exit: 'cancel',
  取消: 'cancel',
  停止: 'cancel',
};

/**
 * What the user typed, compared loosely: Teams mentions dropped, trimmed, lower case, full-width
 * letters, digits and `?` made ASCII, final punctuation dropped, and no spaces next to Chinese
 * characters (`重設 PIN` is `重設pin`).
 */
export function normalizeInput(text: string | undefined): string {
  return toAsciiDigits((text ?? '').replace(/<at>.*?<\/at>/g, ''))
    .replace(/[\uFF21-\uFF3A\uFF41-\uFF5A\uFF1F]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .trim()
    .toLowerCase()
    .replace(/[.!。！]+$/, '')
    .replace(/\s+/g, ' ')
    .replace(/(?<=[\u3400-\u9fff]) (?=\S)|(?<=\S) (?=[\u3400-\u9fff])/g, '');
}

export function recognizeCommand(text: string | undefined): Command | undefined {
  const word = normalizeInput(text);
  // Own keys only: typed text such as `__proto__` or `constructor` must not reach Object.prototype.
  return Object.hasOwn(WORDS, word) ? WORDS[word] : undefined;
}

export const isResend = (text: string | undefined) => /^(resend|send again|new code|重發|重新發送|再發|再發送)$/.test(normalizeInput(text));

const LANGUAGE_WORDS: Record<string, Language | 'other'> = {
  中文: 'zh-hk',
  繁體中文: 'zh-hk',
  廣東話: 'zh-hk',
  chinese: 'zh-hk',
  english: 'en',
  英文: 'en',
  language: 'other',
  語言: 'other',
};

/** `中文` or `English` switch to that language; `language` switches to the other one. */
export function recognizeLanguage(text: string | undefined, current: Language): Language | undefined {
  const typed = normalizeInput(text);
  const word = Object.hasOwn(LANGUAGE_WORDS, typed) ? LANGUAGE_WORDS[typed] : undefined;
  if (word === 'other') return current === 'en' ? 'zh-hk' : 'en';
  return word;
}

const YES = new Set(['yes', 'y', 'yeah', 'yep', 'ok', 'okay', 'sure', '是', '係', '好', '好的', '確定', '確認', '對']);
const NO = new Set(['no', 'n', 'nope', '否', '不', '不是', '唔係', '唔好', '不要']);

/** A yes or no answer in English or Chinese (`是`/`否`, `係`/`唔係`); undefined when it is neither. */
export function recognizeYesNo(text: string | undefined): boolean | undefined {
  const word = normalizeInput(text);
  if (YES.has(word)) return true;
  if (NO.has(word)) return false;
  return undefined;
}

/** The reset method from a word or its number (`1`, `１`, `email`, `電郵`, `2`, `sms`, `短訊`). */
export function recognizeMethod(text: string | undefined): 'email' | 'sms' | undefined {
  const said = normalizeInput(text);
  if (said === '1') return 'email';
  if (said === '2') return 'sms';
  // A sentence that names one method and not the other ("by email please", "用短訊") counts too.
  const email = /\b(e-?mail|mail|link)\b|電郵|電子郵件|郵件|連結/.test(said);
  const sms = /\b(sms|text|mobile|phone|code)\b|短訊|短信|手機|電話|驗證碼/.test(said);
  return email === sms ? undefined : email ? 'email' : 'sms';
}
