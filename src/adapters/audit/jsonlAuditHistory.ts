import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { AuditEvent } from '../../ports/audit.js';
import type { AuditHistory } from '../../ports/auditHistory.js';

/** The files of a JSONL audit log, oldest first (JsonlAuditLog.files()). */
export interface AuditFiles {
  files(): Promise<string[]>;
}

/** How much of a file's end is read to find its newest event. */
const TAIL_BYTES = 64 * 1024;

/**
 * AuditHistory over the JSONL audit log and its rotated files. A rotated file whose newest event
 * is older than the period is skipped unread, so a recent period reads only the recent files.
 * Torn lines (from a crash) are skipped, as `admin audit` skips them.
 */
export class JsonlAuditHistory implements AuditHistory {
  constructor(private readonly log: AuditFiles) {}

  async *since(sinceMs: number): AsyncIterable<AuditEvent> {
    yield* this.read(sinceMs, undefined);
  }

  async forAccount(uid: string, sinceMs: number, limit: number): Promise<AuditEvent[]> {
    const found: AuditEvent[] = [];
    for await (const e of this.read(sinceMs, uid)) {
      found.push(e);
      if (found.length > limit) found.shift();
    }
    return found;
  }

  private async *read(sinceMs: number, uid: string | undefined): AsyncIterable<AuditEvent> {
    const files = await this.log.files();
    // Lines of other accounts are passed over without being parsed.
    const uidMark = uid === undefined ? undefined : `"uid":${JSON.stringify(uid)}`;
    for (const [i, file] of files.entries()) {
      const isCurrent = i === files.length - 1;
      if (!isCurrent && (await newestTime(file)) < sinceMs) continue;
      for await (const line of lines(file)) {
        if (uidMark && !line.includes(uidMark)) continue;
        const e = parseEvent(line);
        if (!e || (uid !== undefined && e.uid !== uid)) continue;
        const at = Date.parse(e.at);
        if (at >= sinceMs) yield e;
      }
    }
  }
}

async function* lines(file: string): AsyncIterable<string> {
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1024 * 1024 });
  const missing = new Promise<boolean>((resolve) => {
    stream.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ENOENT'));
    stream.once('open', () => resolve(false));
  });
  if (await missing) return;
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    if (line !== '') yield line;
  }
}

/** The time of the newest complete event in a file (its last lines), or +Infinity when it cannot tell (then the file is read). */
async function newestTime(file: string): Promise<number> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return Number.POSITIVE_INFINITY;
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const tail = buffer.toString('utf8').split('\n').reverse();
    let newest = Number.NEGATIVE_INFINITY;
    for (const line of tail) {
      const at = parseEvent(line)?.at;
      if (at) newest = Math.max(newest, Date.parse(at));
    }
    return newest === Number.NEGATIVE_INFINITY ? Number.POSITIVE_INFINITY : newest;
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
