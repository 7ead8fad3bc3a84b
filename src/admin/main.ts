import { readFile } from 'node:fs/promises';
import { runCli, type CliIo } from './cli.js';
import { ProgressBar } from './progressBar.js';
import { runsLong } from './commands.js';

/** Reads stdin to the end, or, at a terminal, one line typed without echo (it is a PIN). */
async function readStdin(): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  process.stderr.write('PIN (not shown): ');
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  let typed = '';
  try {
    return await new Promise<string>((done) => {
      const onData = (text: string) => {
        for (const ch of text) {
          if (ch === '\r' || ch === '\n' || ch === '\u0004') {
            stdin.off('data', onData);
            return done(typed);
          }
          if (ch === '\u0003') {
            process.stderr.write('\n');
            process.exit(130);
          }
          if (ch === '\u007f' || ch === '\b') typed = [...typed].slice(0, -1).join('');
          else typed += ch;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write('\n');
  }
}

// A long command (nudge) draws a progress bar on a terminal, and the first Ctrl+C stops it cleanly.
const bar = process.stderr.isTTY ? new ProgressBar(process.stderr) : undefined;
const stop = new AbortController();
if (runsLong(process.argv.slice(2))) {
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
  const result = await runCli(process.argv.slice(2), { env: process.env, envFile: '.env' }, io);
  bar?.end();
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exitCode = result.exitCode;
} catch (err) {
  // Never a stack trace: the command layer already turns known problems into messages.
  process.stderr.write(`error: ${(err as Error)?.message ?? String(err)}\n`);
  process.exitCode = 2;
}
