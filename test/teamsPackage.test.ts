import { describe, expect, test, beforeAll } from '@jest/globals';
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';
import { unzipSync } from 'fflate';

const repo = fileURLToPath(new URL('..', import.meta.url));
const manifestDir = join(repo, 'manifest');
const APP_ID = '6a1b2c3d-1111-4222-8333-444455556666';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'teams-package-'));
});

/** Width, height, colour type and RGBA pixels of a PNG this project wrote (8-bit, unfiltered rows). */
function readPng(png: Uint8Array): { width: number; height: number; colorType: number; pixels: number[][] } {
  const buf = Buffer.from(png);
  expect(buf.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let offset = 8;
  const idat: Buffer[] = [];
  let width = 0;
  let height = 0;
  let colorType = -1;
  while (offset < buf.length) {
    const length = buf.readUInt32BE(offset);
    const type = buf.toString('ascii', offset + 4, offset + 8);
    const data = buf.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') [width, height, colorType] = [data.readUInt32BE(0), data.readUInt32BE(4), data[9]!];
    if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const pixels: number[][] = [];
  for (let y = 0; y < height; y++) {
    const row = y * (1 + width * 4);
    expect(raw[row]).toBe(0);
    for (let x = 0; x < width; x++) pixels.push([...raw.subarray(row + 1 + x * 4, row + 5 + x * 4)]);
  }
  return { width, height, colorType, pixels };
}

/**
 * The real `package:teams` command in its own process, with every network connection refused: the
 * manifest is validated offline, against the schemas bundled with @microsoft/app-manifest.
 */
function packageCli(env: Record<string, string>, out: string, extra: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const tsx = pathToFileURL(join(repo, 'node_modules/tsx/dist/loader.mjs')).href;
  const noNetwork = pathToFileURL(join(repo, 'test/support/noNetwork.mjs')).href;
  return new Promise((done, fail) => {
    const args = ['--import', noNetwork, '--import', tsx, join(repo, 'src/teams/packageMain.ts'), '--out', out, ...extra];
    const child = spawn(process.execPath, args, { cwd: dir, env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d.toString()));
    child.stderr.on('data', (d) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('the Teams app package', () => {
  test('manifest/manifest.json uses schema v1.25 (bundled by @microsoft/app-manifest) and a personal bot with the four commands', async () => {
    const manifest = JSON.parse(await readFile(join(manifestDir, 'manifest.json'), 'utf8'));
    await expect(readFile(join(repo, 'node_modules/@microsoft/app-manifest/build/json-schemas/teams/v1.25/MicrosoftTeams.schema.json'))).resolves.toBeDefined();
    expect(manifest.manifestVersion).toBe('1.25');
    expect(manifest.$schema).toBe('https://developer.microsoft.com/json-schemas/teams/v1.25/MicrosoftTeams.schema.json');
    expect(manifest.bots[0].scopes).toEqual(['personal']);
    expect(manifest.bots[0].commandLists[0].commands.map((c: { title: string }) => c.title)).toEqual(['register', 'reset', 'status', 'help']);
    expect(manifest.icons).toEqual({ color: 'color.png', outline: 'outline.png' });
  });

  test('npm run package:teams fills the app id and domain from config, validates offline and writes a zip of exactly the manifest and two icons', async () => {
    expect(JSON.parse(await readFile(join(repo, 'package.json'), 'utf8')).scripts['package:teams']).toBe('tsx src/teams/packageMain.ts');
    const out = join(dir, 'app.zip');
    // No secret: the package is made of the app id and the public URL only, whatever else is (mis)configured.
    const run = await packageCli({ MicrosoftAppId: APP_ID, PUBLIC_BASE_URL: 'https://pinbot.example.edu/', MicrosoftAppType: 'SingleTenant', PORT: 'not-a-port' }, out);
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toContain(`app id: ${APP_ID}`);
    // manifest/manifest.json ships with placeholder developer pages: each is named, and the zip is still written.
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      "warning: manifest.json: developer.websiteUrl is still the placeholder https://bot.example.edu/; put your institution's own page there before uploading.",
      "warning: manifest.json: developer.privacyUrl is still the placeholder https://bot.example.edu/privacy; put your institution's own page there before uploading.",
      "warning: manifest.json: developer.termsOfUseUrl is still the placeholder https://bot.example.edu/terms; put your institution's own page there before uploading.",
    ]);

    const files = unzipSync(await readFile(out));
    expect(Object.keys(files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(new TextDecoder().decode(files['manifest.json']));
    expect(manifest.id).toBe(APP_ID);
    expect(manifest.bots[0].botId).toBe(APP_ID);
    expect(manifest.validDomains).toEqual(['pinbot.example.edu']);

    const color = readPng(files['color.png']!);
    expect([color.width, color.height, color.colorType]).toEqual([192, 192, 6]);
    expect(color.pixels.every((p) => p[3] === 255)).toBe(true);

    // The outline icon: white on transparent, nothing else.
    const outline = readPng(files['outline.png']!);
    expect([outline.width, outline.height, outline.colorType]).toEqual([32, 32, 6]);
    expect(outline.pixels.every((p) => p[3] === 0 || (p[3] === 255 && p[0] === 255 && p[1] === 255 && p[2] === 255))).toBe(true);
    expect(outline.pixels.some((p) => p[3] === 255)).toBe(true);
    expect(outline.pixels.some((p) => p[3] === 0)).toBe(true);
  });

  test('missing or unusable config fails with every problem named, and no zip', async () => {
    const out = join(dir, 'none.zip');
    const run = await packageCli({ PUBLIC_BASE_URL: 'http://localhost:3978' }, out);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("MicrosoftAppId is required: the Azure Bot's Microsoft App ID (a GUID).");
    expect(run.stderr).toContain('PUBLIC_BASE_URL must be an https:// URL that Teams can reach (got "http://localhost:3978").');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    await expect(readFile(out)).rejects.toThrow(/ENOENT/);
  });

  test('an app id that is not a GUID is refused in one line that says what is wrong, and no zip', async () => {
    const out = join(dir, 'bad.zip');
    const run = await packageCli({ MicrosoftAppId: 'not-a-guid', PUBLIC_BASE_URL: 'https://pinbot.example.edu' }, out);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`Cannot build the Teams app package:\n  - MicrosoftAppId must be the Azure Bot's Microsoft App ID, a GUID such as 6a1b2c3d-1111-4222-8333-444455556666 (got "not-a-guid").\n`);
    await expect(readFile(out)).rejects.toThrow(/ENOENT/);
  });

  test('a manifest the schema rejects fails with the schema messages, and no zip', async () => {
    const manifestDir = join(dir, 'broken-manifest');
    await cp(join(repo, 'manifest'), manifestDir, { recursive: true });
    const manifest = JSON.parse(await readFile(join(manifestDir, 'manifest.json'), 'utf8'));
    manifest.accentColor = 'blue';
    await writeFile(join(manifestDir, 'manifest.json'), JSON.stringify(manifest));
    const out = join(dir, 'schema.zip');
    const run = await packageCli({ MicrosoftAppId: APP_ID, PUBLIC_BASE_URL: 'https://pinbot.example.edu' }, out, ['--manifest', manifestDir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^ {2}- manifest\.json: \/accentColor must match pattern/m);
    await expect(readFile(out)).rejects.toThrow(/ENOENT/);
  });

  test('a manifest with the institution\'s own pages builds without a warning', async () => {
    const manifestDir = join(dir, 'own-manifest');
    await cp(join(repo, 'manifest'), manifestDir, { recursive: true });
    const text = (await readFile(join(manifestDir, 'manifest.json'), 'utf8')).replaceAll('bot.example.edu', 'www.harbourside.edu');
    await writeFile(join(manifestDir, 'manifest.json'), text);
    const run = await packageCli({ MicrosoftAppId: APP_ID, PUBLIC_BASE_URL: 'https://pinbot.harbourside.edu' }, join(dir, 'own.zip'), ['--manifest', manifestDir]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('domain: pinbot.harbourside.edu');
  });
});
