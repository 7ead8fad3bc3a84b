import { isSupportedCountry as isSupportedCountryIn, parsePhoneNumberFromString as parseIn, type CountryCode } from 'libphonenumber-js/core';
// The full ("max") metadata: the default one cannot tell a mobile from a landline. As a JS module, not JSON.
import metadata from 'libphonenumber-js/metadata.max.json';

const parsePhoneNumberFromString = (text: string, region: CountryCode) => parseIn(text, region, metadata);
const isSupportedCountry = (region: string) => isSupportedCountryIn(region as CountryCode, metadata);

/**
 * Parsing and masking of the contact details users type, and of the same details read from an
 * import file or a directory attribute: each normaliser refuses what could not be used safely.
 */

/**
 * Why a typed (or imported) address, number or UID was refused:
 * - `invisible`: it holds a control (Unicode Cc) or format (Cf) character, which could make what
 *   is shown differ from what is used (a NUL dropped by a mail server, a right-to-left override);
 * - `not-an-email`, `not-a-uid`, `not-a-number`: it is not written like one;
 * - `invalid-number`: written like a phone number, but no such number can exist;
 * - `landline`, `cannot-text`: a real number of a kind that cannot receive an SMS.
 */
export type ContactProblem = 'invisible' | 'not-an-email' | 'not-a-uid' | 'not-a-number' | 'invalid-number' | 'landline' | 'cannot-text';

export type Parsed = { ok: true; value: string } | { ok: false; problem: ContactProblem };

/**
 * Why a value was refused, in an operator's words, for import reports and directory checks
 * (`line 3: mobile: is a landline, …`). Never quotes the value.
 */
export function describeContactProblem(problem: ContactProblem): string {
  switch (problem) {
    case 'invisible':
      return 'contains a control or format character (an invisible character such as NUL or a right-to-left override); retype the value';
    case 'not-an-email':
      return 'not a valid email address';
    case 'not-a-uid':
      return 'not a valid UID (letters, digits, dot, dash or underscore, at most 64)';
    case 'not-a-number':
      return 'not a mobile number (an 8-digit Hong Kong mobile, or E.164 with a leading +)';
    case 'invalid-number':
      return 'not a valid phone number (no such number can exist)';
    case 'landline':
      return 'is a landline, which cannot receive SMS';
    case 'cannot-text':
      return 'cannot receive SMS (not a mobile number: toll-free, pager, VoIP or the like)';
  }
}

/** Control and format characters anywhere in a value. */
const INVISIBLE = /[\p{Cc}\p{Cf}]/u;
/** Spaces, tabs and line breaks around a value are dropped first; a format character there is not. */
const SURROUNDING_SPACE = /^[^\S\uFEFF]+|[^\S\uFEFF]+$/gu;

/** Whether `text` holds a control (Cc) or format (Cf) character, e.g. NUL, ESC, a zero-width space or a bidi override. */
export function hasInvisibleCharacter(text: string): boolean {
  return INVISIBLE.test(text);
}

/** `input` without the spaces around it, or undefined if what is left holds an invisible character. */
function visible(input: string): string | undefined {
  const trimmed = input.replace(SURROUNDING_SPACE, '');
  return INVISIBLE.test(trimmed) ? undefined : trimmed;
}

const refused = (problem: ContactProblem): Parsed => ({ ok: false, problem });

const EMAIL = /^[^\s@<>()\[\]\\,;:"]{1,64}@(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/** Full-width digits and plus sign (common from CJK keyboards) to ASCII. */
/** A code as typed, with full-width digits made ASCII and spaces or dashes between digits dropped. */
export const codeAsTyped = (typed: string) => toAsciiDigits(typed).replace(/[\s-]/g, '');

/** Whether the typed text is a code's worth of digits (however spaced or written). */
export const isCodeShaped = (typed: string, digits: number) => new RegExp(`^\\d{${digits}}$`).test(codeAsTyped(typed));

export function toAsciiDigits(text: string): string {
  return text.replace(/[\uFF10-\uFF19]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xff10 + 48)).replace(/\uFF0B/g, '+');
}

/** An email address (its domain lower-cased), or why it cannot be one. */
export function parseEmail(input: string): Parsed {
  const text = visible(input);
  if (text === undefined) return refused('invisible');
  const email = text.replace(/^mailto:/i, '');
  if (!EMAIL.test(email)) return refused('not-an-email');
  const at = email.lastIndexOf('@');
  return { ok: true, value: `${email.slice(0, at)}@${email.slice(at + 1).toLowerCase()}` };
}

export function normalizeEmail(input: string): string | undefined {
  const parsed = parseEmail(input);
  return parsed.ok ? parsed.value : undefined;
}

export function emailDomain(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}

/** True if the address is at one of the institution's domains or their subdomains. */
export function isInstitutionalEmail(email: string, domains: readonly string[]): boolean {
  const domain = emailDomain(email);
  return domains.some((d) => domain === d || domain.endsWith(`.${d}`));
}

/** The region assumed for numbers typed without a country code, unless DEFAULT_PHONE_REGION says otherwise. */
export const DEFAULT_PHONE_REGION = 'HK';

/** Phone types that can receive an SMS; FIXED_LINE_OR_MOBILE where a country's numbering cannot tell them apart (the US, say). */
const TEXTABLE = new Set(['MOBILE', 'FIXED_LINE_OR_MOBILE']);

/**
 * A mobile number that can receive an SMS, as E.164, or why not. Written as a local number of
 * `region` (8 digits in Hong Kong) or internationally (`+` or `00` and the country code); spaces,
 * dashes, dots and brackets are ignored. Judged by libphonenumber-js's full metadata: the number
 * must be valid, and of a type that receives texts.
 */
export function parseMobile(input: string, region: string = DEFAULT_PHONE_REGION): Parsed {
  const text = visible(input);
  if (text === undefined) return refused('invisible');
  const compact = toAsciiDigits(text).replace(/[\s\-.()]/g, '').replace(/^00/, '+');
  if (!/^\+?\d{3,17}$/.test(compact)) return refused('not-a-number');
  const number = parsePhoneNumberFromString(compact, region as CountryCode);
  // A local number that fits no pattern reads as mistyped; an international one as a number that cannot exist.
  if (!number || !number.isValid()) return refused(compact.startsWith('+') ? 'invalid-number' : 'not-a-number');
  const type = number.getType();
  if (type === 'FIXED_LINE') return refused('landline');
  if (!type || !TEXTABLE.has(type)) return refused('cannot-text');
  return { ok: true, value: number.number };
}

export function normalizeMobile(input: string, region: string = DEFAULT_PHONE_REGION): string | undefined {
  const parsed = parseMobile(input, region);
  return parsed.ok ? parsed.value : undefined;
}

/**
 * How a mask hides characters: `plain` with `*` (SMS, mail, the audit log, the CLI: plain text, and
 * GSM-7 on SMS); `chat` with `•`, which markdown leaves alone (Teams reads `j***@` as emphasis).
 */
export type MaskStyle = 'plain' | 'chat';

const HIDDEN: Record<MaskStyle, string> = { plain: '*', chat: '\u2022' };

/** `t***@gmail.com`, or `t•••@gmail.com` in chat (where a first character markdown would read is hidden too). */
export function maskEmail(email: string, style: MaskStyle = 'plain'): string {
  const hidden = HIDDEN[style];
  const at = email.lastIndexOf('@');
  if (at < 1) return hidden.repeat(3);
  const first = style === 'plain' || /^[\p{L}\p{N}]$/u.test(email[0]!) ? email[0]! : hidden;
  return `${first}${hidden.repeat(3)}@${email.slice(at + 1)}`;
}

/** `+852 ****1234`, or `+852 ••••1234` in chat. */
export function maskMobile(e164: string, style: MaskStyle = 'plain'): string {
  const hidden = HIDDEN[style];
  // Outside Hong Kong the country code's length varies, so none of it is shown.
  return `${e164.startsWith('+852') ? '+852' : `+${hidden.repeat(2)}`} ${hidden.repeat(4)}${e164.slice(-4)}`;
}

/** A portal UID (letters, digits, dot, dash, underscore; case-insensitive), or why it cannot be one. */
export function parseUid(input: string): Parsed {
  const text = visible(input);
  if (text === undefined) return refused('invisible');
  const uid = text.toLowerCase();
  return /^[a-z0-9][a-z0-9._-]{0,63}$/.test(uid) ? { ok: true, value: uid } : refused('not-a-uid');
}

export function normalizeUid(input: string): string | undefined {
  const parsed = parseUid(input);
  return parsed.ok ? parsed.value : undefined;
}

/** Whether `region` is a country code libphonenumber-js knows (ISO 3166-1 alpha-2, e.g. HK, GB). */
export function isPhoneRegion(region: string): boolean {
  return isSupportedCountry(region);
}
