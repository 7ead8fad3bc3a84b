import { chmod, lstat, unlink } from 'node:fs/promises';
import { createConnection, createServer, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { StoreError } from '../adapters/store/errors.js';
import type { Logger } from '../ports/logger.js';
import type { Services } from '../services.js';
import { runAdminCommand, runsLong } from './commands.js';
import { EXIT_USAGE, failure, type AdminProgress, type AdminRequest, type AdminResult } from './result.js';

/**
 * The admin socket lets the CLI run commands inside a running bot, so that only one process ever
 * writes the store. Protocol (one request per connection, UTF-8, newline-delimited JSON):
 *   client -> bot: {"argv": string[], "input": {"files": {name: text}, "stdin": string}}\n
 *   bot -> client: {"stdout": string, "stderr": string, "exitCode": number, "files"?: {path: text}}\n, then the bot closes.
 * A long command (`nudge`) may first send {"progress": {...}}\n lines; a client that ends its side
 * of the connection (Ctrl+C) asks it to stop, and still reads its answer.
 * The socket file is DATA_DIR/admin.sock, mode 0600, inside the owner-only DATA_DIR.
 */
export const ADMIN_SOCKET_FILE = 'admin.sock';
/** The DATA_DIR lock role of the bot process; the CLI sends its commands to a lock holder with this role. */
export const BOT_ROLE = 'bot';
/** Largest request accepted (it carries the CSV files being imported). */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;
/** Longest Unix socket path (sun_path less its NUL); Node silently truncates longer ones. */
const MAX_SOCKET_PATH_BYTES = process.platform === 'linux' ? 107 : 103;
/** A client that connects but sends no complete request within this time is dropped. */
const REQUEST_TIMEOUT_MS = 30_000;

export const adminSocketPath = (dataDir: string) => join(resolve(dataDir), ADMIN_SOCKET_FILE);

function isStringRecord(x: unknown): x is Record<string, string> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && Object.values(x).every((v) => typeof v === 'string');
}

/** Checks the shape of a request from the wire. */
export function toAdminRequest(x: unknown): AdminRequest | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  const { argv, input } = x as { argv?: unknown; input?: unknown };
  if (!Array.isArray(argv) || !argv.every((a) => typeof a === 'string')) return undefined;
  if (typeof input !== 'object' || input === null) return undefined;
  const { files, stdin } = input as { files?: unknown; stdin?: unknown };
  if (!isStringRecord(files) || typeof stdin !== 'string') return undefined;
  return { argv, input: { files, stdin } };
}

function toAdminProgress(x: unknown): AdminProgress | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  const p = (x as { progress?: unknown }).progress as Record<string, unknown> | undefined;
  if (typeof p !== 'object' || p === null) return undefined;
  const { done, total, startedAt, now, perMinute } = p;
  if (![done, total, startedAt, now].every((v) => typeof v === 'number')) return undefined;
  return { done: done as number, total: total as number, startedAt: startedAt as number, now: now as number, ...(typeof perMinute === 'number' ? { perMinute } : {}) };
}

function toAdminResult(x: unknown): AdminResult | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  const { stdout, stderr, exitCode, files } = x as Record<string, unknown>;
  if (typeof stdout !== 'string' || typeof stderr !== 'string' || !Number.isInteger(exitCode)) return undefined;
  if (files !== undefined && !isStringRecord(files)) return undefined;
  return { stdout, stderr, exitCode: exitCode as number, ...(files ? { files } : {}) };
}

/** Removes a socket file left by a bot that did not shut down cleanly; refuses to remove anything else. */
async function removeStaleSocket(path: string): Promise<void> {
  try {
    const stat = await lstat(path);
    if (!stat.isSocket()) throw new StoreError(`${path} exists and is not a socket. Move it away so the bot can take admin commands there.`, path);
    await unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/**
 * Serves admin commands on DATA_DIR/admin.sock for the bot that holds the DATA_DIR. Commands run
 * one at a time, in arrival order, as they would from separate CLI runs.
 */
export async function startAdminSocket(dataDir: string, services: Services, logger: Logger): Promise<{ close(): Promise<void> }> {
  const path = adminSocketPath(dataDir);
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    throw new StoreError(
      `The admin socket path ${path} is ${Buffer.byteLength(path)} bytes; Unix sockets allow at most ${MAX_SOCKET_PATH_BYTES}. Use a shorter DATA_DIR path.`,
      path,
    );
  }
  await removeStaleSocket(path);
  let queue: Promise<unknown> = Promise.resolve();
  const waiting = new Set<Socket>();
  const running = new Set<Promise<unknown>>();

  const answer = (socket: Socket, result: AdminResult) => {
    if (!socket.destroyed) socket.end(`${JSON.stringify(result)}\n`);
  };

  // Half-open: a client that ends its side (to stop a long command) still gets the answer.
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    waiting.add(socket);
    socket.setTimeout(REQUEST_TIMEOUT_MS, () => socket.destroy());
    socket.on('error', (err) => logger.debug({ err }, 'admin socket client error'));
    socket.on('close', () => waiting.delete(socket));
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      const newline = chunk.indexOf(0x0a);
      size += newline === -1 ? chunk.length : newline;
      if (size > MAX_REQUEST_BYTES) {
        stopReading();
        answer(socket, failure(`The request is larger than ${MAX_REQUEST_BYTES / (1024 * 1024)} MB; split the file.`, EXIT_USAGE));
        return;
      }
      chunks.push(newline === -1 ? chunk : chunk.subarray(0, newline));
      if (newline !== -1) {
        stopReading();
        handle(Buffer.concat(chunks).toString('utf8'));
      }
    };
    const onEnd = () => {
      stopReading();
      answer(socket, failure('The request ended before a complete line was received.', EXIT_USAGE));
    };
    const stopReading = () => {
      waiting.delete(socket);
      socket.setTimeout(0);
      socket.off('data', onData);
      socket.off('end', onEnd);
    };
    const handle = (line: string) => {
      let request: AdminRequest | undefined;
      try {
        request = toAdminRequest(JSON.parse(line));
      } catch {
        request = undefined;
      }
      if (!request) {
        answer(socket, failure('The request is not an admin command ({"argv": [...], "input": {"files": {...}, "stdin": "..."}}).', EXIT_USAGE));
        return;
      }
      const { argv, input } = request;
      const stop = new AbortController();
      socket.once('end', () => stop.abort());
      socket.once('close', () => stop.abort());
      const live = {
        signal: stop.signal,
        onProgress: (progress: AdminProgress) => {
          if (!socket.destroyed && socket.writable) socket.write(`${JSON.stringify({ progress })}\n`);
        },
      };
      // A long run goes beside the queue, so an `unlock` is never kept waiting for hours behind a campaign.
      const after = runsLong(argv) ? Promise.resolve() : queue;
      const run = after.then(async () => {
        let result: AdminResult;
        try {
          result = await runAdminCommand(services, argv, input, live);
        } catch (err) {
          // runAdminCommand answers every error itself; this is only a last guard so the client is never left waiting.
          logger.error({ err }, 'admin command failed');
          result = failure('error: the command failed inside the bot; see the bot log.', EXIT_USAGE);
        }
        // Never log argv values beyond the command words, nor any input: stdin may hold a PIN.
        logger.info({ command: argv.slice(0, 2).join(' '), exitCode: result.exitCode }, 'admin command');
        answer(socket, result);
      });
      if (!runsLong(argv)) queue = run.catch(() => undefined);
      running.add(run);
      void run.finally(() => running.delete(run)).catch(() => undefined);
    };
    socket.on('data', onData);
    socket.on('end', onEnd);
  });

  await new Promise<void>((done, fail) => {
    server.once('error', (err) => fail(new StoreError(`Cannot listen for admin commands on ${path}: ${err.message}`, path)));
    server.listen(path, () => done());
  });
  try {
    await chmod(path, 0o600);
  } catch (err) {
    server.close();
    throw new StoreError(`Cannot restrict ${path} to its owner: ${(err as Error).message}`, path);
  }
  server.on('error', (err) => logger.error({ err }, 'admin socket error'));

  return {
    async close() {
      // Stop taking commands, drop clients that never sent one, let running ones answer.
      const closed = new Promise<void>((done) => server.close(() => done()));
      for (const socket of waiting) socket.destroy();
      await Promise.allSettled([...running]);
      await closed;
      await unlink(path).catch(() => undefined);
    },
  };
}

/** Sends one request to the bot's admin socket and returns its answer. Rejects if the bot cannot be reached. */
export function sendAdminRequest(socketPath: string, request: AdminRequest, live: { onProgress?: (p: AdminProgress) => void; signal?: AbortSignal } = {}): Promise<AdminResult> {
  const line = `${JSON.stringify(request)}\n`;
  if (Buffer.byteLength(line) > MAX_REQUEST_BYTES) {
    return Promise.resolve(failure(`The command and its files are larger than ${MAX_REQUEST_BYTES / (1024 * 1024)} MB, too large to send to the running bot; split the file.`, EXIT_USAGE));
  }
  return new Promise((resolvePromise, reject) => {
    const socket = createConnection(socketPath);
    socket.setEncoding('utf8');
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      fn();
    };
    socket.on('connect', () => {
      socket.write(line);
      // Asked to stop: end our side; the bot stops the command and still answers.
      live.signal?.addEventListener('abort', () => socket.end(), { once: true });
    });
    let buffered = '';
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      // Progress lines come first; the answer is the first line that is not one.
      for (let nl = buffered.indexOf('\n'); nl !== -1; nl = buffered.indexOf('\n')) {
        const lineText = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        let parsed: unknown;
        try {
          parsed = JSON.parse(lineText);
        } catch {
          parsed = undefined;
        }
        const progress = toAdminProgress(parsed);
        if (progress) {
          live.onProgress?.(progress);
          continue;
        }
        const result = toAdminResult(parsed);
        settle(() => (result ? resolvePromise(result) : reject(new Error('the bot sent an answer that is not an admin result'))));
        return;
      }
    });
    socket.on('end', () => settle(() => reject(new Error('the bot closed the connection without answering'))));
    socket.on('error', (err) => settle(() => reject(err)));
  });
}
