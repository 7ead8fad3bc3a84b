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
import { settings } from '../src/config/schema.js';

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
  /**
   * BENCH_ROUNDS (postgres mode): pairs of runs at the largest N, PostgreSQL and lowdb, whose
   * ratios' median is ratio_store_100k. The first pair is the full run; later ones time the chat
   * only, in alternating order, so that a VM that speeds up or slows down weighs on both stores.
   */
  rounds: number;
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
  /** Statements PostgreSQL ran for the bot during the chat (pg_stat_statements), where it can tell. */
  dbStatements?: number;
  /** The load generator's own CPU time during the chat (this process: it shares the machine). */
  driverCpuMs: number;
  /** How busy the machine's cores were during the chat, 0 to 1 (all processes, /proc/stat). */
  machineBusy: number;
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
    /** postgres mode: the PostgreSQL bot's bot_tps_100k over the lowdb bot's, measured in the same run (the median over BENCH_ROUNDS pairs). */
    ratio_store_100k?: number;
    /** postgres mode with BENCH_ROUNDS > 1: each pair's ratio, in the order run. */
    ratio_store_rounds?: number[];
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
    /** postgres mode: statements PostgreSQL ran per chat turn at the largest N (round trips, BEGIN and COMMIT included). */
    db_statements_per_turn_100k?: number;
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
 * database of its own, dropped after. The bot's pool is the default DATABASE_POOL_SIZE (10) unless
 * the run sets its own: fewer connections than simulated users, as measured faster (README, Performance).
 */
class BenchPostgres {
  private constructor(private readonly adminUrl: string, private readonly server?: PostgresServer) {}

  static async open(progress: (line: string) => void): Promise<BenchPostgres> {
    const given = process.env['DATABASE_URL'];
    if (given) return new BenchPostgres(given);
    progress('starting a throwaway PostgreSQL 15…');
    // PostgreSQL's default buffers (the tests run several servers and give each less), and its
    // statement counter, so that the bench can say how many round trips a turn takes.
    const server = await startPostgres('bench', ['shared_buffers = 128MB', "shared_preload_libraries = 'pg_stat_statements'", 'pg_stat_statements.track = top']);
    // On the bot's own host, as a deployment on one machine would connect: over the Unix socket.
    const bench = new BenchPostgres(socketDatabaseUrl(server, 'postgres'), server);
    await bench.admin('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    return bench;
  }

  /**
   * How many statements PostgreSQL has run in `database` so far (pg_stat_statements, counted as each
   * ends); undefined where the extension is not there (a DATABASE_URL given to the bench).
   */
  async statements(database: string): Promise<number | undefined> {
    const rows = await this.admin<{ calls: string | null }>('SELECT sum(calls)::text AS calls FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = $1)', [database]).catch(() => undefined);
    return rows && Number(rows[0]?.calls ?? 0);
  }

  /** One statement on a connection of its own to the server's admin database. */
  async admin<R extends pg.QueryResultRow = pg.QueryResultRow>(statement: string, values: unknown[] = []): Promise<R[]> {
    const client = new pg.Client({ connectionString: this.adminUrl });
    await client.connect();
    try {
      return (await client.query<R>(statement, values)).rows;
    } finally {
      await client.end();
    }
  }

  async create(n: number): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
    const name = `pin_reset_bench_${n}_${randomBytes(4).toString('hex')}`;
    await this.admin(`CREATE DATABASE ${name}`);
    const url = new URL(this.adminUrl);
    url.pathname = `/${name}`;
    return { url: url.toString(), name, drop: async () => void (await this.admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)) };
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

  /** What PostgreSQL ran most in `database` so far: each statement's text and how many times (pg_stat_statements), for BENCH_STATEMENTS. */
  async topStatements(database: string, limit: number): Promise<{ query: string; calls: number }[]> {
    const rows = await this.admin<{ query: string; calls: string }>(
      'SELECT s.query, s.calls::text AS calls FROM pg_stat_statements s WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = $1) ORDER BY s.calls DESC LIMIT $2',
      [database, limit],
    ).catch(() => []);
    return rows.map((r) => ({ query: r.query, calls: Number(r.calls) }));
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

/** The machine's CPU time so far, all cores (Linux /proc/stat, in clock ticks): busy, and in all (idle and iowait included). */
async function machineTicks(): Promise<{ busy: number; total: number }> {
  const line = (await readFile('/proc/stat', 'utf8').catch(() => '')).split('\n')[0] ?? '';
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  const busy = [user, nice, system, irq, softirq, steal].reduce((a: number, b) => a + (b ?? 0), 0);
  return { busy, total: busy + (idle ?? 0) + (iowait ?? 0) };
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

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function runSize(n: number, options: BenchOptions, errors: string[], store: StoreKind, postgres?: BenchPostgres, { pages: setPins = true }: { pages?: boolean } = {}): Promise<SizeResult> {
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
      const statementsBefore = database ? await postgres!.statements(database.name) : undefined;
      const chatStarted = performance.now();
      const cpuBefore = await cpuMs(server.child.pid!);
      const dbCpuBefore = await postgres?.cpuMs();
      const driverBefore = process.cpuUsage();
      const machineBefore = await machineTicks();
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
      const machineAfter = await machineTicks();
      const driver = process.cpuUsage(driverBefore);
      const chatCpuMs = (await cpuMs(server.child.pid!)) - cpuBefore;
      const dbCpuAfter = database ? await postgres!.cpuMs() : undefined;
      const dbCpuMs = dbCpuAfter !== undefined && dbCpuBefore !== undefined ? dbCpuAfter - dbCpuBefore : undefined;
      const statementsAfter = database ? await postgres!.statements(database.name) : undefined;
      const dbStatements = statementsAfter !== undefined && statementsBefore !== undefined ? statementsAfter - statementsBefore : undefined;
      // BENCH_STATEMENTS=1: which statements a turn makes, most frequent first (counted from the start; those under 1 in 200 turns left out).
      if (database && process.env['BENCH_STATEMENTS']) {
        const turns = log.latencies.length;
        for (const { query, calls } of await postgres!.topStatements(database.name, 40)) if (calls * 200 >= turns) say(`${(calls / turns).toFixed(3).padStart(7)} per turn  ${query.replace(/\s+/g, ' ').slice(0, 160)}`);
      }
      const chatRssMb = await peakRssMb(server.child.pid!);

      // The PIN pages the reset flows ended with: GET, then the POST that sets the PIN (scrypt).
      let pinsSet = 0;
      const pagesStarted = performance.now();
      await pool(setPins ? pages : [], options.users, async (page) => {
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
        // Without the pages, a reset flow is complete when the chat gave its link.
        flowsCompleted: registered + (setPins ? pinsSet : pages.length),
        turns: log.latencies.length,
        chatMs,
        latencies: log.latencies.sort((a, b) => a - b),
        pages: pinsSet,
        pagesMs,
        rssMb,
        chatRssMb,
        chatCpuMs,
        ...(dbCpuMs !== undefined ? { dbCpuMs } : {}),
        ...(dbStatements !== undefined ? { dbStatements } : {}),
        driverCpuMs: (driver.user + driver.system) / 1000,
        machineBusy: machineAfter.total > machineBefore.total ? (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total) : NaN,
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
  const extraRounds: { postgres: SizeResult; lowdb: SizeResult }[] = [];
  const postgres = options.store === 'postgres' ? await BenchPostgres.open(options.progress ?? (() => {})) : undefined;
  try {
    for (const n of options.sizes) results.push(await runSize(n, options, errors, options.store, postgres));
    // The same bench on the embedded store, in the same run, for ratio_store_100k.
    const largest = options.sizes[options.sizes.length - 1]!;
    if (postgres) lowdbLarge = await runSize(largest, options, errors, 'lowdb');
    for (let round = 2; postgres && round <= options.rounds; round++) {
      const order: StoreKind[] = round % 2 === 0 ? ['lowdb', 'postgres'] : ['postgres', 'lowdb'];
      const pair: Partial<Record<StoreKind, SizeResult>> = {};
      for (const store of order) {
        options.progress?.(`round ${round} of ${options.rounds}:`);
        pair[store] = await runSize(largest, options, errors, store, store === 'postgres' ? postgres : undefined, { pages: false });
      }
      extraRounds.push({ postgres: pair.postgres!, lowdb: pair.lowdb! });
    }
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
  const storeRatios = lowdbLarge ? [tps(large) / tps(lowdbLarge), ...extraRounds.map((r) => tps(r.postgres) / tps(r.lowdb))] : [];
  const everyRun = [...results, ...(lowdbLarge ? [lowdbLarge] : []), ...extraRounds.flatMap((r) => [r.postgres, r.lowdb])];
  const json: BenchReport['json'] = {
    store: options.store,
    ...(options.store === 'postgres' ? { db_pool_size: options.poolSize } : {}),
    echo_tps: round(echoTps, 1),
    floor_tps: round(floorTps, 1),
    bot_tps_1k: round(tps(small), 1),
    bot_tps_100k: round(tps(large), 1),
    ratio_100k: round(tps(large) / echoTps, 3),
    ratio_floor_100k: round(tps(large) / floorTps, 3),
    ...(lowdbLarge ? { ratio_store_100k: round(median(storeRatios), 3) } : {}),
    ...(storeRatios.length > 1 ? { ratio_store_rounds: storeRatios.map((r) => round(r, 3)) } : {}),
    p50_ms_1k: round(percentile(small.latencies, 50)),
    p99_ms_1k: round(percentile(small.latencies, 99)),
    p50_ms_100k: round(percentile(large.latencies, 50)),
    p99_ms_100k: round(percentile(large.latencies, 99)),
    growth_p50: round(percentile(large.latencies, 50) / percentile(small.latencies, 50), 3),
    rss_mb_100k: round(large.rssMb, 1),
    start_ms_100k: Math.round(large.startMs),
    cpu_ms_per_turn_100k: round(large.chatCpuMs / large.turns),
    ...(large.dbCpuMs !== undefined ? { db_cpu_ms_per_turn_100k: round(large.dbCpuMs / large.turns) } : {}),
    ...(large.dbStatements !== undefined ? { db_statements_per_turn_100k: round(large.dbStatements / large.turns) } : {}),
    flows_completed: everyRun.reduce((s, r) => s + r.flowsCompleted, 0),
    errors: everyRun.reduce((s, r) => s + r.errors, 0) + echo.errors + floor.errors,
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
    ...(options.store === 'postgres'
      ? ([
          ['PostgreSQL CPU per turn (ms)', ...results.map((r) => (r.dbCpuMs === undefined ? '-' : fmt(r.dbCpuMs / r.turns, 2))), '-', '-'],
          ['PostgreSQL statements per turn', ...results.map((r) => (r.dbStatements === undefined ? '-' : fmt(r.dbStatements / r.turns, 2))), '-', '-'],
        ] as [string, ...string[]][])
      : []),
    ['load generator CPU per turn (ms)', ...results.map((r) => fmt(r.driverCpuMs / r.turns, 2)), '-', '-'],
    ['machine CPU busy during the chat (%)', ...results.map((r) => fmt(r.machineBusy * 100)), '-', '-'],
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
  const store = process.env['BENCH_STORE'] === 'postgres' ? 'postgres' : 'lowdb';
  const options: BenchOptions = {
    sizes,
    users: intFrom('BENCH_USERS', 50),
    flows: intFrom('BENCH_FLOWS', 600),
    runtime: process.env['BENCH_RUNTIME'] === 'tsx' ? 'tsx' : 'dist',
    store,
    // The pool an operator gets by default, unless the run sets its own.
    poolSize: intFrom('DATABASE_POOL_SIZE', settings.DATABASE_POOL_SIZE.schema.parse(undefined)),
    // Five pairs by default on PostgreSQL: one pair's ratio swings by 0.1 either way on a shared VM.
    rounds: Math.max(1, intFrom('BENCH_ROUNDS', store === 'postgres' ? 5 : 1)),
    progress: (line) => process.stderr.write(`${line}\n`),
  };
  const started = performance.now();
  const report = await runBench(options);
  const atLargest = Math.min(options.flows, sizes[sizes.length - 1]!);
  const planned = sizes.reduce((s, n) => s + Math.min(options.flows, n), 0) + (options.store === 'postgres' ? atLargest * (1 + 2 * (options.rounds - 1)) : 0);
  const out = [
    '',
    report.table,
    '',
    targets(report.json, planned),
    ...(report.json.ratio_store_rounds ? [`ratio_store_100k by round: ${report.json.ratio_store_rounds.join(', ')} (median ${report.json.ratio_store_100k})`] : []),
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
