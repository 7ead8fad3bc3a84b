import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * An append-only JSONL file. Lines appended in the same tick share one write and one fdatasync
 * (group commit); `append` resolves once its line is durable.
 */
export class AppendLog {
  private handle: Promise<FileHandle> | null = null;
  private pending: string[] = [];
  private waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private draining = false;

  constructor(readonly path: string) {}

  append(record: object): Promise<void> {
    this.pending.push(`${JSON.stringify(record)}\n`);
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      await new Promise((r) => setImmediate(r));
      while (this.waiters.length > 0) {
        const chunk = this.pending.join('');
        const waiters = this.waiters;
        this.pending = [];
        this.waiters = [];
        try {
          this.handle ??= mkdir(dirname(this.path), { recursive: true, mode: 0o700 }).then(() => open(this.path, 'a', 0o600));
          const h = await this.handle;
          await h.write(chunk);
          await h.datasync();
          for (const w of waiters) w.resolve();
        } catch (err) {
          this.handle = null;
          for (const w of waiters) w.reject(err as Error);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  async close(): Promise<void> {
    while (this.draining || this.waiters.length > 0) await new Promise((r) => setImmediate(r));
    const h = await this.handle?.catch(() => null);
    await h?.close();
    this.handle = null;
  }
}
