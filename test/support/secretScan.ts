/**
 * Secret hygiene across the whole run. jest's globalTeardown: after every suite, no log, audit or
 * store file written during the run may hold a code, link token or PIN issued or typed during it;
 * a leak fails `npm test`. Loaded by jest outside the test module system, so it imports nothing
 * of ours (./secrets.ts imports its names from here).
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export const RUN_ROOT_ENV = 'PIN_RESET_TEST_RUN_ROOT';
export const SECRETS_FILE = 'issued-secrets.txt';
/** Folders under the run root that are not the bot's files: the outbox stands for the user's phone and mailbox. */
export const NOT_SCANNED = ['outbox'];

export type SecretKind = 'code' | 'token' | 'pin' | 'password';

export interface Leak {
  file: string;
  kind: SecretKind;
}

/** Every file under `dir`, except the secrets file itself and the outbox (the user's phone and mailbox). */
function scannedFiles(root: string): string[] {
  return readdirSync(root, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .filter((p) => {
      const parts = relative(root, p).split(sep);
      return !(parts.length === 1 && parts[0] === SECRETS_FILE) && !parts.some((part) => NOT_SCANNED.includes(part));
    });
}

/** A code found as text, not as a digit run inside a longer number or word, nor a bare JSON number (times, pids, sizes). */
export function hasCode(text: string, code: string): boolean {
  const re = new RegExp(`(?<![0-9A-Za-z])${code}(?![0-9A-Za-z])`, 'g');
  for (const m of text.matchAll(re)) {
    const before = text.slice(Math.max(0, m.index - 2), m.index).trimEnd().at(-1);
    const after = text.slice(m.index + code.length).trimStart()[0];
    const bareJsonNumber = (before === ':' || before === ',' || before === '[') && (after === ',' || after === '}' || after === ']');
    if (!bareJsonNumber) return true;
  }
  return false;
}

/** Scans every log, audit and store file under the run root for the secrets recorded during the run. */
export function scanRun(root: string): { secrets: number; files: number; leaks: Leak[] } {
  let text = '';
  try {
    text = readFileSync(join(root, SECRETS_FILE), 'utf8');
  } catch {
    /* no secret was issued */
  }
  const secrets = new Map<string, SecretKind>();
  for (const line of text.split('\n')) {
    if (!line) continue;
    const { kind, value } = JSON.parse(line) as { kind: SecretKind; value: string };
    secrets.set(value, kind);
  }
  const files = scannedFiles(root);
  const leaks: Leak[] = [];
  for (const file of files) {
    const content = readFileSync(file).toString('utf8');
    for (const [value, kind] of secrets) {
      const found = kind === 'code' ? hasCode(content, value) : content.includes(value);
      if (found) leaks.push({ file: relative(root, file), kind });
    }
  }
  return { secrets: secrets.size, files: files.length, leaks };
}

export default function teardown(): void {
  const root = process.env[RUN_ROOT_ENV];
  if (!root) return;
  const { secrets, files, leaks } = scanRun(root);
  if (leaks.length > 0) {
    const where = leaks.slice(0, 20).map((l) => `  a ${l.kind} in ${l.file}`).join('\n');
    throw new Error(`Secret hygiene: ${leaks.length} issued secrets found in files the bot wrote during the run (kept in ${root}):\n${where}`);
  }
  process.stdout.write(`\nSecret hygiene: ${secrets} codes, tokens and PINs issued during the run; none in ${files} log, audit and store files.\n`);
  rmSync(root, { recursive: true, force: true });
}
