/**
 * 用戶看到的每一句話，以香港書面語（繁體中文）撰寫，鍵與 en.ts 一一對應。
 * 其他範疇的句子放在各自的 zh-hk.<範疇>.ts，以一行併入此處；缺少任何鍵都無法編譯。
 * 用語：入門網站 PIN、UID、備用電郵地址、大學電郵地址、手機號碼、驗證碼、服務台。
 * 指令以粗體中文寫出，並附英文（例如 **登記**（register）），兩者都能用。
 */
import type { MessageKey } from './en.js';
import { zhHkPage } from './zh-hk.page.js';
import { zhHkStrength } from './zh-hk.strength.js';
import { zhHkTeams } from './zh-hk.teams.js';
import { zhHkSms } from './zh-hk.sms.js';
import { zhHkPrivacy } from './zh-hk.privacy.js';
import { zhHkAbuse } from './zh-hk.abuse.js';
import { zhHkStore } from './zh-hk.store.js';
import { zhHkConversation } from './zh-hk.conversation.js';
import { zhHkSecurity } from './zh-hk.security.js';
import { zhHkDesk } from './zh-hk.desk.js';
import { zhHkDirectory } from './zh-hk.directory.js';

export const zhHk = {
  ...zhHkPage,
  ...zhHkStrength,
  ...zhHkTeams,
  ...zhHkSms,
  ...zhHkPrivacy,
  ...zhHkAbuse,
  ...zhHkStore,
  ...zhHkConversation,
  ...zhHkSecurity,
  ...zhHkDesk,
  ...zhHkDirectory,
  // 一般
  'welcome': '您好！我是 PIN 重設助理，可協助您登記備用電郵地址及手機號碼；日後忘記入門網站 PIN 時，亦可自行重設。\n\n請問有甚麼可以幫到您？請在下面選擇，或直接告訴我，例如「我忘記了密碼」。如需以英文對話，請輸入 **English**。',
  'help': '我可以為您：\n- **登記**（register）：新增或更改備用電郵地址及手機號碼，以便日後自行重設 PIN。\n- **重設** 或 **忘記密碼**（reset）：重設忘記了的入門網站 PIN。\n- **狀態**（status）：查看已登記的聯絡資料。\n- **取消**（cancel）：停止目前的操作。\n- **English** 或 **language**：轉用英文；輸入 **中文** 可轉回中文。\n\n如遇困難，請聯絡{serviceDesk}。',
  'help.inFlow': '我會在下面再問一次：請回答問題，或輸入 **取消** 停止。如遇困難，請聯絡{serviceDesk}。',
  'cancelled': '好的，已經停止，沒有再作任何更改。輸入 **幫助** 可查看我能提供的服務。',
  'nothingToCancel': '目前沒有可以取消的操作。輸入 **幫助** 可查看我能提供的服務。',
  'unknownCommand': '抱歉，我不明白您的意思。請問您想做甚麼？請在下面選擇，或輸入 **幫助**。',
  'language.switched': '好的，之後會以中文回覆。如需轉用英文，請輸入 **English**。',
  'turnError': '抱歉，系統出現問題，需要重新開始。請再試一次；如問題持續，請聯絡{serviceDesk}。',

  // 身分核實
  'identity.askUid': '請輸入您的入門網站 UID。',
  'identity.codeNotUid': '這看來是驗證碼，而不是入門網站 UID。請只在我要求輸入驗證碼時才輸入驗證碼。\n\n請輸入您的入門網站 UID。',
  'identity.badUid': '這看來不是入門網站 UID。UID 即您登入入門網站時使用的用戶名稱，例如 **jdoe**。請輸入您的入門網站 UID。',
  'identity.codeSent': '如 **{uid}** 是本系統的帳戶，我已將 {digits} 位數字驗證碼發送至該帳戶的大學電郵地址。請在此輸入驗證碼，或輸入 **重發** 索取新的驗證碼。',

  // 驗證碼
  'code.badFormat': '驗證碼是 {digits} 位數字，例如 123456。',
  'code.wrong': '驗證碼不正確，您還有 {triesLeft} 次機會。請再次輸入，或輸入 **重發** 索取新的驗證碼。',
  'code.dead': '此驗證碼輸入錯誤的次數太多，已經失效。請輸入 **重發** 索取新的驗證碼。',
  'code.expired': '此驗證碼已過期。請輸入 **重發** 索取新的驗證碼。',
  'code.undelivered': '抱歉，驗證碼未能發送。請輸入 **重發** 再試，或輸入 **取消** 後改用另一種方式。',
  'code.resentIdentity': '如 **{uid}** 是本系統的帳戶，我已將新的驗證碼發送至該帳戶的大學電郵地址。之前的驗證碼已經失效，請在此輸入新的驗證碼。',

  // 次數限制
  'limit.paused': '為保障您的帳戶安全，此帳戶的自助服務已暫停，直至香港時間{until}。請在此之後再試；如需盡快協助，請聯絡{serviceDesk}。',
  'send.failed': '抱歉，現時未能向 {target} 發送驗證碼。請稍後再試，或改用其他聯絡方式。',

  // 登記聯絡資料
  'register.askEmail': '請提供一個備用電郵地址，以便我們聯絡您。這必須是您的私人電郵地址，不可以是大學電郵地址。',
  'register.badEmail': '這看來不是電郵地址。請輸入例如 name@gmail.com 的地址。',
  'register.institutionalEmail': '這是大學電郵地址。請提供一個不以 {domains} 結尾的私人電郵地址。',
  'register.emailCodeSent': '我已將 {digits} 位數字驗證碼發送至 {target}。請在此輸入，或輸入 **重發** 索取新的驗證碼。',
  'register.askMobile': '請輸入您的手機號碼：香港手機號碼為 8 位數字；其他地區的號碼請以 + 及國家／地區編號開首。',
  'register.badMobile': '這看來不是手機號碼。香港手機號碼請輸入 8 位數字（例如 9123 4567）；其他地區的號碼請以 + 及國家／地區編號開首。',
  'register.mobileCodeSent': '我已以短訊將 {digits} 位數字驗證碼發送至 {target}。請在此輸入，或輸入 **重發** 索取新的驗證碼。',
  'register.emailResent': '我已將新的驗證碼發送至 {target}。之前的驗證碼已經失效，請在此輸入新的驗證碼。',
  'register.mobileResent': '我已以短訊將新的驗證碼發送至 {target}。之前的驗證碼已經失效，請在此輸入新的驗證碼。',
  'register.saved': '完成！以下聯絡資料已經核實並儲存：\n- 電郵：{email}\n- 手機：{mobile}\n\n日後可用以重設 PIN。我已將是次更改通知您的大學電郵地址及之前登記的聯絡方式。',
  'register.savedFirst': '完成！以下聯絡資料已經核實並儲存：\n- 電郵：{email}\n- 手機：{mobile}\n\n日後可用以重設 PIN。我已將是次更改通知您的大學電郵地址。',
  'register.expired': '由於時間太長，為保障安全，我沒有儲存任何資料。請輸入 **登記** 重新開始。',

  // 重設 PIN
  'reset.askMethod': '您想用哪種方式核實身分？\n1. **電郵**：發送連結至您已登記的備用電郵地址\n2. **短訊**：發送驗證碼至您已登記的手機',
  'reset.method.email': '電郵',
  'reset.method.sms': '短訊',
  'reset.badMethod': '請回答 **電郵** 或 **短訊**（或輸入 1 或 2）。',
  'reset.emailSent': '如 **{uid}** 已登記備用電郵地址，我已將連結發送至該地址；但如該地址在這一小時內已收到太多訊息，便不會發送，請一小時後再試。請於 {minutes} 分鐘內開啟連結設定新 PIN。沒有收到電郵？請查看垃圾郵件匣。',
  'reset.smsSent': '如 **{uid}** 已登記手機號碼，我已以短訊將 {digits} 位數字驗證碼發送至該號碼；但如該號碼在這一小時內已收到太多驗證碼，便不會發送，請一小時後再試。請在此輸入驗證碼，或輸入 **重發** 索取新的驗證碼。',
  'reset.smsResent': '如 **{uid}** 已登記手機號碼，我已以短訊將新的驗證碼發送至該號碼；但如該號碼在這一小時內已收到太多驗證碼，便不會發送，請一小時後再試。之前的驗證碼已經失效，請在此輸入新的驗證碼。',
  'reset.linkReady': '驗證碼正確，謝謝。請於 {minutes} 分鐘內在以下頁面設定新 PIN（連結只可使用一次）：\n{url}',
  'reset.linkButton': '設定新 PIN',
  'reset.linkFailed': '由於時間太長，為保障安全，我無法提供連結。請輸入 **重設** 重新開始。',

  // 狀態
  'status.none': '此帳戶尚未登記任何聯絡資料。請輸入 **登記** 新增。',
  'status.show': '此帳戶已登記的聯絡資料：\n- 電郵：{email}\n- 手機：{mobile}\n\n如需更改，請輸入 **登記**。',
  'status.notSet': '未設定',

  // 對話以外發出的訊息
  'mail.code.subject': '您的驗證碼',
  'mail.code.text': '您的驗證碼是 {code}，{minutes} 分鐘內有效。\n\n如您並無提出此要求，請忽略本電郵；沒有驗證碼，任何資料都不會更改。如有查詢，請聯絡{serviceDesk}。',
  'sms.code': 'PIN 重設驗證碼：{code}，{minutes} 分鐘內有效。切勿向任何人透露。',
  'notice.contactsChanged.subject': '您用於重設 PIN 的聯絡資料已更改',
  'notice.contactsChanged.text': '用於重設 {uid} 入門網站 PIN 的備用電郵地址及手機號碼，已於 {when}{via}更改。\n電郵：{email}\n手機：{mobile}\n\n如非您本人操作，請立即聯絡{serviceDesk}。',
  'notice.via.teams': '在 Microsoft Teams 上',
  'notice.via.sms': '透過短訊',
  'notice.via.chat': '透過對話',
  'serviceDesk.above': '上述服務台',
  'notice.contactsChanged.sms': '{uid}：PIN 重設聯絡資料已更改，如非本人請聯絡{serviceDesk}。',
} as const satisfies Record<MessageKey, string>;
