import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import pg from 'pg';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutboxReader } from './outboxReader.js';
import { seedDatabase, seedDataDir } from './seed.js';
import { Conversation, flowKind, HttpClient, pool, runFlowChat, setPinOnPage, type PendingPage, type TurnLog } from './users.js';
import { freePort } from '../test/support/freePort.js';
import { socketDatabaseUrl, startPostgres, stopPostgres, type PostgresServer } from '../test/support/servers/postgres.js';

/**
 * `npm run bench`: the real server, started as an operator starts it, on a temp DATA_DIR seeded with
 * N accounts (all with registered contacts), driven over HTTP by C simulated users through complete
 * flows; then a minimal echo bot on the same restify + CloudAdapter stack gets the same turns at the
 * same concurrency, and so does the echo with botbuilder-dialogs' state and dialogs added (the floor
 * under any bot on that stack). Prints a table, then one JSON line. `BENCH_STORE=postgres` runs the
 * bot on PostgreSQL (DATABASE_URL, or a throwaway server started here) and, in the same run, on
 * lowdb at the largest N, so that the two stores are measured side by side.
 */
export interface BenchOptions {
  sizes: number[];
  users: number;
  /** Flows per size (each on its own account, so at most N). */
  flows: number;
  /** 'dist': node on the compiled build, as `npm run serve`; 'tsx': from source, as `npm start`. */
  runtime: 'dist' | 'tsx';
  /** BENCH_STORE: the store the bot runs on; 'postgres' also runs the lowdb bot at the largest N, to compare. */
  store: 'lowdb' | 'postgres';
  /** DATABASE_POOL_SIZE of the bot on PostgreSQL. */
  poolSize: number;
  progress?: (line: string) => void;
}

type StoreKind = BenchOptions['store'];

interface SizeResult {
  n: number;
  store: StoreKind;
  seedMs: number;
  startMs: number;
  flows: number;
  flowsCompleted: number;
  turns: number;
  chatMs: number;
  latencies: number[];
  pages: number;
  pagesMs: number;
  rssMb: number;
  /** Peak RSS by the end of the chat, before the PIN pages (scrypt). */
  chatRssMb: number;
  /** Server CPU time used during the chat. */
  chatCpuMs: number;
  /** PostgreSQL's CPU time during the chat (all its processes), where the bench started the server itself. */
  dbCpuMs?: number;
  errors: number;
  scripts: string[][];
}

export interface BenchReport {
  table: string;
  json: {
    store: StoreKind;
    echo_tps: number;
    floor_tps: number;
    bot_tps_1k: number;
    bot_tps_100k: number;
    ratio_100k: number;
    ratio_floor_100k: number;
    /** postgres mode: the PostgreSQL bot's bot_tps_100k over the lowdb bot's, measured in the same run. */
    ratio_store_100k?: number;
    p50_ms_1k: number;
    p99_ms_1k: number;
    p50_ms_100k: number;
    p99_ms_100k: number;
    growth_p50: number;
    rss_mb_100k: number;
    start_ms_100k: number;
    /** The bot's CPU per chat turn at the largest N, and (postgres mode) PostgreSQL's beside it. */
    cpu_ms_per_turn_100k: number;
    db_cpu_ms_per_turn_100k?: number;
    flows_completed: number;
    errors: number;
  };
  /**
   * The dialog-stack baseline's turns per second over the echo's: what ratio_100k would be for a bot
   * that did nothing but botbuilder-dialogs' own bookkeeping (no store, no domain, no fsync).
   */
  floorRatio: number;
  firstErrors: string[];
}

/**
 * The server's environment in the bench: defaults everywhere, except what the load generator needs
 * (its own port and DATA_DIR, quiet logs). Security limits stay at their defaults: every flow uses
 * its own account and its own addresses. A per-IP request limit on /api/messages, if the server
 * has one, is the one setting to raise here, since all simulated users share 127.0.0.1.
 */
function serverEnv(dataDir: string, port: number, database?: string, poolSize?: number): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'],
    NODE_ENV: 'production',
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'warn',
    INSTITUTION_EMAIL_DOMAINS: 'example.edu',
    // One load generator on 127.0.0.1 stands for thousands of users at their own addresses, and
    // sends more SMS in a minute than the service-wide hourly ceiling: raise only these.
    MESSAGES_PER_IP_PER_MINUTE: '1000000',
    PIN_PAGE_REQUESTS_PER_IP_PER_MINUTE: '100000',
    SMS_MAX_PER_HOUR: '1000000',
    ...(database ? { STORE: 'postgres', DATABASE_URL: database, SERVER_SECRET: BENCH_SECRET } : {}),
    ...(database && poolSize ? { DATABASE_POOL_SIZE: String(poolSize) } : {}),
  };
}

const BENCH_SECRET = randomBytes(32).toString('base64url');

/**
 * PostgreSQL for `BENCH_STORE=postgres`: DATABASE_URL if set (a role that may create databases),
 * else a throwaway PostgreSQL 15 started here, reached over its Unix socket. Each size gets a
 * database of its own, dropped after. The bot's pool (DATABASE_POOL_SIZE) has a connection for each
 * simulated user, as an operator sizes it for the turns an instance takes at once, unless the run
 * sets DATABASE_POOL_SIZE itself (e.g. 10, the default, to see the pool become the bottleneck).
 */
class BenchPostgres {
  private constructor(private readonly adminUrl: string, private readonly server?: PostgresServer) {}

  static async open(progress: (line: string) => void): Promise<BenchPostgres> {
    const given = process.env['DATABASE_URL'];
    if (given) return new BenchPostgres(given);
    progress('starting a throwaway PostgreSQL 15…');
    const server = await startPostgres('bench');
    // On the bot's own host, as a deployment on one machine would connect: over the Unix socket.
    return new BenchPostgres(socketDatabaseUrl(server, 'postgres'), server);
  }

  private async admin(statement: string): Promise<void> {
    const client = new pg.Client({ connectionString: this.adminUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  }

  async create(n: number): Promise<{ url: string; drop: () => Promise<void> }> {
    const name = `pin_reset_bench_${n}_${randomBytes(4).toString('hex')}`;
    await this.admin(`CREATE DATABASE ${name}`);
    const url = new URL(this.adminUrl);
    url.pathname = `/${name}`;
    return { url: url.toString(), drop: () => this.admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
  }

  /** CPU time of every process of the server so far (ms), when the bench started it; those that ended count through the postmaster. */
  async cpuMs(): Promise<number | undefined> {
    const postmaster = this.server?.pids[0];
    if (postmaster === undefined) return undefined;
    let total = await cpuMs(postmaster, true);
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === postmaster) total += await cpuMs(Number(entry));
    }
    return total;
  }

  close(): void {
    if (this.server) stopPostgres(this.server);
  }
}

/**
 * The node flags of `npm run serve` (package.json), so the bench runs the server exactly as an
 * operator is told to; BENCH_NODE_ARGS (e.g. "--cpu-prof") are added for profiling.
 */
function serveFlags(): string[] {
  const serve = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts['serve'] ?? '';
  return serve.split(/\s+/).filter((a) => a.startsWith('--'));
}

type Baseline = 'echo' | 'dialog-echo';

const SOURCES: Record<'server' | Baseline, { dist: string; tsx: string }> = {
  server: { dist: 'dist/server.mjs', tsx: 'src/main.ts' },
  echo: { dist: 'dist/echo.mjs', tsx: 'bench/echoBot.ts' },
  'dialog-echo': { dist: 'dist/dialog-echo.mjs', tsx: 'bench/dialogEchoBot.ts' },
};

function command(runtime: BenchOptions['runtime'], what: 'server' | Baseline): string[] {
  const flags = serveFlags(); // the baselines run on the same V8 settings as the bot
  const extra = what === 'server' ? (process.env['BENCH_NODE_ARGS'] ?? '').split(' ').filter(Boolean) : [];
  if (runtime === 'dist') return [...flags, ...extra, SOURCES[what].dist];
  return ['--import', 'tsx', ...flags, ...extra, SOURCES[what].tsx];
}


interface Started {
  child: ChildProcess;
  baseUrl: string;
  startMs: number;
  output(): string;
}

/** Spawns a server and times it from the spawn to the first 200 from /healthz. */
async function startProcess(args: string[], env: NodeJS.ProcessEnv, port: number): Promise<Started> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  // BENCH_SERVER_LOG: everything the servers print, kept whole (e.g. with BENCH_NODE_ARGS=--trace-gc).
  const keep = process.env['BENCH_SERVER_LOG'] ? createWriteStream(process.env['BENCH_SERVER_LOG'], { flags: 'a' }) : null;
  child.once('exit', () => keep?.end());
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.on('data', (c: Buffer) => {
      keep?.write(c);
      output = (output + c.toString()).slice(-4000);
    });
  }
  let exited = false;
  child.once('exit', () => (exited = true));
  const baseUrl = `http://127.0.0.1:${port}`;
  const http = new HttpClient(baseUrl, 1);
  try {
    for (;;) {
      if (exited) throw new Error(`the server exited before it was ready:\n${output}`);
      if (performance.now() - started > 60_000) throw new Error(`the server was not ready within 60 s:\n${output}`);
      const ok = await http.call('GET', '/healthz').then((r) => r.status === 200, () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 5));
    }
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  } finally {
    http.close();
  }
  return { child, baseUrl, startMs: performance.now() - started, output: () => output };
}

/** CPU time a process has used so far (user + system; with `children`, also of its children that ended), in ms (Linux). */
async function cpuMs(pid: number, children = false): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]) + (children ? Number(fields[13]) + Number(fields[14]) : 0);
  return (ticks * 1000) / 100; // clock ticks, 100 per second on Linux
}

/** Peak resident set size of a process, in MB (Linux: VmHWM). */
async function peakRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function runSize(n: number, options: BenchOptions, errors: string[], store: StoreKind, postgres?: BenchPostgres): Promise<SizeResult> {
  const say = (line: string) => options.progress?.(`${store} ${line}`);
  const dataDir = await mkdtemp(join(tmpdir(), `pin-reset-bench-${n}-`));
  const database = store === 'postgres' ? await postgres!.create(n) : undefined;
  try {
    say(`N=${n}: seeding ${n} accounts with contacts…`);
    const seedStarted = performance.now();
    if (database) await seedDatabase(database.url, n);
    else await seedDataDir(dataDir, n);
    const seedMs = performance.now() - seedStarted;

    const port = await freePort();
    const server = await startProcess(command(options.runtime, 'server'), serverEnv(dataDir, port, database?.url, options.poolSize), port);
    say(`N=${n}: server ready in ${Math.round(server.startMs)} ms; ${options.users} users…`);
    const http = new HttpClient(server.baseUrl, options.users);
    const outbox = new OutboxReader(dataDir);
    const log: TurnLog = { latencies: [], scripts: [] };
    const flows = Math.min(options.flows, n);
    let failed = 0;
    const fail = (err: unknown) => {
      failed += 1;
      if (errors.length < 10) errors.push(`N=${n}: ${(err as Error).message}`);
    };
    try {
      // The chat: every turn of every flow, timed. Flows spread over the whole directory.
      const pages: PendingPage[] = [];
      let registered = 0;
      const chatStarted = performance.now();
      const cpuBefore = await cpuMs(server.child.pid!);
      const dbCpuBefore = await postgres?.cpuMs();
      await pool(
        Array.from({ length: flows }, (_, k) => k),
        options.users,
        async (k) => {
          try {
            const page = await runFlowChat(flowKind(k), Math.floor((k * n) / flows), http, outbox, log);
            if (page) pages.push(page);
            else registered += 1;
          } catch (err) {
            fail(err);
          }
        },
      );
      const chatMs = performance.now() - chatStarted;
      const chatCpuMs = (await cpuMs(server.child.pid!)) - cpuBefore;
      const dbCpuAfter = database ? await postgres!.cpuMs() : undefined;
      const dbCpuMs = dbCpuAfter !== undefined && dbCpuBefore !== undefined ? dbCpuAfter - dbCpuBefore : undefined;
      const chatRssMb = await peakRssMb(server.child.pid!);

      // The PIN pages the reset flows ended with: GET, then the POST that sets the PIN (scrypt).
      let pinsSet = 0;
      const pagesStarted = performance.now();
      await pool(pages, options.users, async (page) => {
        try {
          await setPinOnPage(page, http);
          pinsSet += 1;
        } catch (err) {
          fail(err);
        }
      });
      const pagesMs = performance.now() - pagesStarted;
      const rssMb = await peakRssMb(server.child.pid!);
      return {
        n,
        store,
        seedMs,
        startMs: server.startMs,
        flows,
        flowsCompleted: registered + pinsSet,
        turns: log.latencies.length,
        chatMs,
        latencies: log.latencies.sort((a, b) => a - b),
        pages: pinsSet,
        pagesMs,
        rssMb,
        chatRssMb,
        chatCpuMs,
        ...(dbCpuMs !== undefined ? { dbCpuMs } : {}),
        errors: failed,
        scripts: log.scripts,
      };
    } finally {
      http.close();
      await outbox.close();
      await stop(server.child);
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
    await database?.drop();
  }
}

interface BaselineResult {
  turns: number;
  ms: number;
  cpuMs: number;
  latencies: number[];
  errors: number;
}

/** Sends a baseline bot the very turns the bot got (same texts, same conversations' order, same concurrency). */
async function runBaseline(which: Baseline, scripts: string[][], options: BenchOptions, errors: string[]): Promise<BaselineResult> {
  const port = await freePort();
  const echo = await startProcess(command(options.runtime, which), { PATH: process.env['PATH'], NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1' }, port);
  const http = new HttpClient(echo.baseUrl, options.users);
  const log: TurnLog = { latencies: [], scripts: [] };
  let failed = 0;
  try {
    const started = performance.now();
    const cpuBefore = await cpuMs(echo.child.pid!);
    await pool(scripts, options.users, async (script) => {
      const chat = new Conversation(http, log);
      try {
        for (const text of script) await chat.expect(text, /You said/);
      } catch (err) {
        failed += 1;
        if (errors.length < 10) errors.push(`${which}: ${(err as Error).message}`);
      }
    });
    const ms = performance.now() - started;
    return { turns: log.latencies.length, ms, cpuMs: (await cpuMs(echo.child.pid!)) - cpuBefore, latencies: log.latencies.sort((a, b) => a - b), errors: failed };
  } finally {
    http.close();
    await stop(echo.child);
  }
}

const round = (x: number, digits = 2) => Number.isFinite(x) ? Number(x.toFixed(digits)) : 0;

export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const errors: string[] = [];
  const results: SizeResult[] = [];
  let lowdbLarge: SizeResult | undefined;
  const postgres = options.store === 'postgres' ? await BenchPostgres.open(options.progress ?? (() => {})) : undefined;
  try {
    for (const n of options.sizes) results.push(await runSize(n, options, errors, options.store, postgres));
    // The same bench on the embedded store, in the same run, for ratio_store_100k.
    if (postgres) lowdbLarge = await runSize(options.sizes[options.sizes.length - 1]!, options, errors, 'lowdb');
  } finally {
    postgres?.close();
  }
  const small = results[0]!;
  const large = results[results.length - 1]!;
  options.progress?.(`echo baseline: the same ${large.turns} turns, ${options.users} users…`);
  const echo = await runBaseline('echo', large.scripts, options, errors);
  options.progress?.(`dialog-stack baseline: the same ${large.turns} turns, ${options.users} users…`);
  const floor = await runBaseline('dialog-echo', large.scripts, options, errors);

  const tps = (r: { turns: number; chatMs?: number; ms?: number }) => r.turns / (((r.chatMs ?? r.ms)!) / 1000);
  const echoTps = tps(echo);
  const floorTps = tps(floor);
  const json: BenchReport['json'] = {
    store: options.store,
    ...(options.store === 'postgres' ? { db_pool_size: options.poolSize } : {}),
    echo_tps: round(echoTps, 1),
    floor_tps: round(floorTps, 1),
    bot_tps_1k: round(tps(small), 1),
    bot_tps_100k: round(tps(large), 1),
    ratio_100k: round(tps(large) / echoTps, 3),
    ratio_floor_100k: round(tps(large) / floorTps, 3),
    ...(lowdbLarge ? { ratio_store_100k: round(tps(large) / tps(lowdbLarge), 3) } : {}),
    p50_ms_1k: round(percentile(small.latencies, 50)),
    p99_ms_1k: round(percentile(small.latencies, 99)),
    p50_ms_100k: round(percentile(large.latencies, 50)),
    p99_ms_100k: round(percentile(large.latencies, 99)),
    growth_p50: round(percentile(large.latencies, 50) / percentile(small.latencies, 50), 3),
    rss_mb_100k: round(large.rssMb, 1),
    start_ms_100k: Math.round(large.startMs),
    cpu_ms_per_turn_100k: round(large.chatCpuMs / large.turns),
    ...(large.dbCpuMs !== undefined ? { db_cpu_ms_per_turn_100k: round(large.dbCpuMs / large.turns) } : {}),
    flows_completed: [...results, ...(lowdbLarge ? [lowdbLarge] : [])].reduce((s, r) => s + r.flowsCompleted, 0),
    errors: [...results, ...(lowdbLarge ? [lowdbLarge] : [])].reduce((s, r) => s + r.errors, 0) + echo.errors + floor.errors,
  };
  return { table: table([...results, ...(lowdbLarge ? [lowdbLarge] : [])], echo, floor, options), json, floorRatio: round(floorTps / echoTps, 3), firstErrors: errors };
}

function table(results: SizeResult[], echo: BaselineResult, floor: BaselineResult, options: BenchOptions): string {
  const fmt = (x: number, digits = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '-');
  const label = (r: SizeResult) => (options.store === 'postgres' ? `${r.store}, N=${fmt(r.n)}` : `bot, N=${fmt(r.n)}`);
  const cols = [...results.map(label), 'echo baseline', 'echo + dialogs'];
  const rows: [string, ...string[]][] = [
    ['accounts seeded (with contacts)', ...results.map((r) => fmt(r.n)), '-', '-'],
    ['seeding (s)', ...results.map((r) => fmt(r.seedMs / 1000, 1)), '-', '-'],
    ['start to /healthz 200 (ms)', ...results.map((r) => fmt(r.startMs)), '-', '-'],
    ['flows completed / run', ...results.map((r) => `${r.flowsCompleted} / ${r.flows}`), '-', '-'],
    ['turns (POST /api/messages)', ...results.map((r) => fmt(r.turns)), fmt(echo.turns), fmt(floor.turns)],
    ['turns per second', ...results.map((r) => fmt(r.turns / (r.chatMs / 1000), 1)), fmt(echo.turns / (echo.ms / 1000), 1), fmt(floor.turns / (floor.ms / 1000), 1)],
    ['server CPU per turn (ms)', ...results.map((r) => fmt(r.chatCpuMs / r.turns, 2)), fmt(echo.cpuMs / echo.turns, 2), fmt(floor.cpuMs / floor.turns, 2)],
    ...(options.store === 'postgres' ? [['PostgreSQL CPU per turn (ms)', ...results.map((r) => (r.dbCpuMs === undefined ? '-' : fmt(r.dbCpuMs / r.turns, 2))), '-', '-'] as [string, ...string[]]] : []),
    ['turn p50 (ms)', ...results.map((r) => fmt(percentile(r.latencies, 50), 1)), fmt(percentile(echo.latencies, 50), 1), fmt(percentile(floor.latencies, 50), 1)],
    ['turn p99 (ms)', ...results.map((r) => fmt(percentile(r.latencies, 99), 1)), fmt(percentile(echo.latencies, 99), 1), fmt(percentile(floor.latencies, 99), 1)],
    ['PIN pages set (GET + POST)', ...results.map((r) => fmt(r.pages)), '-', '-'],
    ['PIN pages per second (scrypt)', ...results.map((r) => fmt(r.pages / (r.pagesMs / 1000), 1)), '-', '-'],
    ['server peak RSS after the chat (MB)', ...results.map((r) => fmt(r.chatRssMb)), '-', '-'],
    ['server peak RSS, whole run (MB)', ...results.map((r) => fmt(r.rssMb)), '-', '-'],
    ['errors', ...results.map((r) => fmt(r.errors)), '-', '-'],
  ];
  const header: [string, ...string[]] = [`${options.users} users, mix 70% SMS reset / 20% email reset / 10% registration`, ...cols];
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((row) => (row[c] ?? '').length)));
  const line = (row: string[]) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function targets(json: BenchReport['json'], flowsPlanned: number): string {
  const checks: [string, boolean][] =
    json.store === 'postgres'
      ? [
          [`ratio_store_100k ${json.ratio_store_100k} >= 0.7`, (json.ratio_store_100k ?? 0) >= 0.7],
          [`growth_p50 ${json.growth_p50} <= 1.25`, json.growth_p50 <= 1.25],
          [`errors ${json.errors} = 0`, json.errors === 0],
          [`flows completed ${json.flows_completed} of ${flowsPlanned}`, json.flows_completed === flowsPlanned],
        ]
      : [
          [`ratio_100k ${json.ratio_100k} >= 0.5`, json.ratio_100k >= 0.5],
          [`growth_p50 ${json.growth_p50} <= 1.25`, json.growth_p50 <= 1.25],
          [`rss_mb_100k ${json.rss_mb_100k} <= 400`, json.rss_mb_100k <= 400],
          [`start_ms_100k ${json.start_ms_100k} <= 2000`, json.start_ms_100k <= 2000],
          [`errors ${json.errors} = 0`, json.errors === 0],
          [`flows completed ${json.flows_completed} of ${flowsPlanned}`, json.flows_completed === flowsPlanned],
        ];
  return checks.map(([what, ok]) => `${ok ? 'ok  ' : 'MISS'} ${what}`).join('\n');
}

function intFrom(name: string, fallback: number): number {
  const v = process.env[name];
  return v ? Number.parseInt(v, 10) : fallback;
}

async function main(): Promise<void> {
  const sizes = (process.env['BENCH_SIZES'] ?? '1000,100000').split(',').map((s) => Number.parseInt(s, 10));
  const options: BenchOptions = {
    sizes,
    users: intFrom('BENCH_USERS', 50),
    flows: intFrom('BENCH_FLOWS', 600),
    runtime: process.env['BENCH_RUNTIME'] === 'tsx' ? 'tsx' : 'dist',
    store: process.env['BENCH_STORE'] === 'postgres' ? 'postgres' : 'lowdb',
    poolSize: intFrom('DATABASE_POOL_SIZE', intFrom('BENCH_USERS', 50)),
    progress: (line) => process.stderr.write(`${line}\n`),
  };
  const started = performance.now();
  const report = await runBench(options);
  const planned = sizes.reduce((s, n) => s + Math.min(options.flows, n), 0) + (options.store === 'postgres' ? Math.min(options.flows, sizes[sizes.length - 1]!) : 0);
  const out = [
    '',
    report.table,
    '',
    targets(report.json, planned),
    `note: echo + dialogs alone (no store, no domain) reaches ${report.floorRatio} of the echo: an upper bound on ratio_100k for a bot using botbuilder-dialogs this way; the bot reaches ${report.json.ratio_floor_100k} of it (ratio_floor_100k)`,
    ...report.firstErrors.map((e) => `error: ${e}`),
    `(whole bench: ${((performance.now() - started) / 1000).toFixed(0)} s)`,
    JSON.stringify(report.json),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

if (process.argv[1] && /bench[/\\]run\.[jt]s$/.test(process.argv[1])) {
  main().catch((err: unknown) => {
    process.stderr.write(`bench failed: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  });
}
