import { describe, expect, test } from '@jest/globals';
import { availableParallelism } from 'node:os';
import { hashPin, scryptSlots, Slots, verifyPin } from '../src/domain/pinHash.js';

/** Lets every settled promise run its continuations (no clock involved). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('the scrypt concurrency cap', () => {
  test('Slots never runs more than its limit at once, keeps every slot busy while jobs wait, and finishes every job', async () => {
    const slots = new Slots(3);
    // Each job counts itself, apart from the Slots' own bookkeeping.
    let runningNow = 0;
    let most = 0;
    const started: { id: number; finish: () => void; fail: () => void }[] = [];
    const results = Array.from({ length: 12 }, (_, id) =>
      slots.run(
        () =>
          new Promise<number>((resolve, reject) => {
            runningNow += 1;
            most = Math.max(most, runningNow);
            const end = () => (runningNow -= 1);
            started.push({ id, finish: () => (end(), resolve(id)), fail: () => (end(), reject(new Error(`job ${id} failed`))) });
          }),
      ).catch((err: Error) => err.message),
    );
    await settle();
    expect(started.map((j) => j.id)).toEqual([0, 1, 2]);
    expect(slots.waiting).toBe(9);
    // Finish them newest first, one failing: a failed job gives its slot back too.
    for (let done = 0; done < 12; done++) {
      const job = started.filter((j) => j.id >= 0).at(-1)!;
      if (job.id === 4) job.fail();
      else job.finish();
      job.id = -1;
      await settle();
      expect(runningNow).toBe(Math.min(3, 12 - done - 1));
      expect(slots.active).toBe(runningNow);
    }
    expect(most).toBe(3);
    expect(slots.peak).toBe(3);
    expect(slots.waiting).toBe(0);
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3, 'job 4 failed', 5, 6, 7, 8, 9, 10, 11]);
  });

  test('Slots refuses a limit below one', () => {
    expect(() => new Slots(0)).toThrow(RangeError);
    expect(() => new Slots(1.5)).toThrow(RangeError);
  });

  test('many PINs hashed at once: never more scrypt runs than the cap (one per core, at most 4), and every hash verifies', async () => {
    const cap = Math.max(1, Math.min(4, availableParallelism()));
    expect(scryptSlots.limit).toBe(cap);
    const pins = Array.from({ length: cap * 3 + 1 }, (_, i) => String(100000 + i * 7919));
    const hashing = pins.map((pin) => hashPin(pin));
    // All were asked for at once; only `cap` are running, the rest queue.
    expect(scryptSlots.active).toBe(cap);
    expect(scryptSlots.waiting).toBe(pins.length - cap);
    const hashes = await Promise.all(hashing);
    expect(scryptSlots.peak).toBe(cap);
    expect(scryptSlots.active).toBe(0);
    expect(new Set(hashes).size).toBe(pins.length);
    for (const hash of hashes) expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);

    // Checking them all at once queues the same way, and each hash takes its own PIN only.
    const checks = pins.flatMap((pin, i) => [verifyPin(pin, hashes[i]), verifyPin(pins[(i + 1) % pins.length]!, hashes[i])]);
    expect(scryptSlots.active).toBe(cap);
    expect(scryptSlots.waiting).toBe(checks.length - cap);
    expect(await Promise.all(checks)).toEqual(pins.flatMap(() => [true, false]));
    expect(scryptSlots.peak).toBe(cap);
    expect(scryptSlots.active).toBe(0);
  });
});
