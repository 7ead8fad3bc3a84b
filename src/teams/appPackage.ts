import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import appManifest from '@microsoft/app-manifest';
import { zipSync } from 'fflate';
import type { AppConfig } from '../config/schema.js';

/** The files of the Teams app package, all from manifest/. */

export class PackageError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Cannot build the Teams app package:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'PackageError';
  }
}

interface Manifest {
  id: string;
  bots?: { botId: string }[];
  validDomains?: string[];
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The host manifest/manifest.json ships with, to be replaced by the institution's own pages. */
export const PLACEHOLDER_HOST = 'bot.example.edu';
// The host itself, not a longer name that ends with it (pinbot.example.edu is somebody's real one).
const PLACEHOLDER = new RegExp(`(?<![\\w-])${PLACEHOLDER_HOST.replaceAll('.', '\\.')}(?![\\w-])`);

/**
 * Builds the zip to upload to Teams: manifest/manifest.json with the bot's app id and this
 * server's domain filled in from the configuration, checked offline against the JSON schema that
 * @microsoft/app-manifest bundles, and the two icons. Needs no secret: only the app id and the
 * public URL. `warnings` name what still needs the operator's attention (placeholder URLs).
 */
export async function buildTeamsPackage(
  config: Pick<AppConfig, 'MicrosoftAppId' | 'PUBLIC_BASE_URL'>,
  options: { manifestDir: string; outFile: string },
): Promise<{ outFile: string; manifest: Manifest; warnings: string[] }> {
  const problems: string[] = [];
  if (!config.MicrosoftAppId) problems.push("MicrosoftAppId is required: the Azure Bot's Microsoft App ID (a GUID).");
  else if (!GUID.test(config.MicrosoftAppId)) problems.push(`MicrosoftAppId must be the Azure Bot's Microsoft App ID, a GUID such as 6a1b2c3d-1111-4222-8333-444455556666 (got "${config.MicrosoftAppId}").`);
  const base = new URL(config.PUBLIC_BASE_URL);
  if (base.protocol !== 'https:') problems.push(`PUBLIC_BASE_URL must be an https:// URL that Teams can reach (got "${config.PUBLIC_BASE_URL}").`);
  if (problems.length > 0) throw new PackageError(problems);

  const manifest = JSON.parse(await readFile(join(options.manifestDir, 'manifest.json'), 'utf8')) as Manifest;
  manifest.id = config.MicrosoftAppId!;
  for (const bot of manifest.bots ?? []) bot.botId = config.MicrosoftAppId!;
  manifest.validDomains = [base.hostname];
  const manifestJson = `${JSON.stringify(manifest, null, 2)}\n`;

  const schemaProblems = await validateManifest(manifestJson);
  if (schemaProblems.length > 0) throw new PackageError(schemaProblems.map((p) => `manifest.json: ${p}`));

  const zip = zipSync({
    'manifest.json': new TextEncoder().encode(manifestJson),
    'color.png': await readFile(join(options.manifestDir, 'color.png')),
    'outline.png': await readFile(join(options.manifestDir, 'outline.png')),
  });
  await mkdir(dirname(options.outFile), { recursive: true });
  await writeFile(options.outFile, zip);
  const warnings = placeholders(manifest).map(({ path, value }) => `manifest.json: ${path} is still the placeholder ${value}; put your institution's own page there before uploading.`);
  return { outFile: options.outFile, manifest, warnings };
}

/** Every string in the manifest that still points at the placeholder host, with its path (`developer.websiteUrl`). */
function placeholders(value: unknown, path = ''): { path: string; value: string }[] {
  if (typeof value === 'string') return PLACEHOLDER.test(value) ? [{ path, value }] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => placeholders(v, `${path}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => placeholders(v, path ? `${path}.${k}` : k));
  return [];
}

/** The schema's complaints about a manifest (none when valid), using only the schemas shipped in the package. */
export async function validateManifest(manifestJson: string): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'teams-manifest-'));
  try {
    const file = join(dir, 'manifest.json');
    await writeFile(file, manifestJson);
    const [, errors] = await appManifest.AppManifestUtils.readAndValidateTeamsManifest(file);
    return errors;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
