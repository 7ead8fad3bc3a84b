import { resolve } from 'node:path';
import type { AppConfig } from '../config/schema.js';
import { StoreError } from '../adapters/store/errors.js';
import { copyLowdbToPostgres } from '../adapters/store/storeCopy.js';
import type { Logger } from '../ports/logger.js';
import { EXIT_OK, EXIT_USAGE, failure, Output, type AdminResult } from './result.js';

/**
 * `store copy --to postgres`: the lowdb store under DATA_DIR (the bot stopped) into the empty
 * PostgreSQL database at DATABASE_URL, counts verified; running it again adds only what is missing.
 */
export async function copyStore(config: AppConfig, logger: Logger): Promise<AdminResult> {
  if (!config.DATABASE_URL) return failure('store copy --to postgres needs DATABASE_URL: the PostgreSQL database to copy into (e.g. postgres://user:pass@host:5432/db?sslmode=require). Nothing was copied.', EXIT_USAGE);
  const dataDir = resolve(config.DATA_DIR);
  let report;
  try {
    report = await copyLowdbToPostgres(dataDir, config.DATABASE_URL, (message) => logger.warn({}, message));
  } catch (err) {
    if (err instanceof StoreError) return failure(err.message, EXIT_USAGE);
    return failure(`store copy failed: ${(err as Error)?.message ?? String(err)}. Nothing was copied.`, EXIT_USAGE);
  }
  const output = new Output();
  for (const w of report.warnings) output.warn(`warning: ${w}`);
  output.say(`${report.rerun ? 'Copied again' : 'Copied'} ${report.dataDir} (lowdb) into ${report.target}:`);
  const rows = [...report.tables.map((t) => [t.name, t.source, t.added, t.present] as const), ['audit events', report.audit.source, report.audit.added, report.audit.present] as const];
  const width = Math.max(...rows.map(([name]) => name.length));
  for (const [name, source, added, present] of rows) {
    output.say(`  ${name.padEnd(width)}  ${String(source).padStart(7)} in DATA_DIR, ${String(added).padStart(7)} added now, ${String(present).padStart(7)} in PostgreSQL`);
  }
  output.say('Verified: every record of DATA_DIR is in PostgreSQL. Records already there were left as they were; running this again is safe.');
  output.say(
    'Not copied: DATA_DIR/secret.key. Set SERVER_SECRET, the same on every instance; codes sent and PIN pages opened before the move then stop working (mailed links keep working).',
  );
  return output.done(EXIT_OK);
}
