import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Request, Response, Server } from 'restify';
import type { Logger } from '../ports/logger.js';

/** Where the PIN page loads its script from (same origin, so the CSP can stay `script-src 'self'`). */
export const TEAMS_SCRIPT_PATH = '/static/teams-page.js';

// Beside this module when run from source (tsx) or compiled (dist/src/http); from the bundled
// server (dist/server.mjs), the source in src/http.
const ENTRY = ['./teamsPage.browser.ts', './teamsPage.browser.js', '../src/http/teamsPage.browser.ts']
  .map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
  .find((path) => existsSync(path))!;
let bundle: Promise<string> | undefined;

/**
 * The page script with @microsoft/teams-js, bundled for browsers by esbuild in this process the
 * first time it is asked for (no build step to forget, never stale), then kept in memory.
 */
export function teamsPageBundle(): Promise<string> {
  // esbuild is loaded here, at the first request, not at every start.
  bundle ??= import('esbuild')
    .then(({ build }) => build({ entryPoints: [ENTRY], bundle: true, minify: true, format: 'iife', platform: 'browser', target: ['es2020'], write: false, logLevel: 'silent' }))
    .then(
      (result) => result.outputFiles[0]!.text,
      (err: unknown) => {
        bundle = undefined;
        throw err;
      },
    );
  return bundle;
}

export function registerTeamsPageScript(server: Server, logger: Logger): void {
  const serve = (head: boolean) => async (_req: Request, res: Response) => {
    let js: string;
    try {
      js = await teamsPageBundle();
    } catch (err) {
      // The page still works without it; only closing the Teams dialog needs it.
      logger.error({ err }, 'could not bundle the PIN page script');
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(head ? undefined : 'The page script is not available right now.');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Content-Length': Buffer.byteLength(js) });
    res.end(head ? undefined : js);
  };
  server.get(TEAMS_SCRIPT_PATH, serve(false));
  server.head(TEAMS_SCRIPT_PATH, serve(true));
}
