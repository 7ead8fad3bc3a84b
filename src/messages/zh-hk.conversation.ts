import type { enConversation } from './en.conversation.js';

/** 香港繁體中文：對話如何開始、中途轉換及保障安全的句子（與 en.conversation.ts 相同的鍵）。 */
export const zhHkConversation = {
  'thanks.reply': '不用客氣！如有其他需要，請輸入 **幫助**。',
  'pin.typed': '切勿在對話中輸入 PIN；您會在一個私人頁面上設定新 PIN。',
  'pin.typedAtStart': '切勿在對話中輸入 PIN；您會在一個私人頁面上設定新 PIN。如需取得該頁面的連結，請輸入 **重設**。',

  'switch.register': '好的，我已停下（沒有再作任何更改）。現在改為登記您的備用電郵地址及手機號碼。',
  'switch.reset': '好的，我已停下（沒有再作任何更改）。現在改為重設您的入門網站 PIN。',
  'switch.status': '好的，我已停下（沒有再作任何更改）。現在改為查看您已登記的聯絡資料。',
  'switch.unlock': '好的，我已停下（沒有再作任何更改）。現在改為解鎖您的入門網站帳戶。',
  'already.register': '我們正在登記您的聯絡資料，請繼續。',
  'already.reset': '我們正在重設您的 PIN，請繼續。',
  'already.status': '我們正在查看您的聯絡資料，請繼續。',
  'already.unlock': '我們正在解鎖您的帳戶，請繼續。',

  'code.choices': '請在此輸入驗證碼。輸入 **重發** 可索取新的驗證碼，**更改** 可{change}，**取消** 可停止。',
  'code.change.identity': '改用另一個 UID',
  'code.change.alt-email': '改用另一個電郵地址',
  'code.change.mobile': '改用另一個手機號碼',
  'code.change.reset-sms': '改用另一種方式',
  'code.remind.identity': '我正在等待驗證碼：如 **{uid}** 是本系統的帳戶，{digits} 位數字驗證碼會發送至該帳戶的大學電郵地址。',
  'code.remind.alt-email': '我正在等待發送至 {target} 的 {digits} 位數字驗證碼。',
  'code.remind.mobile': '我正在等待以短訊發送至 {target} 的 {digits} 位數字驗證碼。',
  'code.remind.reset-sms': '我正在等待驗證碼：如 **{uid}** 已登記手機號碼，{digits} 位數字驗證碼會以短訊發送至該號碼。',
  'code.goingBack': '沒問題，該驗證碼已經失效。',
} satisfies Record<keyof typeof enConversation, string>;
