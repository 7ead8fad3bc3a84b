import { silentLogger } from '../src/ports/logger.js';
import { loadConfig } from '../src/config/load.js';
import { openServices } from '../src/services.js';
import { Database } from '../src/adapters/store/postgres/database.js';
import { migrate } from '../src/adapters/store/postgres/migrate.js';
import { PgTable } from '../src/adapters/store/postgres/pgTable.js';
import * as tables from '../src/adapters/store/postgres/tables.js';
import type { AccountRecord, ContactRecord } from '../src/ports/store.js';

/** Account number i, as the bench names it everywhere (UID, addresses, numbers). */
export const benchUid = (i: number) => `u${String(i).padStart(6, '0')}`;
/** The registered (imported, verified) contacts of account i: distinct for every account, so no per-destination limit is shared. */
export const seededEmail = (i: number) => `${benchUid(i)}.alt@gmail.com`;
export const seededMobile = (i: number) => `+85261${String(i).padStart(6, '0')}`;
/** What a registration flow on account i registers instead. */
export const newEmail = (i: number) => `${benchUid(i)}.new@gmail.com`;
export const newMobileTyped = (i: number) => `91${String(i).padStart(6, '0')}`;
export const INSTITUTION_DOMAIN = 'example.edu';


/**
 * Fills `dataDir` with `n` accounts, each with registered contacts, through the store's own
 * imports (the code behind `accounts import` and `contacts import`), then closes the store, which
 * compacts it into its snapshot as a long-running bot's store would be.
 */
export async function seedDataDir(dataDir: string, n: number): Promise<void> {
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', INSTITUTION_EMAIL_DOMAINS: INSTITUTION_DOMAIN }, null);
  const services = await openServices(config, { role: 'bench seed', logger: silentLogger });
  try {
    // Rows in batches: one batch's writes share a journal fsync (group commit).
    const batch = 5000;
    for (let start = 0; start < n; start += batch) {
      const rows = Array.from({ length: Math.min(batch, n - start) }, (_, k) => start + k);
      await Promise.all(rows.map((i) => services.embeddedDirectory!.importAccount({ uid: benchUid(i), name: `Bench User ${i}`, email: `${benchUid(i)}@${INSTITUTION_DOMAIN}` })));
      await Promise.all(rows.map((i) => services.registration.importContact(benchUid(i), { email: seededEmail(i), mobile: seededMobile(i) })));
    }
  } finally {
    await services.close();
  }
}

/**
 * Fills the PostgreSQL database at `url` (schema applied first) with `n` accounts, each with
 * registered contacts, as `accounts import` and `contacts import` would leave them, by batched
 * multi-row INSERTs (a thousand rows a statement) in one transaction, then ANALYZEs it.
 */
export async function seedDatabase(url: string, n: number): Promise<void> {
  const db = await Database.connect({ url, poolSize: 2 });
  try {
    await migrate(db);
    const accounts = new PgTable(db, tables.accounts);
    const contacts = new PgTable(db, tables.contacts);
    const now = Date.now();
    await db.transaction(async (client) => {
      for (let start = 0; start < n; start += 5000) {
        const rows = Array.from({ length: Math.min(5000, n - start) }, (_, k) => start + k);
        await accounts.insertMissing(client, rows.map((i): AccountRecord => ({ uid: benchUid(i), name: `Bench User ${i}`, email: `${benchUid(i)}@${INSTITUTION_DOMAIN}`, createdAt: now, updatedAt: now })));
        await contacts.insertMissing(client, rows.map((i): ContactRecord => ({ uid: benchUid(i), email: seededEmail(i), mobile: seededMobile(i), source: 'import', verifiedAt: now, updatedAt: now })));
      }
    });
    await db.query('ANALYZE');
  } finally {
    await db.close();
  }
}
