/** `npm run package:teams [-- --out FILE]`: builds the Teams app zip from manifest/ and the configuration. */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from '../config/load.js';
import { buildTeamsPackage, PackageError } from './appPackage.js';

const MANIFEST_DIR = fileURLToPath(new URL('../../manifest/', import.meta.url));

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const outAt = args.indexOf('--out');
  if (args.includes('--help')) {
    process.stdout.write('Usage: npm run package:teams [-- --out FILE]\nBuilds the Teams app package (default dist/teams-app.zip) from manifest/, MicrosoftAppId and PUBLIC_BASE_URL.\n');
    return;
  }
  const outFile = resolve(outAt >= 0 && args[outAt + 1] ? args[outAt + 1]! : 'dist/teams-app.zip');
  const config = loadConfig();
  const { manifest } = await buildTeamsPackage(config, { manifestDir: MANIFEST_DIR, outFile });
  process.stdout.write(`Wrote ${outFile}\n  app id: ${manifest.id}\n  domain: ${manifest.validDomains?.join(', ')}\nUpload it in Teams (Apps > Manage your apps > Upload an app) or in the Teams admin center.\n`);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof PackageError) process.stderr.write(`${err.message}\n`);
  else process.stderr.write(`Cannot build the Teams app package: ${(err as Error)?.message ?? String(err)}\n`);
  process.exit(1);
});
