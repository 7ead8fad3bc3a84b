import { closeSync, openSync, readFileSync, unlinkSync, writeSync, fsyncSync } from 'node:fs';
import { join } from 'node:path';
import { StoreError } from './errors.js';

export const LOCK_FILE = 'pin-reset-bot.lock';

export interface LockOwner {
  pid: number;
  role: string;
  since: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Who holds the DATA_DIR lock, if a live process does. A lock left by a dead process counts as free. */
export function readLockOwner(dataDir: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8')) as LockOwner;
    return Number.isInteger(owner.pid) && isAlive(owner.pid) && owner.pid !== process.pid ? owner : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One process per DATA_DIR. The lock file records the holder's pid; a lock whose pid is dead
 * (the holder crashed or was killed) is taken over.
 */
export class DataDirLock {
  private constructor(private readonly path: string) {}

  static acquire(dataDir: string, role: string): DataDirLock {
    const path = join(dataDir, LOCK_FILE);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(path, 'wx', 0o600);
        writeSync(fd, JSON.stringify({ pid: process.pid, role, since: new Date().toISOString() } satisfies LockOwner));
        fsyncSync(fd);
        closeSync(fd);
        return new DataDirLock(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new StoreError(`Cannot create the lock file ${path}: ${(err as Error).message}`, path);
        }
      }
      const owner = readLockOwner(dataDir);
      if (owner) {
        throw new StoreError(
          `${dataDir} is in use by another ${owner.role} (pid ${owner.pid}, since ${owner.since}). Only one process may use a DATA_DIR; stop it first or use another DATA_DIR.`,
          path,
        );
      }
      // Stale lock from a process that no longer exists: take it over.
      try {
        unlinkSync(path);
      } catch {
        /* someone else took it over first; try again */
      }
    }
    throw new StoreError(`Could not take the lock ${path}; another process keeps taking it.`, path);
  }

  release(): void {
    try {
      const owner = JSON.parse(readFileSync(this.path, 'utf8')) as LockOwner;
      if (owner.pid === process.pid) unlinkSync(this.path);
    } catch {
      /* already gone */
    }
  }
}
