import type { enDirectory } from './en.directory.js';

/** 繁體中文（香港）：帳戶目錄（Active Directory、OpenLDAP）無法連線、拒絕新 PIN，以及解鎖流程（併入 zh-hk.ts）。 */
export const zhHkDirectory = {
  // 無法連線至帳戶目錄
  'directory.unavailable': '我暫時無法連線至帳戶目錄，請於數分鐘後再試。',
  'page.directory.unavailable.title': '無法連線至帳戶目錄',
  'page.directory.unavailable.text': '我暫時無法連線至帳戶目錄，因此並無作出任何更改。請於數分鐘後再試；此連結在到期前仍然有效。',

  // 帳戶目錄本身的 PIN 規則（於輸入前顯示）
  'page.directory.rule.minLength': '帳戶目錄要求 PIN 最少有 {n} 個字元。',
  'page.directory.rule.complexity': '帳戶目錄亦要求 PIN 包含以下最少三類字元：大楷字母、細楷字母、數字及符號，並不可包含您的姓名或 UID 的任何部分。',
  'page.directory.rule.history': '帳戶目錄不接受您現有的 PIN 或最近 {n} 個曾使用的 PIN。',

  // 帳戶目錄按其規則拒絕新 PIN（連結仍然有效）
  'page.directory.refused.too-short': '帳戶目錄要求較長的 PIN：最少 {n} 個字元。',
  'page.directory.refused.too-short.any': '帳戶目錄要求比這個更長的 PIN，請試用較長的短語。',
  'page.directory.refused.complexity': '帳戶目錄要求 PIN 包含以下最少三類字元：大楷字母、細楷字母、數字及符號，並不可包含您的姓名或 UID 的任何部分。',
  'page.directory.refused.quality': '此 PIN 未能通過帳戶目錄的強度檢查，請另選一個較長而較難被猜中的 PIN。',
  'page.directory.refused.history': '帳戶目錄不接受您現有的 PIN 或最近曾使用的 PIN，請選擇一個從未用過的 PIN。',
  'page.directory.refused.too-young': '您的 PIN 剛更改不久，帳戶目錄暫時不允許再次更改。請稍後再試，或聯絡{serviceDesk}。',
  'page.directory.refused.other': '帳戶目錄按其本身的規則不接受此 PIN。請另選一個 PIN，或聯絡{serviceDesk}。',

  // 對話中的解鎖流程
  'unlock.askMethod': '如要在不更改 PIN 的情況下為帳戶解鎖，我需要先核實您的身分。您想用哪種方式核實？\n1. **電郵**：發送連結至您已登記的備用電郵地址\n2. **短訊**：發送驗證碼至您已登記的手機',
  'unlock.emailSent': '如 **{uid}** 已登記備用電郵地址，我已將連結發送至該地址；但如該地址在這一小時內已收到太多訊息，便不會發送，請一小時後再試。請於 {minutes} 分鐘內開啟連結為帳戶解鎖；您的 PIN 將維持不變。',
  'unlock.smsSent': '如 **{uid}** 已登記手機號碼，我已以短訊將 {digits} 位數字驗證碼發送至該號碼；但如該號碼在這一小時內已收到太多驗證碼，便不會發送，請一小時後再試。請在此輸入驗證碼，或輸入 **重發** 索取新的驗證碼。',
  'unlock.done': '謝謝。帳戶 **{uid}** 已解鎖，請以現有的 PIN 登入。我已通知您已登記的聯絡方式。如您忘記了 PIN，請輸入 **重設**。',
  'unlock.notLocked': '謝謝。帳戶 **{uid}** 並未被鎖，毋須解鎖。如您的 PIN 無法使用，請輸入 **重設** 設定新的 PIN。',
  'unlock.expired': '由於時間太長，為保障安全，我並未為帳戶解鎖。請輸入 **解鎖** 重新開始。',
  'unlock.noLockout': '此處的帳戶不會因輸入錯誤的 PIN 而被鎖，所以毋須解鎖。如您無法登入，可以設定新的 PIN：請輸入 **重設**。',
  'unlock.offerReset': '重設',

  // 電郵解鎖連結及短訊驗證碼
  'mail.unlock.subject': '為您的入門網站帳戶解鎖',
  'mail.unlock.text': '我們收到為入門網站帳戶 {uid} 解鎖的要求。如要解鎖，請於 {minutes} 分鐘內開啟以下連結並確認：\n\n{url}\n\n您的 PIN 將維持不變。此連結只可使用一次。如您並無提出此要求，請忽略本電郵。如有查詢，請聯絡{serviceDesk}。',
  'sms.unlock.code': '入門網站帳戶解鎖碼：{code}，{minutes} 分鐘內有效。切勿向任何人透露。',

  // 解鎖頁
  'unlock.page.title': '為您的入門網站帳戶解鎖',
  'unlock.page.intro': '為入門網站帳戶 {uid} 解鎖。您的 PIN 將維持不變；解鎖後請以現有的 PIN 登入。',
  'unlock.page.submit': '為我的帳戶解鎖',
  'unlock.page.done.title': '您的帳戶已解鎖',
  'unlock.page.done.text': '您現在可以用現有的 PIN 再次登入入門網站。我們已通知您已登記的聯絡方式。您可關閉此頁。',
  'unlock.page.notLocked.title': '您的帳戶並未被鎖',
  'unlock.page.notLocked.text': '帳戶毋須解鎖。如您的 PIN 無法使用，請在對話中重設 PIN。',

  // 解鎖後，發給所有已登記的聯絡方式及大學電郵
  'notice.unlocked.subject': '您的入門網站帳戶已解鎖',
  'notice.unlocked.text': '入門網站帳戶 {uid} 已於 {when}透過{method}解鎖，其 PIN 並未更改。\n\n如這是您本人的操作，則毋須理會本電郵。如非您本人操作，請立即聯絡{serviceDesk}：可能有人正嘗試猜測您的 PIN。',
  'notice.unlocked.sms': '入門網站帳戶 {uid} 剛被解鎖，如非本人請聯絡{serviceDesk}。',
  'notice.unlocked.viaEmail': '發送至已登記備用電郵的連結',
  'notice.unlocked.viaSms': '以短訊發送至已登記手機的驗證碼',
  'unlock.smsResent': '如 **{uid}** 已登記手機號碼，我已以短訊將新的驗證碼發送至該號碼；但如該號碼在這一小時內已收到太多驗證碼，便不會發送，請一小時後再試。之前的驗證碼已經失效，請在此輸入新的驗證碼。',
  'code.change.unlock-sms': '改用另一種方式',
  'code.remind.unlock-sms': '我正在等待解鎖帳戶的驗證碼：如 **{uid}** 已登記手機號碼，{digits} 位數字驗證碼會以短訊發送至該號碼。',
} as const satisfies Record<keyof typeof enDirectory, string>;
