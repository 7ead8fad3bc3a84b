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

/** Builds the page script; injectable so that a failing build can be tested. */
export type TeamsPageBundler = () => Promise<string>;

/**
 * The page script with @microsoft/teams-js, bundled for browsers by esbuild in this process the
 * first time it is asked for (no build step to forget, never stale).
 */
export const esbuildTeamsPage: TeamsPageBundler = async () => {
  // esbuild is loaded here, at the first request, not at every start.
  const { build } = await import('esbuild');
  const result = await build({ entryPoints: [ENTRY], bundle: true, minify: true, format: 'iife', platform: 'browser', target: ['es2020'], write: false, logLevel: 'silent' });
  return result.outputFiles[0]!.text;
};

/** Runs `bundler` once and keeps its outcome, a failure as much as the script: a build that failed is not retried on every page load. */
const once = (bundler: TeamsPageBundler): TeamsPageBundler => {
  let outcome: Promise<string> | undefined;
  return () => (outcome ??= bundler());
};

// Shared by every server in the process (tests start many), so esbuild runs at most once.
const defaultBundle = once(esbuildTeamsPage);

/**
 * Serves the page script. If bundling fails, the failure is logged once and every request for the
 * script gets the same 503 until the process restarts: the page works without the script (outside
 * Teams it does nothing; inside, only closing the dialog needs it).
 */
export function registerTeamsPageScript(server: Server, logger: Logger, bundler?: TeamsPageBundler): void {
  const bundle = bundler ? once(bundler) : defaultBundle;
  let failureLogged = false;
  const serve = (head: boolean) => async (_req: Request, res: Response) => {
    let js: string;
    try {
      js = await bundle();
    } catch (err) {
      if (!failureLogged) {
        failureLogged = true;
        logger.error({ err }, 'could not bundle the PIN page script; serving 503 for it until restarted (the page works without it)');
      }
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
