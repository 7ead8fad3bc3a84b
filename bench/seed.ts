import { silentLogger } from '../src/ports/logger.js';
import { loadConfig } from '../src/config/load.js';
import { openServices } from '../src/services.js';

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
