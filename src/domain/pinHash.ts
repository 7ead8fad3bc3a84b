import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { availableParallelism } from 'node:os';

/**
 * At most `limit` jobs at once; the rest wait in order. A finished job hands its slot straight to
 * the next in line. `active` and `peak` are kept for tests and metrics.
 */
export class Slots {
  private running = 0;
  private highest = 0;
  private readonly queued: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!(Number.isInteger(limit) && limit >= 1)) throw new RangeError('Slots needs an integer limit >= 1');
  }

  /** Jobs running now. */
  get active(): number {
    return this.running;
  }

  /** The most jobs that have run at once. */
  get peak(): number {
    return this.highest;
  }

  /** Jobs waiting for a slot. */
  get waiting(): number {
    return this.queued.length;
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.queued.push(resolve));
    else this.running += 1;
    this.highest = Math.max(this.highest, this.running);
    try {
      return await job();
    } finally {
      const next = this.queued.shift();
      if (next) next(); // the slot passes straight to the next in line
      else this.running -= 1;
    }
  }
}

// Each scrypt holds 32 MiB (128 * N * r) while it runs: at most one per core at a time, so a burst of
// PIN checks queues instead of multiplying memory (the parameters, and so the cost per guess, are unchanged).
export const scryptSlots = new Slots(Math.max(1, Math.min(4, availableParallelism())));

function scrypt(pin: string, salt: Buffer, len: number, opts: ScryptOptions): Promise<Buffer> {
  return scryptSlots.run(() => new Promise<Buffer>((resolve, reject) => scryptCb(pin.normalize('NFKC'), salt, len, opts, (err, key) => (err ? reject(err) : resolve(key)))));
}

// scrypt parameters: N=2^15, r=8, p=1 (OWASP's minimum for scrypt), 32-byte key, 16-byte salt per account.
const N = 32768;
const R = 8;
const P = 1;
const KEYLEN = 32;
const MAXMEM = 64 * 1024 * 1024;

/** Hashes a PIN as `scrypt$N$r$p$salt$hash` (base64url parts). */
export async function hashPin(pin: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(pin, salt, KEYLEN, { N, r: R, p: P, maxmem: MAXMEM });
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Whether `pin` matches `stored`, compared in constant time. */
export async function verifyPin(pin: string, stored: string | undefined): Promise<boolean> {
  const parts = (stored ?? '').split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') {
    // Do the same work for a missing hash, so timing does not tell whether a PIN is set.
    await scrypt(pin, randomBytes(16), KEYLEN, { N, r: R, p: P, maxmem: MAXMEM });
    return false;
  }
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scrypt(pin, Buffer.from(salt, 'base64url'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: MAXMEM });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
