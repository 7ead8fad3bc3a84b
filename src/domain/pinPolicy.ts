import type { OptionsType, TranslationKeys } from '@zxcvbn-ts/core';
import type { StrengthEstimator } from '../ports/strength.js';

/**
 * Why a new PIN was refused; each has a sentence `page.problem.<id>` in the message catalog.
 * `weak` comes with zxcvbn's own feedback (see Strength), translated as `strength.*`.
 */
export type PinProblem = 'too-short' | 'too-long' | 'only-whitespace' | 'one-character' | 'is-uid' | 'is-current' | 'common' | 'weak' | 'mismatch';

export const PIN_PROBLEMS: readonly PinProblem[] = ['too-short', 'too-long', 'only-whitespace', 'one-character', 'is-uid', 'is-current', 'common', 'weak', 'mismatch'];

/** zxcvbn's warnings and suggestions, by its own translation keys (each has a sentence `strength.warning.<key>` / `strength.suggestion.<key>`). */
export type StrengthWarning = keyof TranslationKeys['warnings'];
export type StrengthSuggestion = keyof TranslationKeys['suggestions'];

// Records, so that the compiler notices when zxcvbn adds a key we have no sentence for.
const WARNINGS: Record<StrengthWarning, true> = {
  straightRow: true, keyPattern: true, simpleRepeat: true, extendedRepeat: true, sequences: true, recentYears: true, dates: true, topTen: true,
  topHundred: true, common: true, similarToCommon: true, wordByItself: true, namesByThemselves: true, commonNames: true, userInputs: true, pwned: true,
};
const SUGGESTIONS: Record<StrengthSuggestion, true> = {
  l33t: true, reverseWords: true, allUppercase: true, capitalization: true, dates: true, recentYears: true, associatedYears: true, sequences: true,
  repeated: true, longerKeyboardPattern: true, anotherWord: true, useWords: true, noNeed: true, pwned: true,
};
export const STRENGTH_WARNINGS = Object.keys(WARNINGS) as readonly StrengthWarning[];
export const STRENGTH_SUGGESTIONS = Object.keys(SUGGESTIONS) as readonly StrengthSuggestion[];

/** How hard a PIN is to guess: zxcvbn's score (0 very weak to 4 very strong) and what it says about it. */
export interface Strength {
  score: 0 | 1 | 2 | 3 | 4;
  warning?: StrengthWarning;
  suggestions: StrengthSuggestion[];
}

export interface PinJudgement {
  /** Every problem, in the order of PIN_PROBLEMS; empty when the PIN may be set. */
  problems: PinProblem[];
  /** Undefined only for a PIN too long to be worth estimating (it is refused for its length anyway). */
  strength?: Strength;
}

/** Whose PIN it is: the account's own words make a PIN easy to guess for anyone who knows them. */
export interface PinOwner {
  uid: string;
  name?: string;
  /** The institutional email address. */
  email?: string;
  isCurrentPin: boolean;
}

/**
 * zxcvbn-ts's settings, shared by every estimator. Fewer l33t substitutions than its default (100),
 * whose search explodes on PINs made of look-alike symbols; every character of a PIN is still judged.
 */
export const ZXCVBN_OPTIONS = { maxLength: 64, l33tMaxSubstitutions: 12 } as const satisfies OptionsType;

export interface PinPolicyOptions {
  minLength?: number;
  maxLength?: number;
  /** The lowest zxcvbn score accepted, 0-4 (PIN_MIN_STRENGTH); default 3. */
  minStrength?: number;
  /** Names of the service and the institution; their words count as easy to guess, like the account's own. */
  serviceWords?: readonly string[];
  /** Lower-case passwords that are refused outright; default: zxcvbn-ts's list of common passwords (about 49,000). */
  blocklist?: Iterable<string>;
  /** Default: zxcvbn-ts in this thread, its dictionaries loaded at the first PIN. */
  estimator?: StrengthEstimator;
}

/** Words anyone would try first against a PIN-reset service, whatever the institution. */
const SERVICE_WORDS = ['portal', 'pin', 'reset', 'password', 'passcode', 'login'];

// Loaded on first use, once per process (or page): the dictionaries are large (about 20 MB in memory)
// and most starts of the bot never judge a PIN.
let loaded: Promise<StrengthEstimator> | undefined;

/** zxcvbn-ts in this thread (the browser, tests): the dictionaries load at the first call, once. */
export const inProcessEstimator: StrengthEstimator = async (pin, words) => {
  loaded ??= (async () => {
    const [{ ZxcvbnFactory }, common, english] = await Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common'), import('@zxcvbn-ts/language-en')]);
    const zxcvbn = new ZxcvbnFactory({ dictionary: { ...common.dictionary, ...english.dictionary }, graphs: common.adjacencyGraphs, ...ZXCVBN_OPTIONS });
    const commonPasswords = new Set(common.dictionary['passwords-common'].map((p) => p.toLowerCase()));
    return async (typed, context) => {
      const { score, feedback } = zxcvbn.check(typed, [...context]);
      return { score, warning: feedback.warning, suggestions: feedback.suggestions, common: commonPasswords.has(typed.toLowerCase()) };
    };
  })();
  return (await loaded)(pin, words);
};

/**
 * The PIN rules of NIST SP 800-63B 5.1.1.2: a length range; not the UID, not the current PIN; not a
 * common, breached, repetitive or sequential value, a dictionary word, or made of the account's or the
 * service's own words (zxcvbn-ts with its common and English dictionaries, refused below
 * `minStrength`); and typed the same twice. No composition rules (they make PINs harder to remember
 * without making them much harder to guess). Pure TypeScript: the PIN page's script bundles it too,
 * for its strength guidance.
 */
export class PinPolicy {
  readonly minLength: number;
  readonly maxLength: number;
  readonly minStrength: number;
  private readonly serviceWords: readonly string[];
  private readonly blocklist: ReadonlySet<string> | undefined;
  private readonly estimate: StrengthEstimator;

  constructor(options: PinPolicyOptions = {}) {
    this.minLength = options.minLength ?? 8;
    this.maxLength = options.maxLength ?? 64;
    this.minStrength = options.minStrength ?? 3;
    this.serviceWords = [...SERVICE_WORDS, ...(options.serviceWords ?? [])];
    this.blocklist = options.blocklist && new Set([...options.blocklist].map((p) => p.toLowerCase()));
    this.estimate = options.estimator ?? inProcessEstimator;
  }

  /** Loads the dictionaries ahead of the first judgement (a page about to ask for a PIN calls it). */
  async prepare(): Promise<void> {
    await this.estimate('', []);
  }

  /** Every problem with the new PIN, in a fixed order; empty when it may be set. */
  async check(pin: string, confirm: string, about: PinOwner): Promise<PinProblem[]> {
    return (await this.judge(pin, confirm, about)).problems;
  }

  /** The problems with the new PIN, and how strong zxcvbn finds it (its feedback is the reason shown for `weak`). */
  async judge(pin: string, confirm: string, about: PinOwner): Promise<PinJudgement> {
    // The PIN is stored NFKC-normalised (pinHash.ts), so it is measured and compared the same way.
    const typed = pin.normalize('NFKC');
    const lower = typed.toLowerCase();
    const characters = [...typed];
    const uid = about.uid.trim().toLowerCase();
    const found = new Set<PinProblem>();
    if (characters.length < this.minLength) found.add('too-short');
    if (characters.length > this.maxLength) found.add('too-long');
    if (characters.length > 0 && typed.trim() === '') found.add('only-whitespace');
    else if (characters.length > 1 && new Set(characters).size === 1) found.add('one-character');
    // Containing a very short UID (`al`) is often chance, so only longer ones count when inside the PIN.
    if (uid && (lower === uid || (uid.length >= 4 && lower.includes(uid)))) found.add('is-uid');
    if (about.isCurrentPin) found.add('is-current');

    let strength: Strength | undefined;
    // Too long is refused anyway, and not worth the estimator's time.
    if (characters.length <= this.maxLength) {
      const result = await this.estimate(typed, this.contextWords(about));
      if (this.blocklist ? this.blocklist.has(lower) : result.common) found.add('common');
      strength = {
        score: result.score,
        ...(isWarning(result.warning) ? { warning: result.warning } : {}),
        suggestions: [...new Set(result.suggestions.filter(isSuggestion))],
      };
      // Weak only when nothing more specific was found: that problem already says what to change.
      if (found.size === 0 && strength.score < this.minStrength) found.add('weak');
    }
    if (typed !== confirm.normalize('NFKC')) found.add('mismatch');
    return { problems: PIN_PROBLEMS.filter((p) => found.has(p)), ...(strength ? { strength } : {}) };
  }

  /** Whether a PIN is short enough to be worth comparing with the current one (scrypt is slow on purpose). */
  worthCheckingAgainstCurrent(pin: string): boolean {
    const length = [...pin.normalize('NFKC')].length;
    return length >= this.minLength && length <= this.maxLength;
  }

  /** The account's and the service's own words, whole and split, for zxcvbn's user-input dictionary. */
  private contextWords(about: PinOwner): string[] {
    const [local = '', domain = ''] = (about.email ?? '').toLowerCase().split('@');
    const phrases = [about.uid, about.name ?? '', about.email ?? '', local, ...this.serviceWords].map((p) => p.trim().toLowerCase()).filter(Boolean);
    const words = [...phrases, ...domain.split('.')].flatMap((p) => p.split(/[^\p{L}\p{N}]+/u));
    // Phrases also without their spaces and dots: `Jane Doe` is typed `janedoe` as often as `jane doe`.
    const joined = phrases.map((p) => p.replace(/[^\p{L}\p{N}]+/gu, ''));
    // Very short words (`of`, `hk`) would make ordinary passphrases look guessable.
    return [...new Set([...phrases, ...joined, ...words])].filter((w) => [...w].length >= 3);
  }
}

/** The policy a deployment's settings ask for (PIN_MIN_STRENGTH, INSTITUTION_NAME), judged by `estimator`. */
export function pinPolicyFrom(settings: { pinMinStrength: number; institutionName?: string }, estimator?: StrengthEstimator): PinPolicy {
  return new PinPolicy({ minStrength: settings.pinMinStrength, serviceWords: settings.institutionName ? [settings.institutionName] : [], ...(estimator ? { estimator } : {}) });
}

const isWarning = (key: string | null): key is StrengthWarning => key !== null && Object.hasOwn(WARNINGS, key);
const isSuggestion = (key: string): key is StrengthSuggestion => Object.hasOwn(SUGGESTIONS, key);
