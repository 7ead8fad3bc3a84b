import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { accountSchema, contactSchema, looksLikeAccount, looksLikeContact } from '../src/adapters/store/records.js';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 3000);

// Values near every edge the schemas draw: empty and non-empty strings, times that are not safe
// non-negative integers, other types, missing fields.
const anyValue = fc.oneof(
  fc.constantFrom('', 'jdoe', 'self', 'import', 'Self', 0, -1, 1.5, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY, -0, 1796002985956, null, true, [], {}),
  fc.string({ maxLength: 4 }),
  fc.integer(),
  fc.double(),
);
const field = (likely: fc.Arbitrary<unknown>) => fc.oneof({ weight: 4, arbitrary: likely }, { weight: 1, arbitrary: anyValue });
const time = field(fc.nat());
const text = field(fc.string({ maxLength: 6 }));

const account = fc.record(
  { uid: field(fc.string({ minLength: 1, maxLength: 6 })), name: text, email: text, upn: text, aadObjectId: text, pinHash: text, createdAt: time, updatedAt: time, extra: anyValue },
  { requiredKeys: ['uid', 'name', 'email', 'createdAt', 'updatedAt'] },
);
const contact = fc.record(
  { uid: field(fc.string({ minLength: 1, maxLength: 6 })), email: text, mobile: text, source: field(fc.constantFrom('self', 'import')), verifiedAt: time, updatedAt: time },
  { requiredKeys: ['uid', 'source', 'verifiedAt', 'updatedAt'] },
);
const notARecord = fc.oneof(anyValue, fc.array(anyValue, { maxLength: 3 }));

describe('the store loads large tables with quick checks that accept exactly what their schemas accept', () => {
  test.each([
    ['accounts', looksLikeAccount, accountSchema, account],
    ['contacts', looksLikeContact, contactSchema, contact],
  ] as const)('%s: quick check and schema agree on every record, valid or not', (_name, quick, schema, arbitrary) => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.oneof({ weight: 9, arbitrary }, { weight: 1, arbitrary: notARecord }), (record) => {
        const ok = schema.safeParse(record).success;
        if (ok) accepted += 1;
        expect(quick(record)).toBe(ok);
      }),
      { numRuns: RUNS },
    );
    // Both answers were exercised, not only rejections.
    expect(accepted).toBeGreaterThan(RUNS / 20);
  });
});
