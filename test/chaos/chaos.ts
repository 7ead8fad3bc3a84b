/**
 * Crash safety under fire: the real server as a child process, concurrent registrations over
 * /api/messages (expectReplies, codes read from the outbox), SIGKILL at random moments and restart.
 * After every kill: the store loads through its own loader, every registration the bot confirmed
 * is in it, the dead process's lock does not block the restart, and a torn last audit line (one is
 * injected when a kill did not leave one) is reported and skipped, not fatal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, type WriteStream } from 'node:fs';
import { appendFile, cp, mkdir, mkdtemp, open, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load.js';
import { openServices } from '../../src/services.js';
import { LowStore } from '../../src/adapters/store/lowStore.js';
import { LOCK_FILE } from '../../src/adapters/store/lock.js';
import { JsonlAuditLog } from '../../src/adapters/audit/jsonlAuditLog.js';
import { silentLogger } from '../../src/ports/logger.js';
import { BotClient } from '../support/botClient.js';
import { recordSecret, runRoot } from '../support/secrets.js';
import { freePort } from '../support/freePort.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface ChaosOptions {
  kills: number;
  /** Registrations driven at once. */
  workers: number;
  /** Accounts available (each registers at most once). */
  accounts: number;
  /** The server runs this long (random within) before each kill. */
  upMs: [number, number];
  /** Inject a torn audit line after every n-th kill that did not leave one. */
  tornEvery: number;
  log: (line: string) => void;
}

export interface ChaosResult {
  kills: number;
  confirmed: number;
  lost: number;
  corrupt: number;
  attempts: number;
  staleLocksTakenOver: number;
  tornAuditLines: number;
  problems: string[];
}

interface Registration {
  uid: string;
  email: string;
  mobile: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const between = ([lo, hi]: [number, number]) => lo + Math.floor(Math.random() * (hi - lo + 1));

function registrationFor(i: number): Registration {
  return { uid: `c${i}`, email: `a${i}@m${i}.example.com`, mobile: `+85261${String(i).padStart(6, '0')}` };
}

/** Reads codes from the outbox as the users' mailboxes and phones would, tolerating a torn last line. */
class OutboxReader {
  private readonly offsets = new Map<string, number>();
  private readonly codes = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly dir: string) {}

  start(): void {
    this.timer = setInterval(() => void this.poll(), 40);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async poll(): Promise<void> {
    for (const name of ['mail.jsonl', 'sms.jsonl']) {
      const path = join(this.dir, name);
      const from = this.offsets.get(name) ?? 0;
      let h;
      try {
        h = await open(path, 'r');
      } catch {
        continue;
      }
      try {
        const { size } = await h.stat();
        if (size <= from) continue;
        const buf = Buffer.alloc(size - from);
        await h.read(buf, 0, buf.length, from);
        const end = buf.lastIndexOf(0x0a) + 1;
        this.offsets.set(name, from + end);
        for (const line of buf.subarray(0, end).toString('utf8').split('\n')) {
          try {
            const m = JSON.parse(line) as { to: string; text?: string; body?: string };
            const code = /\b(\d{6})\b/.exec(m.text ?? m.body ?? '')?.[1];
            if (code) {
              recordSecret('code', code);
              this.codes.set(m.to.toLowerCase(), code);
            }
          } catch {
            /* a torn line from a kill, or the empty tail */
          }
        }
      } finally {
        await h.close();
      }
    }
  }

  async code(to: string, timeoutMs = 4000): Promise<string> {
    const key = to.toLowerCase();
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const code = this.codes.get(key);
      if (code) {
        this.codes.delete(key);
        return code;
      }
      await sleep(40);
    }
    throw new Error(`no code for ${to}`);
  }
}

class Server {
  child: ChildProcess | null = null;
  up = false;
  private exited: Promise<number | null> = Promise.resolve(null);
  private starts = 0;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    readonly baseUrl: string,
    private readonly logDir: string,
  ) {}

  /** Starts the bot and waits for /healthz; rejects with its output if it exits or never gets healthy. */
  async start(): Promise<void> {
    const log: WriteStream = createWriteStream(join(this.logDir, `server-${++this.starts}.log`));
    let stderr = '';
    // node itself, not the tsx CLI (which runs the server in a grandchild that a kill would miss).
    const child = spawn(process.execPath, ['--import', 'tsx', '--disable-warning=DEP0111', 'src/main.ts'], { cwd: REPO, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout!.pipe(log);
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
      log.write(d);
    });
    this.exited = new Promise((done) => child.once('exit', (code) => done(code)));
    let exitCode: number | null | undefined;
    void this.exited.then((c) => (exitCode = c));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (exitCode !== undefined) throw new Error(`the server exited (${exitCode}) instead of starting: ${stderr.trim()}`);
      try {
        const res = await fetch(`${this.baseUrl}/healthz`);
        if (res.status === 200) {
          this.up = true;
          return;
        }
      } catch {
        /* not listening yet */
      }
      await sleep(100);
    }
    child.kill('SIGKILL');
    throw new Error(`the server did not become healthy within 60 s: ${stderr.trim()}`);
  }

  async kill(): Promise<number> {
    const child = this.child!;
    this.up = false;
    child.kill('SIGKILL');
    await this.exited;
    return child.pid!;
  }

  async stop(): Promise<number | null> {
    this.up = false;
    this.child?.kill('SIGTERM');
    return this.exited;
  }

  logText(): string {
    return Array.from({ length: this.starts }, (_, i) => join(this.logDir, `server-${i + 1}.log`))
      .map((p) => (existsSync(p) ? readFileSync(p, 'utf8') : ''))
      .join('\n');
  }
}


/** Opens the store through its own loader and returns the confirmed registrations missing from it. */
async function missingFrom(dataDir: string, confirmed: Registration[]): Promise<Registration[]> {
  const store = await LowStore.open(dataDir, { role: 'chaos check' });
  try {
    const missing: Registration[] = [];
    for (const r of confirmed) {
      const c = await store.contacts.get(r.uid);
      if (!c || c.email !== r.email || c.mobile !== r.mobile || c.source !== 'self') missing.push(r);
    }
    return missing;
  } finally {
    await store.close();
  }
}

export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const root = runRoot();
  if (root) await mkdir(root, { recursive: true });
  const work = await mkdtemp(join(root ?? tmpdir(), 'chaos-'));
  const dataDir = join(work, 'data');
  const logDir = join(work, 'logs');
  await mkdir(logDir, { recursive: true });
  const result: ChaosResult = { kills: 0, confirmed: 0, lost: 0, corrupt: 0, attempts: 0, staleLocksTakenOver: 0, tornAuditLines: 0, problems: [] };

  // The accounts, imported before the bot starts.
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_BASE_URL: baseUrl,
    LOG_LEVEL: 'info',
    SMS_TRANSPORT: 'outbox',
    INSTITUTION_EMAIL_DOMAINS: 'example.edu',
    SENDS_PER_ACCOUNT_PER_HOUR: '100',
    SENDS_PER_ACCOUNT_PER_DAY: '1000',
    SENDS_PER_DESTINATION_PER_HOUR: '100',
  };
  const setup = await openServices(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }, null), { logger: silentLogger, role: 'chaos setup' });
  try {
    for (let start = 0; start < o.accounts; start += 500) {
      const batch = Array.from({ length: Math.min(500, o.accounts - start) }, (_, k) => start + k);
      await Promise.all(batch.map((i) => setup.embeddedDirectory!.importAccount({ uid: `c${i}`, name: `Chaos ${i}`, email: `c${i}@example.edu` })));
    }
  } finally {
    await setup.close();
  }

  const server = new Server(env, baseUrl, logDir);
  const outbox = new OutboxReader(join(dataDir, 'outbox'));
  const confirmed: Registration[] = [];
  const lost = new Set<string>();
  let next = 0;
  let stopping = false;

  const register = async (r: Registration): Promise<boolean> => {
    const user = new BotClient(baseUrl);
    const expectReply = async (text: string, want: RegExp) => {
      const replies = await user.send(text);
      if (!replies.some((t) => want.test(t))) throw new Error(`unexpected reply to a step: ${replies.join(' | ').slice(0, 200)}`);
      return replies;
    };
    try {
      await expectReply('register', /portal UID/);
      await expectReply(r.uid, /6-digit code/);
      await expectReply(await outbox.code(`${r.uid}@example.edu`), /alternate email/);
      await expectReply(r.email, /I have sent/);
      await expectReply(await outbox.code(r.email), /mobile number/);
      await expectReply(r.mobile.slice(4), /by SMS/);
      const replies = await expectReply(await outbox.code(r.mobile), /All done/);
      const [domain, last4] = [r.email.split('@')[1]!, r.mobile.slice(-4)];
      return replies.some((t) => t.includes(`a•••@${domain}`) && t.includes(`+852 ••••${last4}`));
    } catch {
      return false;
    }
  };

  const worker = async () => {
    while (!stopping && next < o.accounts) {
      if (!server.up) {
        await sleep(50);
        continue;
      }
      const r = registrationFor(next++);
      result.attempts++;
      if (await register(r)) confirmed.push(r);
    }
  };

  const check = async (label: string) => {
    const copy = join(work, `check-${label}`);
    try {
      await cp(join(dataDir, 'store'), join(copy, 'store'), { recursive: true });
      for (const r of await missingFrom(copy, confirmed)) lost.add(r.uid);
    } catch (err) {
      result.corrupt++;
      result.problems.push(`after ${label}: the store does not load: ${(err as Error).message}`);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  };

  const auditPath = join(dataDir, 'audit.jsonl');
  const tornAt: number[] = [];
  await server.start();
  outbox.start();
  const workers = Array.from({ length: o.workers }, () => worker());
  try {
    for (let k = 1; k <= o.kills && next < o.accounts; k++) {
      await sleep(between(o.upMs));
      const pid = await server.kill();
      result.kills++;

      const lock = JSON.parse(await readFile(join(dataDir, LOCK_FILE), 'utf8').catch(() => '{}')) as { pid?: number };
      if (lock.pid === pid) result.staleLocksTakenOver++;
      else result.problems.push(`kill ${k}: the lock file does not record the killed pid ${pid} (found ${String(lock.pid)})`);

      const size = await stat(auditPath).then((s) => s.size, () => 0);
      const tail = size > 0 ? (await readFile(auditPath)).subarray(size - 1)[0] : 0x0a;
      if (tail !== 0x0a) {
        tornAt.push(size);
      } else if (k % o.tornEvery === 0) {
        const fragment = `{"at":"${new Date().toISOString()}","event":"code.sent","uid":"c`;
        await appendFile(auditPath, fragment);
        tornAt.push(size + Buffer.byteLength(fragment));
      }

      await check(`kill-${k}`);
      try {
        await server.start();
      } catch (err) {
        result.corrupt++;
        result.problems.push(`kill ${k}: restart failed: ${(err as Error).message}`);
        break;
      }
    }
    await sleep(between(o.upMs));
  } finally {
    stopping = true;
    await Promise.all(workers);
    outbox.stop();
    const code = await server.stop();
    if (code !== 0) result.problems.push(`the final graceful stop exited ${String(code)}`);
  }

  // The bot stopped cleanly: the real store, through its own loader.
  await check('final stop');
  try {
    for (const r of await missingFrom(dataDir, confirmed)) lost.add(r.uid);
  } catch (err) {
    result.corrupt++;
    result.problems.push(`the store does not load after the final stop: ${(err as Error).message}`);
  }

  // Each torn audit line stayed a line of its own (ended before the next record), and reading skips it with a warning.
  const audit = await readFile(auditPath);
  for (const end of tornAt) {
    if (end < audit.length && audit[end] !== 0x0a) result.problems.push(`the torn audit line ending at byte ${end} was merged with the next record`);
  }
  const report = await new JsonlAuditLog(auditPath).readReport();
  result.tornAuditLines = report.warnings.length;
  if (tornAt.length > 0 && report.warnings.length === 0) result.problems.push('torn audit lines were left, but reading the audit log reported none');
  if (report.events.length === 0) result.problems.push('the audit log holds no readable events');
  if (tornAt.some((end) => end < audit.length) && !server.logText().includes('torn by a crash')) result.problems.push('the bot did not report the torn audit line it found');

  result.confirmed = confirmed.length;
  result.lost = lost.size;
  if (result.lost > 0) result.problems.push(`confirmed registrations missing from the store: ${[...lost].slice(0, 10).join(', ')}`);
  // Under a test run the files stay for the end-of-run secret scan, which removes them.
  if (result.problems.length === 0 && !root) await rm(work, { recursive: true, force: true });
  else o.log(`chaos files kept in ${work}`);
  return result;
}

export function summary(r: ChaosResult): string {
  return `kills=${r.kills} confirmed=${r.confirmed} lost=${r.lost} corrupt=${r.corrupt} (registrations tried ${r.attempts}, stale locks taken over ${r.staleLocksTakenOver}, torn audit lines skipped ${r.tornAuditLines})`;
}
