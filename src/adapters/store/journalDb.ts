import { constants as fsConstants } from 'node:fs';
import { mkdir, open, readFile, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import type { z } from 'zod';
import { SnapshotFile } from './snapshotFile.js';
import { StoreError } from './errors.js';
import { fsyncDir } from './durableFile.js';

export const STORE_FORMAT = 'pin-reset-bot/store';
export const STORE_VERSION = 1;

export interface TableSpec<T> {
  name: string;
  key: (record: T) => string;
  /** Secondary indexes: name -> the record's value for that index (undefined: not indexed). */
  indexes?: Record<string, (record: T) => string | undefined>;
  /** How a looked-up value is normalised per index, to match how `indexes` normalises the record's value (e.g. lower case). */
  indexQuery?: Record<string, (value: string) => string>;
  schema: z.ZodType<T>;
  /** A cheaper check of a loaded record: true only if `schema` would accept it (false: `schema` decides and explains). */
  quickCheck?: (record: unknown) => boolean;
  /** The record's version, kept beside it so that a compare-and-set need not read the whole record. */
  version?: (record: T) => string;
}

interface Snapshot {
  format: string;
  version: number;
  tables: Record<string, Record<string, unknown>>;
}

type JournalEntry = { t: string; k: string; v?: unknown };

export interface JournalDbOptions {
  /** Compact when the journal grows beyond this many bytes plus half the snapshot's size. */
  compactAfterBytes?: number;
  onWarning?: (message: string) => void;
}

/**
 * A small embedded database: per table an in-memory map with secondary indexes, made durable by a
 * JSON snapshot (written through lowdb, atomically) plus an append-only journal of upserts and
 * deletes. Concurrent writes are coalesced into one durable (O_DSYNC) append (group commit), and a
 * write's promise resolves only once its line is on disk.
 */
export class JournalDb {
  private readonly rows = new Map<string, Map<string, unknown>>();
  /** Per table, per index: value -> the key holding it, or the keys when several do (rare, so no Set per value). */
  private readonly index = new Map<string, Map<string, Map<string, string | string[]>>>();
  private readonly pickers = new Map<string, [Map<string, string | string[]>, (record: unknown) => string | undefined][]>();
  private readonly specs = new Map<string, TableSpec<unknown>>();
  /** Per versioned table: key -> the stored record's version. */
  private readonly versions = new Map<string, Map<string, string>>();
  private pending: string[] = [];
  private waiters: { resolve: () => void; reject: (err: Error) => void }[] = [];
  private draining: Promise<void> | null = null;
  private journal!: FileHandle;
  private journalBytes = 0;
  private snapshotBytes = 0;
  private broken: Error | null = null;
  private closed = false;
  private closing = false;
  private readonly snapshot: Low<Snapshot>;
  readonly snapshotPath: string;
  readonly journalPath: string;

  private constructor(dir: string, readonly name: string, specs: TableSpec<unknown>[], private readonly options: JournalDbOptions) {
    for (const spec of specs) {
      this.specs.set(spec.name, spec);
      this.rows.set(spec.name, new Map());
      const indexes = new Map(Object.keys(spec.indexes ?? {}).map((i) => [i, new Map<string, string | string[]>()]));
      this.index.set(spec.name, indexes);
      this.pickers.set(spec.name, Object.entries(spec.indexes ?? {}).map(([i, pick]) => [indexes.get(i)!, pick]));
      if (spec.version) this.versions.set(spec.name, new Map());
    }
    this.snapshotPath = join(dir, `${name}.json`);
    this.journalPath = join(dir, `${name}.journal`);
    this.snapshot = new Low<Snapshot>(new SnapshotFile<Snapshot>(this.snapshotPath), emptySnapshot());
  }

  static async open(dir: string, name: string, specs: TableSpec<unknown>[], options: JournalDbOptions = {}): Promise<JournalDb> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const db = new JournalDb(dir, name, specs, options);
    await db.load();
    return db;
  }

  private async load(): Promise<void> {
    await this.snapshot.read();
    const data = this.snapshot.data;
    if (typeof data !== 'object' || data === null || data.format !== STORE_FORMAT || typeof data.tables !== 'object' || data.tables === null) {
      throw new StoreError(`${this.snapshotPath} is not a pin-reset-bot store file. It has been left untouched; restore it from a backup or move it aside.`, this.snapshotPath);
    }
    if (data.version !== STORE_VERSION) {
      throw new StoreError(`${this.snapshotPath} has schema version ${String(data.version)}; this version of the bot reads version ${STORE_VERSION}. Upgrade the bot or restore a matching backup.`, this.snapshotPath);
    }
    for (const [table, records] of Object.entries(data.tables)) {
      const spec = this.specs.get(table);
      if (!spec) throw new StoreError(`${this.snapshotPath} has an unknown table "${table}". It has been left untouched.`, this.snapshotPath);
      if (typeof records !== 'object' || records === null || Array.isArray(records)) {
        throw new StoreError(`${this.snapshotPath}: table "${table}" is not an object of records. It has been left untouched; restore it from a backup.`, this.snapshotPath);
      }
      const byKey = records as Record<string, unknown>;
      for (const key in byKey) {
        this.apply(table, key, this.validate(spec, byKey[key], `${this.snapshotPath}: ${table}/${key}`, this.snapshotPath));
      }
    }
    this.snapshot.data = emptySnapshot(); // the maps hold the data from here on
    this.snapshotBytes = await stat(this.snapshotPath).then((s) => s.size, () => 0);
    await this.replayJournal();
    // O_DSYNC: each append returns once its data is on disk, as write + fdatasync would, in one call
    // (one trip to libuv's thread pool per group commit instead of two).
    this.journal = await open(this.journalPath, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_APPEND | fsConstants.O_DSYNC, 0o600);
    await fsyncDir(join(this.journalPath, '..'));
  }

  private async replayJournal(): Promise<void> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.journalPath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new StoreError(`Cannot read ${this.journalPath}: ${(err as Error).message}`, this.journalPath);
    }
    // Work in bytes, not characters: a torn tail may end inside a UTF-8 sequence, and the
    // truncation offset must be the exact byte length of the complete lines.
    const end = bytes.lastIndexOf(0x0a) + 1;
    const lines = bytes.subarray(0, end).toString('utf8').split('\n');
    lines.pop();
    lines.forEach((line, i) => {
      const where = `${this.journalPath} line ${i + 1}`;
      let entry: JournalEntry;
      try {
        entry = JSON.parse(line) as JournalEntry;
      } catch {
        throw new StoreError(`${where} is corrupt (not JSON). The store has been left untouched; restore it from a backup.`, this.journalPath);
      }
      const spec = this.specs.get(entry?.t);
      if (!spec || typeof entry.k !== 'string') throw new StoreError(`${where} names no known table or key. The store has been left untouched.`, this.journalPath);
      this.apply(entry.t, entry.k, entry.v === undefined ? undefined : this.validate(spec, entry.v, where, this.journalPath));
    });
    this.journalBytes = end;
    if (end < bytes.length) {
      // A write cut short by a crash: it never completed its fsync, so it was never acknowledged.
      const tornPath = `${this.journalPath}.torn-${Date.now()}`;
      await writeFile(tornPath, bytes.subarray(end), { mode: 0o600 });
      const handle = await open(this.journalPath, 'r+');
      await handle.truncate(this.journalBytes);
      await handle.sync();
      await handle.close();
      this.options.onWarning?.(`${this.journalPath}: an incomplete last write from a crash was set aside in ${tornPath} and skipped.`);
    }
  }

  /** Checks a record just parsed from disk, and keeps that very object (it is ours alone): no second copy per record. */
  private validate(spec: TableSpec<unknown>, record: unknown, where: string, file: string): unknown {
    if (spec.quickCheck?.(record)) return record;
    const result = spec.schema.safeParse(record);
    if (!result.success) throw new StoreError(`${where} ${schemaProblem(result.error)}. The store has been left untouched.`, file);
    return record;
  }

  /**
   * `value` is the record, or undefined to delete it. `stored` is what the table keeps: the record
   * itself (as loaded from disk, ours alone), or its JSON text (as written since the start), which
   * every read parses into a fresh copy.
   */
  private apply(table: string, key: string, value: unknown | undefined, stored: unknown = value): void {
    const rows = this.rows.get(table)!;
    const old = rows.get(key);
    const pickers = this.pickers.get(table)!;
    const oldRecord = old === undefined || pickers.length === 0 ? undefined : materialize(old);
    for (const [idx, pick] of pickers) {
      const before = oldRecord === undefined ? undefined : pick(oldRecord);
      const after = value === undefined ? undefined : pick(value);
      if (before === after) continue;
      if (before !== undefined) unindex(idx, before, key);
      if (after !== undefined) addIndex(idx, after, key);
    }
    if (value === undefined) rows.delete(key);
    else rows.set(key, stored);
    const versions = this.versions.get(table);
    if (versions) {
      if (value === undefined) versions.delete(key);
      else versions.set(key, this.specs.get(table)!.version!(value));
    }
  }

  get<T>(table: string, key: string): T | undefined {
    const value = this.rows.get(table)!.get(key);
    return value === undefined ? undefined : (copyOf(value) as T);
  }

  findBy<T>(table: string, indexName: string, value: string): T[] {
    const idx = this.index.get(table)!.get(indexName);
    if (!idx) throw new Error(`No index ${indexName} on ${table}`);
    const normalise = this.specs.get(table)!.indexQuery?.[indexName];
    const rows = this.rows.get(table)!;
    const keys = idx.get(normalise ? normalise(value) : value);
    if (keys === undefined) return [];
    return (typeof keys === 'string' ? [keys] : keys).map((k) => copyOf(rows.get(k)) as T);
  }

  /** Every record of a table, as copies. */
  all<T>(table: string): T[] {
    return [...this.rows.get(table)!.values()].map((r) => copyOf(r) as T);
  }

  /** Why this database takes no more writes (a failed journal write), if it does not. */
  problem(): string | undefined {
    return this.broken?.message;
  }

  count(table: string): number {
    return this.rows.get(table)!.size;
  }

  /** Rejects a record that does not match the schema, which would otherwise stop the store from opening next time. */
  put<T>(table: string, record: T): Promise<void> {
    const spec = this.specs.get(table)!;
    let key: string;
    try {
      key = spec.key(record);
    } catch (err) {
      return Promise.reject(new StoreError(`A ${table} record has no key: ${(err as Error).message}`));
    }
    const result = spec.schema.safeParse(record);
    if (!result.success) return Promise.reject(new StoreError(`${this.name}: ${table}/${key} ${schemaProblem(result.error)}; not written.`));
    // Serialised once: the journal line, and the stored copy (kept as that very JSON text), which is
    // then exactly what a restart would read and shares nothing with the caller's object.
    const json = JSON.stringify(record);
    return this.write({ t: table, k: key, v: record }, `{"t":${JSON.stringify(table)},"k":${JSON.stringify(key)},"v":${json}}\n`, json);
  }

  /** Writes `record` unless a record with its key exists; false, writing nothing, if one does. */
  insert<T>(table: string, record: T): Promise<boolean> {
    const key = this.keyOf(table, record);
    if (key !== undefined && this.rows.get(table)!.has(key)) return Promise.resolve(false);
    return this.put(table, record).then(() => true);
  }

  /**
   * Read, decide and write in one synchronous step, so no other write to the record can come in
   * between (this process is the store's only writer); resolves once the write is durable.
   */
  update<T, R>(table: string, key: string, decide: (current: T | undefined) => { next?: T | null; answer: R }): Promise<R> {
    if (this.broken) return Promise.reject(this.broken);
    let decision: { next?: T | null; answer: R };
    try {
      decision = decide(this.get<T>(table, key));
    } catch (err) {
      return Promise.reject(err);
    }
    const { next, answer } = decision;
    if (next === undefined) return Promise.resolve(answer);
    if (next === null) return this.delete(table, key).then(() => answer);
    if (this.keyOf(table, next) !== key) return Promise.reject(new StoreError(`${this.name}: an update of ${table}/${key} returned a record with another key; not written.`));
    return this.put(table, next).then(() => answer);
  }

  /** Compare-and-set on a versioned table (TableSpec.version): writes `record` if no record has its key or the stored version is `ifVersion`. */
  putIfVersion<T>(table: string, record: T, ifVersion: string): Promise<boolean> {
    const versions = this.versions.get(table);
    if (!versions) return Promise.reject(new Error(`${table} is not a versioned table`));
    const key = this.keyOf(table, record);
    const current = key === undefined ? undefined : versions.get(key);
    if (current !== undefined && current !== ifVersion) return Promise.resolve(false);
    return this.put(table, record).then(() => true);
  }

  /**
   * Deletes every record of `table` that `matches`, in one synchronous pass (so none changes
   * between the check and its delete); the deletes share one durable write.
   */
  purge<T>(table: string, matches: (record: T) => boolean): Promise<number> {
    if (this.broken) return Promise.reject(this.broken);
    const keys: string[] = [];
    for (const [key, stored] of this.rows.get(table)!) if (matches(materialize(stored) as T)) keys.push(key);
    return Promise.all(keys.map((k) => this.delete(table, k))).then(() => keys.length);
  }

  private keyOf<T>(table: string, record: T): string | undefined {
    try {
      return this.specs.get(table)!.key(record as unknown);
    } catch {
      return undefined;
    }
  }

  delete(table: string, key: string): Promise<void> {
    // Nothing to delete, but an earlier write (perhaps the delete that removed it) may not be durable yet.
    if (!this.rows.get(table)!.has(key)) return this.flush();
    return this.write({ t: table, k: key });
  }

  /** Resolves once everything written so far is durable. */
  flush(): Promise<void> {
    if (this.pending.length === 0 && !this.draining) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.drain();
    });
  }

  private write(entry: JournalEntry, line = `${JSON.stringify(entry)}\n`, stored?: string): Promise<void> {
    if (this.broken) return Promise.reject(this.broken);
    if (this.closed) return Promise.reject(new StoreError('The store is closed.'));
    this.apply(entry.t, entry.k, entry.v, stored);
    this.pending.push(line);
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.drain();
    });
  }

  private drain(): void {
    if (this.draining) return;
    this.draining = (async () => {
      // Let the writes of the current tick join this batch.
      await new Promise((r) => setImmediate(r));
      while (this.waiters.length > 0) {
        const lines = this.pending;
        const waiters = this.waiters;
        this.pending = [];
        this.waiters = [];
        try {
          if (lines.length > 0) {
            const chunk = lines.join('');
            await this.journal.write(chunk); // durable on return (O_DSYNC)
            this.journalBytes += Buffer.byteLength(chunk);
          }
          for (const w of waiters) w.resolve();
        } catch (err) {
          this.broken = new StoreError(`Writing ${this.journalPath} failed: ${(err as Error).message}. The bot stops taking changes until it is restarted.`, this.journalPath);
          for (const w of waiters) w.reject(this.broken);
          for (const w of this.waiters.splice(0)) w.reject(this.broken);
          this.pending = [];
          break;
        }
        if (this.journalBytes > (this.options.compactAfterBytes ?? 8 * 1024 * 1024) + this.snapshotBytes / 2) {
          await this.compactNow().catch((err: Error) => this.options.onWarning?.(`Compacting ${this.name} failed (will retry): ${err.message}`));
        }
      }
    })().finally(() => {
      this.draining = null;
      if (this.waiters.length > 0) this.drain();
    });
  }

  /**
   * Writes the whole state as a new snapshot and empties the journal. Waits for the journal to be
   * idle and holds it meanwhile: a line appended while the snapshot is being written would not be in
   * it, and the truncation would then lose an acknowledged write.
   */
  async compact(): Promise<void> {
    while (this.draining) await this.draining;
    if (this.closed && !this.closing) throw new StoreError('The store is closed.');
    const run = this.compactNow();
    this.draining = run
      .catch(() => undefined)
      .finally(() => {
        this.draining = null;
        if (this.waiters.length > 0) this.drain();
      });
    await run;
  }

  /**
   * Runs only while holding the journal (inside the drain loop, or from compact()), so the snapshot
   * holds every journalled line; a crash between the two steps only replays entries the snapshot
   * already has.
   */
  private async compactNow(): Promise<void> {
    const tables: Snapshot['tables'] = {};
    for (const [name, rows] of this.rows) tables[name] = Object.fromEntries([...rows].map(([k, v]) => [k, materialize(v)]));
    this.snapshot.data = { format: STORE_FORMAT, version: STORE_VERSION, tables };
    await this.snapshot.write();
    this.snapshot.data = emptySnapshot();
    this.snapshotBytes = (await stat(this.snapshotPath)).size;
    await this.journal.truncate(0);
    await this.journal.sync();
    this.journalBytes = 0;
  }

  async close(options: { compact?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true; // no new writes from here on; the ones already taken are finished below
    this.closing = true;
    try {
      await this.flush().catch(() => undefined);
      while (this.draining) await this.draining;
      if (options.compact && !this.broken && this.journalBytes > 0) {
        await this.compact().catch((err: Error) => this.options.onWarning?.(`Compacting ${this.name} on close failed: ${err.message}`));
      }
      await this.journal.close();
    } finally {
      this.closing = false;
    }
  }
}

function addIndex(idx: Map<string, string | string[]>, value: string, key: string): void {
  const keys = idx.get(value);
  if (keys === undefined) idx.set(value, key);
  else if (typeof keys === 'string') {
    if (keys !== key) idx.set(value, [keys, key]);
  } else if (!keys.includes(key)) keys.push(key);
}

function unindex(idx: Map<string, string | string[]>, value: string, key: string): void {
  const keys = idx.get(value);
  if (keys === key) idx.delete(value);
  else if (Array.isArray(keys)) {
    const rest = keys.filter((k) => k !== key);
    if (rest.length === 0) idx.delete(value);
    else idx.set(value, rest.length === 1 ? rest[0]! : rest);
  }
}

function schemaProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  return `does not match the store schema (${issue?.path.join('.') || 'record'}: ${issue?.message})`;
}

function emptySnapshot(): Snapshot {
  return { format: STORE_FORMAT, version: STORE_VERSION, tables: {} };
}

/** A stored row as a record: JSON text is parsed, a loaded record is used as is (never handed out). */
function materialize(stored: unknown): unknown {
  return typeof stored === 'string' ? JSON.parse(stored) : stored;
}

/** A fresh copy of a stored row for a caller. */
function copyOf(stored: unknown): unknown {
  return typeof stored === 'string' ? JSON.parse(stored) : structuredClone(stored);
}
