import type pg from 'pg';
import type { AtMost, Decision, ThrottleRecord, ThrottleTable, VersionedTable } from '../../../ports/store.js';
import { StoreError } from '../errors.js';
import type { Database } from './database.js';

/** How a field is kept: `time` is a timestamptz (milliseconds in the record), `times` a timestamptz[], `texts` a text[], `json` a jsonb. */
export type ColumnType = 'text' | 'texts' | 'int' | 'bool' | 'time' | 'times' | 'json';

/** A field kept in one column, or an object field kept in several (each part a real column). */
export type ColumnSpec =
  | readonly [column: string, type: ColumnType]
  | {
      parts: readonly (readonly [column: string, type: ColumnType])[];
      /** The field's value as the parts' values (in `parts` order). */
      toParts: (value: never) => unknown[];
      /** The parts' values (none NULL) as the field's value. */
      fromParts: (parts: unknown[]) => unknown;
    };

/**
 * A record type's table: one column per field (the compiler insists that every field of the record
 * has one, so a field added to a record cannot be silently dropped here), plus a `version` column
 * that every write increments and compare-and-set updates check.
 */
export interface PgTableSpec<T> {
  /** The SQL table. */
  table: string;
  /** The field that is the primary key. */
  key: keyof T & string;
  columns: { [K in keyof Required<T>]: ColumnSpec };
  /**
   * Lookups for findBy: index name -> the field, and whether it is compared ignoring case (an index
   * on lower(column)); or an SQL expression over the columns, compared with the value (an index on that expression).
   */
  indexes?: Record<string, { field: keyof T & string; foldCase?: boolean } | { sql: string }>;
  /** The field carrying the record's own version, for putIfVersion (BotStateRecord.eTag). */
  version?: keyof T & string;
  /** Remember the last version seen of each record, so that an update need not read it first (small records only). */
  remember?: boolean;
  /**
   * Most updates of a key this instance knows nothing of find no record (a counter's first event):
   * such an update decides on "none" and inserts at once, one round trip instead of two. When a
   * record is there after all (the insert conflicts), or the decision on "none" writes nothing,
   * deletes, or throws, it is decided again on the record read from the table.
   */
  absentFirst?: boolean;
}

const MAX_REMEMBERED = 10_000;
const MAX_ATTEMPTS = 20;
/** Compare-and-set attempts before an update falls back to locking the row (four round trips with the lock held). */
const OPTIMISTIC_ATTEMPTS = 4;

/**
 * A table of the store in PostgreSQL. `update` is an optimistic compare-and-set on the version
 * column: read (or take the version this instance last saw), decide, then UPDATE ... WHERE version =
 * the one decided on; when another instance wrote first, nothing is written and it decides again on
 * the newer record (after several such conflicts, with the row locked from read to commit). A decision
 * to change nothing taken on a remembered record is checked on a fresh read before it is answered.
 */
export class PgTable<T> implements VersionedTable<T> {
  private readonly fields: (keyof T & string)[];
  /** Per field: where its columns start in a row, and its spec. */
  private readonly layout: { field: string; at: number; spec: ColumnSpec }[];
  /** Every physical column, in row order. */
  private readonly columns: (readonly [string, ColumnType])[];
  private readonly select: string;
  private readonly keyColumn: string;
  /** key -> [version, the record as JSON] last read or written by this instance; [0, ''] when it found none. */
  private readonly seen = new Map<string, [number, string]>();

  constructor(private readonly db: Database, private readonly spec: PgTableSpec<T>) {
    this.fields = Object.keys(spec.columns) as (keyof T & string)[];
    this.columns = [];
    this.layout = this.fields.map((field) => {
      const column: ColumnSpec = spec.columns[field];
      const at = this.columns.length;
      this.columns.push(...('parts' in column ? column.parts : [column]));
      return { field, at, spec: column };
    });
    const names = this.columns.map(([c]) => c);
    this.keyColumn = simpleColumn(spec.columns[spec.key])[0];
    this.select = `SELECT ${names.join(', ')}, version FROM ${spec.table}`;
    const placeholders = names.map((_, i) => `$${i + 1}`).join(', ');
    const assignments = names.filter((c) => c !== this.keyColumn).map((c) => `${c} = EXCLUDED.${c}`).join(', ');
    const into = `INSERT INTO ${spec.table} AS t (${names.join(', ')}, version) VALUES (${placeholders}, 1)`;
    this.insertSql = `${into} ON CONFLICT (${this.keyColumn}) DO NOTHING RETURNING version`;
    this.putSql = `${into} ON CONFLICT (${this.keyColumn}) DO UPDATE SET ${assignments}, version = t.version + 1 RETURNING version`;
    const sets = names.map((c, i) => `${c} = $${i + 1}`).filter((_, i) => names[i] !== this.keyColumn);
    this.swapSql = `UPDATE ${spec.table} SET ${sets.join(', ')}, version = version + 1 WHERE ${this.keyColumn} = $${names.indexOf(this.keyColumn) + 1} AND version = $${names.length + 1} RETURNING version`;
    this.deleteAtSql = `DELETE FROM ${spec.table} WHERE ${this.keyColumn} = $1 AND version = $2`;
    if (spec.version) {
      const versionColumn = simpleColumn(spec.columns[spec.version])[0];
      this.putIfVersionSql = `${into} ON CONFLICT (${this.keyColumn}) DO UPDATE SET ${assignments}, version = t.version + 1 WHERE t.${versionColumn} = $${names.length + 1} RETURNING version`;
    }
  }

  private readonly insertSql: string;
  private readonly putSql: string;
  private readonly swapSql: string;
  private readonly deleteAtSql: string;
  private readonly putIfVersionSql: string = '';

  private name(what: string): string {
    return `prb.${this.spec.table}.${what}`;
  }

  async get(key: string): Promise<T | undefined> {
    return (await this.read(key))?.record;
  }

  async getMany(keys: readonly string[]): Promise<(T | undefined)[]> {
    if (keys.length === 0) return [];
    if (keys.length === 1) return [await this.get(keys[0]!)];
    const { rows } = await this.db.query(`${this.select} WHERE ${this.keyColumn} = ANY($1::text[])`, [keys], this.name('getMany'));
    const keyAt = this.layout.find((l) => l.field === this.spec.key)!.at;
    const found = new Map(rows.map((row) => [row[keyAt] as string, row]));
    return keys.map((key) => {
      const row = found.get(key);
      if (!row) {
        this.rememberAbsent(key);
        return undefined;
      }
      const record = this.toRecord(row);
      this.remember(key, row[this.columns.length] as number, record);
      return record;
    });
  }

  private async read(key: string): Promise<{ record: T; version: number } | undefined> {
    const { rows } = await this.db.query(`${this.select} WHERE ${this.keyColumn} = $1`, [key], this.name('get'));
    const row = rows[0];
    if (!row) {
      this.rememberAbsent(key);
      return undefined;
    }
    const version = row[this.columns.length] as number;
    const record = this.toRecord(row);
    this.remember(key, version, record);
    return { record, version };
  }

  async findBy(index: string, value: string): Promise<T[]> {
    const idx = this.spec.indexes?.[index];
    if (!idx) throw new Error(`No index ${index} on ${this.spec.table}`);
    let where: string;
    if ('sql' in idx) where = `${idx.sql} = $1`;
    else {
      const column = simpleColumn(this.spec.columns[idx.field])[0];
      where = idx.foldCase ? `lower(${column}) = lower($1)` : `${column} = $1`;
    }
    const { rows } = await this.db.query(`${this.select} WHERE ${where}`, [value], this.name(`by.${index}`));
    return rows.map((row) => this.toRecord(row));
  }

  async insert(record: T): Promise<boolean> {
    const { rows } = await this.db.query(this.insertSql, this.params(record), this.name('insert'));
    if (rows[0]) this.remember(this.keyOf(record), rows[0][0] as number, record);
    return rows.length > 0;
  }

  async put(record: T): Promise<void> {
    const { rows } = await this.db.query(this.putSql, this.params(record), this.name('put'));
    this.remember(this.keyOf(record), rows[0]![0] as number, record);
  }

  async delete(key: string): Promise<void> {
    this.seen.delete(key);
    await this.db.query(`DELETE FROM ${this.spec.table} WHERE ${this.keyColumn} = $1`, [key], this.name('delete'));
    this.rememberAbsent(key);
  }

  async update<R>(key: string, decide: (current: T | undefined) => Decision<T, R>): Promise<R> {
    const remembered = this.seen.get(key);
    let known: { record: T | undefined; version: number; fresh: boolean } | undefined = remembered
      ? { record: remembered[0] === 0 ? undefined : (JSON.parse(remembered[1]) as T), version: remembered[0], fresh: false }
      : this.spec.absentFirst
        ? { record: undefined, version: 0, fresh: false }
        : undefined;
    for (let attempt = 1; attempt <= OPTIMISTIC_ATTEMPTS; attempt++) {
      if (!known) {
        const found = await this.read(key);
        known = { record: found?.record, version: found?.version ?? 0, fresh: true };
      }
      let decision: Decision<T, R>;
      try {
        decision = decide(known.record);
      } catch (err) {
        // A decision on a record only guessed (remembered, or taken to be absent) may not hold on the stored one.
        if (known.fresh) throw err;
        known = undefined;
        continue;
      }
      const { next, answer } = decision;
      if (next === undefined || (next === null && known.record === undefined)) {
        // Nothing to write: an answer only on what is stored now.
        if (known.fresh) return answer;
      } else if (await this.write(key, known.record === undefined ? 0 : known.version, next)) {
        return answer;
      }
      // Another instance wrote first (or the remembered record may be old): decide again on what is stored now.
      this.seen.delete(key);
      known = undefined;
      // Writers that keep colliding spread out a little before trying again.
      if (attempt >= 3) await new Promise((r) => setTimeout(r, Math.random() * attempt * 2));
    }
    return this.updateLocked(key, decide);
  }

  /**
   * A contended record: the row is locked (SELECT ... FOR UPDATE) from the read to the commit, so
   * the writers queue on the lock instead of each retrying against all the others.
   */
  private async updateLocked<R>(key: string, decide: (current: T | undefined) => Decision<T, R>): Promise<R> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const outcome = await this.db.transaction(async (client) => {
        const { rows } = await client.query<unknown[]>({ text: `${this.select} WHERE ${this.keyColumn} = $1 FOR UPDATE`, values: [key], rowMode: 'array', name: this.name('getForUpdate') });
        const row = rows[0];
        const current = row ? this.toRecord(row) : undefined;
        const version = row ? (row[this.columns.length] as number) : 0;
        const { next, answer } = decide(current);
        if (next === undefined) return { done: true as const, answer };
        if (next === null) {
          if (row) await client.query({ text: this.deleteAtSql, values: [key, version], name: this.name('deleteAt') });
          this.rememberAbsent(key);
          return { done: true as const, answer };
        }
        if (this.keyOf(next) !== key) throw new StoreError(`${this.spec.table}: an update of ${key} returned a record with another key; not written.`);
        const sql = row ? this.swapSql : this.insertSql;
        const values = row ? [...this.params(next), version] : this.params(next);
        const written = await client.query<unknown[]>({ text: sql, values, rowMode: 'array', name: this.name(row ? 'swap' : 'insert') });
        // Only a missing row can be taken by another writer meanwhile (nothing to lock): then read it again.
        if (!written.rows[0]) return { done: false as const };
        this.remember(key, written.rows[0][0] as number, next);
        return { done: true as const, answer };
      });
      if (outcome.done) return outcome.answer;
    }
    throw new StoreError(`${this.spec.table}/${key}: still changed by other writers after ${MAX_ATTEMPTS} attempts; nothing was written.`);
  }

  /** Writes the decision if the stored version is still `version` (0: no record); false if another write came first. */
  private async write(key: string, version: number, next: T | null): Promise<boolean> {
    if (next === null) {
      if (version === 0) return true;
      const { rowCount } = await this.db.query(this.deleteAtSql, [key, version], this.name('deleteAt'));
      if (rowCount > 0) this.rememberAbsent(key);
      return rowCount > 0;
    }
    if (this.keyOf(next) !== key) throw new StoreError(`${this.spec.table}: an update of ${key} returned a record with another key; not written.`);
    const { rows } =
      version === 0
        ? await this.db.query(this.insertSql, this.params(next), this.name('insert'))
        : await this.db.query(this.swapSql, [...this.params(next), version], this.name('swap'));
    if (!rows[0]) return false;
    this.remember(key, rows[0][0] as number, next);
    return true;
  }

  async putIfVersion(record: T, ifVersion: string): Promise<boolean> {
    if (!this.spec.version) throw new Error(`${this.spec.table} is not a versioned table`);
    const { rows } = await this.db.query(this.putIfVersionSql, [...this.params(record), ifVersion], this.name('putIfVersion'));
    return rows.length > 0;
  }

  async purge(atMost: AtMost<T>, { keepAbsent = false }: { keepAbsent?: boolean } = {}): Promise<number> {
    const bounds = (Object.entries(atMost) as [keyof T & string, number][]).map(([field, max]) => ({ column: simpleColumn(this.spec.columns[field]), max }));
    const absent = keepAbsent ? 'false' : 'true';
    const where = bounds.map(({ column: [name, type] }, i) =>
      type === 'times' ? `(${name} IS NULL AND ${absent} OR $${i + 1}::timestamptz >= ALL(${name}))` : `(${name} IS NULL AND ${absent} OR ${name} <= $${i + 1})`,
    );
    const values = bounds.map(({ column: [, type], max }) => toColumn(max, type === 'times' ? 'time' : type));
    const { rowCount } = await this.db.query(`DELETE FROM ${this.spec.table} WHERE ${where.join(' AND ') || 'true'}`, values);
    if (rowCount > 0) this.seen.clear();
    return rowCount;
  }

  async all(): Promise<T[]> {
    const { rows } = await this.db.query(`${this.select} ORDER BY ${this.keyColumn}`);
    return rows.map((row) => this.toRecord(row));
  }

  async count(): Promise<number> {
    const { rows } = await this.db.query(`SELECT count(*) FROM ${this.spec.table}`);
    return rows[0]![0] as number;
  }

  /** Copies records in (store copy): on `client`, inside its transaction; a record whose key is already there is left as it is. Resolves with how many were added. */
  async insertMissing(client: pg.PoolClient, records: readonly T[]): Promise<number> {
    const names = this.columns.map(([c]) => c);
    const perStatement = Math.max(1, Math.min(1000, Math.floor(60_000 / (names.length + 1))));
    let added = 0;
    for (let start = 0; start < records.length; start += perStatement) {
      const batch = records.slice(start, start + perStatement);
      const values: unknown[] = [];
      const tuples = batch.map((record) => {
        const params = this.params(record);
        const first = values.length;
        values.push(...params);
        return `(${params.map((_, i) => `$${first + i + 1}`).join(', ')}, 1)`;
      });
      const result = await client.query(`INSERT INTO ${this.spec.table} (${names.join(', ')}, version) VALUES ${tuples.join(', ')} ON CONFLICT (${this.keyColumn}) DO NOTHING`, values);
      added += result.rowCount ?? 0;
    }
    return added;
  }

  /** How many of `keys` have a record (store copy's check), on `client`. */
  async countKeys(client: pg.PoolClient, keys: readonly string[]): Promise<number> {
    const { rows } = await client.query<[number]>({ text: `SELECT count(*) FROM ${this.spec.table} WHERE ${this.keyColumn} = ANY($1::text[])`, values: [keys], rowMode: 'array' });
    return rows[0]![0];
  }

  /** The SQL table's name. */
  get tableName(): string {
    return this.spec.table;
  }

  /** The record's fields as statement parameters, in column order. */
  params(record: T): unknown[] {
    const r = record as Record<string, unknown>;
    const values: unknown[] = [];
    for (const { field, spec } of this.layout) {
      const value = r[field];
      if ('parts' in spec) {
        const parts = value === undefined || value === null ? spec.parts.map(() => null) : spec.toParts(value as never);
        spec.parts.forEach(([, type], i) => values.push(toColumn(parts[i], type)));
      } else {
        values.push(toColumn(value, spec[1]));
      }
    }
    return values;
  }

  /** A row (columns in spec order, then the version) as a record; NULL columns are absent fields. */
  toRecord(row: unknown[]): T {
    const record: Record<string, unknown> = {};
    for (const { field, at, spec } of this.layout) {
      if ('parts' in spec) {
        const parts = row.slice(at, at + spec.parts.length);
        if (parts.every((p) => p !== null && p !== undefined)) record[field] = spec.fromParts(parts);
      } else {
        const value = row[at];
        if (value !== null && value !== undefined) record[field] = value;
      }
    }
    return record as T;
  }

  private keyOf(record: T): string {
    return (record as Record<string, unknown>)[this.spec.key] as string;
  }

  private remember(key: string, version: number, record: T): void {
    if (!this.spec.remember) return;
    if (this.seen.size >= MAX_REMEMBERED && !this.seen.has(key)) this.seen.clear();
    this.seen.set(key, [version, JSON.stringify(record)]);
  }

  /** Forgets what this instance saw of `key` (a statement changed it without reading it). */
  protected forget(key: string): void {
    this.seen.delete(key);
  }

  /** No record under `key` (as far as this instance knows): an update may try to insert one at once. */
  private rememberAbsent(key: string): void {
    if (!this.spec.remember) return;
    if (this.seen.size >= MAX_REMEMBERED && !this.seen.has(key)) this.seen.clear();
    this.seen.set(key, [0, '']);
  }
}

function simpleColumn(spec: ColumnSpec): readonly [string, ColumnType] {
  if ('parts' in spec) throw new Error('this operation needs a field kept in one column');
  return spec;
}

function toColumn(value: unknown, type: ColumnType): unknown {
  if (value === undefined || value === null) return null;
  switch (type) {
    case 'time':
      return new Date(value as number).toISOString();
    case 'times':
      return (value as number[]).map((t) => new Date(t).toISOString());
    case 'json':
      return JSON.stringify(value);
    default:
      return value;
  }
}

/** The throttles, with the hourly count of the whole service as one conditional upsert (see ThrottleTable). */
export class PgThrottleTable extends PgTable<ThrottleRecord> implements ThrottleTable {
  constructor(private readonly database: Database, spec: PgTableSpec<ThrottleRecord>) {
    super(database, spec);
  }

  async countInClockHour(key: string, hourStart: number, limit: number, force: boolean, now: number): Promise<boolean> {
    // What the record counts in this hour so far: its own hour's count, or (written before clock hours) its sends of the last hour.
    const counted = `CASE WHEN t.clock_hour_start = $2 THEN t.clock_hour_count WHEN t.clock_hour_start IS NULL THEN (SELECT count(*)::int FROM unnest(t.sends) s WHERE s > $3::timestamptz - interval '1 hour') ELSE 0 END`;
    const { rows } = await this.database.query(
      `INSERT INTO throttles AS t (key, sends, consecutive_failures, clock_hour_start, clock_hour_count, updated_at, version)
       SELECT $1, '{}', 0, $2, 1, $3, 1 WHERE $5 OR $4 > 0
       ON CONFLICT (key) DO UPDATE SET clock_hour_count = ${counted} + 1, clock_hour_start = $2, sends = '{}', updated_at = $3,
         refused_at = CASE WHEN t.refused_at < $2 THEN NULL ELSE t.refused_at END, version = t.version + 1
       WHERE $5 OR ${counted} < $4
       RETURNING clock_hour_count`,
      [key, new Date(hourStart).toISOString(), new Date(now).toISOString(), limit, force],
      'prb.throttles.countInClockHour',
    );
    this.forget(key);
    return rows.length > 0;
  }
}
