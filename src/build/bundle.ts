import { build } from 'esbuild';

/**
 * Bundles the server (and the bench's echo bot, so both run alike) into single ES modules under
 * dist/. One file loads faster than some 1,500 modules resolved one by one: about a quarter of a
 * second off every start (`npm run serve`). Packages that load native code, or load only when
 * configured (Twilio, SMTP, esbuild itself), stay outside and come from node_modules.
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
  external: ['dtrace-provider', 'esbuild', 'twilio', 'nodemailer'],
  // Bundled CommonJS packages still call require().
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});
