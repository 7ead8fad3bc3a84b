import { migration as initial } from './001_initial.js';

export interface Migration {
  /** Applied in this order; never renumbered once released. */
  version: number;
  name: string;
  sql: string;
}

/**
 * The schema's history, oldest first. To change the schema, add the next numbered file (e.g.
 * `002_account_pin_set_at.ts` with `ALTER TABLE accounts ADD COLUMN pin_set_at timestamptz;`), list
 * it here, and map any new record field in ../tables.ts.
 */
export const MIGRATIONS: readonly Migration[] = [initial];
