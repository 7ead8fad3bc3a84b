import type { enSecurity } from './en.security.js';

/** 香港繁體中文：核對用戶所輸入內容的保安句子，以及服務台代辦而須通知用戶的事（與 en.security.ts 相同的鍵）。 */
export const zhHkSecurity = {
  'contact.refused.invisible': '您輸入的內容含有隱藏字元（控制或格式符號），不能用作地址或號碼。請親自重新輸入，不要貼上。',
  'contact.refused.invalid-number': '這不是有效的電話號碼，並不存在這樣的號碼。請核對後重新輸入：香港手機號碼請輸入 8 位數字（例如 9123 4567）；其他地區的號碼請以 + 及國家／地區編號開首。',
  'contact.refused.landline': '這是固網電話號碼，固網電話不能接收短訊。請輸入手機號碼：香港手機號碼請輸入 8 位數字（例如 9123 4567）；其他地區的號碼請以 + 及國家／地區編號開首。',
  'contact.refused.cannot-text': '這個號碼不能接收短訊，因為它不是手機號碼（可能是免費電話、傳呼機或網絡電話號碼）。請輸入手機號碼：香港手機號碼請輸入 8 位數字；其他地區的號碼請以 + 及國家／地區編號開首。',
  // 用於「{uid} 的入門網站 PIN 已於 {when}透過{method}更改。」
  'notice.pinChanged.byServiceDesk': '服務台（應要求代為設定新 PIN）',
} satisfies Record<keyof typeof enSecurity, string>;
