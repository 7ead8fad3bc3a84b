import { normalizeInput } from './commands.js';

/**
 * What a user wants, from the words people use. `unlock` (locked out), `handoff` (asking for a
 * person) and `stop-reminders` are recognised whether or not their flow exists yet; the main
 * dialog routes only those that have one.
 */
export type Intent = 'register' | 'reset' | 'unlock' | 'status' | 'handoff' | 'stop-reminders' | 'help' | 'cancel' | 'greeting' | 'thanks';

/** Intents that start a flow of their own (a dialog), as opposed to a one-line answer. */
export type FlowIntent = Extract<Intent, 'register' | 'reset' | 'unlock' | 'status' | 'handoff' | 'stop-reminders'>;

const PIN = '(?:pin|password|passcode|passwd|pwd|pin number)';
const CONTACT = '(?:contacts?|contact details|details|e-?mail|email address|address|mobile|phone|cell|number|mobile number|phone number)';

/**
 * The phrase table, in order: the first intent with a matching phrase wins. Phrases match the
 * normalised text (see normalizeInput: lower case, no punctuation, "can't" as "cannot", `重設 PIN`
 * as `重設pin`). More specific wishes come first ("forgot my PIN" before "locked out" before
 * "can't log in"; "what have I registered" before "register"); greetings and thanks come last, so
 * "hi, I forgot my PIN" is a reset.
 */
const PHRASES: [Intent, RegExp[]][] = [
  // The whole message only: "stop" and "cancel" inside a sentence ("stop the reminders") mean something else.
  ['cancel', [/^(cancel|stop|quit|exit|abort|never ?mind|forget it|stop it|取消|停止|算了|算吧|唔使喇|唔使了|不用了|退出)$/]],
  [
    'stop-reminders',
    [
      /\b(stop|no more|turn off|switch off|unsubscribe|disable|opt out|cancel|do not send|do not want)\b.*\breminders?\b/,
      /\breminders? off\b/,
      /(停止|取消|關閉|唔好再|不要再|別再|唔使再|不用再)(發|傳送|收|send)?(我)?(提醒|提示)/,
    ],
  ],
  [
    'handoff',
    [
      /\b(agent|human|humans|operator|representative|real person|live (agent|person|chat)|service desk|help ?desk|it desk|it support|support staff|staff member|member of staff)\b/,
      /\b(talk|speak|chat|connect|transfer|put) (me )?(to|with|through to) (a |an |the )?(someone|somebody|person|people|staff|support|technician)\b/,
      /\b(call|contact|phone) (me|someone|somebody|support)\b/,
      /真人|人工(服務|客服)?|客服|職員|專人|服務台|服務枱|熱線|(同|和|跟|找|搵)(人|職員|同事)|轉(接|駁)/,
    ],
  ],
  [
    'reset',
    [
      /\b(forgot|forget|forgotten)\b/,
      /\breset\b/,
      new RegExp(`\\b(lost|new|change|changing|replace|recover|remember|renew|set|update|choose)\\b.*\\b${PIN}\\b`),
      new RegExp(`\\bwhat is (my|the) (portal )?${PIN}\\b`),
      new RegExp(`^(my |the )?(portal )?${PIN}$`),
      /忘記|忘了|唔記得|記不起|記唔起|重設|重置|重新設定/,
      /(改|更改|轉|換|新|設定新|設過)(個|的|嘅)?(密碼|pin)/,
      /(密碼|pin)(是|係)(什麼|甚麼|咩|乜|乜嘢|幾多)/,
      /^(我的|我嘅)?(入門網站)?(密碼|pin)$/,
    ],
  ],
  [
    'unlock',
    [
      /\bunlock\b/,
      /\block(ed)? ?out\b/,
      /\b(account|login|user|portal|i am|it is)( is| has been| got| was| now)? (locked|blocked|disabled|suspended|frozen)\b/,
      /\b(locked|blocked) (account|me)\b/,
      /\btoo many (attempts|tries|failed|wrong)\b/,
      /解鎖|鎖(咗|住|了|定|死)|被鎖|封鎖|凍結/,
    ],
  ],
  [
    'reset',
    [
      /\b(cannot|unable to|could not|not able to|failed to|fail to) (log|sign) ?-?(in|on)\b/,
      /\b(log|sign) ?-?(in|on) (problem|issue|trouble|failed|fails|not working|does not work)\b/,
      new RegExp(`\\b${PIN} (does not|did not|do not|is not|not|will not|no longer) work`),
      new RegExp(`\\bwrong ${PIN}\\b|\\b${PIN} (is )?(wrong|incorrect|expired|invalid)\\b`),
      /(登入|登錄|登陸|入)(唔到|不了|不到|失敗)|(無法|不能|未能|冇辦法|沒法|唔可以)(登入|登錄|登陸)|登唔到|入唔到/,
      /(密碼|pin)(錯誤|唔啱|不對|錯|失效|過期|用唔到|無效)/,
    ],
  ],
  [
    'status',
    [
      /\bstatus\b/,
      /^(my )?(contacts?|contact details|details|registration)$/,
      /\b(show|see|view|check|list|display|look up|lookup|review)\b.*\b(contacts?|details|registration|registered|on file)\b/,
      /\b(registered|on file)\b/,
      /\b(what|which)\b.*\bcontacts?\b/,
      /狀態|查看|查詢|查閱|已登記|登記(了|咗)(甚麼|什麼|咩|邊|哪)|^(我的|我嘅)?聯絡資料$|睇(吓|下|一下)?(我的|我嘅)?(聯絡資料|登記)/,
    ],
  ],
  [
    'register',
    [
      /\b(register|registration|sign ?-?up|enrol|enroll|enrolment|enrollment|set ?-?up)\b/,
      new RegExp(`\\b(update|updating|change|changed|changing|add|replace|new|edit|correct|different)\\b.*\\b${CONTACT}\\b`),
      /\b(my|a) (mobile|phone|cell)\b/,
      /\b(mobile|phone) number\b/,
      /\b(alternate|alternative|backup|personal|recovery|second|private) e-?mail\b/,
      /^update$/,
      /登記|註冊|更新/,
      /(更改|改|換|新|加|添加|增加|設定)(咗|了|個|的|嘅)?(手機|電話|號碼|電郵|聯絡|備用)/,
      /手機號碼|電話號碼|備用電郵|(我的|我嘅)(手機|電話)/,
    ],
  ],
  ['thanks', [/\b(thanks|thank you|thank u|thankyou|thx|ty|cheers|much appreciated|appreciate it|many thanks)\b/, /多謝|謝謝|唔該|感謝|感激/]],
  [
    'help',
    [
      /^(\?|menu|options|commands|instructions|info)$/,
      /\bhelp\b/,
      /\b(what can you do|what do you do|how does (this|it) work|how do i use (this|you|it)|what are my options)\b/,
      /幫助|求助|說明|幫手|幫我|幫忙|點用|點樣用|怎樣使用|如何使用|你可以做(甚麼|什麼|咩)|有(咩|甚麼|什麼)(可以)?做|選單|指令/,
    ],
  ],
  ['greeting', [/^(hi|hello|hey|hiya|howdy|yo|greetings|good (morning|afternoon|evening|day)|morning|hallo)\b/, /^(你好|您好|哈囉|哈佬|早晨|早安|午安|晚安|喂|嗨)/]],
];

/** Wishes no flow serves, which would otherwise match one by a word they share: "cancel my registration" is not a registration. */
const NO_FLOW: RegExp[] = [/^(cancel|delete|remove|stop|erase|unregister|withdraw)\b.*\b(registration|contacts?|details|e-?mail|mobile|phone|number)\b/, /^(取消|刪除|移除|刪去)(我的|我嘅)?(登記|聯絡資料|電郵|手機|電話)/];

/** The intent of what the user typed, or undefined when nothing in the phrase table matches. */
export function recognizeIntent(text: string | undefined): Intent | undefined {
  const said = normalizeInput(text);
  if (!said || NO_FLOW.some((phrase) => phrase.test(said))) return undefined;
  for (const [intent, phrases] of PHRASES) if (phrases.some((phrase) => phrase.test(said))) return intent;
  return undefined;
}

/** Words that stop or explain a step wherever they are typed: the whole message only, so an answer such as `help@gmail.com` stays an answer. */
export function recognizeInterruption(text: string | undefined): 'cancel' | 'help' | undefined {
  const said = normalizeInput(text);
  if (/^(cancel|stop|quit|exit|取消|停止|退出)$/.test(said)) return 'cancel';
  if (/^(help|help me|help please|please help|i need help|\?|menu|幫助|說明|求助|幫手|幫下我)$/.test(said)) return 'help';
  return undefined;
}
