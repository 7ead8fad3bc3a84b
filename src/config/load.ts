import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { configSchema, settings, type AppConfig } from './schema.js';

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Configuration is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads `.env` (if present) under the real environment, which wins, and validates every setting at once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, envFile: string | null = '.env'): AppConfig {
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
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? 'config');
      const secret = name in settings && (settings[name as keyof typeof settings].doc as { secret?: boolean }).secret;
      const shown = secret || merged[name] === undefined ? '' : ` (got "${merged[name]}")`;
      return `${name} ${describe(issue.message)}${shown}`;
    });
    throw new ConfigError(problems);
  }
  return result.data;
}

function describe(message: string): string {
  return /^(is|must)\b/.test(message) ? message : `is not valid: ${message}`;
}
