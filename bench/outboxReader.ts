import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

interface Waiter {
  to: string;
  pattern: RegExp;
  resolve: (match: RegExpExecArray) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Reads DATA_DIR/outbox/{sms,mail}.jsonl as the users' phones and mailboxes: each file is tailed
 * from the byte where the last read stopped, and lines are indexed by recipient, so a lookup never
 * rescans what was already read.
 */
export class OutboxReader {
  private readonly files: { path: string; field: 'body' | 'text'; handle?: FileHandle; offset: number; rest: string }[];
  private readonly inbox = new Map<string, string[]>();
  private readonly waiters = new Set<Waiter>();
  private polling: NodeJS.Timeout | null = null;
  private reading = false;

  constructor(dataDir: string, private readonly timeoutMs = 15_000) {
    this.files = [
      { path: join(dataDir, 'outbox', 'sms.jsonl'), field: 'body', offset: 0, rest: '' },
      { path: join(dataDir, 'outbox', 'mail.jsonl'), field: 'text', offset: 0, rest: '' },
    ];
  }

  /** The first unread message to `to` that matches `pattern` (it is then marked read). */
  waitFor(to: string, pattern: RegExp): Promise<RegExpExecArray> {
    const found = this.take(to, pattern);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        to,
        pattern,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(`no message to ${to} within ${this.timeoutMs} ms`));
        }, this.timeoutMs),
      };
      this.waiters.add(waiter);
      this.polling ??= setInterval(() => void this.poll(), 3);
    });
  }

  private take(to: string, pattern: RegExp): RegExpExecArray | undefined {
    const messages = this.inbox.get(to);
    if (!messages) return undefined;
    for (let i = 0; i < messages.length; i++) {
      const m = pattern.exec(messages[i]!);
      if (m) {
        messages.splice(i, 1);
        return m;
      }
    }
    return undefined;
  }

  private async poll(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      for (const file of this.files) await this.readNew(file);
      for (const w of this.waiters) {
        const m = this.take(w.to, w.pattern);
        if (m) {
          clearTimeout(w.timer);
          this.waiters.delete(w);
          w.resolve(m);
        }
      }
    } finally {
      this.reading = false;
      if (this.waiters.size === 0 && this.polling) {
        clearInterval(this.polling);
        this.polling = null;
      }
    }
  }

  private async readNew(file: OutboxReader['files'][number]): Promise<void> {
    if (!file.handle) {
      try {
        file.handle = await open(file.path, 'r');
      } catch {
        return; // nothing sent on this channel yet
      }
    }
    const { size } = await file.handle.stat();
    if (size <= file.offset) return;
    const buf = Buffer.alloc(size - file.offset);
    const { bytesRead } = await file.handle.read(buf, 0, buf.length, file.offset);
    file.offset += bytesRead;
    const lines = (file.rest + buf.subarray(0, bytesRead).toString('utf8')).split('\n');
    file.rest = lines.pop() ?? '';
    for (const line of lines) {
      if (!line) continue;
      const msg = JSON.parse(line) as { to: string; body?: string; text?: string };
      const list = this.inbox.get(msg.to) ?? [];
      list.push(msg[file.field] ?? '');
      this.inbox.set(msg.to, list);
    }
  }

  async close(): Promise<void> {
    if (this.polling) clearInterval(this.polling);
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(new Error('outbox reader closed'));
    }
    this.waiters.clear();
    for (const file of this.files) await file.handle?.close();
  }
}
