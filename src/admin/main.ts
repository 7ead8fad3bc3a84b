import { readFile } from 'node:fs/promises';
import { pinPromptsFor, readHidden } from './pinPrompt.js';
import type { CliIo } from './cli.js';

const argv = process.argv.slice(2);
// At a terminal, a PIN prompt turns echo off now, before the CLI's modules load (seconds under tsx).
const prompts = process.stdin.isTTY ? pinPromptsFor(argv) : undefined;
const typedPin = prompts ? readHidden(process.stdin, process.stderr, prompts) : undefined;

/** Reads piped stdin to the end (a PIN piped in, say), or hands over what the prompt read. */
async function readStdin(): Promise<string> {
  if (typedPin) return typedPin;
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

// Loaded only now: the PIN prompt above is already listening, with echo off.
const [{ runCli }, { ProgressBar }, { runsLong }] = await Promise.all([import('./cli.js'), import('./progressBar.js'), import('./commands.js')]);

// A long command (nudge) draws a progress bar on a terminal, and the first Ctrl+C stops it cleanly.
const bar = process.stderr.isTTY ? new ProgressBar(process.stderr) : undefined;
const stop = new AbortController();
if (runsLong(argv)) {
  process.on('SIGINT', () => {
    if (stop.signal.aborted) process.exit(130);
    bar?.end();
    process.stderr.write('Stopping after the current reminder (Ctrl+C again to quit at once)...\n');
    stop.abort();
  });
}

const io: CliIo = {
  readFile: (path) => readFile(path, 'utf8'),
  readStdin,
  warn: (message) => process.stderr.write(`${message}\n`),
  live: { signal: stop.signal, ...(bar ? { onProgress: (p) => bar.update(p) } : {}) },
};

try {
  const result = await runCli(argv, { env: process.env, envFile: '.env' }, io);
  bar?.end();
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exitCode = result.exitCode;
} catch (err) {
  // Never a stack trace: the command layer already turns known problems into messages.
  process.stderr.write(`error: ${(err as Error)?.message ?? String(err)}\n`);
  process.exitCode = 2;
} finally {
  // A command that stopped before reading its PIN (a configuration error, say) gives the terminal back.
  if (prompts) {
    process.stdin.removeAllListeners('data');
    process.stdin.setRawMode(false);
    process.stdin.pause();
  }
}
