import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { performance } from 'node:perf_hooks';
import { BotClient } from './support/botClient.js';
import { startApp, type RunningApp } from './support/app.js';
import { openTestServices } from './support/services.js';

/**
 * User enumeration: an attacker who types UIDs must learn nothing from the words or the timing of
 * the replies. Measured over real HTTP against the real server (store on disk, outbox transports),
 * with the three kinds of UID interleaved so that load from elsewhere on the machine hits all alike.
 */
const TRIALS = Number(process.env['ENUMERATION_TRIALS'] ?? 200);
const MAX_MEDIAN_GAP_MS = 5;
const KINDS = ['unknown', 'unregistered', 'registered'] as const;
type Kind = (typeof KINDS)[number];

const FLOWS = {
  'reset by email': { start: 'reset', answer: 'email' },
  'reset by SMS': { start: 'reset', answer: 'sms' },
  'register (identity code)': { start: 'register', answer: undefined },
} as const;
type Flow = keyof typeof FLOWS;

let running: RunningApp;
const used: Record<Kind, number> = { unknown: 0, unregistered: 0, registered: 0 };
// Warm-up, then the trials, measured at most twice, for each flow.
const UIDS_PER_KIND = Object.keys(FLOWS).length * (5 + 2 * TRIALS);

beforeAll(async () => {
  const { services, dataDir, clock } = await openTestServices();
  const now = clock.now();
  const ids = Array.from({ length: UIDS_PER_KIND }, (_, i) => i);
  for (let from = 0; from < ids.length; from += 200) {
    // In parallel batches: the store commits concurrent writes together.
    await Promise.all(
      ids.slice(from, from + 200).map(async (i) => {
        await services.directory.importAccount({ uid: `reg${i}`, name: `R ${i}`, email: `reg${i}@example.edu` });
        await services.store.contacts.put({ uid: `reg${i}`, email: `reg${i}@gmail.com`, mobile: `+8529${String(1000000 + i).slice(-7)}`, source: 'self', verifiedAt: now, updatedAt: now });
        await services.directory.importAccount({ uid: `unreg${i}`, name: `U ${i}`, email: `unreg${i}@example.edu` });
      }),
    );
  }
  await services.close();
  // Each registered account gets its code; the service-wide SMS ceiling is not what this test is about.
  running = await startApp({ MESSAGES_PER_IP_PER_MINUTE: '1000000', SMS_MAX_PER_HOUR: '1000000' }, dataDir);
}, 120_000);
afterAll(async () => {
  await running?.app.close();
});

function uidOf(kind: Kind, i: number): string {
  return kind === 'registered' ? `reg${i}` : kind === 'unregistered' ? `unreg${i}` : `ghost${i}`;
}

/** One attempt from a fresh conversation with a UID never used before; returns the timed turn's replies and duration. */
async function attempt(flow: Flow, kind: Kind): Promise<{ words: string; ms: number }> {
  const i = used[kind]++;
  const uid = uidOf(kind, i);
  const user = new BotClient(running.baseUrl);
  const { start, answer } = FLOWS[flow];
  await user.send(start);
  let turn = uid;
  if (answer) {
    await user.send(uid);
    turn = answer;
  }
  const began = performance.now();
  const replies = await user.send(turn);
  const ms = performance.now() - began;
  return { words: replies.join('\n').replaceAll(uid, '{uid}'), ms };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function measure(flow: Flow, trials: number) {
  const words: Record<Kind, Set<string>> = { unknown: new Set(), unregistered: new Set(), registered: new Set() };
  const times: Record<Kind, number[]> = { unknown: [], unregistered: [], registered: [] };
  for (let t = 0; t < trials; t++) {
    // Round robin, starting from a different kind each trial, so no kind always runs first.
    for (let k = 0; k < KINDS.length; k++) {
      const kind = KINDS[(t + k) % KINDS.length]!;
      const result = await attempt(flow, kind);
      words[kind].add(result.words);
      times[kind].push(result.ms);
    }
    // Background sends of this trial finish before the next one, as they would between real users.
    await running.app.services.background.drain();
  }
  const medians = Object.fromEntries(KINDS.map((k) => [k, median(times[k])])) as Record<Kind, number>;
  const gap = Math.max(...Object.values(medians)) - Math.min(...Object.values(medians));
  return { words, medians, gap };
}

describe('user enumeration', () => {
  for (const flow of Object.keys(FLOWS) as Flow[]) {
    test(`${flow}: over ${TRIALS} interleaved trials, unknown, unregistered and registered UIDs get identical words and median times within ${MAX_MEDIAN_GAP_MS} ms`, async () => {
      await measure(flow, 5); // warm-up: JIT, first file opens
      let result = await measure(flow, TRIALS);
      // The machine is shared: a gap from a burst of outside load must show up twice to count.
      if (result.gap >= MAX_MEDIAN_GAP_MS) result = await measure(flow, TRIALS);
      const texts = KINDS.map((k) => [...result.words[k]]);
      expect(texts[0]).toHaveLength(1);
      expect(texts[1]).toEqual(texts[0]);
      expect(texts[2]).toEqual(texts[0]);
      expect({ medians: result.medians, gapUnder5ms: result.gap < MAX_MEDIAN_GAP_MS }).toEqual({ medians: result.medians, gapUnder5ms: true });
    }, 300_000);
  }
});
