import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { inProcessEstimator, PinPolicy, STRENGTH_SUGGESTIONS, STRENGTH_WARNINGS } from '../src/domain/pinPolicy.js';
import { workerEstimator } from '../src/adapters/strength/workerEstimator.js';
import { catalogs, LANGUAGES, type MessageKey } from '../src/messages/catalog.js';
import { loadConfig } from '../src/config/load.js';
import { openTestServices, type TestServices } from './support/services.js';

const OLD_PIN = 'old portal pin 2019';
const web = { channel: 'web' };
const jane = { uid: 'jdoe', name: 'Jane Doe', email: 'jane.doe@example.edu', isCurrentPin: false };

let t: TestServices;

async function open(env: Record<string, string> = {}) {
  t = await openTestServices({ INSTITUTION_NAME: 'Harbourside University', ...env });
  await t.services.directory.importAccount({ uid: 'jdoe', name: 'Jane Doe', email: 'jane.doe@example.edu', pin: OLD_PIN });
  const now = t.clock.now();
  await t.services.store.contacts.put({ uid: 'jdoe', email: 'tom.lee@gmail.com', mobile: '+85291234567', source: 'self', verifiedAt: now, updatedAt: now });
}

/** A fresh PIN-page link for jdoe, as the mail gives it, and its form's CSRF value. */
async function link(): Promise<{ token: string; csrf: string }> {
  const reset = t.services.pinReset;
  await reset.requestEmailLink('jdoe', { channel: 'test' });
  await t.services.background.drain();
  const token = /\/reset\/([A-Za-z0-9_-]+)/.exec(t.mailer.to('tom.lee@gmail.com').at(-1)?.text ?? '')![1]!;
  const opened = await reset.openPage(token);
  if (opened.kind !== 'valid') throw new Error('link is not valid');
  return { token, csrf: opened.csrf };
}

/** What the PIN page's POST makes of `pin` (typed twice): the problems, or 'done'. */
async function submit(pin: string): Promise<string[] | 'done' | 'invalid' | 'unavailable'> {
  const { token, csrf } = await link();
  const result = await t.services.pinReset.submit(token, { csrf, pin, confirm: pin }, web);
  return result.kind === 'rejected' ? result.problems : result.kind;
}

beforeEach(() => open());
afterEach(async () => {
  await t.services.close();
});

describe('weak PINs are refused (NIST SP 800-63B 5.1.1.2 blocklist)', () => {
  test('eight spaces, aaaaaaaa and 12341234 are refused, each with its reason, and the PIN stays as it was', async () => {
    expect(await submit('        ')).toEqual(['only-whitespace']);
    expect(await submit('aaaaaaaa')).toEqual(['one-character']);
    expect(await submit('12341234')).toEqual(['weak']);
    // Other whitespace and other single characters, as typed on a phone or in Chinese.
    expect(await submit('\u3000'.repeat(8))).toEqual(['only-whitespace']);
    expect(await submit('密'.repeat(8))).toEqual(['one-character']);
    expect(await t.services.directory.checkPin('jdoe', OLD_PIN)).toBe(true);
    const rejected = (await t.services.auditLog.read({ uid: 'jdoe' })).filter((e) => e.event === 'pin.rejected').map((e) => e.detail?.['rules']);
    expect(rejected).toEqual(['only-whitespace', 'one-character', 'weak', 'only-whitespace', 'one-character']);
  });

  test('repetitive and sequential characters, keyboard rows, dictionary words and breached passwords are refused', async () => {
    for (const pin of ['abcdefgh', '1234abcd', 'qwertyuiop', 'zxcvbnm,./', 'abcabcabc', 'sunshine', 'elephant', 'monkey123', 'Password1!', 'P@ssw0rd1', '19901990']) {
      expect({ pin, problems: await submit(pin) }).toEqual({ pin, problems: [expect.stringMatching(/^(weak|common)$/)] });
    }
    expect(await t.services.directory.checkPin('jdoe', OLD_PIN)).toBe(true);
  });

  test("the account's UID, name and institutional email, and the service's and institution's names, make a PIN easy to guess", async () => {
    const policy = t.services.pinReset.pinPolicy;
    // Each would pass for a stranger; for this account (or this service) they are easy to guess.
    for (const pin of ['janedoe2024', 'JaneDoe!1990', 'jane.doe@example.edu', 'Harbourside2024']) {
      expect({ pin, stranger: await new PinPolicy().check(pin, pin, { uid: 'kchan', isCurrentPin: false }) }).toEqual({ pin, stranger: [] });
      expect({ pin, jane: await policy.check(pin, pin, jane) }).toEqual({ pin, jane: ['weak'] });
    }
    expect((await policy.judge('janedoe2024', 'janedoe2024', jane)).strength?.warning).toBe('userInputs');
    // Through the page: the POST passes the account's name and email from the directory.
    expect(await submit('janedoe2024')).toEqual(['weak']);
    expect(await submit('jane.doe@example.edu')).toEqual(['weak']);
  });

  test('a long passphrase such as tram harbour lantern quietly passes, and sets the PIN', async () => {
    expect(await t.services.pinReset.pinPolicy.check('tram harbour lantern quietly', 'tram harbour lantern quietly', jane)).toEqual([]);
    expect(await submit('tram harbour lantern quietly')).toBe('done');
    expect(await t.services.directory.checkPin('jdoe', 'tram harbour lantern quietly')).toBe(true);
  });

  test('PIN_MIN_STRENGTH (zxcvbn score 0-4, default 3) sets the score below which a PIN is refused', async () => {
    expect(loadConfig({}, null).PIN_MIN_STRENGTH).toBe(3);
    expect(() => loadConfig({ PIN_MIN_STRENGTH: '5' }, null)).toThrow('PIN_MIN_STRENGTH must be a whole number from 0 to 4 (got "5")');
    const score = async (pin: string) => (await new PinPolicy().judge(pin, pin, jane)).strength?.score;
    // A score-3 PIN passes by default, and is refused when 4 is asked for; a score-1 PIN passes only at 0 or 1.
    expect([await score('New-PIN-5678'), await score('summer2019')]).toEqual([3, 1]);
    expect(await submit('New-PIN-5678')).toBe('done');
    await t.services.close();
    await open({ PIN_MIN_STRENGTH: '4' });
    expect(await submit('New-PIN-5678')).toEqual(['weak']);
    await t.services.close();
    await open({ PIN_MIN_STRENGTH: '0' });
    expect(await submit('summer2019')).toBe('done');
  });
});

describe("a weak PIN's reason is zxcvbn's own feedback, translated", () => {
  test('the refusal carries the warning and suggestions zxcvbn gave', async () => {
    const { token, csrf } = await link();
    const result = await t.services.pinReset.submit(token, { csrf, pin: '12341234', confirm: '12341234' }, web);
    expect(result).toMatchObject({ kind: 'rejected', problems: ['weak'], strength: { score: 0, suggestions: expect.arrayContaining(['anotherWord']) } });
  });

  test('every warning and suggestion zxcvbn can give has its own sentence, in English and in Chinese', () => {
    const keys = [...STRENGTH_WARNINGS.map((w) => `strength.warning.${w}`), ...STRENGTH_SUGGESTIONS.map((s) => `strength.suggestion.${s}`)] as MessageKey[];
    expect(keys).toHaveLength(30);
    for (const lang of LANGUAGES) {
      const missing = keys.filter((key) => !catalogs[lang][key]?.trim());
      expect({ lang, missing }).toEqual({ lang, missing: [] });
    }
    // Sentences of ours, not zxcvbn's keys passed through.
    for (const key of keys) expect({ key, sentence: catalogs.en[key] }).toEqual({ key, sentence: expect.stringMatching(/^[A-Z][^ ]* .*\.$/) });
    expect(catalogs['zh-hk']['strength.warning.userInputs']).toBe('當中用了您自己的資料（姓名、UID 或電郵地址）或本服務的名稱。');
  });
});

describe('judging a PIN never holds up the bot', () => {
  // Look-alike symbols and runs of years: the patterns zxcvbn takes longest over.
  const slow = ['4@3!1|0$5'.repeat(7), '1990199119921993199419951996199719981999200020012002200320042005'.slice(0, 64)];

  test("the server judges PINs in a worker thread: other work goes on while a long patterned PIN is judged, and the judgement is the in-process one's", async () => {
    const policy = t.services.pinReset.pinPolicy;
    for (const pin of slow) {
      let settled = false;
      const judged = policy.judge(pin, pin, jane).then((j) => ((settled = true), j));
      // A turn of the event loop: with zxcvbn on this thread it could only come after the judgement.
      await new Promise((resolve) => setImmediate(resolve));
      expect({ pin, settledBeforeTheLoopTurned: settled }).toEqual({ pin, settledBeforeTheLoopTurned: false });
      expect(await judged).toEqual(await new PinPolicy().judge(pin, pin, jane));
    }
  });

  test('the worker gives the same estimates as zxcvbn-ts in-process, and starts again after it is stopped', async () => {
    const worker = workerEstimator();
    try {
      for (const pin of ['12341234', 'password1', 'tram harbour lantern quietly', 'janedoe2024', ...slow]) {
        expect({ pin, estimate: await worker.estimate(pin, ['jane', 'doe']) }).toEqual({ pin, estimate: await inProcessEstimator(pin, ['jane', 'doe']) });
      }
      await worker.close();
      expect((await worker.estimate('password1', [])).common).toBe(true);
    } finally {
      await worker.close();
    }
  });
});
