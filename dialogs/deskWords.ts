import type { HandoffReason } from '../src/ports/deskStore.js';
import { normalizeInput, recognizeMethod, recognizeYesNo } from './commands.js';

/**
 * The words that ask for the service desk: a person (`agent`, `human`, `service desk`, `真人`),
 * or a reason self-service cannot help (the code never arrives; the phone or mailbox is gone).
 * Whole phrases only, so an answer to a question (an address, a number, a UID) is never taken for one.
 */
const ASKED = [
  /^(i )?(want|need|would like|'d like)( to)?( (talk|speak|chat))?( to| with)?( an?| the)? (agent|human|person|real person|service ?desk|help ?desk|it ?support|staff|operator|someone)( please)?$/,
  /^(can|could|may) i (talk|speak|chat) (to|with)( an?| the)? (agent|human|person|real person|service ?desk|help ?desk|someone)( please)?\??$/,
  /^(talk|speak|chat) (to|with)( an?| the)? (agent|human|person|real person|service ?desk|help ?desk|someone)( please)?$/,
  /^(an? )?(agent|human|real person|live agent|operator|service ?desk|help ?desk|it service desk)( please)?$/,
  /^(真人|人工|真人服務|人工服務|轉真人|轉人工|搵真人|找真人|服務台|客服|職員|聯絡服務台|找服務台|搵服務台)(please|唔該|吖|啊|呀)?$/,
  /^(我)?(想|要)(找|搵|同|跟)?(真人|職員|服務台)(傾|談|講|聯絡|協助|幫忙)?$/,
];
const NO_CODE = [
  /\b(never|don'?t|didn'?t|did not|do not|can'?t|cannot|not|haven'?t|have not|still not) (get|got|getting|receive|received|receiving|see|seen) (the |a |any |my )?(code|sms|text|email|mail|message)s?\b/,
  /\b(no|the) (code|sms|text) (never )?(came|arrived|arrives|comes|is coming)\b|^no code( came| arrived)?$|\bcode (never|not|didn'?t) (came|come|arrive|arrived)\b/,
  /收唔到|收不到|冇收到|沒有收到|未收到|無收到|收唔倒|收不了/,
];
const LOST_CONTACT = [
  /\b(lost|changed|new|broke|broken|replaced|no longer (have|use|own)|don'?t have|do not have|not have|without) (my |the |that |this )?(phone|mobile|number|sim|handset|mailbox|email|e-mail|inbox)\b/,
  /\b(phone|mobile|number|mailbox|email) (is |was )?(lost|gone|stolen|changed|closed|deleted|not mine)\b/,
  /\b(can'?t|cannot) (access|get into|open|use) (my |the |that )?(phone|mobile|mailbox|email|e-mail|inbox)\b/,
  /(遺失|唔見咗|唔見左|丟失|不見了|冇咗|沒有了|換咗|換了|轉咗|轉了|更改了|不再使用|已停用|無法使用|用唔到)(了)?(部)?(我的|我嘅|個)?(電話|手機|號碼|電話號碼|郵箱|電郵|電郵地址|sim卡)/,
  /(電話|手機|號碼|郵箱|電郵)(遺失|唔見咗|不見了|已停用|用唔到|無法使用|冇咗|換咗|換了)/,
];

/** Whether the text asks for a person, and why; undefined when it does not. */
export function recognizeHandoff(text: string | undefined): HandoffReason | undefined {
  const said = normalizeInput(text);
  // An address, a number or a code is an answer, never a request for the desk.
  if (said === '' || said.includes('@') || /^\+?[\d\s()-]+$/.test(said)) return undefined;
  if (ASKED.some((p) => p.test(said))) return 'asked';
  if (NO_CODE.some((p) => p.test(said))) return 'no-code';
  if (LOST_CONTACT.some((p) => p.test(said))) return 'lost-contact';
  return undefined;
}

/** "stop reminders" (and the like), or `停止提醒`. */
export function isStopReminders(text: string | undefined): boolean {
  return /^(stop|no more|unsubscribe( from)?|opt out( of)?|turn off|cancel)( the| all| these)? (reminders?|nudges?|reminder (emails?|messages?))( please)?$|^unsubscribe$|^(停止|取消|唔要|不要|關閉)(再)?(提醒|通知提醒)$/.test(normalizeInput(text));
}

/** The answer to "Are these still yours?": yes, or change (a no means one has changed). */
export function recognizeReconfirm(text: string | undefined): 'yes' | 'change' | undefined {
  const said = normalizeInput(text);
  if (/^(change|change it|change them|update|update them|edit|changed|更改|改|修改|更新|已更改|改咗)$/.test(said)) return 'change';
  const yesNo = recognizeYesNo(text);
  if (yesNo === true || /^(yes,? still mine|still mine|they are|仍是|仍然是|仲係)$/.test(said)) return 'yes';
  if (yesNo === false || /^(not mine|no longer)$/.test(said)) return 'change';
  return undefined;
}

/** Which contact has changed: `1`/`email`/`電郵`, `2`/`mobile`/`手機`, `3`/`both`/`兩者`. */
export function recognizeChangedContact(text: string | undefined): 'email' | 'mobile' | 'both' | undefined {
  const said = normalizeInput(text);
  if (/^(3|both|both of them|all|兩者|兩個|兩項|全部|都改)$/.test(said)) return 'both';
  const method = recognizeMethod(text);
  return method === 'email' ? 'email' : method === 'sms' ? 'mobile' : undefined;
}
