import type { enAbuse } from './en.abuse.js';

/** 流量限制的繁體中文（香港）句子。 */
export const zhHkAbuse = {
  'page.tooMany.title': '請稍候',
  'page.tooMany.text': '你的網絡向此頁面發出太多要求。請等 {seconds} 秒後再試；連結在到期前仍然有效。',
} satisfies Record<keyof typeof enAbuse, string>;
