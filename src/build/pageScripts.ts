import { build } from 'esbuild';
import { copyFile, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';

/**
 * Builds the PIN page's browser files into dist/static, where the server serves them from
 * (src/http/pageScripts.ts): the Teams script, the form's script, the chunks they load when needed
 * (teams-js; the PIN policy with its dictionaries) and the icon. Run by `npm run build`, before
 * `npm start` (prestart) and before the tests (jest's global setup), so no request ever waits for a
 * build. Takes about a second.
 */
export async function buildPageScripts(root = process.cwd()): Promise<string[]> {
  const outdir = resolve(root, 'dist/static');
  const result = await build({
    absWorkingDir: root,
    entryPoints: { 'teams-page': 'src/http/teamsPage.browser.ts', 'pin-form': 'src/http/pinForm.browser.ts' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2020'],
    minify: true,
    chunkNames: 'chunk-[hash]',
    outdir,
    write: false,
    logLevel: 'warning',
  });
  await mkdir(outdir, { recursive: true });
  // Each file replaces the old one whole (a running server may be reading it).
  for (const file of result.outputFiles) {
    const temp = `${file.path}.${process.pid}.tmp`;
    await writeFile(temp, file.contents);
    await rename(temp, file.path);
  }
  const icon = join(outdir, 'favicon.png');
  await copyFile(resolve(root, 'manifest/color.png'), `${icon}.${process.pid}.tmp`);
  await rename(`${icon}.${process.pid}.tmp`, icon);
  // Chunks of earlier builds (their names are hashes of their content).
  const built = new Set(result.outputFiles.map((f) => basename(f.path)));
  for (const name of await readdir(outdir)) {
    if (/^chunk-.*\.js$/.test(name) && !built.has(name)) await rm(join(outdir, name), { force: true });
  }
  return [...built, 'favicon.png'];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = Date.now();
  buildPageScripts().then(
    (files) => process.stdout.write(`PIN page scripts built into dist/static (${files.length} files, ${Date.now() - started} ms)\n`),
    (err: unknown) => {
      process.stderr.write(`Cannot build the PIN page scripts: ${(err as Error)?.message ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
