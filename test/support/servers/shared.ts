/**
 * Real servers (PostgreSQL, slapd, Samba) shared by every test file of one jest run: the first
 * file that needs one starts it; later files, in any worker, find it and reuse it. Each test makes
 * its own accounts and databases, so nothing depends on which file came first.
 *
 * How: under the run root (test/support/secrets.ts), `servers/<name>.json` describes a started
 * server, and `servers/<name>.lock` (a directory: mkdir is atomic) is held while one starts. The
 * global teardown (./stopAll.ts) stops every server recorded there, also when tests failed; and
 * every server is watched by a small guard that stops it if the jest process dies without a
 * teardown (Ctrl-C, a crash), so no server outlives its run.
 *
 * Outside a jest run (no run root), a server is started for this process and stopped when it exits.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What a started server leaves for the others: how to reach it, and how to stop it. */
export interface SharedServer {
  /** Processes to stop at the end of the run (SIGTERM, then SIGKILL). */
  pids: number[];
  /** A folder to delete once they are stopped. */
  dir?: string;
  /** A shell command that stops the server cleanly (run before the signals), e.g. `pg_ctl stop`. */
  stopCommand?: string[];
  /** How long the stop command may take (default 15 s); a dump before the stop may need longer. */
  stopTimeoutMs?: number;
}

/** The env var holding the jest main process's pid (set by the global setup), watched by each server's guard. */
export const MAIN_PID_ENV = 'PIN_RESET_TEST_MAIN_PID';

const serversDir = (root: string) => join(root, 'servers');
/** The run root (secretScan.ts's RUN_ROOT_ENV); read here directly so the global teardown can import this file. */
const runRoot = () => process.env['PIN_RESET_TEST_RUN_ROOT'] || undefined;

/**
 * A folder for a server's files, outside the run root: the run root is scanned for leaked secrets,
 * and a server's own database files are not the bot's (a test that wants them scanned dumps them
 * into the run root itself).
 */
export function serverTempDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `prb-${name}-`));
}

const inProcess = new Map<string, Promise<unknown>>();

/**
 * The server `name` for this run: started by `start` if no file started it yet, else the one
 * recorded. `start` resolves with what tests need to reach the server (JSON) plus SharedServer.
 */
export async function sharedServer<T extends SharedServer>(name: string, start: () => Promise<T>, startTimeoutMs = 120_000): Promise<T> {
  const root = runRoot();
  if (!root) {
    if (!inProcess.has(name)) {
      const started = start().then((server) => {
        process.once('exit', () => stopServer(server));
        return server;
      });
      inProcess.set(name, started);
    }
    return inProcess.get(name) as Promise<T>;
  }
  const dir = serversDir(root);
  mkdirSync(dir, { recursive: true });
  const infoFile = join(dir, `${name}.json`);
  const lock = join(dir, `${name}.lock`);
  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    const info = readInfo<T>(infoFile);
    if (info) return info;
    let locked = false;
    try {
      mkdirSync(lock);
      locked = true;
    } catch {
      /* another file is starting it */
    }
    if (locked) {
      try {
        const again = readInfo<T>(infoFile);
        if (again) return again;
        const server = await start();
        guard(server);
        writeFileSync(`${infoFile}.tmp`, JSON.stringify(server));
        // rename is atomic: a reader sees the whole record or none.
        renameSync(`${infoFile}.tmp`, infoFile);
        return server;
      } finally {
        rmSync(lock, { recursive: true, force: true });
      }
    }
    if (Date.now() > deadline) throw new Error(`The shared ${name} test server did not start within ${startTimeoutMs / 1000} s (another test file was starting it).`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function readInfo<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Stops the server's processes once the jest main process is gone, whatever the reason. */
function guard(server: SharedServer): void {
  const main = Number(process.env[MAIN_PID_ENV]);
  if (!Number.isInteger(main) || main <= 0 || server.pids.length === 0) return;
  const pids = server.pids.join(' ');
  const script = `while kill -0 ${main} 2>/dev/null; do sleep 1; done; kill -TERM ${pids} 2>/dev/null; sleep 3; kill -KILL ${pids} 2>/dev/null${server.dir ? `; rm -rf '${server.dir.replace(/'/g, "'\\''")}'` : ''}`;
  spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' }).unref();
}

/** Stops one server: its stop command, then SIGTERM, then SIGKILL for what is left; removes its folder. */
export function stopServer(server: SharedServer): void {
  if (server.stopCommand) {
    const [cmd, ...args] = server.stopCommand;
    try {
      // Synchronous on purpose: it also runs from process 'exit'.
      spawnSync(cmd!, args, { stdio: 'ignore', timeout: server.stopTimeoutMs ?? 15_000 });
    } catch {
      /* the signals below stop it */
    }
  }
  for (const pid of server.pids) signal(pid, 'SIGTERM');
  const until = Date.now() + 5000;
  while (server.pids.some(alive) && Date.now() < until) sleepSync(100);
  for (const pid of server.pids) if (alive(pid)) signal(pid, 'SIGKILL');
  if (server.dir) rmSync(server.dir, { recursive: true, force: true });
}

/** Stops every server recorded under the run root (the global teardown). */
export function stopAllServers(root: string): void {
  let names: string[] = [];
  try {
    names = readdirSync(serversDir(root)).filter((f) => f.endsWith('.json'));
  } catch {
    return;
  }
  for (const file of names) {
    const info = readInfo<SharedServer>(join(serversDir(root), file));
    if (info) stopServer(info);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
