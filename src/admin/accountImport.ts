import type { AccountImport, ImportOutcome, ImportResult } from '../adapters/directory/embeddedDirectory.js';
import { formatTime } from '../domain/contactRegistration.js';
import { describeContactProblem, hasInvisibleCharacter, parseEmail } from '../domain/contactFormats.js';
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
  else if (hasInvisibleCharacter(name)) problems.push('name: contains a control or format character (an invisible character); retype the name');
  const parsedEmail = parseEmail(v.email ?? '');
  const email = parsedEmail.ok ? parsedEmail.value : undefined;
  if (!v.email?.trim()) problems.push('email: missing');
  else if (!parsedEmail.ok) problems.push(`email: ${describeContactProblem(parsedEmail.problem)}`);
  let upn: string | undefined;
  if (v.upn?.trim()) {
    const parsedUpn = parseEmail(v.upn);
    upn = parsedUpn.ok ? parsedUpn.value.toLowerCase() : undefined;
    if (!parsedUpn.ok) problems.push(parsedUpn.problem === 'invisible' ? `upn: ${describeContactProblem('invisible')}` : 'upn: not a user principal name (it must look like an email address, e.g. jdoe@example.edu)');
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

const SETTER = { user: 'the user', 'service-desk': 'the service desk' } as const;

/**
 * `accounts import FILE.csv`: adds or updates portal accounts (uid,name,email,upn,pin). Every bad
 * row is reported by line and field and skipped; the good rows are applied; PINs are hashed by the
 * directory and never printed. Rerunning the same file changes nothing. A row whose PIN would
 * replace one set since the last import (a reset by the user, or `accounts set-pin`) is reported
 * and skipped, unless `overwritePins`; each such overwrite is audited.
 */
export async function importAccounts(services: Services, fileName: string, text: string, { overwritePins = false }: { overwritePins?: boolean } = {}): Promise<AdminResult> {
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

  const results = await applyInBatches(rows, async (row): Promise<ImportResult | 'rejected'> => {
    if (row.problems.length > 0) return 'rejected';
    if (!hasUpnColumn) {
      // A file without a upn column says nothing about UPNs: keep the ones on file.
      const existing = await directory.findByUid(row.account.uid);
      if (existing?.upn) row.account.upn = existing.upn;
    }
    const result = await directory.importAccount(row.account, { overwritePins });
    if (result.outcome !== 'pin-kept' && result.pinSetSince) {
      await services.audit.record('pin.set', { uid: row.account.uid, channel: 'admin' }, 'ok', {
        via: 'accounts import --overwrite-pins',
        replaced: result.pinSetSince.by,
        replacedSetAt: new Date(result.pinSetSince.at).toISOString(),
      });
    }
    return result;
  });

  const counts: Record<ImportOutcome | 'rejected', number> = { created: 0, updated: 0, unchanged: 0, 'pin-kept': 0, rejected: 0 };
  const output = new Output();
  rows.forEach((row, i) => {
    const result = results[i]!;
    counts[result === 'rejected' ? result : result.outcome] += 1;
    for (const problem of row.problems) output.warn(`line ${row.line}: ${problem}`);
    if (result !== 'rejected' && result.pinSetSince) {
      const set = `${SETTER[result.pinSetSince.by]} set a new PIN on ${formatTime(result.pinSetSince.at)}`;
      if (result.outcome === 'pin-kept') output.warn(`line ${row.line}: pin: not applied, ${set}; the row was skipped (--overwrite-pins replaces it)`);
      else output.say(`line ${row.line}: pin: replaced the PIN ${set} (--overwrite-pins; audited)`);
    }
  });

  const { 'pin-kept': pinKept, ...applied } = counts;
  await services.audit.record('accounts.imported', { channel: 'admin' }, counts.rejected || pinKept ? 'fail' : 'ok', { ...applied, ...(pinKept ? { pinKept } : {}) });
  const skipped = pinKept ? `, ${pinKept} skipped (a PIN set since the last import)` : '';
  output.say(`${fileName}: ${counts.created} created, ${counts.updated} updated, ${counts.unchanged} unchanged${skipped}, ${counts.rejected} rejected.`);
  if (counts.rejected) output.say('Rejected rows were not imported. Fix them and run the import again; rows already imported will show as unchanged.');
  if (pinKept) output.say('Skipped rows were not imported, so users keep the PINs they set. Remove their pin values, or rerun with --overwrite-pins to replace those PINs.');
  return output.done(counts.rejected || pinKept ? EXIT_REFUSED : EXIT_OK);
}
