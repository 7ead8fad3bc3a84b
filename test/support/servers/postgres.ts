/**
 * A throwaway PostgreSQL 15 from Debian's `postgresql` package, as the tests and the bench use it:
 * initdb (as the postgres user: initdb refuses root) into a temp folder, pg_ctl start on a free port
 * (127.0.0.1 only) with its socket in that folder; password authentication over TCP. `postgresServer()` is the one shared by
 * every test file of a jest run (./shared.ts); each test makes its own database with
 * `createDatabase`. `startPostgres()` starts a private one, for tests that stop or restart it.
 *
 * Before a shared server stops, every database in it is dumped as text into the run root, so the
 * end-of-run secret scan (../secretScan.ts) reads what the bot stored in PostgreSQL too.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { freePort } from '../freePort.js';
import { runRoot } from '../secrets.js';
import { serverTempDir, sharedServer, stopServer, type SharedServer } from './shared.js';

const BIN = '/usr/lib/postgresql/15/bin';
const USER = 'postgres';

export interface PostgresServer extends SharedServer {
  host: string;
  port: number;
  user: string;
  password: string;
  /** The server's folder: data/, the socket, the log. */
  dir: string;
}

const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

function asPostgres(args: string[], options: { timeout?: number } = {}): string {
  const r = spawnSync('runuser', ['-u', USER, '--', ...args], { encoding: 'utf8', timeout: options.timeout ?? 60_000 });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status ?? r.signal}): ${(r.stderr || r.stdout || r.error?.message || '').trim()}`);
  return r.stdout;
}

/**
 * Starts a new PostgreSQL server of its own (about 8 s); the caller stops it with stopPostgres.
 * `settings`: postgresql.conf lines added after the tests' own (a later line wins).
 */
export async function startPostgres(name = 'postgres', settings: readonly string[] = []): Promise<PostgresServer> {
  if (!existsSync(join(BIN, 'initdb'))) {
    throw new Error(`PostgreSQL 15 is not installed (${BIN}/initdb is missing). Install Debian's package: apt-get install postgresql`);
  }
  const dir = serverTempDir(name);
  const uid = Number(execFileSync('id', ['-u', USER], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', USER], { encoding: 'utf8' }).trim());
  chownSync(dir, uid, gid);
  const password = randomBytes(18).toString('base64url');
  const pwfile = join(dir, 'pwfile');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  chownSync(pwfile, uid, gid);
  const data = join(dir, 'data');
  asPostgres([join(BIN, 'initdb'), '-D', data, '-U', USER, '--auth-local=peer', '--auth-host=scram-sha-256', `--pwfile=${pwfile}`, '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8']);
  // Over the Unix socket, the postgres user and root (the tests) are let in by their OS user.
  const hba = join(data, 'pg_hba.conf');
  writeFileSync(hba, readFileSync(hba, 'utf8').replace(/^(local\s+all\s+all\s+)peer\s*$/m, '$1peer map=prb'));
  appendFileSync(join(data, 'pg_ident.conf'), `\nprb postgres postgres\nprb root postgres\n`);
  const port = await freePort();
  // In the server's own configuration, so that a restart (pgStart, restartPostgres) comes back on the same port.
  appendFileSync(join(data, 'postgresql.conf'), `\nport = ${port}\nunix_socket_directories = '${dir}'\nlisten_addresses = '127.0.0.1'\nmax_connections = 300\nshared_buffers = 32MB\n${settings.map((line) => `${line}\n`).join('')}`);
  asPostgres([join(BIN, 'pg_ctl'), '-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start'], { timeout: 90_000 });
  const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const stop = `runuser -u ${USER} -- ${BIN}/pg_ctl -D ${quote(data)} -m fast -w -t 30 stop`;
  return { host: '127.0.0.1', port, user: USER, password, dir, pids: [pid], stopCommand: ['sh', '-c', stop], stopTimeoutMs: 60_000 };
}

/** The PostgreSQL server shared by the test files of this jest run. */
export function postgresServer(): Promise<PostgresServer> {
  return sharedServer('postgres', async () => {
    // Statement counts (pg_stat_statements) for a database that creates the extension: the bench's smoke test.
    const server = await startPostgres('postgres', ["shared_preload_libraries = 'pg_stat_statements'"]);
    const root = runRoot();
    if (root) {
      // Dumped before the stop, into the run root, so that the secret scan covers the databases.
      const dumps = join(root, 'postgres-dump');
      mkdirSync(dumps, { recursive: true });
      server.stopCommand = ['sh', '-c', `${dumpAllCommand(server, join(dumps, 'all.sql'))}; ${server.stopCommand![2]}`];
    }
    return server;
  });
}

/** A shell command that writes every database of `server`, as SQL text, to `file`. */
export function dumpAllCommand(server: PostgresServer, file: string): string {
  return `runuser -u ${USER} -- ${BIN}/pg_dumpall -h ${quote(server.dir)} -p ${server.port} --data-only > ${quote(file)} 2>/dev/null`;
}

/** Stops a server from startPostgres (and deletes its folder). */
export function stopPostgres(server: PostgresServer): void {
  stopServer(server);
}

/** pg_ctl stop (fast: open connections are cut) and start again on the same port and data; returns once it accepts connections. */
export function restartPostgres(server: PostgresServer): void {
  // Not `pg_ctl restart`: it forgets -l, and a server writing to our pipe would keep spawnSync waiting.
  pgStop(server);
  pgStart(server);
}

/** pg_ctl stop (fast), leaving the data for pgStart. */
export function pgStop(server: PostgresServer): void {
  asPostgres([join(BIN, 'pg_ctl'), '-D', join(server.dir, 'data'), '-m', 'fast', '-w', '-t', '60', 'stop'], { timeout: 90_000 });
}

export function pgStart(server: PostgresServer): void {
  const log = join(server.dir, 'server.log');
  try {
    asPostgres([join(BIN, 'pg_ctl'), '-D', join(server.dir, 'data'), '-l', log, '-w', '-t', '60', 'start'], { timeout: 90_000 });
  } catch (err) {
    const tail = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').slice(-5).join('\n') : '';
    throw new Error(`${(err as Error).message}\nserver log:\n${tail}`);
  }
  server.pids = [Number(readFileSync(join(server.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0])];
}

export function databaseUrl(server: PostgresServer, database: string): string {
  return `postgres://${server.user}:${encodeURIComponent(server.password)}@${server.host}:${server.port}/${database}`;
}

/** The same, over the server's Unix socket (as a bot on the database's own host connects). */
export function socketDatabaseUrl(server: PostgresServer, database: string): string {
  return `postgres://${server.user}@localhost:${server.port}/${database}?host=${encodeURIComponent(server.dir)}`;
}

/** A new, empty database on `server` for one test or file; resolves with its DATABASE_URL. */
export async function createDatabase(server: PostgresServer, prefix = 'prb'): Promise<string> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: databaseUrl(server, 'postgres') });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return databaseUrl(server, name);
}

/** Runs one statement as the server's superuser on the database of `url` (for tests that look inside). */
export async function sql<R extends pg.QueryResultRow = pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}
