import { build } from 'esbuild';
import { buildPageScripts } from './pageScripts.js';

/**
 * Bundles the server (and the bench's echo bot, so both run alike) into single ES modules under
 * dist/. One file loads faster than some 1,500 modules resolved one by one: about a quarter of a
 * second off every start (`npm run serve`). Packages that load native code, or load only when
 * needed (Twilio and SMTP when configured, the PIN policy's dictionaries at the first PIN), stay
 * outside and come from node_modules. The PIN page's browser files are built beside it (dist/static).
 */
const entries = { server: 'src/main.ts', echo: 'bench/echoBot.ts', 'dialog-echo': 'bench/dialogEchoBot.ts' };

await build({
  entryPoints: entries,
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  external: ['dtrace-provider', 'twilio', 'nodemailer', '@zxcvbn-ts/*'],
  // Bundled CommonJS packages still call require().
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});

await buildPageScripts();
