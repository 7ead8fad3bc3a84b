import type { enStore } from './en.store.js';

/** 系統暫時未能存取紀錄時的繁體中文（香港）句子（issue 15）。 */
export const zhHkStore = {
  'store.unavailable': '抱歉，系統暫時未能存取紀錄，這次沒有作出任何更改。請過幾分鐘再試；如問題持續，請聯絡{serviceDesk}。',
  'store.unavailable.sms': '抱歉，系統暫時未能存取紀錄，沒有作出任何更改。請過幾分鐘再試。',
  'store.unavailable.title': '請過幾分鐘再試',
  'store.unavailable.page': '抱歉，系統暫時未能存取紀錄，這次沒有作出任何更改。請過幾分鐘再試；連結在到期前仍然有效。',
} satisfies Record<keyof typeof enStore, string>;
