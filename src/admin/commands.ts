import { ConfigError } from '../config/load.js';
import { StoreError } from '../adapters/store/errors.js';
import { maskEmail, maskMobile, normalizeUid } from '../domain/contactFormats.js';
import type { AuditEvent } from '../ports/audit.js';
import { DirectoryUnavailableError } from '../ports/directory.js';
import type { Services } from '../services.js';
import { importAccounts } from './accountImport.js';
import { importContacts } from './contactImport.js';
import { EXIT_OK, EXIT_REFUSED, EXIT_USAGE, failure, Output, type AdminInput, type AdminResult } from './result.js';

export { EXIT_OK, EXIT_REFUSED, EXIT_USAGE, type AdminInput, type AdminRequest, type AdminResult } from './result.js';

export const USAGE = `Usage: npm run admin -- <command>

Commands:
  accounts import FILE.csv   Add or update portal accounts. Header row: uid,name,email,upn,pin
                             (upn and pin optional). email is the institutional address. A PIN
                             is hashed on import and never stored or shown. Without a upn column
                             the UPNs on file are kept; an empty pin keeps the current PIN.
  accounts check-pin UID     Read a PIN from stdin; exit 0 if it is UID's current PIN, else 1.
                             Embedded directory only: on LDAP it would be a logon attempt,
                             which counts toward the account's lockout, so it is refused.
  contacts import FILE.csv   Import the two-factor registrations to reuse. Header row:
                             uid,email,mobile. They count as verified. Contacts a user
                             registered with the bot are never replaced.
  contacts show UID          Show UID's registered contacts (masked), their source and when
                             they were verified.
  contacts delete UID        Erase UID's registered contacts; open links and codes stop working.
                             Audited; the institutional email is told.
  unlock UID                 Clear UID's rate-limit counters and any self-service pause; on an
                             LDAP directory, also clear the account's lockout there.
  directory check [UID]      Connect and bind as the service account, report the server and
                             TLS; with a UID, how that account is found, what the bot would use,
                             and whether the service account may reset it. Exit 0 if all works,
                             2 with the reason otherwise.
  audit [--uid UID]          Print the audit log (across rotated files), one event a line,
                             optionally for one account. Torn lines are reported and skipped.
  help, --help               Show this help.

Imports report every bad row as "line N: field: reason", apply the good rows, and can be rerun
safely. Exit codes: 0 done; 1 rows rejected, PIN does not match, or nothing found; 2 usage,
file, configuration or store error. The CLI uses DATA_DIR from the environment or .env; when
the bot is running on that DATA_DIR, commands run inside the bot.`;

export type AdminCommand =
  | { name: 'help' }
  | { name: 'accounts import'; file: string }
  | { name: 'contacts import'; file: string }
  | { name: 'accounts check-pin'; uid: string }
  | { name: 'contacts show'; uid: string }
  | { name: 'contacts delete'; uid: string }
  | { name: 'unlock'; uid: string }
  | { name: 'directory check'; uid?: string }
  | { name: 'audit'; uid?: string };

export type ParsedCommand = { ok: true; command: AdminCommand } | { ok: false; result: AdminResult };

const usageError = (message: string): ParsedCommand => ({ ok: false, result: failure(`error: ${message}\n\n${USAGE}`, EXIT_USAGE) });

/** Reads the command line; help and usage errors come back as finished results. */
export function parseAdminCommand(argv: readonly string[]): ParsedCommand {
  if (argv.length === 0) return usageError('no command given.');
  if (argv.some((a) => a === '--help' || a === '-h') || (argv.length === 1 && argv[0] === 'help')) {
    return { ok: false, result: new Output().say(USAGE).done(EXIT_OK) };
  }
  const [first, second, ...rest] = argv;
  const takeUid = (command: string, value: string | undefined, more: readonly string[]): string | ParsedCommand => {
    if (value === undefined || value === '') return usageError(`${command} needs a UID.`);
    if (more.length > 0) return usageError(`${command} takes one UID; unexpected "${more[0]}".`);
    return normalizeUid(value) ?? usageError(`${command}: "${value}" is not a valid UID (letters, digits, dot, dash or underscore).`);
  };
  const takeFile = (command: string, value: string | undefined, more: readonly string[]): string | ParsedCommand => {
    if (value === undefined || value === '') return usageError(`${command} needs a CSV file.`);
    if (more.length > 0) return usageError(`${command} takes one file; unexpected "${more[0]}".`);
    return value;
  };
  const build = (value: string | ParsedCommand, make: (v: string) => AdminCommand): ParsedCommand =>
    typeof value === 'string' ? { ok: true, command: make(value) } : value;

  if (first === 'accounts' || first === 'contacts') {
    const [arg, ...more] = rest;
    const command = `${first} ${second ?? ''}`.trim();
    if (second === 'import') return build(takeFile(command, arg, more), (file) => ({ name: `${first} import`, file }));
    if (first === 'accounts' && second === 'check-pin') return build(takeUid(command, arg, more), (uid) => ({ name: 'accounts check-pin', uid }));
    if (first === 'contacts' && second === 'show') return build(takeUid(command, arg, more), (uid) => ({ name: 'contacts show', uid }));
    if (first === 'contacts' && second === 'delete') return build(takeUid(command, arg, more), (uid) => ({ name: 'contacts delete', uid }));
    const choices = first === 'accounts' ? 'import, check-pin' : 'import, show, delete';
    return usageError(second === undefined ? `${first} needs a subcommand (${choices}).` : `unknown command "${command}" (${first} takes ${choices}).`);
  }
  if (first === 'directory') {
    if (second !== 'check') return usageError(second === undefined ? 'directory needs a subcommand (check).' : `unknown command "directory ${second}" (directory takes check).`);
    if (rest.length === 0) return { ok: true, command: { name: 'directory check' } };
    return build(takeUid('directory check', rest[0], rest.slice(1)), (uid) => ({ name: 'directory check', uid }));
  }
  if (first === 'unlock') return build(takeUid('unlock', second, rest), (uid) => ({ name: 'unlock', uid }));
  if (first === 'audit') {
    const args = argv.slice(1);
    if (args.length === 0) return { ok: true, command: { name: 'audit' } };
    const [flag, value, ...more] = args;
    const eq = /^--uid=(.*)$/.exec(flag ?? '');
    if (eq) return build(takeUid('audit --uid', eq[1], [value, ...more].filter((a): a is string => a !== undefined)), (uid) => ({ name: 'audit', uid }));
    if (flag === '--uid') return build(takeUid('audit --uid', value, more), (uid) => ({ name: 'audit', uid }));
    return usageError(`audit takes only --uid UID; unexpected "${flag}".`);
  }
  return usageError(`unknown command "${first}".`);
}

/** The files a command reads; the CLI reads them where it runs and passes their text along. */
export function filesOf(command: AdminCommand): string[] {
  return command.name === 'accounts import' || command.name === 'contacts import' ? [command.file] : [];
}

export function readsStdin(command: AdminCommand): boolean {
  return command.name === 'accounts check-pin';
}

/**
 * Runs one admin command against the services and returns what to print and the exit code.
 * Never throws: store and configuration problems are shown as their messages, anything else as a
 * one-line internal error (the details go to the services' log).
 */
export async function runAdminCommand(services: Services, argv: readonly string[], input: AdminInput): Promise<AdminResult> {
  const parsed = parseAdminCommand(argv);
  if (!parsed.ok) return parsed.result;
  const command = parsed.command;
  try {
    switch (command.name) {
      case 'help':
        return new Output().say(USAGE).done(EXIT_OK);
      case 'accounts import':
      case 'contacts import': {
        const text = input.files[command.file];
        if (text === undefined) return failure(`Cannot read ${command.file}: the file was not passed to the command.`);
        return command.name === 'accounts import' ? await importAccounts(services, command.file, text) : await importContacts(services, command.file, text);
      }
      case 'accounts check-pin':
        return await checkPin(services, command.uid, input.stdin);
      case 'contacts show':
        return await showContacts(services, command.uid);
      case 'contacts delete':
        return await deleteContacts(services, command.uid);
      case 'unlock':
        return await unlock(services, command.uid);
      case 'audit':
        return await printAudit(services, command.uid);
      case 'directory check':
        return await checkDirectory(services, command.uid);
    }
  } catch (err) {
    if (err instanceof StoreError || err instanceof ConfigError) return failure(err.message);
    if (err instanceof DirectoryUnavailableError) return failure(`error: ${command.name}: the directory cannot be reached (${err.reason}). Run npm run admin -- directory check to see why.`);
    services.logger.error({ err, command: command.name }, 'admin command failed');
    return failure(`error: ${command.name} failed: ${(err as Error)?.message ?? String(err)}`);
  }
}

async function checkPin(services: Services, uid: string, stdin: string): Promise<AdminResult> {
  if (!services.directory.comparesPins) {
    return failure(
      'accounts check-pin does not apply to an LDAP directory (DIRECTORY=ldap): checking a PIN there means logging on as the user, and a wrong PIN counts toward the account lockout. Ask the user to sign in, or see the account in the directory itself.',
    );
  }
  const pin = /^[^\r\n]*/.exec(stdin)?.[0] ?? '';
  if (pin === '') return failure('accounts check-pin reads the PIN from stdin, and none was given (e.g. printf "%s\\n" "$PIN" | npm run admin -- accounts check-pin UID).');
  // Unknown accounts and accounts without a PIN get the same answer as a wrong PIN.
  const matches = await services.directory.checkPin(uid, pin);
  // A PIN check by the service desk is a guess like any other, so it leaves a trace.
  await services.audit.record('pin.checked', { uid, channel: 'admin' }, matches ? 'ok' : 'fail');
  return matches ? new Output().say('PIN matches').done(EXIT_OK) : new Output().say('PIN does not match').done(EXIT_REFUSED);
}

async function showContacts(services: Services, uid: string): Promise<AdminResult> {
  const [account, contact] = await Promise.all([services.directory.findByUid(uid), services.store.contacts.get(uid)]);
  if (!account && !contact) return new Output().say(`No account ${uid}.`).done(EXIT_REFUSED);
  if (!contact || (!contact.email && !contact.mobile)) return new Output().say(`${uid} has no registered contacts.`).done(EXIT_REFUSED);
  const output = new Output().say(account ? `${uid} (${account.name})` : `${uid} (no such account in the directory)`);
  output.say(`  email:    ${contact.email ? maskEmail(contact.email) : '(none)'}`);
  output.say(`  mobile:   ${contact.mobile ? maskMobile(contact.mobile) : '(none)'}`);
  output.say(`  source:   ${contact.source === 'self' ? 'self (registered with the bot)' : 'import (two-factor registrations)'}`);
  output.say(`  verified: ${new Date(contact.verifiedAt).toISOString()}`);
  return output.done(EXIT_OK);
}

async function deleteContacts(services: Services, uid: string): Promise<AdminResult> {
  const erased = await services.erasure.erase(uid, { channel: 'admin' });
  if (!erased) return new Output().say(`${uid} has no registered contacts; nothing deleted.`).done(EXIT_REFUSED);
  const output = new Output().say(`${uid}: contacts deleted (email ${erased.email ?? '(none)'}, mobile ${erased.mobile ?? '(none)'}); ${erased.revoked} open links and codes revoked.`);
  output.say(erased.notified ? `${uid}: the institutional email is being told.` : `(There is no account ${uid} in the directory, so no one was told.)`);
  return output.done(EXIT_OK);
}

async function unlock(services: Services, uid: string): Promise<AdminResult> {
  const pausedUntil = await services.throttles.pausedUntil(uid);
  const hadCounters = await services.throttles.clear(uid);
  await services.audit.record('throttle.unlocked', { uid, channel: 'admin' }, 'ok', { wasPaused: pausedUntil !== undefined, hadCounters });
  const known = (await services.directory.findByUid(uid)) !== undefined;
  const output = new Output();
  if (known && services.directory.locksOut) {
    const outcome = await services.directory.unlock(uid);
    await services.audit.record('account.unlocked', { uid, channel: 'admin' }, outcome === 'unlocked' ? 'ok' : 'info', { via: 'service desk', wasLocked: outcome === 'unlocked' });
    output.say(outcome === 'unlocked' ? `${uid}: the account was locked out in the directory; the lockout is cleared (the PIN is unchanged).` : `${uid}: the account is not locked out in the directory.`);
  }
  if (pausedUntil !== undefined) output.say(`${uid}: self-service was paused until ${new Date(pausedUntil).toISOString()}; the pause and the rate-limit counters are cleared.`);
  else if (hadCounters) output.say(`${uid}: was not paused; the rate-limit counters are cleared.`);
  else output.say(`${uid}: was not paused and had no rate-limit counters; nothing to clear.`);
  if (!known) output.say(`(There is no account ${uid} in the directory.)`);
  return output.done(EXIT_OK);
}

async function checkDirectory(services: Services, uid: string | undefined): Promise<AdminResult> {
  const report = await services.directory.diagnose(uid);
  const output = new Output();
  for (const line of report.lines) output.say(line);
  if (!report.problem) return output.say('directory check: everything works.').done(EXIT_OK);
  return output.warn(`directory check failed: ${report.problem}`).done(EXIT_USAGE);
}

const detailValue = (v: string | number | boolean) => (typeof v === 'string' && /^[^\s"=]*$/.test(v) && v !== '' ? v : JSON.stringify(v));

/** One event a line: time, event, uid, channel, outcome, details (key=value). */
export function formatAuditEvent(e: AuditEvent): string {
  const details = Object.entries(e.detail ?? {})
    .map(([k, v]) => `${k}=${detailValue(v)}`)
    .join(' ');
  return [e.at, e.event, e.uid ?? '-', e.channel ?? '-', e.outcome, details].join('\t').trimEnd();
}

async function printAudit(services: Services, uid: string | undefined): Promise<AdminResult> {
  const { events, warnings } = await services.auditLog.readReport(uid ? { uid } : {});
  const output = new Output();
  for (const w of warnings) output.warn(`warning: ${w}`);
  if (events.length === 0) return output.say(uid ? `No audit events for ${uid}.` : 'No audit events.').done(EXIT_OK);
  for (const e of events) output.say(formatAuditEvent(e));
  return output.done(EXIT_OK);
}
