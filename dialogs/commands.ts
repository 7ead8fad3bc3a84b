import type { Language } from '../src/messages/catalog.js';

/** Contractions as people type them, with or without the apostrophe, spelled out ("can't", "cant" and "cannot" alike). */
const CONTRACTIONS: [RegExp, string][] = [
  [/\bcan ?not\b|\bcan'?t\b/g, 'cannot'],
  [/\bwon'?t\b/g, 'will not'],
  [/\b(do|does|did|is|are|was|were|have|has|had|could|would|should)n'?t\b/g, '$1 not'],
  [/\bi'?m\b/g, 'i am'],
  [/\bi'?ve\b/g, 'i have'],
  [/\b(what|it|that|there)'s\b/g, '$1 is'],
  [/\bwhats\b/g, 'what is'],
];

/**
 * What the user typed, compared loosely: Teams mentions dropped; full-width letters, digits and
 * punctuation made ASCII (NFKC); lower case; contractions spelled out; punctuation dropped (a lone
 * `?` is kept: it asks for help); spaces collapsed, and none next to Chinese characters (`重設 PIN`
 * is `重設pin`).
 */
export function normalizeInput(text: string | undefined): string {
  let said = (text ?? '').replace(/<at>.*?<\/at>/g, '').normalize('NFKC').toLowerCase().replace(/[‘’ʼ`´]/g, "'");
  if (/^\s*\?+\s*$/.test(said)) return '?';
  for (const [pattern, spelled] of CONTRACTIONS) said = said.replace(pattern, spelled);
  return said
    .replace(/'/g, '')
    .replace(/[^\p{L}\p{N}\s+-]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/(?<=[\u3400-\u9fff]) (?=\S)|(?<=\S) (?=[\u3400-\u9fff])/g, '');
}

export const isResend = (text: string | undefined) => /^(resend|send again|new code|send a new code|重發|重新發送|再發|再發送)$/.test(normalizeInput(text));

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

/** What a user at a code prompt wants to give again: the address, the number, the UID, or whatever the code went to. */
export type ChangeTarget = 'email' | 'mobile' | 'uid' | 'this';

const CHANGE: RegExp[] = [
  /^(change|change it|back|go back|undo|edit|oops|wrong|fix it|更改|改|返回|上一步|打錯|打錯咗|錯咗|寫錯)$/,
  /^(oops|whoops)\b/,
  /\bwrong (e-?mail|address|number|mobile|phone|uid|account|one)\b/,
  /\b(typo|mistyped|misspelt|misspelled|made a mistake)\b/,
  /\btyped .*\bwrong\b/,
  /^(change|use|try) (the|my|a|another|a different) (e-?mail|address|number|mobile|phone|uid|account|one)\b/,
  /(打錯|輸入錯|寫錯|入錯)(咗|了)?/,
  /(更改|改|換|改用另一個|換另一個)(咗|了|過)?(電郵|地址|號碼|手機|電話|uid|帳戶|帳號)/,
];

/**
 * "change", "back", "wrong email", "oops, I typed the wrong number", `打錯電郵`: at a code prompt,
 * the user wants to give the address, number or UID again, not a code. Undefined when it is not that.
 */
export function recognizeChange(text: string | undefined): ChangeTarget | undefined {
  const said = normalizeInput(text);
  if (!CHANGE.some((pattern) => pattern.test(said))) return undefined;
  if (/\b(e-?mail|address|mail)\b|電郵|地址|郵/.test(said)) return 'email';
  if (/\b(number|mobile|phone|cell)\b|號碼|手機|電話/.test(said)) return 'mobile';
  if (/\b(uid|account|user ?name|login)\b|帳戶|帳號|用戶名/.test(said)) return 'uid';
  return 'this';
}
