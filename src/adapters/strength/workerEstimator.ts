import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { ZXCVBN_OPTIONS } from '../../domain/pinPolicy.js';
import type { StrengthEstimate, StrengthEstimator } from '../../ports/strength.js';

const require = createRequire(import.meta.url);

// The worker builds zxcvbn-ts exactly as inProcessEstimator does (src/domain/pinPolicy.ts). It is
// plain CommonJS given as text, so it runs the same from source (tsx), the bundle and the tests.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { ZxcvbnFactory } = require(workerData.core);
const common = require(workerData.common);
const english = require(workerData.english);
const zxcvbn = new ZxcvbnFactory({ dictionary: { ...common.dictionary, ...english.dictionary }, graphs: common.adjacencyGraphs, ...workerData.options });
const commonPasswords = new Set(common.dictionary['passwords-common'].map((p) => p.toLowerCase()));
parentPort.on('message', ({ id, pin, words }) => {
  try {
    const { score, feedback } = zxcvbn.check(pin, words);
    parentPort.postMessage({ id, estimate: { score, warning: feedback.warning, suggestions: feedback.suggestions, common: commonPasswords.has(pin.toLowerCase()) } });
  } catch (err) {
    parentPort.postMessage({ id, error: String((err && err.message) || err) });
  }
});
`;

type Answer = { id: number; estimate: StrengthEstimate } | { id: number; error: string };

export interface WorkerEstimator {
  estimate: StrengthEstimator;
  /** Stops the worker (a later estimate starts a new one). */
  close(): Promise<void>;
}

/**
 * zxcvbn-ts in a worker thread, for the server: a long patterned PIN can take it up to a second or
 * two of CPU, which must not stall every chat turn and webhook on the event loop. The worker starts
 * at the first estimate (it loads the dictionaries, about 50 MB), answers one PIN at a time, never
 * keeps the process alive, and is started again after a crash.
 */
export function workerEstimator(): WorkerEstimator {
  let worker: Worker | undefined;
  let nextId = 0;
  const waiting = new Map<number, { resolve: (e: StrengthEstimate) => void; reject: (err: Error) => void }>();

  const failAll = (err: Error) => {
    for (const { reject } of waiting.values()) reject(err);
    waiting.clear();
  };
  const start = (): Worker => {
    const started = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { core: require.resolve('@zxcvbn-ts/core'), common: require.resolve('@zxcvbn-ts/language-common'), english: require.resolve('@zxcvbn-ts/language-en'), options: ZXCVBN_OPTIONS },
    });
    started.unref();
    started.on('message', (answer: Answer) => {
      const job = waiting.get(answer.id);
      waiting.delete(answer.id);
      if ('error' in answer) job?.reject(new Error(`PIN strength estimate failed: ${answer.error}`));
      else job?.resolve(answer.estimate);
    });
    started.on('error', (err) => {
      if (worker === started) worker = undefined;
      failAll(err);
    });
    started.on('exit', (code) => {
      if (worker === started) worker = undefined;
      failAll(new Error(`the PIN strength worker stopped (exit code ${code})`));
    });
    return started;
  };

  return {
    estimate: (pin, words) =>
      new Promise<StrengthEstimate>((resolve, reject) => {
        const id = nextId++;
        waiting.set(id, { resolve, reject });
        (worker ??= start()).postMessage({ id, pin, words: [...words] });
      }),
    close: async () => {
      const stopping = worker;
      worker = undefined;
      await stopping?.terminate();
    },
  };
}
