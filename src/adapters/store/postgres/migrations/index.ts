import { migration as initial } from './001_initial.js';
import { migration as deskAndDirectory } from './002_desk_and_directory.js';

export interface Migration {
  /** Applied in this order; never renumbered once released. */
  version: number;
  name: string;
  sql: string;
}

/**
 * The schema's history, oldest first. To change the schema, add the next numbered file (e.g.
 * `003_….ts` with `ALTER TABLE accounts ADD COLUMN …;`), list it here, and map any new record
 * field in ../tables.ts.
 */
export const MIGRATIONS: readonly Migration[] = [initial, deskAndDirectory];
