import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { AuditEvent } from '../../ports/audit.js';
import type { AuditHistory } from '../../ports/auditHistory.js';

/** The files of a JSONL audit log, oldest first (JsonlAuditLog.files()). */
export interface AuditFiles {
  files(): Promise<string[]>;
}

/** How much of a file's end is read to find its newest event. */
const TAIL_BYTES = 64 * 1024;
const EVENT_KEY = '"event":"';

/**
 * AuditHistory over the JSONL audit log and its rotated files. A rotated file whose newest event
 * is older than the period is skipped unread, so a recent period reads only the recent files.
 * A line is parsed only if it may be wanted (its event name, its account), and times are compared
 * as the ISO 8601 text the log holds. Torn lines (from a crash) are skipped, as `admin audit` skips them.
 */
export class JsonlAuditHistory implements AuditHistory {
  constructor(private readonly log: AuditFiles) {}

  since(sinceMs: number, events?: ReadonlySet<string>): AsyncIterable<AuditEvent[]> {
    return this.read(sinceMs, { ...(events ? { events } : {}) });
  }

  async forAccount(uid: string, sinceMs: number, limit: number): Promise<AuditEvent[]> {
    let found: AuditEvent[] = [];
    for await (const batch of this.read(sinceMs, { uid })) {
      found = found.concat(batch);
      if (found.length > limit) found = found.slice(-limit);
    }
    return found;
  }

  private async *read(sinceMs: number, only: { uid?: string; events?: ReadonlySet<string> }): AsyncIterable<AuditEvent[]> {
    const since = new Date(sinceMs).toISOString();
    const files = await this.log.files();
    // Lines of other accounts are passed over without being parsed.
    const uidMark = only.uid === undefined ? undefined : `"uid":${JSON.stringify(only.uid)}`;
    for (const [i, file] of files.entries()) {
      const isCurrent = i === files.length - 1;
      if (!isCurrent && (await newestAt(file)) < since) continue;
      for await (const lines of linesOf(file)) {
        const batch: AuditEvent[] = [];
        for (const line of lines) {
          if (uidMark && !line.includes(uidMark)) continue;
          if (only.events && !only.events.has(eventName(line))) continue;
          const e = parseEvent(line);
          if (!e || e.at < since || (only.uid !== undefined && e.uid !== only.uid)) continue;
          batch.push(e);
        }
        if (batch.length > 0) yield batch;
      }
    }
  }
}

/** The event name on a line, read without parsing it ('' if it has none). */
function eventName(line: string): string {
  const start = line.indexOf(EVENT_KEY);
  if (start === -1) return '';
  const end = line.indexOf('"', start + EVENT_KEY.length);
  return end === -1 ? '' : line.slice(start + EVENT_KEY.length, end);
}

/** A file's complete lines, a chunk at a time; a missing file has none. */
async function* linesOf(file: string): AsyncIterable<string[]> {
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1024 * 1024 });
  let rest = '';
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      const text = rest + chunk;
      const lines: string[] = [];
      let from = 0;
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', from)) {
        if (nl > from) lines.push(text.slice(from, nl));
        from = nl + 1;
      }
      rest = text.slice(from);
      if (lines.length > 0) yield lines;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (rest !== '') yield [rest];
}

/** The `at` of the newest complete event in a file (from its last lines); '\uffff' when it cannot tell, so the file is read. */
async function newestAt(file: string): Promise<string> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return '\uffff';
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    let newest = '';
    for (const line of buffer.toString('utf8').split('\n')) {
      const at = parseEvent(line)?.at;
      if (at && at > newest) newest = at;
    }
    return newest || '\uffff';
  } finally {
    await handle.close();
  }
}

function parseEvent(text: string): AuditEvent | undefined {
  try {
    const e = JSON.parse(text) as AuditEvent;
    return typeof e === 'object' && e !== null && typeof e.at === 'string' && typeof e.event === 'string' ? e : undefined;
  } catch {
    return undefined;
  }
}
