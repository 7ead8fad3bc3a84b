import type { AccountImport, ImportOutcome } from '../adapters/directory/embeddedDirectory.js';
import { normalizeEmail } from '../domain/contactFormats.js';
import type { Services } from '../services.js';
import { applyInBatches, checkRowStart, duplicateKeys, readCsvRows, type CsvRow } from './csvRows.js';
import { EXIT_OK, EXIT_REFUSED, EXIT_USAGE, failure, Output, type AdminResult } from './result.js';

export const ACCOUNT_COLUMNS = { required: ['uid', 'name', 'email'], optional: ['upn', 'pin'] } as const;

const PIN_MIN = 8;
const PIN_MAX = 64;
const NAME_MAX = 200;
const CONTROL = /[\u0000-\u001f\u007f]/;

interface CheckedAccountRow {
  line: number;
  uid: string | undefined;
  upn: string | undefined;
  account: AccountImport;
  /** `field: reason`; never quotes a value, since a shifted column could put a PIN anywhere. */
  problems: string[];
}

function checkAccountRow(row: CsvRow): CheckedAccountRow {
  const problems: string[] = [];
  const uid = checkRowStart(row, problems);
  const v = row.values;
  const name = (v.name ?? '').trim();
  if (!name) problems.push('name: missing');
  else if (name.length > NAME_MAX) problems.push(`name: longer than ${NAME_MAX} characters`);
  else if (CONTROL.test(name)) problems.push('name: contains a control character');
  const email = normalizeEmail(v.email ?? '');
  if (!v.email?.trim()) problems.push('email: missing');
  else if (!email) problems.push('email: not a valid email address');
  let upn: string | undefined;
  if (v.upn?.trim()) {
    upn = normalizeEmail(v.upn)?.toLowerCase();
    if (!upn) problems.push('upn: not a user principal name (it must look like an email address, e.g. jdoe@example.edu)');
  }
  const pin = v.pin === '' ? undefined : v.pin;
  if (pin !== undefined) {
    const length = [...pin].length;
    if (length < PIN_MIN || length > PIN_MAX) problems.push(`pin: must be ${PIN_MIN} to ${PIN_MAX} characters (has ${length})`);
    else if (pin.trim() !== pin) problems.push('pin: starts or ends with a space (remove it; PINs are taken exactly as written)');
    else if (CONTROL.test(pin)) problems.push('pin: contains a control character');
    else if (uid && pin.trim().toLowerCase() === uid) problems.push('pin: must not be the UID');
  }
  const account: AccountImport = { uid: uid ?? '', name, email: email ?? '' };
  if (upn) account.upn = upn;
  if (pin !== undefined) account.pin = pin;
  return { line: row.line, uid, upn, account, problems };
}

/**
 * `accounts import FILE.csv`: adds or updates portal accounts (uid,name,email,upn,pin). Every bad
 * row is reported by line and field and skipped; the good rows are applied; PINs are hashed by the
 * directory and never printed. Rerunning the same file changes nothing.
 */
export async function importAccounts(services: Services, fileName: string, text: string): Promise<AdminResult> {
  const directory = services.embeddedDirectory;
  if (!directory) return failure(`accounts import does not apply to an LDAP directory (DIRECTORY=ldap): accounts are read from ${services.config.LDAP_URL ?? 'the directory'}. Add or change them there; nothing was imported.`, EXIT_USAGE);
  const parsed = readCsvRows(text, ACCOUNT_COLUMNS);
  if (!parsed.ok) return failure(`${fileName}: ${parsed.problem}. Nothing was imported.`, EXIT_USAGE);
  const hasUpnColumn = parsed.rows.some((r) => 'upn' in r.values);
  const rows = parsed.rows.map(checkAccountRow);

  const sameUid = duplicateKeys(rows.map((r) => ({ line: r.line, key: r.uid })));
  const sameUpn = duplicateKeys(rows.map((r) => ({ line: r.line, key: r.upn })));
  for (const row of rows) {
    const uidLines = sameUid.get(row.line);
    if (uidLines) row.problems.push(`uid: ${row.uid} is also on line ${uidLines.join(', ')}; none of these rows was imported`);
    const upnLines = sameUpn.get(row.line);
    if (upnLines) row.problems.push(`upn: the same UPN is also on line ${upnLines.join(', ')}`);
    if (row.upn && !upnLines) {
      const holders = await services.store.accounts.findBy('upn', row.upn);
      const other = holders.find((a) => a.uid !== row.uid);
      if (other) row.problems.push(`upn: already belongs to account ${other.uid}`);
    }
  }

  const outcomes = await applyInBatches(rows, async (row): Promise<ImportOutcome | 'rejected'> => {
    if (row.problems.length > 0) return 'rejected';
    if (!hasUpnColumn) {
      // A file without a upn column says nothing about UPNs: keep the ones on file.
      const existing = await directory.findByUid(row.account.uid);
      if (existing?.upn) row.account.upn = existing.upn;
    }
    return directory.importAccount(row.account);
  });

  const counts: Record<ImportOutcome | 'rejected', number> = { created: 0, updated: 0, unchanged: 0, rejected: 0 };
  const output = new Output();
  rows.forEach((row, i) => {
    counts[outcomes[i]!] += 1;
    for (const problem of row.problems) output.warn(`line ${row.line}: ${problem}`);
  });

  await services.audit.record('accounts.imported', { channel: 'admin' }, counts.rejected ? 'fail' : 'ok', { ...counts });
  output.say(`${fileName}: ${counts.created} created, ${counts.updated} updated, ${counts.unchanged} unchanged, ${counts.rejected} rejected.`);
  if (counts.rejected) output.say('Rejected rows were not imported. Fix them and run the import again; rows already imported will show as unchanged.');
  return output.done(counts.rejected ? EXIT_REFUSED : EXIT_OK);
}
