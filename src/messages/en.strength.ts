import type { StrengthSuggestion, StrengthWarning } from '../domain/pinPolicy.js';

/**
 * English sentences for PIN strength (merged into en.ts): the PIN page's live guidance, and zxcvbn's
 * feedback, one sentence per warning and suggestion key it returns (the compiler checks each has one).
 */
export const enStrength = {
  'strength.label': 'PIN strength',
  'strength.summary': 'PIN strength: {level}.',
  'strength.level.0': 'very weak',
  'strength.level.1': 'weak',
  'strength.level.2': 'fair',
  'strength.level.3': 'strong',
  'strength.level.4': 'very strong',
  'strength.enough': 'This PIN can be used.',
  'strength.waiting': 'As you type, this shows how hard your PIN would be to guess.',

  'strength.warning.straightRow': 'Keys in a straight row on the keyboard are easy to guess.',
  'strength.warning.keyPattern': 'Short keyboard patterns are easy to guess.',
  'strength.warning.simpleRepeat': 'Repeated characters such as "aaa" are easy to guess.',
  'strength.warning.extendedRepeat': 'Repeated patterns such as "abcabcabc" are easy to guess.',
  'strength.warning.sequences': 'Sequences such as "abc" or "6543" are easy to guess.',
  'strength.warning.recentYears': 'Recent years are easy to guess.',
  'strength.warning.dates': 'Dates are easy to guess.',
  'strength.warning.topTen': 'This is one of the ten most used passwords.',
  'strength.warning.topHundred': 'This is one of the hundred most used passwords.',
  'strength.warning.common': 'This is a commonly used password.',
  'strength.warning.similarToCommon': 'This is very like a commonly used password.',
  'strength.warning.wordByItself': 'A single word on its own is easy to guess.',
  'strength.warning.namesByThemselves': 'Names on their own are easy to guess.',
  'strength.warning.commonNames': 'Common first names and surnames are easy to guess.',
  'strength.warning.userInputs': 'It uses your own details (your name, UID or email) or the name of this service.',
  'strength.warning.pwned': 'This PIN has appeared in a data breach.',

  'strength.suggestion.l33t': 'Swapping letters for look-alikes, such as @ for a, does not help much.',
  'strength.suggestion.reverseWords': 'Words spelled backwards are easy to guess too.',
  'strength.suggestion.allUppercase': 'Capitalise some of the letters, not all of them.',
  'strength.suggestion.capitalization': 'Capitalise more than the first letter.',
  'strength.suggestion.dates': 'Avoid dates and years that mean something to you.',
  'strength.suggestion.recentYears': 'Avoid recent years.',
  'strength.suggestion.associatedYears': 'Avoid years that mean something to you.',
  'strength.suggestion.sequences': 'Avoid runs of letters or numbers.',
  'strength.suggestion.repeated': 'Avoid repeated words and characters.',
  'strength.suggestion.longerKeyboardPattern': 'Avoid keyboard patterns, or make them longer with more turns.',
  'strength.suggestion.anotherWord': 'Add another word or two; uncommon words are better.',
  'strength.suggestion.useWords': 'Use a few words together, and avoid well-known phrases.',
  'strength.suggestion.noNeed': 'You can make a strong PIN without symbols, numbers or capital letters.',
  'strength.suggestion.pwned': 'If you use this PIN anywhere else, change it there too.',
} as const satisfies Record<`strength.warning.${StrengthWarning}` | `strength.suggestion.${StrengthSuggestion}`, string> & Record<string, string>;
