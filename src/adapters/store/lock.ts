import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { StoreError } from './errors.js';

export const LOCK_FILE = 'pin-reset-bot.lock';

export interface LockOwner {
  pid: number;
  role: string;
  since: string;
  /** Tells this holding apart from an earlier one with the same pid (a restarted container is pid 1 again). */
  token?: string;
}

/** Locks this process holds, by lock path: a second open from inside the same process is refused too. */
const heldHere = new Map<string, string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(path: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
    return typeof owner === 'object' && owner !== null && Number.isInteger(owner.pid) ? owner : undefined;
  } catch {
    return undefined;
  }
}

/** A lock is live if this process holds it, or if another process that is still running wrote it. */
function isLive(path: string, owner: LockOwner): boolean {
  if (owner.pid === process.pid) return owner.token !== undefined && heldHere.get(path) === owner.token;
  return isAlive(owner.pid);
}

/** Who holds the DATA_DIR lock, if a live process (this one included) does. A lock left by a dead process counts as free. */
export function readLockOwner(dataDir: string): LockOwner | undefined {
  const path = resolve(dataDir, LOCK_FILE);
  const owner = readOwner(path);
  return owner && isLive(path, owner) ? owner : undefined;
}

/**
 * One process per DATA_DIR, and one open store per DATA_DIR inside it. The lock file records the
 * holder's pid; a lock whose holder is gone (crashed or killed) is taken over.
 */
export class DataDirLock {
  private released = false;

  private constructor(
    private readonly path: string,
    private readonly token: string,
  ) {}

  static acquire(dataDir: string, role: string): DataDirLock {
    const path = resolve(dataDir, LOCK_FILE);
    const token = randomBytes(16).toString('hex');
    const owner: LockOwner = { pid: process.pid, role, since: new Date().toISOString(), token };
    for (let attempt = 0; attempt < 3; attempt++) {
      if (createComplete(path, JSON.stringify(owner))) {
        heldHere.set(path, token);
        return new DataDirLock(path, token);
      }
      const current = readOwner(path);
      if (current && isLive(path, current)) {
        const who = current.pid === process.pid ? 'this process' : `pid ${current.pid}`;
        throw new StoreError(
          `${dataDir} is in use by another ${current.role} (${who}, since ${current.since}). Only one process may use a DATA_DIR; stop it first or use another DATA_DIR.`,
          path,
        );
      }
      // Stale lock from a holder that no longer exists: take it over.
      try {
        unlinkSync(path);
      } catch {
        /* someone else took it over first; try again */
      }
    }
    throw new StoreError(`Could not take the lock ${path}; another process keeps taking it.`, path);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    if (heldHere.get(this.path) === this.token) heldHere.delete(this.path);
    // Only remove the file if it is still ours: after a takeover it may belong to someone else.
    if (readOwner(this.path)?.token !== this.token) return;
    try {
      unlinkSync(this.path);
    } catch {
      /* already gone */
    }
  }
}

/**
 * Creates `path` with its whole content, or returns false if it exists. The content is written to a
 * temporary file first and hard-linked into place, so no other process ever sees an empty lock.
 */
function createComplete(path: string, content: string): boolean {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new StoreError(`Cannot create the lock file ${path}: ${(err as Error).message}`, path);
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      /* not created */
    }
  }
}
