import { dictionary } from '@zxcvbn-ts/language-common';

/** Why a new PIN was refused; each has a sentence `page.problem.<id>` in the message catalog. */
export type PinProblem = 'too-short' | 'too-long' | 'is-uid' | 'is-current' | 'common' | 'mismatch';

export const PIN_PROBLEMS: readonly PinProblem[] = ['too-short', 'too-long', 'is-uid', 'is-current', 'common', 'mismatch'];

export interface PinPolicyOptions {
  minLength?: number;
  maxLength?: number;
  /** Lower-case passwords that are refused; default: zxcvbn-ts's list of common passwords (about 49,000). */
  blocklist?: Iterable<string>;
}

// Built once: the list is large and every check needs it.
let commonPasswords: ReadonlySet<string> | undefined;
const defaultBlocklist = () => (commonPasswords ??= new Set(dictionary['passwords-common'].map((p) => p.toLowerCase())));

/**
 * The PIN rules of NIST SP 800-63B 5.1.1.2: a length range, not the UID, not the current PIN,
 * not a commonly used password, and typed the same twice. No composition rules (they make PINs
 * harder to remember without making them much harder to guess).
 */
export class PinPolicy {
  readonly minLength: number;
  readonly maxLength: number;
  private readonly blocklist: () => ReadonlySet<string>;

  constructor(options: PinPolicyOptions = {}) {
    this.minLength = options.minLength ?? 8;
    this.maxLength = options.maxLength ?? 64;
    const custom = options.blocklist && new Set([...options.blocklist].map((p) => p.toLowerCase()));
    this.blocklist = custom ? () => custom : defaultBlocklist;
  }

  /** Every problem with the new PIN, in a fixed order; empty when it may be set. */
  check(pin: string, confirm: string, about: { uid: string; isCurrentPin: boolean }): PinProblem[] {
    // The PIN is stored NFKC-normalised (pinHash.ts), so it is measured and compared the same way.
    const typed = pin.normalize('NFKC');
    const lower = typed.toLowerCase();
    const length = pinLength(typed);
    const uid = about.uid.trim().toLowerCase();
    const problems: PinProblem[] = [];
    if (length < this.minLength) problems.push('too-short');
    if (length > this.maxLength) problems.push('too-long');
    // Containing a very short UID (`al`) is often chance, so only longer ones count when inside the PIN.
    if (uid && (lower === uid || (uid.length >= 4 && lower.includes(uid)))) problems.push('is-uid');
    if (about.isCurrentPin) problems.push('is-current');
    if (this.blocklist().has(lower)) problems.push('common');
    if (typed !== confirm.normalize('NFKC')) problems.push('mismatch');
    return problems;
  }

  /** Whether a PIN is short enough to be worth comparing with the current one (scrypt is slow on purpose). */
  worthCheckingAgainstCurrent(pin: string): boolean {
    const length = pinLength(pin.normalize('NFKC'));
    return length >= this.minLength && length <= this.maxLength;
  }
}

/** Characters as people count them: Unicode code points, not UTF-16 units. */
function pinLength(pin: string): number {
  return [...pin].length;
}
