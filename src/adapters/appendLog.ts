import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface AppendLogOptions {
  /** Called when the file is opened and its last line was torn (a crash mid-write); the torn line is ended, never merged with the next record. */
  onTornTail?: (path: string) => void;
}

/**
 * An append-only JSONL file. Lines appended in the same tick share one write and one fdatasync
 * (group commit); `append` resolves once its line is durable.
 */
export class AppendLog {
  private handle: Promise<FileHandle> | null = null;
  private pending: string[] = [];
  private waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private draining: Promise<void> | null = null;
  private writing: Promise<void> | null = null;
  private gate: Promise<void> | null = null;

  constructor(readonly path: string, private readonly options: AppendLogOptions = {}) {}

  append(record: object): Promise<void> {
    this.pending.push(`${JSON.stringify(record)}\n`);
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
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

  private async write(chunk: string, waiters: { resolve: () => void; reject: (e: Error) => void }[]): Promise<void> {
    try {
      this.handle ??= this.openFile();
      const h = await this.handle;
      await h.write(chunk);
      await h.datasync();
      for (const w of waiters) w.resolve();
    } catch (err) {
      this.handle = null;
      for (const w of waiters) w.reject(err as Error);
    }
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
    const h = await this.handle?.catch(() => null);
    this.handle = null;
    await h?.close();
  }
}
