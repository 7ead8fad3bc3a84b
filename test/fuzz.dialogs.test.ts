import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import type { z } from 'zod';
import { StoreStorage } from '../src/bot/storeStorage.js';
import { accountSchema, botStateSchema, challengeSchema, contactSchema, linkSchema, throttleSchema } from '../src/adapters/store/records.js';
import { startChat } from './support/dialogs.js';
import { addAccount, openTestServices, type TestServices } from './support/services.js';

/** Runs per property; `FUZZ_RUNS=500 npm test -- fuzz.dialogs` for a long run. */
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 25);
const MAX_DIALOG_DEPTH = 6;

/** What a user does in one turn. Codes are resolved when the turn runs, from what was really sent. */
type Step = { type: 'say'; text: string } | { type: 'latest code' } | { type: 'older code'; pick: number } | { type: 'wrong code'; digits: string };

const words = fc.constantFrom(
  'register', 'reset', 'forgot my pin', 'Reset PIN!', 'status', 'help', '?', 'menu', 'cancel', 'stop', 'resend', 'new code', 'send again',
  'email', 'sms', 'text', '1', '2', '3', 'jdoe', 'JDOE', ' jdoe ', 'nocontacts', 'ghost', 'asmith',
  'new.jane@gmail.com', 'someone@example.edu', 'not an email', '91234567', '9123 4567', '+85291234567', '+1 555 0100', '12345',
  '<at>bot</at> reset', '１２３４５６', '123 456', '',
);
const garbage = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ maxLength: 40, unit: 'grapheme' }),
  fc.string({ maxLength: 20, unit: 'binary' }),
  fc.string({ minLength: 2000, maxLength: 6000 }),
  fc.stringMatching(/^[0-9]{1,9}$/),
);
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 10, arbitrary: words.map((text) => ({ type: 'say' as const, text })) },
  { weight: 3, arbitrary: garbage.map((text) => ({ type: 'say' as const, text })) },
  { weight: 4, arbitrary: fc.constant({ type: 'latest code' as const }) },
  { weight: 1, arbitrary: fc.nat().map((pick) => ({ type: 'older code' as const, pick })) },
  { weight: 2, arbitrary: fc.stringMatching(/^[0-9]{6}$/).map((digits) => ({ type: 'wrong code' as const, digits })) },
);
const say = (...texts: string[]): Step[] => texts.map((text) => ({ type: 'say', text }));
/** Known openings, so that random runs reach the deep states (codes, links) and not only the menu. */
const opening = fc.constantFrom(
  say('reset', 'jdoe', 'sms'),
  say('reset', 'jdoe', 'email'),
  say('reset', 'nocontacts', 'sms'),
  say('reset', 'ghost', '2'),
  say('register', 'jdoe'),
  say('register', 'ghost'),
  say('status', 'jdoe'),
  [...say('register', 'jdoe'), { type: 'latest code' } as Step, ...say('new.jane@gmail.com')],
  [...say('reset', 'jdoe', 'sms'), { type: 'latest code' } as Step],
);
/** Always among the runs, so both kinds of link are reached whatever the seed. */
const EXAMPLES: Step[][] = [[...say('reset', 'jdoe', 'email', 'reset', 'jdoe', 'sms'), { type: 'latest code' }, ...say('reset', 'jdoe', 'sms'), { type: 'older code', pick: 0 }]];
const conversation = fc.array(fc.oneof({ weight: 4, arbitrary: step.map((x) => [x]) }, { weight: 1, arbitrary: opening }), { minLength: 1, maxLength: 20 }).map((chunks) => chunks.flat());

interface Issued {
  /** Every code sent by mail or SMS, oldest first. */
  codes: string[];
  /** Codes sent by SMS for a PIN reset: typing one is the only way to earn a link in chat. */
  resetCodes: Set<string>;
  /** Tokens of links sent by mail. */
  tokens: string[];
}

function issued(t: TestServices): Issued {
  const codes: string[] = [];
  const resetCodes = new Set<string>();
  const tokens: string[] = [];
  for (const m of t.mailer.sent) {
    for (const hit of m.text.matchAll(/\b(\d{6})\b/g)) codes.push(hit[1]!);
    for (const hit of m.text.matchAll(/\/reset\/([A-Za-z0-9_-]+)/g)) tokens.push(hit[1]!);
  }
  for (const s of t.sms.sent) {
    const code = /\b(\d{6})\b/.exec(s.body)?.[1];
    if (!code) continue;
    codes.push(code);
    if (/PIN reset code/.test(s.body)) resetCodes.add(code);
  }
  return { codes, resetCodes, tokens };
}

function textOf(s: Step, sent: Issued): string {
  switch (s.type) {
    case 'say':
      return s.text;
    case 'latest code':
      return sent.codes.at(-1) ?? '000000';
    case 'older code':
      return sent.codes.length ? sent.codes[s.pick % sent.codes.length]! : '000000';
    case 'wrong code':
      return sent.codes.includes(s.digits) ? '000000' : s.digits;
  }
}

/** Every dialog stack in the stored conversation state, with how deep it is nested. */
function stacks(value: unknown, depth = 0, out: { ids: string[]; depth: number }[] = []) {
  if (typeof value !== 'object' || value === null) return out;
  const stack = (value as { dialogStack?: unknown }).dialogStack;
  if (Array.isArray(stack)) out.push({ ids: stack.map((e) => (e as { id?: unknown }).id as string), depth });
  for (const v of Object.values(value)) stacks(v, depth + (Array.isArray(stack) ? 1 : 0), out);
  return out;
}

async function checkStore(t: TestServices) {
  const { store } = t.services;
  const tables: [string, () => Promise<unknown[]>, z.ZodType][] = [
    ['accounts', () => store.accounts.all(), accountSchema],
    ['contacts', () => store.contacts.all(), contactSchema],
    ['challenges', () => store.challenges.all(), challengeSchema],
    ['links', () => store.links.all(), linkSchema],
    ['throttles', () => store.throttles.all(), throttleSchema],
    ['botState', () => store.botState.all(), botStateSchema],
  ];
  for (const [name, scan, schema] of tables) {
    for (const record of await scan()) {
      const parsed = schema.safeParse(record);
      expect({ name, ok: parsed.success, issues: parsed.error?.issues }).toEqual({ name, ok: true, issues: undefined });
    }
  }
}

const reached = { codes: 0, smsLinks: 0, mailedLinks: 0 };

describe('fuzzing the dialogs', () => {
  test('random conversations: no unhandled error, no code or mailed token in a reply, a PIN-page link only for a correct reset code, sane state', async () => {
    await fc.assert(
      fc.asyncProperty(conversation, async (steps) => {
        const t = await openTestServices();
        try {
          await addAccount(t.services, 'jdoe');
          await addAccount(t.services, 'nocontacts');
          const now = t.clock.now();
          await t.services.store.contacts.put({ uid: 'jdoe', email: 'jane@gmail.com', mobile: '+85261234567', source: 'self', verifiedAt: now, updatedAt: now });
          const chat = startChat(t.services, new StoreStorage(t.services.store.botState, t.clock));

          for (const s of steps) {
            await t.services.background.drain();
            const before = issued(t);
            const typed = textOf(s, before);
            const smsLinksBefore = (await t.services.store.links.all()).filter((l) => l.via === 'sms').length;
            const replies = await chat.say(typed);
            await t.services.background.drain();
            const after = issued(t);
            const turn = { typed: typed.slice(0, 60), replies };

            expect(replies.length).toBeGreaterThan(0);
            for (const reply of replies) {
              expect(reply).not.toMatch(/something went wrong/i);
              // Not even a code the user typed in the wrong place (a code is refused where a UID is asked).
              for (const code of after.codes) expect({ ...turn, leaked: reply.includes(code) }).toEqual({ ...turn, leaked: false });
              for (const token of after.tokens) expect({ ...turn, leaked: reply.includes(token) }).toEqual({ ...turn, leaked: false });
            }
            const gaveLink = replies.some((r) => /\/reset\/[A-Za-z0-9_-]{32}/.test(r));
            const smsLinksNow = (await t.services.store.links.all()).filter((l) => l.via === 'sms').length;
            const correctResetCode = before.resetCodes.has(typed.replace(/\s/g, ''));
            if (gaveLink || smsLinksNow > smsLinksBefore) expect({ ...turn, correctResetCode }).toEqual({ ...turn, correctResetCode: true });

            for (const state of await t.services.store.botState.all()) {
              const all = stacks(state.value);
              for (const { ids, depth } of all) {
                if (depth >= MAX_DIALOG_DEPTH) throw new Error(`dialog stacks nested ${depth} deep after "${turn.typed}": ${all.map((x) => `${x.depth}:${x.ids.join('>')}`).join(' | ')}`);
                for (const id of ids) expect(typeof id === 'string' && id.length > 0).toBe(true);
              }
            }
            if (typed.trim().toLowerCase() === 'cancel') {
              const open = (await t.services.store.botState.all()).flatMap((st) => stacks(st.value)).filter((x) => x.ids.length > 0 && x.depth > 0);
              expect(open).toEqual([]);
            }
          }
          await checkStore(t);
          const sent = issued(t);
          reached.codes += sent.codes.length;
          reached.mailedLinks += sent.tokens.length;
          reached.smsLinks += (await t.services.store.links.all()).filter((l) => l.via === 'sms').length;
        } finally {
          await t.services.close();
        }
      }),
      { numRuns: RUNS, endOnFailure: true, examples: EXAMPLES.map((e) => [e] as [Step[]]) },
    );
    // The runs did reach codes and both kinds of link, so the checks above were not vacuous.
    expect(reached.codes).toBeGreaterThan(0);
    expect(reached.mailedLinks).toBeGreaterThan(0);
    expect(reached.smsLinks).toBeGreaterThan(0);
  }, 180_000);
});

describe('the dialog stack stays flat', () => {
  test('wrong codes, resends and failed sends ask again in place instead of nesting a new dialog each time (found by the fuzzer)', async () => {
    const t = await openTestServices();
    try {
      await addAccount(t.services, 'jdoe');
      const chat = startChat(t.services, new StoreStorage(t.services.store.botState, t.clock));
      const deepest = async () => Math.max(...(await t.services.store.botState.all()).flatMap((s) => stacks(s.value).map((x) => x.depth)));
      await chat.say('register');
      await chat.say('jdoe');
      const flat = await deepest();
      for (const typed of ['000000', '000001', 'resend', '000002', 'resend', '000003']) await chat.say(typed);
      expect(await deepest()).toBe(flat);
      await t.services.background.drain();
      expect((await chat.say(t.mailer.lastCode('jdoe@example.edu'))).join('\n')).toContain('What alternate email');
      const askingEmail = await deepest();
      for (const typed of ['first@gmail.com', 'second@gmail.com']) {
        t.mailer.failNext = 1;
        expect((await chat.say(typed)).join('\n')).toContain('could not send a code');
      }
      expect(await deepest()).toBe(askingEmail);
    } finally {
      await t.services.close();
    }
  });
});
