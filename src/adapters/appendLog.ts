import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface AppendLogOptions {
  /** Called when the file is opened and its last line was torn (a crash mid-write); the torn line is ended, never merged with the next record. */
  onTornTail?: (path: string) => void;
  /**
   * 0 (the default): `append` resolves once its line is fdatasynced. Above 0: `append` resolves once
   * its line is written to the file, so the kernel has it and a killed or crashed bot loses nothing;
   * the file is fdatasynced at most this many milliseconds later (and on close), so only a power
   * loss or kernel crash can lose the lines of that last window. For files that are records of what
   * happened (audit, outbox), not data a user was told is saved: one fdatasync per window instead
   * of one per chat turn.
   */
  syncWithinMs?: number;
  /** Told when a deferred fdatasync fails (the lines stay written; the next window tries again). */
  onSyncError?: (err: Error) => void;
}

/**
 * How long a line of the audit log or an outbox may wait, written but not yet fdatasynced. A turn
 * waits for neither file's fdatasync: on a busy bot that was one fdatasync per file per turn.
 */
export const RECORD_SYNC_WITHIN_MS = 20;

/** An append waiting for its line: resolved with the line's size in bytes. */
interface Waiter {
  bytes: number;
  resolve: (bytes: number) => void;
  reject: (e: Error) => void;
}

/**
 * An append-only JSONL file. Lines appended in the same tick share one write and one fdatasync
 * (group commit); `append` resolves once its line is durable (or, with `syncWithinMs`, written).
 */
export class AppendLog {
  private handle: Promise<FileHandle> | null = null;
  private pending: string[] = [];
  private waiters: Waiter[] = [];
  private draining: Promise<void> | null = null;
  private writing: Promise<void> | null = null;
  private gate: Promise<void> | null = null;
  /** Deferred sync (syncWithinMs > 0): written lines not yet fdatasynced, the timer, the sync in flight. */
  private dirty = false;
  private syncTimer: NodeJS.Timeout | null = null;
  private syncing: Promise<void> | null = null;

  constructor(readonly path: string, private readonly options: AppendLogOptions = {}) {}

  /** Appends one record as a line; resolves with the line's size in bytes once it is written (see syncWithinMs). */
  append(record: object): Promise<number> {
    const line = `${JSON.stringify(record)}\n`;
    this.pending.push(line);
    return new Promise<number>((resolve, reject) => {
      this.waiters.push({ bytes: Buffer.byteLength(line), resolve, reject });
      this.draining ??= this.drain();
    });
  }

  private async drain(): Promise<void> {
    try {
      await new Promise((r) => setImmediate(r));
      while (this.waiters.length > 0) {
        while (this.gate) await this.gate;
        const chunk = this.pending.join('');
        const waiters = this.waiters;
        this.pending = [];
        this.waiters = [];
        this.writing = this.write(chunk, waiters);
        await this.writing;
        this.writing = null;
      }
    } finally {
      this.draining = null;
    }
  }

  private async write(chunk: string, waiters: Waiter[]): Promise<void> {
    try {
      this.handle ??= this.openFile();
      const h = await this.handle;
      await h.write(chunk);
      if (this.lazy) this.scheduleSync();
      else await h.datasync();
      for (const w of waiters) w.resolve(w.bytes);
    } catch (err) {
      this.handle = null;
      for (const w of waiters) w.reject(err as Error);
    }
  }

  private get lazy(): boolean {
    return (this.options.syncWithinMs ?? 0) > 0;
  }

  private scheduleSync(): void {
    this.dirty = true;
    if (this.syncTimer) return;
    this.syncTimer = setTimeout(() => {
      this.syncTimer = null;
      void this.sync();
    }, this.options.syncWithinMs);
    this.syncTimer.unref(); // close() syncs what is left
  }

  /** fdatasyncs every line written so far (deferred mode; a no-op when nothing is waiting). One at a time. */
  sync(): Promise<void> {
    if (!this.syncing) {
      // Cleared in a callback, so never before `syncing` is set, even when there is nothing to sync.
      const run: Promise<void> = this.syncWritten().finally(() => {
        if (this.syncing === run) this.syncing = null;
      });
      this.syncing = run;
    }
    return this.syncing;
  }

  private async syncWritten(): Promise<void> {
    if (!this.dirty || !this.handle) return;
    this.dirty = false;
    try {
      const h = await this.handle;
      await h.datasync();
    } catch (err) {
      this.dirty = true;
      this.options.onSyncError?.(err as Error);
    }
  }

  /** Waits for a sync in flight (it may have begun before the latest lines), then syncs what is left. */
  private async syncAll(): Promise<void> {
    while (this.syncing) await this.syncing;
    await this.sync();
  }

  private async openFile(): Promise<FileHandle> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const h = await open(this.path, 'a+', 0o600);
    try {
      const { size } = await h.stat();
      if (size > 0) {
        const last = Buffer.alloc(1);
        await h.read(last, 0, 1, size - 1);
        if (last[0] !== 0x0a) {
          await h.write('\n');
          this.options.onTornTail?.(this.path);
        }
      }
      return h;
    } catch (err) {
      await h.close();
      throw err;
    }
  }

  /** Runs `fn` with no write in flight and the file closed (to rename it away, say); appends wait meanwhile. */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    while (this.gate) await this.gate;
    let open!: () => void;
    this.gate = new Promise<void>((r) => (open = r));
    try {
      while (this.writing) await this.writing;
      await this.syncAll();
      const h = await this.handle?.catch(() => null);
      this.handle = null;
      await h?.close();
      return await fn();
    } finally {
      this.gate = null;
      open();
    }
  }

  async close(): Promise<void> {
    while (this.draining || this.gate) await (this.draining ?? this.gate);
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = null;
    await this.syncAll();
    const h = await this.handle?.catch(() => null);
    this.handle = null;
    await h?.close();
  }
}
