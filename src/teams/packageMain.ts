/** `npm run package:teams [-- --out FILE] [--manifest DIR]`: builds the Teams app zip from manifest/ and the configuration. */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadSettings } from '../config/load.js';
import { buildTeamsPackage, PackageError } from './appPackage.js';

const MANIFEST_DIR = fileURLToPath(new URL('../../manifest/', import.meta.url));

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string) => {
    const at = args.indexOf(`--${name}`);
    return at >= 0 ? args[at + 1] : undefined;
  };
  if (args.includes('--help')) {
    process.stdout.write(
      'Usage: npm run package:teams [-- --out FILE] [--manifest DIR]\nBuilds the Teams app package (default dist/teams-app.zip) from manifest/ (or DIR: manifest.json, color.png, outline.png), MicrosoftAppId and PUBLIC_BASE_URL (no secret needed).\n',
    );
    return;
  }
  const outFile = resolve(option('out') ?? 'dist/teams-app.zip');
  const manifestDir = option('manifest') ? resolve(option('manifest')!) : MANIFEST_DIR;
  // Only what the package is made of: the app id and the public URL (no secret, nothing else need be valid).
  const config = loadSettings(['MicrosoftAppId', 'PUBLIC_BASE_URL']);
  const { manifest, warnings } = await buildTeamsPackage(config, { manifestDir, outFile });
  for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
  process.stdout.write(`Wrote ${outFile}\n  app id: ${manifest.id}\n  domain: ${manifest.validDomains?.join(', ')}\nUpload it in Teams (Apps > Manage your apps > Upload an app) or in the Teams admin center.\n`);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof PackageError) process.stderr.write(`${err.message}\n`);
  else process.stderr.write(`Cannot build the Teams app package: ${(err as Error)?.message ?? String(err)}\n`);
  process.exit(1);
});
