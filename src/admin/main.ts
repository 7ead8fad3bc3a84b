import { readFile } from 'node:fs/promises';
import { pinPromptsFor, readHidden } from './pinPrompt.js';

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

try {
  const { runCli } = await import('./cli.js');
  const result = await runCli(argv, { env: process.env, envFile: '.env' }, { readFile: (path) => readFile(path, 'utf8'), readStdin, warn: (message) => process.stderr.write(`${message}\n`) });
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
