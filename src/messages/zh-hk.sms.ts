import type { enSms } from './en.sms.js';

/**
 * 香港繁體中文：短訊頻道的句子（與 en.sms.ts 相同的鍵）。以 `.sms` 結尾的鍵是同一句的短訊版本（最多兩段）。
 * 短訊上單獨的 CANCEL 會停止接收短訊，所以英文版寫 EXIT；中文的「取消」不受影響，照常停止目前步驟。
 */
export const zhHkSms = {
  'sms.optedOut': '您已停止接收 PIN 重設短訊，之後不會再收到任何訊息。如要恢復，請回覆 START。',
  'sms.optedIn': '您已恢復接收 PIN 重設短訊。回覆「重設」重設入門網站 PIN，或回覆「幫助」取得協助。',
  'help.sms': '入門網站 PIN 重設服務：回覆「登記」登記備用電郵及手機，「重設」重設 PIN，「狀態」查看資料，「取消」停止步驟，STOP 停收短訊。查詢：{serviceDesk}',
  'help.inFlow.sms': 'PIN 重設服務：請回答我下一個短訊的問題，或回覆「取消」停止。查詢：{serviceDesk}',
  'welcome.sms': '您好！這是入門網站 PIN 重設服務。請回覆數字，或直接告訴我您需要甚麼（例如「忘記密碼」）：',
  'unknownCommand.sms': '抱歉，我不明白您的意思。請回覆數字：',
  'code.choices.sms': '請回覆驗證碼；回覆「重發」索取新的驗證碼，「更改」可{change}，「取消」停止。',
  'code.undelivered.sms': '抱歉，未能傳送驗證碼。回覆「重發」再試，或回覆「取消」停止。',
  'code.undeliveredEmail': '抱歉，驗證碼未能以短訊送達。請輸入 **電郵**，改為把連結寄到您登記的備用電郵地址；或輸入 **重發** 再試。',
  'reset.smsUnavailable': '抱歉，現時未能傳送短訊驗證碼。您可以改為把連結寄到您登記的備用電郵地址。',
  'register.smsUnavailable': '抱歉，現時未能傳送短訊，因此無法核實手機號碼，資料亦未有儲存。請稍後再試；您仍可透過電郵重設 PIN。查詢：{serviceDesk}',
} satisfies Record<keyof typeof enSms, string>;
