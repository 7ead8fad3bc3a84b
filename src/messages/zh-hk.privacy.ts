import type { enPrivacy } from './en.privacy.js';

/** 資料保留及刪除的句子（香港繁體中文）。 */
export const zhHkPrivacy = {
  'notice.contactsDeleted.subject': '你的重設密碼聯絡資料已被刪除',
  'notice.contactsDeleted.text': '應你或服務台的要求，用來重設 {uid} 入門網站密碼的備用電郵及手機號碼已於 {when} 刪除。之前發送到這些聯絡方式的連結及驗證碼亦已失效。\n\n如想再自行重設密碼，請向重設密碼助理登記新的聯絡資料（輸入 register）。如你沒有預期這項更改，請聯絡{serviceDesk}。',
} satisfies Record<keyof typeof enPrivacy, string>;
