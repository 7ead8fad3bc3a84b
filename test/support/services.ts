import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { openServices, type Services } from '../../src/services.js';
import { EmbeddedDirectory } from '../../src/adapters/directory/embeddedDirectory.js';
import { ManualClock, RecordingMailer, RecordingSms } from './fakes.js';
import { runRoot } from './secrets.js';
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

/** Services on a temp DATA_DIR with recording transports and a manual clock. */
export async function openTestServices(env: Record<string, string> = {}, dataDir?: string): Promise<TestServices> {
  const dir = dataDir ?? (await tempDataDir());
  const clock = new ManualClock();
  const mailer = new RecordingMailer();
  const sms = new RecordingSms();
  const services = await openServices(testConfig({ DATA_DIR: dir, ...env }), { clock, mailer, sms, logger: silent });
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
