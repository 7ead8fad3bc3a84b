import { readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { AuditEvent, AuditReadReport, AuditTrail } from '../../ports/audit.js';
import { AppendLog } from '../appendLog.js';
import { fsyncDir, writeFileDurable } from '../store/durableFile.js';

export interface JsonlAuditLogOptions {
  /** Reports torn lines (from a crash), skipped when read. */
  onWarning?: (message: string) => void;
  /** The current file is rotated once it grows past this many bytes. */
  rotateBytes?: number;
  /** See AppendLogOptions.syncWithinMs: 0 (default) waits for each line's fdatasync. */
  syncWithinMs?: number;
}

export type { AuditReadReport } from '../../ports/audit.js';

const ROTATED = /^(.+)-(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z)(-\d+)?\.jsonl$/;

/**
 * The audit trail as append-only JSONL, one line per event: DATA_DIR/audit.jsonl, rotated
 * by size into audit-<time of rotation>.jsonl beside it. Reading goes across the rotated files,
 * oldest first; `prune` drops records older than the retention.
 */
export class JsonlAuditLog implements AuditTrail {
  private readonly file: AppendLog;
  private readonly onWarning: (message: string) => void;
  private readonly rotateBytes: number;
  private bytes: number | undefined;
  private rotating: Promise<void> | null = null;

  constructor(readonly path: string, options: JsonlAuditLogOptions = {}) {
    this.onWarning = options.onWarning ?? (() => {});
    this.rotateBytes = options.rotateBytes ?? 10 * 1024 * 1024;
    this.file = new AppendLog(path, {
      onTornTail: (p) => this.onWarning(`${p}: the last line was torn by a crash; it is kept as a separate line and skipped when the log is read.`),
      syncWithinMs: options.syncWithinMs ?? 0,
      onSyncError: (err) => this.onWarning(`${path}: fdatasync failed (${err.message}); the lines are written and the sync is tried again.`),
    });
  }

  async append(event: AuditEvent): Promise<void> {
    const written = await this.file.append(event);
    this.bytes = this.bytes === undefined ? await sizeOf(this.path) : this.bytes + written;
    if (this.bytes >= this.rotateBytes) {
      this.rotating ??= this.rotate()
        .catch((err: Error) => this.onWarning(`${this.path}: rotating the audit log failed (${err.message}); it keeps growing and rotation is tried again.`))
        .then(() => undefined)
        .finally(() => (this.rotating = null));
    }
  }

  /** Renames the current file to audit-<now>.jsonl; the next append starts a new one. */
  async rotate(): Promise<string | undefined> {
    return this.file.exclusive(async () => {
      const size = await sizeOf(this.path);
      this.bytes = 0;
      if (size === 0) return undefined;
      const target = await this.freeRotatedName(new Date());
      await rename(this.path, target);
      await fsyncDir(dirname(this.path));
      return target;
    });
  }

  private async freeRotatedName(at: Date): Promise<string> {
    const stem = basename(this.path, '.jsonl');
    const stamp = at.toISOString().replace(/[:.]/g, '-');
    for (let n = 0; ; n++) {
      const candidate = join(dirname(this.path), `${stem}-${stamp}${n ? `-${n}` : ''}.jsonl`);
      if ((await sizeOf(candidate, -1)) === -1) return candidate;
    }
  }

  /** The rotated files, oldest first, then the current file. */
  async files(): Promise<string[]> {
    const stem = basename(this.path, '.jsonl');
    let names: string[] = [];
    try {
      names = await readdir(dirname(this.path));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const rotated = names
      .map((n) => ({ n, m: ROTATED.exec(n) }))
      .filter((x) => x.m && x.m[1] === stem)
      .sort((a, b) => a.m![2]!.localeCompare(b.m![2]!) || Number((a.m![3] ?? '-0').slice(1)) - Number((b.m![3] ?? '-0').slice(1)))
      .map((x) => join(dirname(this.path), x.n));
    return [...rotated, this.path];
  }

  async read(filter: { uid?: string } = {}): Promise<AuditEvent[]> {
    const report = await this.readReport(filter);
    for (const w of report.warnings) this.onWarning(w);
    return report.events;
  }

  /** Every event across the rotated files and the current one, with a warning for each torn line skipped. */
  async readReport(filter: { uid?: string } = {}): Promise<AuditReadReport> {
    const events: AuditEvent[] = [];
    const warnings: string[] = [];
    for (const file of await this.files()) {
      for (const line of await readLines(file)) {
        const e = parseEvent(line.text);
        if (!e) warnings.push(`${file} line ${line.n} is not a complete record (torn by a crash?); skipped.`);
        else if (!filter.uid || e.uid === filter.uid) events.push(e);
      }
    }
    return { events, warnings };
  }

  /**
   * Drops records older than `cutoffMs`: a rotated file wholly older is deleted, one partly older
   * is rewritten without them; the current file is rotated first if it holds any.
   */
  async prune(cutoffMs: number): Promise<number> {
    const current = await readLines(this.path);
    const firstAt = current.map((l) => parseEvent(l.text)).find((e) => e)?.at;
    if (firstAt && Date.parse(firstAt) < cutoffMs) await this.rotate();
    let dropped = 0;
    for (const file of (await this.files()).filter((f) => f !== this.path)) {
      const lines = (await readLines(file)).map((l) => ({ text: l.text, event: parseEvent(l.text) }));
      // A torn line (no event) carries no time: when old records are dropped it goes too, uncounted.
      const keep = lines.filter((l) => l.event !== undefined && Date.parse(l.event.at) >= cutoffMs);
      const old = lines.filter((l) => l.event !== undefined && Date.parse(l.event.at) < cutoffMs).length;
      if (old === 0) continue;
      dropped += old;
      if (keep.length === 0) await unlink(file);
      else await writeFileDurable(file, keep.map((l) => `${l.text}\n`).join(''));
    }
    if (dropped > 0) await fsyncDir(dirname(this.path));
    return dropped;
  }

  async close(): Promise<void> {
    await this.rotating;
    await this.file.close();
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

async function readLines(file: string): Promise<{ n: number; text: string }[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return text
    .split('\n')
    .map((t, i) => ({ n: i + 1, text: t }))
    .filter((l) => l.text !== '');
}

async function sizeOf(file: string, missing = 0): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return missing;
    throw err;
  }
}
