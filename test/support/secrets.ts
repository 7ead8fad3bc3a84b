import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { RUN_ROOT_ENV, SECRETS_FILE, type SecretKind } from './secretScan.js';

export { RUN_ROOT_ENV, type SecretKind };

/**
 * The secret-hygiene run (./secretScan.ts): every DATA_DIR the tests create lives under
 * one run root, and every code, link token and PIN the tests see issued or typed is recorded in
 * the run's secrets file, so that after the whole suite no log, audit or store file may hold one.
 */

export function runRoot(): string | undefined {
  return process.env[RUN_ROOT_ENV] || undefined;
}


/** Records secrets issued or typed during the run (no-op outside a scanned run). */
export function recordSecret(kind: SecretKind, ...values: (string | undefined)[]): void {
  const root = runRoot();
  if (!root) return;
  const lines = values.filter((v): v is string => typeof v === 'string' && v.length > 0).map((v) => `${JSON.stringify({ kind, value: v })}\n`);
  if (lines.length === 0) return;
  mkdirSync(root, { recursive: true });
  appendFileSync(join(root, SECRETS_FILE), lines.join(''));
}

const CODE = /(?<![0-9A-Za-z])(\d{6})(?![0-9A-Za-z])/g;
const TOKEN = /\/reset\/([A-Za-z0-9_-]{16,})/g;

/** Records the codes and PIN-page tokens in a text the bot sent (a mail, an SMS, a chat reply). */
export function recordSecretsIn(text: string | undefined): void {
  if (!text) return;
  recordSecret('code', ...[...text.matchAll(CODE)].map((m) => m[1]));
  recordSecret('token', ...[...text.matchAll(TOKEN)].map((m) => m[1]));
}

/** Records the PIN-page tokens in a chat reply (replies never carry codes; 'like 123456' is an example). */
export function recordTokensIn(text: string | undefined): void {
  if (text) recordSecret('token', ...[...text.matchAll(TOKEN)].map((m) => m[1]));
}
