import type { enPage } from './en.page.js';

/** 繁體中文（香港）：PIN 設定頁、重設電郵／短訊及 PIN 更改通知（併入 zh-hk.ts）。 */
export const zhHkPage = {
  // PIN 設定頁（純文字；頁面會自行轉義）
  'page.title': '設定新的入門網站 PIN',
  'page.errorTitle': '錯誤：{title}',
  'page.intro': '請為入門網站帳戶 {uid} 設定新的 PIN。',
  'page.institution': '{institution}入門網站 PIN 重設',
  'page.expires': '此連結只可使用一次，有效至 {expires}。',
  'page.showPin': '顯示 PIN',
  'page.pin.label': '新 PIN',
  'page.pin.hint': 'PIN 須有 {min} 至 {max} 個字元。建議使用一句容易記住的短語，可包含空格；請避免常見密碼或您的 UID。',
  'page.confirm.label': '再次輸入新 PIN',
  'page.submit': '設定 PIN',
  'page.errorSummary': '您的 PIN 尚未更改，請修正以下問題：',
  'page.problem.too-short': 'PIN 最少須有 {min} 個字元。',
  'page.problem.too-long': 'PIN 最多只可有 {max} 個字元。',
  'page.problem.only-whitespace': 'PIN 不可只有空格。',
  'page.problem.one-character': 'PIN 不可只是同一個字元重複。',
  'page.problem.is-uid': 'PIN 不可包含您的 UID。',
  'page.problem.is-current': '新 PIN 不可與現有 PIN 相同。',
  'page.problem.common': '此 PIN 屬於常見而容易被猜中的密碼，請另選一個。',
  'page.problem.weak': '此 PIN 太容易被猜中。',
  'page.problem.mismatch': '兩次輸入的 PIN 不相符，請在兩個欄位輸入相同的 PIN。',
  'page.done.title': '您的 PIN 已更改',
  'page.done.text': '您現在可以用新 PIN 登入入門網站。我們已就是次更改通知您已登記的聯絡方式。您可關閉此頁。',
  'page.invalid.title': '此連結已失效',
  'page.invalid.text': '此連結已失效，請返回對話重新開始。每條連結只可使用一次，並只在短時間內有效。',
  'page.error.title': '系統出現問題',
  'page.error.text': '抱歉，系統出現問題，您的 PIN 並未更改。請稍後再試。',
  'page.methodNotAllowed.title': '不允許此操作',
  'page.methodNotAllowed.text': '此頁面不能以這種方式使用。請在瀏覽器開啟電郵或對話中的連結。',
  'page.footer': '需要協助？請聯絡{serviceDesk}。',

  // 電郵重設連結、短訊重設碼
  'mail.reset.subject': '重設您的入門網站 PIN',
  'mail.reset.text': '我們收到重設 {uid} 入門網站 PIN 的要求。如要設定新 PIN，請於 {minutes} 分鐘內開啟以下連結：\n\n{url}\n\n此連結只可使用一次。如您並無提出此要求，請忽略本電郵，您的 PIN 將維持不變。如有查詢，請聯絡{serviceDesk}。',
  'sms.reset.code': '入門網站 PIN 重設碼：{code}，{minutes} 分鐘內有效。切勿向任何人透露。',

  // PIN 更改後，發給所有已登記的聯絡方式及大學電郵
  'notice.pinChanged.subject': '您的入門網站 PIN 已更改',
  'notice.pinChanged.text': '{uid} 的入門網站 PIN 已於 {when}透過{method}更改。\n\n如這是您本人的操作，則毋須理會本電郵。如非您本人操作，請立即聯絡{serviceDesk}。',
  'notice.pinChanged.sms': '{uid} 的入門網站 PIN 剛被更改，如非本人請聯絡{serviceDesk}。',
  'notice.pinChanged.viaEmail': '發送至已登記備用電郵的重設連結',
  'notice.pinChanged.viaSms': '以短訊發送至已登記手機的驗證碼',
} as const satisfies Record<keyof typeof enPage, string>;
