import { describeContactProblem, isInstitutionalEmail, maskEmail, maskMobile, parseEmail, parseMobile } from '../domain/contactFormats.js';
import type { Services } from '../services.js';
import { applyInBatches, checkRowStart, duplicateKeys, readCsvRows, type CsvRow } from './csvRows.js';
import { EXIT_OK, EXIT_REFUSED, EXIT_USAGE, failure, Output, type AdminResult } from './result.js';

export const CONTACT_COLUMNS = { required: ['uid'], optional: ['email', 'mobile'], oneOf: ['email', 'mobile'] } as const;

interface CheckedContactRow {
  line: number;
  uid: string | undefined;
  email?: string;
  mobile?: string;
  problems: string[];
}

function checkContactRow(row: CsvRow, institutionDomains: readonly string[], phoneRegion: string): CheckedContactRow {
  const problems: string[] = [];
  const uid = checkRowStart(row, problems);
  const v = row.values;
  const checked: CheckedContactRow = { line: row.line, uid, problems };
  const emailText = v.email?.trim() ?? '';
  const mobileText = v.mobile?.trim() ?? '';
  if (!emailText && !mobileText) problems.push('email/mobile: neither is given; a row needs at least one');
  if (emailText) {
    const email = parseEmail(v.email!);
    if (!email.ok) problems.push(`email: ${describeContactProblem(email.problem)}`);
    else if (isInstitutionalEmail(email.value, institutionDomains)) problems.push('email: is an institutional address; the alternate email must be outside the institution');
    else checked.email = email.value;
  }
  if (mobileText) {
    const mobile = parseMobile(v.mobile!, phoneRegion);
    if (!mobile.ok) problems.push(`mobile: ${describeContactProblem(mobile.problem)}`);
    else checked.mobile = mobile.value;
  }
  return checked;
}

const masked = (c: { email?: string; mobile?: string }) => ({
  ...(c.email ? { email: maskEmail(c.email) } : {}),
  ...(c.mobile ? { mobile: maskMobile(c.mobile) } : {}),
});

/**
 * `contacts import FILE.csv`: the VPN two-factor registrations (uid,email,mobile), taken as
 * verified. Bad rows are reported by line and skipped. Contacts the user registered with the bot
 * are never overwritten by an import; rerunning the same file changes nothing.
 */
export async function importContacts(services: Services, fileName: string, text: string, { restoreErased = false }: { restoreErased?: boolean } = {}): Promise<AdminResult> {
  const parsed = readCsvRows(text, CONTACT_COLUMNS);
  if (!parsed.ok) return failure(`${fileName}: ${parsed.problem}. Nothing was imported.`, EXIT_USAGE);
  const rows = parsed.rows.map((r) => checkContactRow(r, services.policy.institutionEmailDomains, services.policy.phoneRegion));

  const sameUid = duplicateKeys(rows.map((r) => ({ line: r.line, key: r.uid })));
  for (const row of rows) {
    const lines = sameUid.get(row.line);
    if (lines) row.problems.push(`uid: ${row.uid} is also on line ${lines.join(', ')}; none of these rows was imported`);
    else if (row.uid && !(await services.directory.findByUid(row.uid))) row.problems.push('uid: no such account');
  }

  const outcomes = await applyInBatches(rows, async (row) => {
    if (row.problems.length > 0 || !row.uid) return 'rejected' as const;
    const contact = { ...(row.email ? { email: row.email } : {}), ...(row.mobile ? { mobile: row.mobile } : {}) };
    const result = await services.registration.importContact(row.uid, contact, { restoreErased });
    if (typeof result === 'object') {
      // Bringing back an erased contact is a deliberate act: audited on its own.
      await services.audit.record('contacts.restored', { uid: row.uid, channel: 'admin' }, 'ok', { restored: result.restored.join(','), via: 'contacts import --restore-erased', ...masked(contact) });
    }
    const change = typeof result === 'object' ? result.change : result;
    if (change === 'created' || change === 'updated') await services.audit.record('contacts.imported', { uid: row.uid, channel: 'admin' }, 'ok', { change, ...masked(contact) });
    return change;
  });

  const counts = { created: 0, updated: 0, unchanged: 0, kept: 0, erased: 0, rejected: 0 };
  const output = new Output();
  rows.forEach((row, i) => {
    const outcome = outcomes[i]!;
    counts[outcome] += 1;
    for (const problem of row.problems) output.warn(`line ${row.line}: ${problem}`);
    if (outcome === 'kept') output.say(`line ${row.line}: ${row.uid}: kept the contacts the user registered with the bot; an import never replaces them`);
    if (outcome === 'erased') output.say(`line ${row.line}: ${row.uid}: not imported; this contact was erased with contacts delete, and only the user registering it again (or --restore-erased, audited) brings it back`);
  });

  const erased = counts.erased ? `, ${counts.erased} not brought back (erased)` : '';
  output.say(
    `${fileName}: ${counts.created} created, ${counts.updated} updated, ${counts.unchanged} unchanged, ${counts.kept} kept (self-registered)${erased}, ${counts.rejected} rejected.`,
  );
  if (counts.rejected) output.say('Rejected rows were not imported. Fix them and run the import again; rows already imported will show as unchanged.');
  return output.done(counts.rejected ? EXIT_REFUSED : EXIT_OK);
}
