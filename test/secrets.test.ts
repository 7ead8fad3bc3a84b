import { describe, expect, test } from '@jest/globals';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { constantTimeEqual, randomDigits, randomToken, ServerKey } from '../src/domain/secrets.js';

/** Names under which a stored secret that a user's input is checked against is held. */
const SECRET = 'codeMac|csrf|mac|pinHash|expected';

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name));
}

describe('secrets', () => {
  test('constantTimeEqual tells equal from different values, whatever their lengths', () => {
    expect(constantTimeEqual('123456', '123456')).toBe(true);
    expect(constantTimeEqual('123456', '123457')).toBe(false);
    expect(constantTimeEqual('123456', '1234567')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
    expect(constantTimeEqual('é', 'e')).toBe(false);
  });

  test('stored secrets (code MACs, CSRF values, PIN hashes) are compared only in constant time, never with == or !=', async () => {
    const offenders: string[] = [];
    for (const file of [...(await sourceFiles('src')), ...(await sourceFiles('dialogs'))]) {
      (await readFile(file, 'utf8')).split('\n').forEach((line, i) => {
        // Comparisons with a literal, undefined/null, or of lengths are not comparisons of secrets.
        const code = line.replace(/(['"`])(?:\\.|(?!\1).)*\1/g, "''").replace(/\b(undefined|null)\b/g, "''").replace(/[\w.]+\.length\b/g, '0');
        if (new RegExp(`\\b(${SECRET})\\s*[!=]==?\\s*[A-Za-z_(]|[A-Za-z_)]\\s*[!=]==?\\s*[\\w.?]*\\b(${SECRET})\\b`).test(code)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
    // And the places that do check secrets use the constant-time comparisons.
    expect(await readFile('src/domain/verificationCodes.ts', 'utf8')).toMatch(/constantTimeEqual\(this\.key\.mac\('code'/);
    expect(await readFile('src/domain/oneTimeLinks.ts', 'utf8')).toMatch(/constantTimeEqual\(String\(csrf/);
    expect(await readFile('src/domain/pinHash.ts', 'utf8')).toMatch(/timingSafeEqual\(actual, expected\)/);
  });

  test('codes are 6 digits from the CSPRNG and tokens carry at least 128 bits', () => {
    const codes = new Set(Array.from({ length: 2000 }, () => randomDigits(6)));
    expect([...codes].every((c) => /^\d{6}$/.test(c))).toBe(true);
    expect(codes.size).toBeGreaterThan(1990);
    const token = randomToken();
    expect(Buffer.from(token, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
  });

  test('a code is kept only as an HMAC under the server key: another key gives another MAC', () => {
    const a = new ServerKey(Buffer.alloc(32, 1));
    const b = new ServerKey(Buffer.alloc(32, 2));
    expect(a.mac('code', 'challenge-1', '123456')).not.toContain('123456');
    expect(a.mac('code', 'challenge-1', '123456')).not.toEqual(b.mac('code', 'challenge-1', '123456'));
    expect(a.mac('code', 'challenge-1', '123456')).not.toEqual(a.mac('code', 'challenge-2', '123456'));
  });
});
