import type { enPrivacy } from './en.privacy.js';

/** 資料保留及刪除的句子（香港繁體中文，與 en.privacy.ts 相同的鍵）。 */
export const zhHkPrivacy = {
  'notice.contactsDeleted.subject': '您的 PIN 重設聯絡資料已被刪除',
  'notice.contactsDeleted.text': '應您或服務台的要求，用於重設 {uid} 入門網站 PIN 的備用電郵地址及手機號碼已於 {when}刪除。之前發送到這些聯絡方式的連結及驗證碼亦已失效。\n\n如日後想再自行重設 PIN，請向 PIN 重設助理登記新的聯絡資料（輸入 **登記**）。如您並未預期這項更改，請聯絡{serviceDesk}。',
} satisfies Record<keyof typeof enPrivacy, string>;
