/** What zxcvbn-ts makes of a PIN: its score and feedback keys, and whether it is on its list of common passwords. */
export interface StrengthEstimate {
  score: 0 | 1 | 2 | 3 | 4;
  warning: string | null;
  suggestions: string[];
  common: boolean;
}

/**
 * Scores a PIN with zxcvbn-ts (its common and English dictionaries, plus `words` as user inputs).
 * The browser and tests run it in-process (src/domain/pinPolicy.ts inProcessEstimator); the server
 * in a worker thread (src/adapters/strength/), since a long patterned PIN can take zxcvbn a second.
 */
export type StrengthEstimator = (pin: string, words: readonly string[]) => Promise<StrengthEstimate>;
