import { en, type MessageKey } from './en.js';
import { zhHk } from './zh-hk.js';

export type { MessageKey };

/** The languages the bot writes in. English is the default when nothing says otherwise. */
export type Language = 'en' | 'zh-hk';
export const LANGUAGES: readonly Language[] = ['en', 'zh-hk'];

/** Who will read a message sent outside the chat: one language, or `undefined` when nobody told us (then both). */
export type Audience = Language | undefined;

/** A value that reads differently per language (a date, a service-desk name). */
export type Localized = Readonly<Record<Language, string>>;
/** A value that is itself a catalog sentence, looked up in the reader's language. */
export interface MessageRef {
  key: MessageKey;
  params?: Params;
}
export type Param = string | number | Localized | MessageRef;
export type Params = Record<string, Param>;
export type Catalog = Record<MessageKey, string>;

/** One catalog per language; a test checks that each has every key of every other. */
export const catalogs: Readonly<Record<Language, Catalog>> = { en, 'zh-hk': zhHk };

/** A block of text in one language (emails carry one block per language when the reader's is unknown). */
export interface Section {
  lang: Language;
  text: string;
}

export interface MessagesOptions {
  /** Parameters that depend only on the language, such as `serviceDesk`; they win over the caller's. */
  perLanguage?: Partial<Record<Language, Params>>;
}

/**
 * Looks up a sentence and fills its placeholders: `{name}`, and `{n, plural, one {..} other {..}}`
 * (Chinese has no plural forms; its catalog simply does not use the syntax). Parameter values are
 * inserted as given; callers mask anything personal first.
 */
export class Messages {
  constructor(private readonly options: MessagesOptions = {}) {}

  has(key: string): key is MessageKey {
    return key in en;
  }

  /** `locale` is a BCP 47 tag (`zh-HK`, `en-US`) or a Language; anything else means English. */
  t(key: MessageKey, params: Params = {}, locale?: string): string {
    const lang = pickLanguage(locale);
    return fill(catalogs[lang][key] ?? en[key], { ...params, ...this.options.perLanguage?.[lang] }, lang, this);
  }

  /** The text in the reader's language, or every language (English first) when it is unknown. */
  sections(audience: Audience, key: MessageKey, params: Params = {}): Section[] {
    return (audience ? [audience] : LANGUAGES).map((lang) => ({ lang, text: this.t(key, params, lang) }));
  }

  /** An email subject: one language, or `English / 中文` when the reader's is unknown. */
  subject(audience: Audience, key: MessageKey, params: Params = {}): string {
    return this.sections(audience, key, params).map((s) => s.text).join(' / ');
  }

  /** An SMS body: one language, or both on two lines (a test keeps every one within two segments). */
  sms(audience: Audience, key: MessageKey, params: Params = {}): string {
    if (audience) return plain(this.t(key, params, audience));
    // Both languages on two lines: the service desk's details appear once, in the first; the second points up to them.
    return LANGUAGES.map((lang, i) => {
      const filled: Params = i === 0 ? {} : { serviceDesk: this.t('serviceDesk.above', {}, lang) };
      return plain(fill(catalogs[lang][key] ?? en[key], { ...params, ...this.options.perLanguage?.[lang], ...filled }, lang, this));
    }).join('\n');
  }
}

/** The catalog language for a locale: any `zh` tag reads Traditional Chinese (the only Chinese we write). */
export function pickLanguage(locale: string | undefined): Language {
  return languageOfLocale(locale) ?? 'en';
}

/** Like pickLanguage, but `undefined` when the locale names neither language (so "unknown" stays unknown). */
export function languageOfLocale(locale: string | undefined): Language | undefined {
  const lang = (locale ?? '').trim().toLowerCase();
  if (lang === 'zh' || lang.startsWith('zh-') || lang.startsWith('zh_')) return 'zh-hk';
  if (lang === 'en' || lang.startsWith('en-') || lang.startsWith('en_')) return 'en';
  return undefined;
}

/** The `lang` attribute for HTML in a language. */
export const htmlLang = (lang: Language) => (lang === 'zh-hk' ? 'zh-HK' : 'en');

function resolve(value: Param, lang: Language, messages: Messages | undefined): string {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if ('key' in value && typeof value.key === 'string') return messages ? messages.t(value.key, value.params ?? {}, lang) : value.key;
  return (value as Localized)[lang];
}

export function fill(template: string, params: Params, lang: Language = 'en', messages?: Messages): string {
  return template
    .replace(/\{(\w+), plural, one \{([^}]*)\} other \{([^}]*)\}\}/g, (_, name: string, one: string, other: string) => (Number(params[name]) === 1 ? one : other))
    .replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? resolve(params[name]!, lang, messages) : whole));
}

/** Plain-text rendering of the light markdown used in replies (for SMS and email bodies). */
export function plain(text: string): string {
  // Bold is **word(s)**, never starting or ending with a space or a star, so a masked address (j***@gmail.com) stays whole.
  return text.replace(/\*\*([^*\s](?:[^*]*?[^*\s])?)\*\*/g, '$1');
}
