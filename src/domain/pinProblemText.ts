import type { MessageKey, Messages } from '../messages/catalog.js';
import type { PinProblem, Strength } from './pinPolicy.js';

const PROBLEM_KEYS: Record<PinProblem, MessageKey> = {
  'too-short': 'page.problem.too-short',
  'too-long': 'page.problem.too-long',
  'only-whitespace': 'page.problem.only-whitespace',
  'one-character': 'page.problem.one-character',
  'is-uid': 'page.problem.is-uid',
  'is-current': 'page.problem.is-current',
  'common': 'page.problem.common',
  'weak': 'page.problem.weak',
  'mismatch': 'page.problem.mismatch',
};

/**
 * Why a new PIN was refused, in the reader's language: the problem's sentence, and for a weak PIN
 * zxcvbn's own warning and suggestions after it. The PIN page and `accounts set-pin` both say it so.
 */
export function pinProblemText(messages: Messages, id: PinProblem, params: { min: number; max: number; serviceDesk: string }, locale?: string, strength?: Strength): string {
  const feedback: MessageKey[] =
    id === 'weak' && strength ? [...(strength.warning ? [`strength.warning.${strength.warning}` as const] : []), ...strength.suggestions.map((s) => `strength.suggestion.${s}` as const)] : [];
  return [PROBLEM_KEYS[id], ...feedback].map((key) => messages.t(key, params, locale)).join(' ');
}
