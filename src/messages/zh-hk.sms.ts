import type { enSms } from './en.sms.js';

/** 香港繁體中文：SMS 頻道的句子（與 en.sms.ts 同一組 key）。 */
export const zhHkSms = {
  'sms.optedOut': '你已取消訂閱 PIN 重設短訊，之後不會再收到訊息。如要重新訂閱，請回覆 START。',
  'sms.optedIn': '你已重新訂閱 PIN 重設短訊。回覆 RESET 重設入口網站 PIN，或回覆 HELP 取得協助。',
  'help.sms': '入口網站 PIN 重設服務。回覆 REGISTER 登記後備電郵及手機，RESET 重設 PIN，STATUS 查看聯絡資料，EXIT 停止，STOP 取消訂閱。查詢：{serviceDesk}',
  'help.inFlow.sms': 'PIN 重設服務：請回答上面的問題，或回覆 EXIT 停止。查詢：{serviceDesk}',
  'code.undelivered.sms': '抱歉，未能傳送驗證碼。回覆 RESEND 再試，或回覆 EXIT 停止。',
  'code.undeliveredEmail': '抱歉，驗證碼未能以短訊送達。輸入 **email** 改為把連結寄到你登記的後備電郵，或輸入 **resend** 再試。',
  'reset.smsUnavailable': '抱歉，現時未能傳送短訊驗證碼。你可以改為把連結寄到你登記的後備電郵。',
  'register.smsUnavailable': '抱歉，現時未能傳送短訊，所以無法核實手機號碼，資料亦未儲存。請稍後再試；你仍可用電郵重設 PIN。查詢：{serviceDesk}',
} satisfies Record<keyof typeof enSms, string>;
