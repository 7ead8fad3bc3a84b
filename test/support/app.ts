import { PassThrough } from 'node:stream';
import { readdir, readFile } from 'node:fs/promises';
import { appendFileSync, mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createApp, type App, type AppOverrides } from '../../src/index.js';
import { createLogger } from '../../src/log.js';
import { storeEnv, testConfig, tempDataDir } from './services.js';
import { ManualClock } from './fakes.js';
import { runRoot } from './secrets.js';
import { watchSecrets } from './watchSecrets.js';
import { freePort } from './freePort.js';

export interface RunningApp {
  app: App;
  baseUrl: string;
  dataDir: string;
  clock: ManualClock;
  /** Everything the server logged, as written. */
  logs(): string;
}

/** The real server (restify, CloudAdapter, store on disk) on a free port against a temp DATA_DIR. */
/** `host`: the address to listen on (loopback unless a test needs clients from another address). */
export async function startApp(env: Record<string, string> = {}, dataDir?: string, overrides: Omit<AppOverrides, 'logger' | 'clock'> = {}, host = '127.0.0.1'): Promise<RunningApp> {
  const dir = dataDir ?? (await tempDataDir());
  const chosenPort = await freePort();
  const config = testConfig({ DATA_DIR: dir, LOG_LEVEL: 'debug', PUBLIC_BASE_URL: `http://127.0.0.1:${chosenPort}`, ...(await storeEnv(dir, env)), ...env });
  const sink = new PassThrough();
  let logged = '';
  // The log is also kept as a file under the run root, for the end-of-run secret scan.
  const root = runRoot();
  const logFile = root ? join(root, 'logs', `${basename(dir)}-${chosenPort}.log`) : undefined;
  if (logFile) mkdirSync(dirname(logFile), { recursive: true });
  sink.on('data', (chunk: Buffer) => {
    logged += chunk.toString('utf8');
    if (logFile) appendFileSync(logFile, chunk);
  });
  const clock = new ManualClock(Date.now());
  const app = await createApp(config, { ...overrides, logger: createLogger(config, sink), clock });
  watchSecrets(app.services);
  const port = await app.listen(chosenPort, host);
  return { app, baseUrl: `http://127.0.0.1:${port}`, dataDir: dir, clock, logs: () => logged };
}


/** Every file under `dir`, as text. */
export async function readAllFiles(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) {
      const path = join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name);
      out[path] = await readFile(path, 'utf8').catch(() => '');
    }
  }
  return out;
}
