import { writeFile as writeFileOnDisk } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError, loadConfig } from '../config/load.js';
import { StoreError } from '../adapters/store/errors.js';
import { readLockOwner, type LockOwner } from '../adapters/store/lock.js';
import type { Logger } from '../ports/logger.js';
import { openServices } from '../services.js';
import { filesOf, parseAdminCommand, readsStdin, runAdminCommand } from './commands.js';
import { EXIT_USAGE, failure, type AdminInput, type AdminLive, type AdminRequest, type AdminResult } from './result.js';
import { adminSocketPath, BOT_ROLE, sendAdminRequest } from './socket.js';
import { copyStore } from './storeCopy.js';

/** The lock role the CLI takes when it opens the store itself. */
export const CLI_ROLE = 'admin CLI';

/** Where the CLI gets its files and stdin; the real ones in main.ts, fakes in tests. */
export interface CliIo {
  readFile(path: string): Promise<string>;
  readStdin(): Promise<string>;
  /** Store warnings (e.g. a torn journal line) while the CLI holds the store. */
  warn(message: string): void;
  /** Writes a file a command made (AdminResult.files); default: to disk, relative to where the CLI runs. */
  writeFile?(path: string, text: string): Promise<void>;
  /** A long command's progress and its stop (Ctrl+C), wherever the command runs. */
  live?: AdminLive;
}

export interface CliOptions {
  env: NodeJS.ProcessEnv;
  /** The .env file to read under the environment, or null for none. */
  envFile: string | null;
  /** Who holds DATA_DIR; tests that hold it in-process pass their own reader. */
  lockOwner?: (dataDir: string) => LockOwner | undefined;
}

/**
 * The admin CLI: reads the files and stdin the command needs, then runs the command inside the
 * bot if the bot holds DATA_DIR (lowdb: so the store has one writer), or opens the store itself
 * (always with PostgreSQL, whichever instances run; pending migrations are applied on the way).
 */
export async function runCli(argv: readonly string[], options: CliOptions, io: CliIo): Promise<AdminResult> {
  return writeFiles(await runCommand(argv, options, io), io);
}

/** Writes the files a command made, here where the CLI runs (the bot may run elsewhere); a file that cannot be written fails the command. */
async function writeFiles(result: AdminResult, io: CliIo): Promise<AdminResult> {
  const { files, ...rest } = result;
  if (!files) return result;
  const problems: string[] = [];
  for (const [path, text] of Object.entries(files)) {
    try {
      await (io.writeFile ?? ((p, t) => writeFileOnDisk(p, t, 'utf8')))(path, text);
    } catch (err) {
      problems.push(`Cannot write ${path}: ${describeFsError(err)}`);
    }
  }
  if (problems.length === 0) return rest;
  return { ...rest, stderr: `${rest.stderr}${problems.join('\n')}\n`, exitCode: EXIT_USAGE };
}

async function runCommand(argv: readonly string[], options: CliOptions, io: CliIo): Promise<AdminResult> {
  const parsed = parseAdminCommand(argv);
  if (!parsed.ok) return parsed.result;
  let config;
  try {
    config = loadConfig(options.env, options.envFile);
  } catch (err) {
    if (err instanceof ConfigError) return failure(err.message);
    throw err;
  }
  const input: AdminInput = { files: {}, stdin: '' };
  for (const file of filesOf(parsed.command)) {
    try {
      input.files[file] = await io.readFile(file);
    } catch (err) {
      return failure(`Cannot read ${file}: ${describeFsError(err)}`);
    }
  }
  if (readsStdin(parsed.command)) input.stdin = await io.readStdin();

  const request: AdminRequest = { argv: [...argv], input };
  const dataDir = resolve(config.DATA_DIR);
  const logger = warningsTo(io.warn);
  if (parsed.command.name === 'store copy') return copyStore(config, logger);
  // lowdb has one writer: a running bot takes the command. PostgreSQL takes writers from every instance and the CLI alike.
  if (config.STORE === 'lowdb') {
    const owner = (options.lockOwner ?? readLockOwner)(dataDir);
    if (owner?.role === BOT_ROLE) return runInBot(dataDir, owner, request, io.live);
  }

  let services;
  try {
    services = await openServices(config, { role: CLI_ROLE, logger });
  } catch (err) {
    if (err instanceof StoreError) return failure(err.message);
    return failure(`Cannot open the store ${config.STORE === 'postgres' ? 'in PostgreSQL (DATABASE_URL)' : `in ${dataDir}`}: ${(err as Error)?.message ?? String(err)}`);
  }
  try {
    return await runAdminCommand(services, request.argv, request.input, io.live);
  } finally {
    await services.close().catch((err: unknown) => io.warn(`warning: closing the store failed: ${(err as Error)?.message ?? String(err)}`));
  }
}

/** Sends the command to the bot that holds DATA_DIR; the CLI never writes the store behind its back. */
export async function runInBot(dataDir: string, owner: LockOwner, request: AdminRequest, live: AdminLive = {}): Promise<AdminResult> {
  const path = adminSocketPath(dataDir);
  try {
    return await sendAdminRequest(path, request, live);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return failure(
      `The bot (pid ${owner.pid}, since ${owner.since}) is running on ${dataDir} but did not answer on ${path} (${reason}). ` +
        'Admin commands must go through it so the store has one writer: check the bot, or stop it and run the command again.',
      EXIT_USAGE,
    );
  }
}

function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a folder, not a file';
    default:
      return e.message ?? String(err);
  }
}

function warningsTo(warn: (message: string) => void): Logger {
  return {
    info: () => {},
    debug: () => {},
    warn: (_obj, msg) => warn(`warning: ${msg ?? ''}`),
    error: (_obj, msg) => warn(`error: ${msg ?? ''}`),
  };
}
