import { readFile } from 'node:fs/promises';
import type { Adapter } from 'lowdb';
import { writeFileDurable } from './durableFile.js';
import { StoreError } from './errors.js';

/**
 * lowdb adapter for a JSON snapshot. Unlike lowdb's own JSONFile (steno), every write is fsynced,
 * renamed into place and the folder fsynced; and a file that cannot be parsed is an error, never
 * silently replaced.
 */
export class SnapshotFile<T> implements Adapter<T> {
  constructor(public readonly path: string) {}

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new StoreError(`Cannot read ${this.path}: ${(err as Error).message}. Check its permissions; the bot will not start without it.`, this.path);
    }
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new StoreError(
        `${this.path} is not valid JSON (${(err as Error).message}). It has been left untouched; restore it from a backup or move it aside to start empty.`,
        this.path,
      );
    }
  }

  async write(data: T): Promise<void> {
    await writeFileDurable(this.path, JSON.stringify(data));
  }
}
