import pg from 'pg';
import { StoreUnavailableError } from '../../../ports/store.js';
import { StoreError } from '../errors.js';

export interface DatabaseOptions {
  /** DATABASE_URL, as libpq writes it. */
  url: string;
  /** DATABASE_POOL_SIZE. */
  poolSize: number;
  /** How long to wait for a connection before the database counts as unreachable. */
  connectTimeoutMs?: number;
  onWarning?: (message: string) => void;
}

/** Advisory locks of this application live in their own namespace (the first key of the two-key form). */
export const LOCK_NAMESPACE = 0x50524200; // "PRB\0"

/**
 * The connection pool to PostgreSQL and what every query needs from it: errors sorted into
 * "unreachable now" (StoreUnavailableError: try again later) and the rest, times as milliseconds
 * since the epoch like the rest of the code, commits that are durable when they return.
 */
export class Database {
  readonly pool: pg.Pool;
  /** Where the database is, for messages: host, port and database name, never the password. */
  readonly where: string;

  private constructor(options: DatabaseOptions) {
    const { connectionString, where } = connectionConfig(options.url);
    this.where = where;
    this.pool = new pg.Pool({
      connectionString,
      max: options.poolSize,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      idleTimeoutMillis: 30_000,
      application_name: 'pin-reset-bot',
      types: { getTypeParser },
    });
    // A connection that breaks while idle (the server restarted) is dropped from the pool; the next query opens a new one.
    this.pool.on('error', (err) => options.onWarning?.(`${this.where}: an idle connection failed (${err.message}); it is replaced on next use.`));
  }

  /** Connects and checks that the database answers; a database that cannot be reached at start is a StoreError naming it. */
  static async connect(options: DatabaseOptions): Promise<Database> {
    let db: Database;
    try {
      db = new Database(options);
    } catch (err) {
      throw new StoreError(`DATABASE_URL cannot be used: ${(err as Error).message}. Check its form: postgres://user:password@host:5432/database?sslmode=require`);
    }
    try {
      await db.pool.query('SELECT 1');
    } catch (err) {
      await db.pool.end().catch(() => undefined);
      throw new StoreError(`Cannot connect to ${db.where}: ${describe(err)}. Check DATABASE_URL and that the database is running and reachable; nothing was changed.`);
    }
    return db;
  }

  /** One statement, on any pooled connection. `name` prepares it once per connection (for statements on a turn's path). */
  async query<R extends unknown[] = unknown[]>(text: string, values: unknown[] = [], name?: string): Promise<{ rows: R[]; rowCount: number }> {
    try {
      const result = await this.pool.query<R>({ text, values, rowMode: 'array', ...(name ? { name } : {}) });
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    } catch (err) {
      throw this.translate(err);
    }
  }

  /** Runs `work` on one connection held from BEGIN to COMMIT (ROLLBACK if it throws). */
  async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.withClient(async (client) => {
      await client.query('BEGIN');
      try {
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  /** Runs `work` on one connection of its own (advisory locks, transactions). */
  async withClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw this.translate(err);
    }
    let broken: Error | undefined;
    try {
      return await work(client);
    } catch (err) {
      if (isConnectionProblem(err)) broken = err as Error;
      throw this.translate(err);
    } finally {
      client.release(broken);
    }
  }

  /** A driver error as the store reports it: unreachable (try later) or, otherwise, the error itself. */
  translate(err: unknown): unknown {
    if (err instanceof StoreUnavailableError || err instanceof StoreError) return err;
    if (isConnectionProblem(err)) return new StoreUnavailableError(`${this.where} is not reachable: ${describe(err)}`, { cause: err });
    return err;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** SQLSTATE classes and codes that mean the server cannot serve us now, not that the query is wrong. */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '25006']);
const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED']);

export function isConnectionProblem(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (UNAVAILABLE_ERRNOS.has(code) || UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08')) return true;
  const message = typeof e?.message === 'string' ? e.message : '';
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended|the database system is (starting up|shutting down|in recovery mode)|terminating connection/i.test(message);
}

/** A driver error in words, without the connection string. */
function describe(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown; errors?: unknown[] };
  // Node reports a refused connection to several addresses (IPv4 and IPv6) as an AggregateError with an empty message.
  const message = typeof e?.message === 'string' && e.message ? e.message : Array.isArray(e?.errors) ? e.errors.map((x) => (x as Error).message).join('; ') : String(err);
  const code = typeof e?.code === 'string' && !message.includes(e.code) ? ` (${e.code})` : '';
  return `${message}${code}`;
}

/**
 * DATABASE_URL as node-postgres takes it, with `sslmode` meaning what it means to libpq (require:
 * encrypted, certificate not checked; verify-ca / verify-full: checked), and the session settings
 * every connection needs: each commit waits for its WAL flush whatever the server's default (a user
 * told "saved" is saved), and times come back in UTC.
 */
function connectionConfig(url: string): { connectionString: string; where: string } {
  const parsed = new URL(url);
  const params = parsed.searchParams;
  if (params.has('sslmode') && !params.has('uselibpqcompat')) params.set('uselibpqcompat', 'true');
  params.set('options', `${params.get('options') ?? ''} -c synchronous_commit=on -c TimeZone=UTC`.trim());
  const host = decodeURIComponent(parsed.hostname.replace(/^\[(.*)\]$/, '$1')) || params.get('host') || 'localhost';
  const database = decodeURIComponent(parsed.pathname.slice(1)) || decodeURIComponent(parsed.username) || '';
  return { connectionString: parsed.toString(), where: `PostgreSQL at ${host}:${parsed.port || 5432}/${database}` };
}

const TIMESTAMPTZ = 1184;
const TIMESTAMPTZ_ARRAY = 1185;
const INT8 = 20;

/** timestamptz as milliseconds since the epoch (the session runs in UTC: `2026-09-01 02:00:00.123+00`). */
export function parseTime(text: string): number {
  if (text.endsWith('+00')) return Date.parse(`${text.slice(0, 10)}T${text.slice(11)}:00`);
  return new Date(text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00')).getTime();
}

/** `{"2026-09-01 02:00:00+00",...}`: timestamps hold neither commas nor quotes. */
function parseTimes(text: string): number[] {
  if (text === '{}') return [];
  return text
    .slice(1, -1)
    .split(',')
    .map((t) => parseTime(t.startsWith('"') ? t.slice(1, -1) : t));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function getTypeParser(oid: number, format?: any): any {
  if (oid === TIMESTAMPTZ) return parseTime;
  if (oid === TIMESTAMPTZ_ARRAY) return parseTimes;
  // Counts and versions fit a double exactly.
  if (oid === INT8) return Number;
  return pg.types.getTypeParser(oid, format);
}
