import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Request, Response, Server } from 'restify';
import type { Logger } from '../ports/logger.js';

/** The PIN page's built files (src/build/pageScripts.ts writes them), served from /static/ so the CSP can stay `'self'`. */
export const PAGE_FILES = {
  /** Every page: inside a Teams dialog, loads teams-js and closes the dialog once the PIN is set. */
  teams: 'teams-page.js',
  /** The form: the show-PIN switch and the live strength guidance. */
  form: 'pin-form.js',
  icon: 'favicon.png',
} as const;

export const STATIC_PATH = '/static';
/** Chunks the scripts import when needed (teams-js inside Teams only; the PIN policy's dictionaries when a PIN is typed). */
const CHUNK = /^chunk-[A-Za-z0-9]+\.js$/;

/**
 * Where the build put the files: beside the bundled server (dist/server.mjs), beside the compiled
 * tree (dist/src/http), or, from source (tsx, jest), in dist/ of the checkout.
 */
export const BUILT_DIR = ['./static/', '../../static/', '../../dist/static/']
  .map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
  .find((dir) => existsSync(join(dir, PAGE_FILES.teams))) ?? fileURLToPath(new URL('../../dist/static/', import.meta.url));

/** Reads a built file; injectable so that a missing build can be tested. */
export type BuiltFileReader = (name: string) => Promise<Buffer>;

const readBuilt: BuiltFileReader = (name) => readFile(join(BUILT_DIR, name));

const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.png': 'image/png' };

/**
 * Serves the page's scripts, their chunks and its icon, read once and kept. Nothing is built here:
 * a missing file (the build was not run) gets 503, and the log says once what to run. The page
 * works without its scripts: only closing a Teams dialog and the strength guidance need them.
 */
export function registerPageScripts(server: Server, logger: Logger, read: BuiltFileReader = readBuilt): void {
  const kept = new Map<string, Buffer>();
  let missingLogged = false;
  const plain = (res: Response, status: number, text: string, head: boolean) => {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(head ? undefined : text);
  };
  const serve = (fixed: string | undefined, head: boolean) => async (req: Request, res: Response) => {
    const name = fixed ?? String((req.params as Record<string, unknown> | undefined)?.['file'] ?? '');
    if (!fixed && !CHUNK.test(name)) return plain(res, 404, 'Not found.', head);
    let body = kept.get(name);
    if (!body) {
      try {
        body = await read(name);
        kept.set(name, body);
      } catch (err) {
        // A chunk no build made (an old page's, or a made-up name) is simply not there.
        if (!fixed) return plain(res, 404, 'Not found.', head);
        if (!missingLogged) {
          missingLogged = true;
          logger.error({ err, file: name, dir: BUILT_DIR }, 'the PIN page scripts are not built: run `npm run build` (npm start builds them first); serving 503 for them meanwhile (the page works without them)');
        }
        return plain(res, 503, 'The page script is not available right now.', head);
      }
    }
    res.writeHead(200, { 'Content-Type': TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream', 'Content-Length': body.length });
    res.end(head ? undefined : body);
  };
  for (const name of Object.values(PAGE_FILES)) {
    server.get(`${STATIC_PATH}/${name}`, serve(name, false));
    server.head(`${STATIC_PATH}/${name}`, serve(name, true));
  }
  // Browsers ask for /favicon.ico whatever the page says; the PNG answers it too.
  server.get('/favicon.ico', serve(PAGE_FILES.icon, false));
  server.head('/favicon.ico', serve(PAGE_FILES.icon, true));
  server.get(`${STATIC_PATH}/:file`, serve(undefined, false));
  server.head(`${STATIC_PATH}/:file`, serve(undefined, true));
}
