import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** Compares two strings in time that depends only on their lengths, never on where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) {
    timingSafeEqual(left, left); // same work either way
    return false;
  }
  return timingSafeEqual(left, right);
}

/** A code of `digits` decimal digits from the CSPRNG. */
export function randomDigits(digits: number): string {
  let out = '';
  for (let i = 0; i < digits; i++) out += String(randomInt(0, 10));
  return out;
}

/** A URL-safe token with 192 bits of entropy. */
export function randomToken(): string {
  return randomBytes(24).toString('base64url');
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Keyed MACs for secrets at rest (codes) and for CSRF tokens. The key never leaves this object. */
export class ServerKey {
  readonly #key: Buffer;
  constructor(key: Buffer) {
    if (key.length < 32) throw new Error('The server secret must be at least 32 bytes.');
    this.#key = key;
  }
  mac(purpose: string, ...parts: string[]): string {
    const h = createHmac('sha256', this.#key);
    h.update(purpose);
    for (const part of parts) h.update(`\u0000${part}`);
    return h.digest('base64url');
  }
}
