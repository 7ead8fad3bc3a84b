import { StoreError } from '../errors.js';
import { LOCK_NAMESPACE, type Database } from './database.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

const MIGRATION_LOCK = 1;

export interface MigrationReport {
  /** Versions applied now, oldest first. */
  applied: number[];
  /** The schema version after this run. */
  version: number;
}

/**
 * Brings the schema up to date: every migration not yet recorded in schema_migrations, each in its
 * own transaction, under an advisory lock so that instances starting together apply each once. A
 * database whose schema is newer than this code is refused (an older bot must not write a schema
 * it does not know), and nothing is changed.
 */
export async function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrationReport> {
  const latest = migrations.at(-1)?.version ?? 0;
  return db.withClient(async (client) => {
    await client.query('SELECT pg_advisory_lock($1, $2)', [LOCK_NAMESPACE, MIGRATION_LOCK]);
    try {
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      const { rows } = await client.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
      const newest = rows.at(-1);
      if (newest && newest.version > latest) {
        throw new StoreError(
          `${db.where} has schema version ${newest.version} ("${newest.name}"), newer than this version of pin-reset-bot knows (${latest}). ` +
            'Another, newer version of the bot has upgraded it. Run that version (or newer) here too; nothing was changed.',
        );
      }
      const done = new Set(rows.map((r) => r.version));
      const applied: number[] = [];
      for (const m of migrations) {
        if (done.has(m.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw new StoreError(`${db.where}: schema migration ${m.version} ("${m.name}") failed and was rolled back: ${(err as Error).message}`);
        }
        applied.push(m.version);
      }
      return { applied, version: latest };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_NAMESPACE, MIGRATION_LOCK]).catch(() => undefined);
    }
  });
}
