import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { openServices, type Services } from '../../src/services.js';
import { EmbeddedDirectory } from '../../src/adapters/directory/embeddedDirectory.js';
import { ManualClock, RecordingMailer, RecordingSms } from './fakes.js';
import { runRoot } from './secrets.js';
import { createDatabase, postgresServer } from './servers/postgres.js';
import { watchSecrets } from './watchSecrets.js';

/** Services on the embedded directory (the default), whose accounts tests import directly. */
export type EmbeddedServices = Services & { directory: EmbeddedDirectory; embeddedDirectory: EmbeddedDirectory };

export interface TestServices {
  services: EmbeddedServices;
  clock: ManualClock;
  mailer: RecordingMailer;
  sms: RecordingSms;
  dataDir: string;
}

/** A fresh DATA_DIR, under the run root when the secret scan runs (see ./secrets.ts). */
export async function tempDataDir(): Promise<string> {
  const root = runRoot();
  if (root) await mkdir(root, { recursive: true });
  return mkdtemp(join(root ?? tmpdir(), root ? 'd-' : 'pin-reset-bot-'));
}

export function testConfig(env: Record<string, string> = {}) {
  return loadConfig({ LOG_LEVEL: 'silent', SERVICE_DESK_CONTACT: 'the IT Service Desk (2859 0000)', INSTITUTION_EMAIL_DOMAINS: 'example.edu', ...env }, null);
}

/** The same SERVER_SECRET for every instance a test starts on one database. */
export const TEST_SERVER_SECRET = 'a test server secret, the same on every instance';

const databaseOf = new Map<string, string>();

/**
 * `PIN_RESET_TEST_STORE=postgres npm test`: services and apps the tests open run on PostgreSQL (a
 * database of their own per DATA_DIR, kept when the same DATA_DIR is opened again) instead of
 * lowdb. Tests that set STORE themselves are left as they are.
 */
export async function storeEnv(dataDir: string, env: Record<string, string>): Promise<Record<string, string>> {
  if (process.env['PIN_RESET_TEST_STORE'] !== 'postgres' || env['STORE']) return {};
  let url = databaseOf.get(dataDir);
  if (!url) databaseOf.set(dataDir, (url = await createDatabase(await postgresServer())));
  return { STORE: 'postgres', DATABASE_URL: url, SERVER_SECRET: TEST_SERVER_SECRET };
}

/** Services on a temp DATA_DIR with recording transports and a manual clock. */
export async function openTestServices(env: Record<string, string> = {}, dataDir?: string): Promise<TestServices> {
  const dir = dataDir ?? (await tempDataDir());
  const clock = new ManualClock();
  const mailer = new RecordingMailer();
  const sms = new RecordingSms();
  const services = await openServices(testConfig({ DATA_DIR: dir, ...(await storeEnv(dir, env)), ...env }), { clock, mailer, sms, logger: silent });
  if (!(services.directory instanceof EmbeddedDirectory)) {
    await services.close();
    throw new Error('openTestServices is for the embedded directory; the LDAP tests open their own services');
  }
  watchSecrets(services);
  return { services: services as EmbeddedServices, clock, mailer, sms, dataDir: dir };
}

const silent = { info() {}, warn() {}, error() {}, debug() {} };

export async function addAccount(services: Services, uid: string, email = `${uid}@example.edu`, extra: { upn?: string; pin?: string } = {}) {
  if (!services.embeddedDirectory) throw new Error('addAccount imports into the embedded directory; LDAP tests add their accounts to the directory');
  await services.embeddedDirectory.importAccount({ uid, name: uid.toUpperCase(), email, ...extra });
}
