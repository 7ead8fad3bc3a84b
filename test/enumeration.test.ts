import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { performance } from 'node:perf_hooks';
import { BotClient } from './support/botClient.js';
import { startApp, type RunningApp } from './support/app.js';
import { openTestServices } from './support/services.js';
import { DIRECTORIES } from './support/directories.js';

/**
 * User enumeration: an attacker who types UIDs must learn nothing from the words or the timing of
 * the replies. Measured over real HTTP against the real server (store on disk, outbox transports),
 * with the three kinds of UID interleaved so that load from elsewhere on the machine hits all alike.
 * On the embedded directory and on each LDAP directory (OpenLDAP, Samba as AD), where the lookup
 * is a search over the network.
 */
const TRIALS = Number(process.env['ENUMERATION_TRIALS'] ?? 200);
/** On LDAP half as many (each lookup is a network search, and two directories run): the medians still settle well within the margin. */
const LDAP_TRIALS = Math.max(1, Math.round(TRIALS / 2));
const MAX_MEDIAN_GAP_MS = 5;
const KINDS = ['unknown', 'unregistered', 'registered'] as const;
type Kind = (typeof KINDS)[number];

const FLOWS = {
  'reset by email': { start: 'reset', answer: 'email' },
  'reset by SMS': { start: 'reset', answer: 'sms' },
  'register (identity code)': { start: 'register', answer: undefined },
} as const;
type Flow = keyof typeof FLOWS;

// Warm-up, then the trials, measured at most twice, for each flow.
const UIDS_PER_KIND = Object.keys(FLOWS).length * (5 + 2 * TRIALS);
/** On LDAP each kind has this many accounts, each asked for again and again (the send limits are raised to allow it). */
const LDAP_ACCOUNTS_PER_KIND = 20;

interface Setup {
  running: RunningApp;
  uidOf(kind: Kind, i: number): string;
}

/** The embedded directory: a fresh account for every attempt. */
async function embedded(): Promise<Setup> {
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
  const running = await startApp({ MESSAGES_PER_IP_PER_MINUTE: '1000000', SMS_MAX_PER_HOUR: '1000000' }, dataDir);
  return { running, uidOf: (kind, i) => (kind === 'registered' ? `reg${i}` : kind === 'unregistered' ? `unreg${i}` : `ghost${i}`) };
}

/** An LDAP directory: accounts in the directory, the registered ones with contacts in the bot's store. */
async function ldap(open: (typeof DIRECTORIES)[number][2]): Promise<Setup> {
  const directory = await open();
  const running = await startApp({
    ...directory.env(),
    MESSAGES_PER_IP_PER_MINUTE: '1000000',
    SMS_MAX_PER_HOUR: '1000000',
    SENDS_PER_ACCOUNT_PER_HOUR: '100',
    SENDS_PER_ACCOUNT_PER_DAY: '1000',
    SENDS_PER_DESTINATION_PER_HOUR: '100',
  });
  const registered: string[] = [];
  const unregistered: string[] = [];
  for (let i = 0; i < LDAP_ACCOUNTS_PER_KIND; i++) {
    registered.push(await directory.addUser({ uid: `reg${i}x`, pin: 'Enum-Lantern-9753!p' }));
    unregistered.push(await directory.addUser({ uid: `unreg${i}x`, pin: 'Enum-Lantern-9753!p' }));
  }
  const now = running.clock.now();
  for (const [i, uid] of registered.entries()) {
    await running.app.services.store.contacts.put({ uid, email: `${uid}@gmail.com`, mobile: `+8529${String(2000000 + i).slice(-7)}`, source: 'self', verifiedAt: now, updatedAt: now });
  }
  const ghost = `ghost${registered[0]!.slice(-5)}`;
  return {
    running,
    uidOf: (kind, i) => {
      const n = i % LDAP_ACCOUNTS_PER_KIND;
      return kind === 'registered' ? registered[n]! : kind === 'unregistered' ? unregistered[n]! : `${ghost}${n}`;
    },
  };
}

const SETUPS: [string, number, () => Promise<Setup>][] = [['the embedded directory', TRIALS, embedded], ...DIRECTORIES.map(([name, , open]) => [name, LDAP_TRIALS, () => ldap(open)] as [string, number, () => Promise<Setup>])];

/** Attempts so far per kind, so each attempt takes the next UID. */
type Run = Setup & { used: Record<Kind, number> };

/** One attempt from a fresh conversation (with a UID never used before on the embedded directory); returns the timed turn's replies and duration. */
async function attempt(run: Run, flow: Flow, kind: Kind): Promise<{ words: string; ms: number }> {
  const i = run.used[kind]++;
  const uid = run.uidOf(kind, i);
  const user = new BotClient(run.running.baseUrl);
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

async function measure(run: Run, flow: Flow, trials: number) {
  const words: Record<Kind, Set<string>> = { unknown: new Set(), unregistered: new Set(), registered: new Set() };
  const times: Record<Kind, number[]> = { unknown: [], unregistered: [], registered: [] };
  for (let t = 0; t < trials; t++) {
    // Round robin, starting from a different kind each trial, so no kind always runs first.
    for (let k = 0; k < KINDS.length; k++) {
      const kind = KINDS[(t + k) % KINDS.length]!;
      const result = await attempt(run, flow, kind);
      words[kind].add(result.words);
      times[kind].push(result.ms);
    }
    // Background sends of this trial finish before the next one, as they would between real users.
    await run.running.app.services.background.drain();
  }
  const medians = Object.fromEntries(KINDS.map((k) => [k, median(times[k])])) as Record<Kind, number>;
  const gap = Math.max(...Object.values(medians)) - Math.min(...Object.values(medians));
  return { words, medians, gap };
}

describe.each(SETUPS)('user enumeration on %s', (_name, trials, setUp) => {
  let run: Run;
  beforeAll(async () => {
    run = { ...(await setUp()), used: { unknown: 0, unregistered: 0, registered: 0 } };
  }, 300_000);
  afterAll(async () => {
    await run?.running.app.close();
  });

  for (const flow of Object.keys(FLOWS) as Flow[]) {
    test(`${flow}: over ${trials} interleaved trials, unknown, unregistered and registered UIDs get identical words and median times within ${MAX_MEDIAN_GAP_MS} ms`, async () => {
      await measure(run, flow, 5); // warm-up: JIT, first file opens
      let result = await measure(run, flow, trials);
      // The machine is shared: a gap from a burst of outside load must show up twice to count.
      if (result.gap >= MAX_MEDIAN_GAP_MS) result = await measure(run, flow, trials);
      const texts = KINDS.map((k) => [...result.words[k]]);
      expect(texts[0]).toHaveLength(1);
      expect(texts[1]).toEqual(texts[0]);
      expect(texts[2]).toEqual(texts[0]);
      expect({ medians: result.medians, gapUnder5ms: result.gap < MAX_MEDIAN_GAP_MS }).toEqual({ medians: result.medians, gapUnder5ms: true });
    }, 300_000);
  }
});
