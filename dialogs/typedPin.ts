import { hasInvisibleCharacter, isCodeShaped, normalizeEmail, normalizeMobile } from '../src/domain/contactFormats.js';

/** Words that follow "my PIN is" when it is not a PIN: "my PIN is not working", "my password is expired". */
const NOT_A_SECRET = new Set(
  (
    'not no wrong locked blocked expired incorrect invalid forgotten lost gone broken working correct right the a an too still now being what which ' +
    'reset changed set weak short long same different fine ok okay there here missing unknown required needed it that this my your disabled ' +
    'compromised stolen leaked bad also already probably maybe definitely very so hard easy rejected refused failing stuck'
  ).split(' '),
);

const SAYS_PIN_IS =
  /\b(?:pin|password|passcode|passwd|pwd)(?: number| code)?\s*(?:is|was|=|:|should be|will be|would be|to)\s*["'“‘]?([^\s"'”’]+)/i;
const SAYS_PIN_IS_ZH = /(?:密碼|pin)\s*(?:是|係|為|:|：|=|改為|改成|設為|轉做)\s*["'「『]?([^\s"'」』]+)/i;

const EMAIL_SHAPED = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A single word that mixes at least three of lower case, upper case, digits and symbols (not the `.-_` UIDs use), 8 to 64 long. */
function passwordShaped(word: string): boolean {
  if (word.length < 8 || word.length > 64 || /\s/.test(word)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9._-]/].filter((c) => c.test(word)).length;
  return classes >= 3;
}

/**
 * Whether a message looks like an attempt to type a PIN or password into the chat ("my pin is
 * Hunter2-Secret", `密碼係 abcd1234`, or a lone word shaped like a password). Such a message is
 * answered with a warning and never taken as an answer, so it is neither kept nor echoed.
 * Addresses, numbers and codes are never taken for a PIN.
 */
export function looksLikeTypedPin(text: string | undefined, codeDigits: number): boolean {
  const typed = (text ?? '').replace(/<at>.*?<\/at>/g, '').normalize('NFKC').trim();
  if (!typed || normalizeEmail(typed) || normalizeMobile(typed) || isCodeShaped(typed, codeDigits)) return false;
  // Shaped like an address even where the address itself is refused (a hidden character in it): that refusal says more.
  if (EMAIL_SHAPED.test(typed)) return false;
  // Pasted with a hidden character: the prompt's own refusal says what is wrong with it.
  if (hasInvisibleCharacter(typed)) return false;
  const said = SAYS_PIN_IS.exec(typed)?.[1];
  if (said && said.length >= 4 && !NOT_A_SECRET.has(said.toLowerCase().replace(/[.,!?]+$/, ''))) return true;
  const saidZh = SAYS_PIN_IS_ZH.exec(typed)?.[1];
  if (saidZh && /[A-Za-z0-9]/.test(saidZh) && saidZh.length >= 4) return true;
  return passwordShaped(typed);
}
