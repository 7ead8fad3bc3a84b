import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { configSchema, settings, type AppConfig, type Config, type SettingName } from './schema.js';

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Configuration is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads `.env` (if present) under the real environment, which wins, and validates every setting at once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, envFile: string | null = '.env'): AppConfig {
  const merged = readSettings(env, envFile);
  const result = configSchema.safeParse(merged);
  if (!result.success) throw new ConfigError(problemsOf(result.error, merged));
  return result.data;
}

/**
 * Only the settings `names`, read and validated as loadConfig reads them (the environment over
 * `.env`), for tools that need a few and must not fail on the others: the chat client, the Teams package.
 */
export function loadSettings<const N extends SettingName>(names: readonly N[], env: NodeJS.ProcessEnv = process.env, envFile: string | null = '.env'): Pick<Config, N> {
  const merged = readSettings(env, envFile);
  const result = z.object(Object.fromEntries(names.map((name) => [name, settings[name].schema]))).safeParse(merged);
  if (!result.success) throw new ConfigError(problemsOf(result.error, merged));
  return result.data as Pick<Config, N>;
}

function readSettings(env: NodeJS.ProcessEnv, envFile: string | null): Record<string, string | undefined> {
  let fromFile: Record<string, string> = {};
  if (envFile && existsSync(envFile)) {
    try {
      fromFile = parseEnv(readFileSync(envFile, 'utf8')) as Record<string, string>;
    } catch (err) {
      throw new ConfigError([`${envFile}: cannot be read (${(err as Error).message})`]);
    }
  }
  const merged: Record<string, string | undefined> = {};
  for (const name of Object.keys(settings)) {
    const value = env[name] ?? fromFile[name];
    // An empty value means "not set", as in most .env conventions.
    merged[name] = value === '' ? undefined : value;
  }
  return merged;
}

function problemsOf(error: z.ZodError, merged: Record<string, string | undefined>): string[] {
  return error.issues.map((issue) => {
    const name = String(issue.path[0] ?? 'config');
    const secret = name in settings && (settings[name as keyof typeof settings].doc as { secret?: boolean }).secret;
    const shown = secret || merged[name] === undefined ? '' : ` (got "${merged[name]}")`;
    return `${name} ${describe(issue.message)}${shown}`;
  });
}

function describe(message: string): string {
  return /^(is|must)\b/.test(message) ? message : `is not valid: ${message}`;
}
