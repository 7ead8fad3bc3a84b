import { en, type MessageKey } from './en.js';

export type { MessageKey };
export type Params = Record<string, string | number>;
export type Catalog = Record<MessageKey, string>;

const catalogs: Record<string, Catalog> = { en };

/**
 * Looks up a sentence and fills its placeholders: `{name}`, and `{n, plural, one {..} other {..}}`.
 * Parameter values are inserted as given; callers mask anything personal first.
 */
export class Messages {
  constructor(private readonly fallback = 'en') {}

  has(key: string): key is MessageKey {
    return key in en;
  }

  t(key: MessageKey, params: Params = {}, locale?: string): string {
    const catalog = catalogs[pickLanguage(locale)] ?? catalogs[this.fallback]!;
    const template = catalog[key] ?? en[key];
    return fill(template, params);
  }
}

export function pickLanguage(locale: string | undefined): string {
  const lang = (locale ?? '').toLowerCase();
  return lang.startsWith('zh') && catalogs['zh-hk'] ? 'zh-hk' : 'en';
}

export function fill(template: string, params: Params): string {
  return template
    .replace(/\{(\w+), plural, one \{([^}]*)\} other \{([^}]*)\}\}/g, (_, name: string, one: string, other: string) => (Number(params[name]) === 1 ? one : other))
    .replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** Plain-text rendering of the light markdown used in replies (for SMS and email bodies). */
export function plain(text: string): string {
  // Bold is **word(s)**, never starting or ending with a space or a star, so a masked address (j***@gmail.com) stays whole.
  return text.replace(/\*\*([^*\s](?:[^*]*?[^*\s])?)\*\*/g, '$1');
}
