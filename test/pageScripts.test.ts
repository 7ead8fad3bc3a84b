import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApp, type RunningApp } from './support/app.js';
import { freePort } from './support/freePort.js';
import { tempDataDir } from './support/services.js';

const repo = fileURLToPath(new URL('..', import.meta.url));

/** Every TypeScript file under `dir`. */
async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name));
}

describe('the PIN page scripts are built ahead, never in the request path', () => {
  let built: RunningApp;
  let unbuilt: RunningApp;
  let reads = 0;

  beforeAll(async () => {
    built = await startApp();
    unbuilt = await startApp({}, undefined, {
      pageFiles: async (name) => {
        reads += 1;
        throw Object.assign(new Error(`ENOENT: no such file or directory, open 'dist/static/${name}'`), { code: 'ENOENT' });
      },
    });
  });
  afterAll(async () => {
    await built?.app.close();
    await unbuilt?.app.close();
  });

  test('the server serves the files the build wrote to dist/static, and nothing outside src/build imports esbuild', async () => {
    for (const name of ['teams-page.js', 'pin-form.js']) {
      const res = await fetch(`${built.baseUrl}/static/${name}`);
      expect({ name, status: res.status, type: res.headers.get('content-type') }).toEqual({ name, status: 200, type: 'text/javascript; charset=utf-8' });
      expect(await res.text()).toBe(await readFile(join(repo, 'dist/static', name), 'utf8'));
    }
    const icon = await fetch(`${built.baseUrl}/favicon.ico`);
    expect([icon.status, icon.headers.get('content-type')]).toEqual([200, 'image/png']);
    expect(Buffer.from(await icon.arrayBuffer())).toEqual(await readFile(join(repo, 'manifest/color.png')));

    const importers: string[] = [];
    for (const file of [...(await sources(join(repo, 'src'))), ...(await sources(join(repo, 'dialogs')))]) {
      if (file.startsWith(join(repo, 'src/build'))) continue;
      if (/from 'esbuild'|import\('esbuild'\)/.test(await readFile(file, 'utf8'))) importers.push(relative(repo, file));
    }
    expect(importers).toEqual([]);
  });

  test('the scripts load teams-js and the dictionaries only as chunks: the Teams script itself is tiny and imports nothing up front', async () => {
    const teams = await (await fetch(`${built.baseUrl}/static/teams-page.js`)).text();
    expect(teams.length).toBeLessThan(2000);
    expect(teams).not.toMatch(/^import|;import[{ ]/m);
    expect(teams).toMatch(/import\("\.\/chunk-[A-Za-z0-9]+\.js"\)/);
    const chunk = /import\("\.\/(chunk-[A-Za-z0-9]+\.js)"\)/.exec(teams)![1]!;
    expect((await fetch(`${built.baseUrl}/static/${chunk}`)).status).toBe(200);
    expect((await fetch(`${built.baseUrl}/static/chunk-doesnotexist.js`)).status).toBe(404);
    expect((await fetch(`${built.baseUrl}/static/..%2Fpackage.json`)).status).toBe(404);
  });

  test('without a build, each script gets 503, the log says once what to run, and the rest of the server works', async () => {
    const unavailable = { status: 503, body: 'The page script is not available right now.' };
    const get = async (path: string, method = 'GET') => {
      const res = await fetch(`${unbuilt.baseUrl}${path}`, { method });
      return { status: res.status, body: await res.text() };
    };
    expect(await Promise.all([get('/static/teams-page.js'), get('/static/pin-form.js')])).toEqual([unavailable, unavailable]);
    expect(await get('/static/teams-page.js', 'HEAD')).toEqual({ status: 503, body: '' });
    // Not remembered as missing: a build made meanwhile is picked up without a restart.
    expect(reads).toBe(3);
    const lines = unbuilt.logs().split('\n').filter((line) => line.includes('the PIN page scripts are not built: run `npm run build`'));
    expect(lines).toHaveLength(1);
    expect((await fetch(`${unbuilt.baseUrl}/healthz`)).status).toBe(200);
  });

  test('npm start on a fresh checkout (no dist/) builds the scripts first and serves them', async () => {
    const checkout = await mkdtemp(join(tmpdir(), 'fresh-checkout-'));
    try {
      for (const part of ['src', 'dialogs', 'manifest', 'package.json', 'tsconfig.json']) await cp(join(repo, part), join(checkout, part), { recursive: true });
      await symlink(join(repo, 'node_modules'), join(checkout, 'node_modules'));
      const port = await freePort();
      const npm = spawn('npm', ['start'], {
        cwd: checkout,
        env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? checkout, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: await tempDataDir(), LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      let out = '';
      npm.stdout.on('data', (c: Buffer) => (out += c.toString()));
      npm.stderr.on('data', (c: Buffer) => (out += c.toString()));
      const exited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
      try {
        let script: Response | undefined;
        for (const deadline = Date.now() + 60_000; Date.now() < deadline && !script; ) {
          script = await fetch(`http://127.0.0.1:${port}/static/teams-page.js`).catch(() => undefined);
          if (!script) await new Promise((r) => setTimeout(r, 100));
        }
        expect({ status: script?.status, out: script?.status === 200 ? '' : out }).toEqual({ status: 200, out: '' });
        expect(out).toContain('PIN page scripts built into dist/static');
        expect(await script!.text()).toBe(await readFile(join(checkout, 'dist/static/teams-page.js'), 'utf8'));
      } finally {
        process.kill(-npm.pid!, 'SIGTERM');
        await exited;
      }
    } finally {
      await rm(checkout, { recursive: true, force: true });
    }
  }, 90_000);
});
