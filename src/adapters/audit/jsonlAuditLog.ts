import { readFile } from 'node:fs/promises';
import type { AuditEvent, AuditLog } from '../../ports/audit.js';
import { AppendLog } from '../appendLog.js';

/** The audit trail as append-only JSONL (DATA_DIR/audit.jsonl), one durable line per event. */
export class JsonlAuditLog implements AuditLog {
  private readonly file: AppendLog;

  constructor(readonly path: string, private readonly onWarning: (message: string) => void = () => {}) {
    this.file = new AppendLog(path);
  }

  append(event: AuditEvent): Promise<void> {
    return this.file.append(event);
  }

  async read(filter: { uid?: string } = {}): Promise<AuditEvent[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const events: AuditEvent[] = [];
    text.split('\n').forEach((line, i) => {
      if (!line) return;
      try {
        const e = JSON.parse(line) as AuditEvent;
        if (!filter.uid || e.uid === filter.uid) events.push(e);
      } catch {
        // A line torn by a crash is reported and skipped, never fatal.
        this.onWarning(`${this.path} line ${i + 1} is not a complete record (torn by a crash?); skipped.`);
      }
    });
    return events;
  }

  close(): Promise<void> {
    return this.file.close();
  }
}
