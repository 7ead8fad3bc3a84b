import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { importAccounts } from '../src/admin/accountImport.js';
import { importContacts } from '../src/admin/contactImport.js';
import { normalizeEmail, normalizeMobile } from '../src/domain/contactFormats.js';
import { addAccount, openTestServices, type TestServices } from './support/services.js';

/**
 * The import promise (README, Admin CLI): a file that is not valid CSV, or whose header is wrong,
 * is refused whole (exit 2, nothing applied). Otherwise each row stands alone: a bad row is
 * reported as `line N: field: reason` and changes nothing; every other row is applied in full;
 * rows sharing a UID are all refused. Exit 0 when no row was refused, 1 when some were.
 */
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 40);
const UIDS = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5'];

let t: TestServices;
beforeAll(async () => {
  t = await openTestServices();
  for (const uid of UIDS) await addAccount(t.services, uid);
});
afterAll(async () => {
  await t.services.close();
});

/** A CSV field as a spreadsheet might write it: sometimes quoted, with inner quotes doubled. */
const field = (value: string, quote: boolean) => (quote || /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

interface Row {
  cells: string[];
  quote: boolean;
}
interface File {
  header: string[];
  rows: Row[];
  eol: string;
  bom: boolean;
  /** Breaks the file as a whole (not valid CSV, or a bad header). */
  corrupt?: 'unclosed quote' | 'unknown column' | 'no header' | 'repeated column';
  blankLinesAfter: number[];
}

function render(f: File): { text: string; rowLines: number[] } {
  const lines: string[] = [];
  const rowLines: number[] = [];
  const header = f.corrupt === 'unknown column' ? [...f.header, 'nickname'] : f.corrupt === 'repeated column' ? [...f.header, f.header[0]!] : f.header;
  if (f.corrupt !== 'no header') lines.push(header.join(','));
  f.rows.forEach((row, i) => {
    rowLines.push(lines.join(f.eol).split(/\r\n|\n/).length + (lines.length ? 1 : 0));
    lines.push(row.cells.map((c) => field(c, row.quote)).join(','));
    for (let b = 0; b < (f.blankLinesAfter[i] ?? 0); b++) lines.push('');
  });
  let text = lines.join(f.eol) + f.eol;
  if (f.corrupt === 'unclosed quote') text += `u0,"never closed${f.eol}`;
  return { text: (f.bom ? '\uFEFF' : '') + text, rowLines };
}

const uid = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...UIDS, 'U1', ' u2 ') }, { weight: 1, arbitrary: fc.constantFrom('', 'nosuch', 'bad uid!', 'x'.repeat(70)) });
const email = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom('a@gmail.com', 'B.Lee@Gmail.COM', ' c@yahoo.com.hk ', 'mailto:d@outlook.com') },
  { weight: 2, arbitrary: fc.constantFrom('', 'not-an-email', 'x@', 'staff@example.edu', 'a,b@gmail.com', 'q"uote@gmail.com', 'line\nbreak@gmail.com') },
);
const mobile = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom('91234567', '+852 6123 4567', '+44 7911 123456', '0085298765432') },
  { weight: 2, arbitrary: fc.constantFrom('', '123', 'phone', '+0 123') },
);
const cellCount = (n: number) => fc.oneof({ weight: 8, arbitrary: fc.constant(n) }, { weight: 1, arbitrary: fc.constantFrom(n - 1, n + 1) });

const fileShape = (header: string[], cells: fc.Arbitrary<string[]>) =>
  fc.record({
    header: fc.constant(header),
    rows: fc.array(fc.record({ cells: fc.tuple(cells, cellCount(header.length)).map(([c, n]) => [...c, '', ''].slice(0, n)), quote: fc.boolean() }), { maxLength: 12 }),
    eol: fc.constantFrom('\n', '\r\n'),
    bom: fc.boolean(),
    corrupt: fc.option(fc.constantFrom('unclosed quote', 'unknown column', 'no header', 'repeated column') as fc.Arbitrary<File['corrupt']>, { freq: 6, nil: undefined }),
    blankLinesAfter: fc.array(fc.nat(2), { maxLength: 12 }),
  });

/** Rows seen refused and applied over all runs, so the checks are known not to be vacuous. */
const seen = { refusedFiles: 0, refusedRows: 0, appliedRows: 0 };

const reportedLines = (stderr: string) => new Set([...stderr.matchAll(/^line (\d+): /gm)].map((m) => Number(m[1])));

/**
 * The checks every import answer gets: only row lines are reported, the exit code says whether any
 * row was refused; counts what was seen. Returns the reported lines.
 */
function checkReport(result: { stderr: string; exitCode: number }, file: File, rowLines: number[]): Set<number> {
  const reported = reportedLines(result.stderr);
  for (const line of reported) expect(rowLines).toContain(line);
  seen.refusedRows += reported.size;
  seen.appliedRows += file.rows.length - reported.size;
  expect(result.exitCode).toBe(reported.size > 0 ? 1 : 0);
  return reported;
}

describe('fuzzing the imports', () => {
  test('contacts import: bad rows reported by line and not applied, good rows applied in full, a broken file applies nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fileShape(['uid', 'email', 'mobile'], fc.tuple(uid, email, mobile)), async (shape) => {
        // One self-registered contact, which an import must never replace.
        const now = t.clock.now();
        await t.services.store.contacts.put({ uid: 'u5', email: 'mine@gmail.com', mobile: '+85291110000', source: 'self', verifiedAt: now, updatedAt: now });
        const before = new Map(await Promise.all(UIDS.map(async (u) => [u, await t.services.store.contacts.get(u)] as const)));
        const file = shape as File;
        const { text, rowLines } = render(file);
        const result = await importContacts(t.services, 'contacts.csv', text);
        const after = new Map(await Promise.all(UIDS.map(async (u) => [u, await t.services.store.contacts.get(u)] as const)));

        if (file.corrupt || file.rows.length === 0 && result.exitCode === 2) {
          expect(result.exitCode).toBe(2);
          expect(result.stderr).toContain('Nothing was imported');
          expect(after).toEqual(before);
          seen.refusedFiles++;
          return;
        }
        const reported = checkReport(result, file, rowLines);
        expect(result.stdout).toContain(`${reported.size} rejected`);

        const changedBy = new Map<string, { email?: string; mobile?: string }>();
        file.rows.forEach((row, i) => {
          const target = row.cells[0]?.trim().toLowerCase() ?? '';
          if (reported.has(rowLines[i]!)) return;
          const [, e = '', m = ''] = row.cells;
          changedBy.set(target, { ...(e.trim() ? { email: normalizeEmail(e)! } : {}), ...(m.trim() ? { mobile: normalizeMobile(m)! } : {}) });
        });
        for (const u of UIDS) {
          const applied = changedBy.get(u);
          if (!applied || before.get(u)?.source === 'self') {
            // A refused row, or none, or a self-registration: nothing changed for this account.
            expect({ u, record: after.get(u) }).toEqual({ u, record: before.get(u) });
          } else {
            expect({ u, email: after.get(u)?.email, mobile: after.get(u)?.mobile, source: after.get(u)?.source }).toEqual({ u, ...{ email: applied.email, mobile: applied.mobile }, source: 'import' });
          }
        }
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
  }, 120_000);

  test('accounts import: a refused row changes nothing of its account (not the name, not the PIN), an accepted one all of it', async () => {
    const name = fc.constantFrom('Jane Doe', '陳大文', '', 'x'.repeat(250), 'tab\there');
    const pin = fc.oneof({ weight: 4, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('short', 'Long-enough-PIN-1', ' padded PIN 123 ', 'u1u1u1u1') });
    await fc.assert(
      fc.asyncProperty(fileShape(['uid', 'name', 'email', 'pin'], fc.tuple(uid, name, email, pin)), async (shape) => {
        const before = new Map(await Promise.all(UIDS.map(async (u) => [u, await t.services.store.accounts.get(u)] as const)));
        const file = shape as File;
        const { text, rowLines } = render(file);
        const result = await importAccounts(t.services, 'accounts.csv', text);
        const after = new Map(await Promise.all(UIDS.map(async (u) => [u, await t.services.store.accounts.get(u)] as const)));
        if (file.corrupt) {
          expect(result.exitCode).toBe(2);
          expect(after).toEqual(before);
          seen.refusedFiles++;
          return;
        }
        const reported = checkReport(result, file, rowLines);
        // No PIN is ever printed back, whatever row it was on.
        for (const row of file.rows) if (row.cells[3] && row.cells[3].length >= 4) expect(result.stdout + result.stderr).not.toContain(row.cells[3]);

        const accepted = new Map<string, Row>();
        file.rows.forEach((row, i) => {
          if (!reported.has(rowLines[i]!)) accepted.set(row.cells[0]!.trim().toLowerCase(), row);
        });
        for (const u of UIDS) {
          const row = accepted.get(u);
          if (!row) {
            expect({ u, record: after.get(u) }).toEqual({ u, record: before.get(u) });
            continue;
          }
          expect({ u, name: after.get(u)?.name, email: after.get(u)?.email }).toEqual({ u, name: row.cells[1]!.trim(), email: normalizeEmail(row.cells[2]!) });
          if (row.cells[3]) expect(await t.services.directory.checkPin(u, row.cells[3])).toBe(true);
          else expect(after.get(u)?.pinHash).toEqual(before.get(u)?.pinHash);
        }
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
    expect(seen.refusedFiles).toBeGreaterThan(0);
    expect(seen.refusedRows).toBeGreaterThan(0);
    expect(seen.appliedRows).toBeGreaterThan(0);
  }, 120_000);
});
