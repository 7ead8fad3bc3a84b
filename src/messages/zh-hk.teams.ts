import type { enTeams } from './en.teams.js';

/** 香港繁體中文：Microsoft Teams 的句子（與 en.teams.ts 相同的鍵）。 */
export const zhHkTeams = {
  'teams.tenantRefused': '對不起，此助理只供本校帳戶使用，而您的 Teams 機構並不在其中。如需協助處理入門網站 PIN，請聯絡{serviceDesk}。',
  'teams.signedInAs': '您已用 **{uid}** 登入 Teams，所以毋須再以電郵核實身分。',
  'teams.confirmUid': '您已用 **{uid}** 登入 Teams。您想重設 **{uid}** 的 PIN 嗎？',
  'teams.badConfirm': '請回答 **是** 重設 **{uid}** 的 PIN，或回答 **否** 輸入另一個入門網站 UID。',
  'teams.setPinCard': '多謝，驗證碼正確。請於 {minutes} 分鐘內按「**設定新 PIN**」選擇新的 PIN（只可使用一次）。',
  'teams.openInBrowser': '在瀏覽器開啟',
  'teams.dialogTitle': '設定新的入門網站 PIN',
  'teams.pinChanged': '您的入門網站 PIN 已經更改，我們亦已通知您已登記的聯絡資料。如有其他需要，請輸入 **幫助**。',
  'teams.linkUnavailable': '此按鈕已失效。請輸入 **重設** 重新開始。',
  'teams.button.register': '登記聯絡資料',
  'teams.button.reset': '重設 PIN',
  'teams.button.status': '我的聯絡資料',
  'teams.button.help': '幫助',
  'answer.yes': '是',
  'answer.no': '否',
} satisfies Record<keyof typeof enTeams, string>;
