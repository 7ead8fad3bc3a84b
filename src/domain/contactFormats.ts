/** Parsing and masking of the contact details users type. */

const EMAIL = /^[^\s@<>()\[\]\\,;:"]{1,64}@(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/** Full-width digits and plus sign (common from CJK keyboards) to ASCII. */
/** A code as typed, with full-width digits made ASCII and spaces or dashes between digits dropped. */
export const codeAsTyped = (typed: string) => toAsciiDigits(typed).replace(/[\s-]/g, '');

/** Whether the typed text is a code's worth of digits (however spaced or written). */
export const isCodeShaped = (typed: string, digits: number) => new RegExp(`^\\d{${digits}}$`).test(codeAsTyped(typed));

export function toAsciiDigits(text: string): string {
  return text.replace(/[\uFF10-\uFF19]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xff10 + 48)).replace(/\uFF0B/g, '+');
}

export function normalizeEmail(input: string): string | undefined {
  const email = input.trim().replace(/^mailto:/i, '');
  if (!EMAIL.test(email)) return undefined;
  const at = email.lastIndexOf('@');
  return `${email.slice(0, at)}@${email.slice(at + 1).toLowerCase()}`;
}

export function emailDomain(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}

/** True if the address is at one of the institution's domains or their subdomains. */
export function isInstitutionalEmail(email: string, domains: readonly string[]): boolean {
  const domain = emailDomain(email);
  return domains.some((d) => domain === d || domain.endsWith(`.${d}`));
}

/**
 * A mobile number as E.164: an 8-digit Hong Kong mobile (starting 4-9, the +852 optional), or any
 * E.164 number written with a leading +. Spaces, dashes, dots and brackets are ignored.
 */
export function normalizeMobile(input: string): string | undefined {
  const compact = toAsciiDigits(input.trim()).replace(/[\s\-.()]/g, '');
  if (/^[4-9]\d{7}$/.test(compact)) return `+852${compact}`;
  const hk = /^(?:\+|00)?852([4-9]\d{7})$/.exec(compact);
  if (hk) return `+852${hk[1]}`;
  const intl = /^(?:\+|00)([1-9]\d{7,14})$/.exec(compact);
  if (intl) return `+${intl[1]}`;
  return undefined;
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

/** Portal UIDs: letters, digits, dot, dash, underscore; case-insensitive. */
export function normalizeUid(input: string): string | undefined {
  const uid = input.trim().toLowerCase();
  return /^[a-z0-9][a-z0-9._-]{0,63}$/.test(uid) ? uid : undefined;
}
