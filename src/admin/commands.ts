import { ConfigError } from '../config/load.js';
import { StoreError } from '../adapters/store/errors.js';
import { maskEmail, maskMobile, normalizeUid } from '../domain/contactFormats.js';
import type { AuditEvent } from '../ports/audit.js';
import { DirectoryUnavailableError } from '../ports/directory.js';
import type { Services } from '../services.js';
import { importAccounts } from './accountImport.js';
import { importContacts } from './contactImport.js';
import { setPinByServiceDesk } from '../domain/serviceDeskPin.js';
import { pinProblemText } from '../domain/pinProblemText.js';
import { formatTime } from '../domain/contactRegistration.js';
import type { WindowCount } from '../domain/throttles.js';
import { parseReportArgs, REPORT_USAGE, runReport, type ReportOptions } from './reportCommand.js';
import { EXIT_OK, EXIT_REFUSED, EXIT_USAGE, failure, Output, type AdminInput, type AdminLive, type AdminResult } from './result.js';
import { NUDGE_USAGE, parseNudgeArgs, runNudge, type NudgeOptions } from './nudgeCommand.js';

export { EXIT_OK, EXIT_REFUSED, EXIT_USAGE, type AdminInput, type AdminLive, type AdminProgress, type AdminRequest, type AdminResult } from './result.js';

export const USAGE = `Usage: npm run admin -- <command>

Commands:
  accounts import FILE.csv [--overwrite-pins]
                             Add or update portal accounts. Header row: uid,name,email,upn,pin
                             (upn and pin optional). email is the institutional address. A PIN
                             is hashed on import and never stored or shown. Without a upn column
                             the UPNs on file are kept; an empty pin keeps the current PIN. A row
                             whose pin would replace a PIN set since the last import (by the user
                             or with set-pin) is reported and skipped; --overwrite-pins replaces
                             it, and each such overwrite is audited.
  accounts check-pin UID     Ask for a PIN (not shown; or read it from piped stdin); exit 0 if it
                             is UID's current PIN, else 1. Audited. Embedded directory only: on
                             LDAP it would be a logon attempt, which counts toward the account's
                             lockout, so it is refused.
  accounts set-pin UID       Ask for UID's new PIN twice (not shown; or read it from piped stdin)
                             and set it, under the same PIN policy as the PIN page. Open links and
                             codes stop working; audited; the user's contacts are told.
  contacts import FILE.csv [--restore-erased]
                             Import the two-factor registrations to reuse. Header row:
                             uid,email,mobile. They count as verified. Contacts a user
                             registered with the bot are never replaced, and contacts erased with
                             contacts delete are not brought back unless --restore-erased
                             (each restore is audited).
  contacts show UID          Show UID's registered contacts (masked), their source and when
                             they were verified, and every pause and limit that applies now.
  contacts delete UID        Erase UID's registered contacts; open links and codes stop working.
                             Audited; the institutional email is told. Later imports do not
                             bring them back.
  unlock UID                 Clear UID's rate-limit counters and any self-service pause, and the
                             limits on its registered email and mobile; on an LDAP directory, also
                             clear the account's lockout there.
  directory check [UID]      Connect and bind as the service account, report the server and
                             TLS; with a UID, how that account is found, what the bot would use,
                             and whether the service account may reset it. Exit 0 if all works,
                             2 with the reason otherwise.
  audit [--uid UID]          Print the audit log (across rotated files), one event a line,
                             optionally for one account. Torn lines are reported and skipped.
  store copy --to postgres   Copy the lowdb store under DATA_DIR (stop the bot first) into the
                             empty PostgreSQL database at DATABASE_URL and verify the counts.
                             Running it again adds only what is missing.
${REPORT_USAGE}
${NUDGE_USAGE}
  help, --help               Show this help.

Imports report every bad row as "line N: field: reason", apply the good rows, and can be rerun
safely. Exit codes: 0 done; 1 rows rejected, PIN does not match, or nothing found; 2 usage,
file, configuration or store error. The CLI uses DATA_DIR from the environment or .env; when
the bot is running on that DATA_DIR, commands run inside the bot. With STORE=postgres the CLI
works on the database directly (applying pending schema migrations), whichever instances run.`;

export type AdminCommand =
  | { name: 'help' }
  | { name: 'accounts import'; file: string; overwritePins: boolean }
  | { name: 'contacts import'; file: string; restoreErased: boolean }
  | { name: 'accounts check-pin'; uid: string }
  | { name: 'accounts set-pin'; uid: string }
  | { name: 'contacts show'; uid: string }
  | { name: 'contacts delete'; uid: string }
  | { name: 'unlock'; uid: string }
  | { name: 'store copy' }
  | { name: 'directory check'; uid?: string }
  | { name: 'audit'; uid?: string }
  | ({ name: 'report' } & ReportOptions)
  | ({ name: 'nudge' } & NudgeOptions);

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
    if (second === 'import') {
      const flag = first === 'accounts' ? '--overwrite-pins' : '--restore-erased';
      const args = rest.filter((a) => a !== flag);
      const given = args.length < rest.length;
      const [file, ...extra] = args;
      if (file?.startsWith('--')) return usageError(`${command} takes only ${flag}; unexpected "${file}".`);
      return build(takeFile(command, file, extra), (f) => (first === 'accounts' ? { name: 'accounts import', file: f, overwritePins: given } : { name: 'contacts import', file: f, restoreErased: given }));
    }
    if (first === 'accounts' && (second === 'check-pin' || second === 'set-pin')) {
      // Whatever follows the UID may be a PIN: never quoted back, and refused (shell history keeps it).
      if (more.length > 0) return usageError(`${command} takes only a UID and asks for the PIN (or reads it from piped stdin); never put a PIN on the command line, where shell history keeps it.`);
      return build(takeUid(command, arg, more), (uid) => ({ name: `accounts ${second}`, uid }));
    }
    if (first === 'contacts' && second === 'show') return build(takeUid(command, arg, more), (uid) => ({ name: 'contacts show', uid }));
    if (first === 'contacts' && second === 'delete') return build(takeUid(command, arg, more), (uid) => ({ name: 'contacts delete', uid }));
    const choices = first === 'accounts' ? 'import, check-pin, set-pin' : 'import, show, delete';
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
  if (first === 'store') {
    if (second !== 'copy') return usageError(second === undefined ? 'store needs a subcommand (copy).' : `unknown command "store ${second}" (store takes copy).`);
    const args = argv.slice(2);
    if (args.length === 2 && args[0] === '--to' && args[1] === 'postgres') return { ok: true, command: { name: 'store copy' } };
    if (args.length === 1 && args[0] === '--to=postgres') return { ok: true, command: { name: 'store copy' } };
    return usageError('store copy takes --to postgres (the only target).');
  }
  if (first === 'nudge') {
    const options = parseNudgeArgs(argv.slice(1));
    return typeof options === 'string' ? usageError(options) : { ok: true, command: { name: 'nudge', ...options } };
  }
  if (first === 'report') {
    const options = parseReportArgs(argv.slice(1));
    return typeof options === 'string' ? usageError(options) : { ok: true, command: { name: 'report', ...options } };
  }
  return usageError(`unknown command "${first}".`);
}

/** Commands that may run for long (a paced campaign): inside the bot they run beside the others, not in their queue. */
export function runsLong(argv: readonly string[]): boolean {
  return argv[0] === 'nudge' && !argv.includes('--dry-run');
}

/** The files a command reads; the CLI reads them where it runs and passes their text along. */
export function filesOf(command: AdminCommand): string[] {
  return command.name === 'accounts import' || command.name === 'contacts import' ? [command.file] : [];
}

export function readsStdin(command: AdminCommand): boolean {
  return command.name === 'accounts check-pin' || command.name === 'accounts set-pin';
}

/**
 * Runs one admin command against the services and returns what to print and the exit code.
 * Never throws: store and configuration problems are shown as their messages, anything else as a
 * one-line internal error (the details go to the services' log).
 */
export async function runAdminCommand(services: Services, argv: readonly string[], input: AdminInput, live: AdminLive = {}): Promise<AdminResult> {
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
        return command.name === 'accounts import'
          ? await importAccounts(services, command.file, text, { overwritePins: command.overwritePins })
          : await importContacts(services, command.file, text, { restoreErased: command.restoreErased });
      }
      case 'accounts check-pin':
        return await checkPin(services, command.uid, input.stdin);
      case 'accounts set-pin':
        return await setPin(services, command.uid, input.stdin);
      case 'contacts show':
        return await showContacts(services, command.uid);
      case 'contacts delete':
        return await deleteContacts(services, command.uid);
      case 'unlock':
        return await unlock(services, command.uid);
      case 'audit':
        return await printAudit(services, command.uid);
      case 'store copy':
        // Needs the lowdb store to itself: runs from the CLI (admin/cli.ts) with the bot stopped, never inside it.
        return failure('store copy reads DATA_DIR with the bot stopped: stop the bot, then run it again.', EXIT_USAGE);
      case 'report':
        return await runReport(services, command);
      case 'nudge':
        return await runNudge(services, command, live);
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
  if (pin === '') return failure('accounts check-pin reads the PIN from a prompt (not shown), or from piped stdin; none was given. Never put a PIN on the command line.');
  // Unknown accounts and accounts without a PIN get the same answer as a wrong PIN.
  const matches = await services.directory.checkPin(uid, pin);
  // A PIN check by the service desk is a guess like any other, so it leaves a trace.
  await services.audit.record('pin.checked', { uid, channel: 'admin' }, matches ? 'ok' : 'fail');
  return matches ? new Output().say('PIN matches').done(EXIT_OK) : new Output().say('PIN does not match').done(EXIT_REFUSED);
}

/** The PIN and its confirmation from stdin: two lines from the prompt, or one piped line (which confirms itself). */
function pinLines(stdin: string): { pin: string; confirm: string } {
  const lines = stdin.split(/\r\n|\r|\n/);
  if (lines.length > 1 && lines.at(-1) === '') lines.pop();
  const pin = lines[0] ?? '';
  return { pin, confirm: lines.length > 1 ? lines[1]! : pin };
}

async function setPin(services: Services, uid: string, stdin: string): Promise<AdminResult> {
  const { pin, confirm } = pinLines(stdin);
  if (pin === '') return failure('accounts set-pin reads the new PIN from a prompt (not shown), or from piped stdin; none was given. Never put a PIN on the command line.');
  const result = await setPinByServiceDesk(
    { ...services, contacts: services.store.contacts, links: services.store.links, pinPolicy: services.pinReset.pinPolicy },
    uid,
    pin,
    confirm,
  );
  switch (result.kind) {
    case 'no-account':
      return new Output().warn(`There is no account ${uid}; no PIN was set.`).done(EXIT_REFUSED);
    case 'rejected': {
      const output = new Output();
      const { minLength: min, maxLength: max } = services.pinReset.pinPolicy;
      for (const problem of result.problems) output.warn(`pin: ${pinProblemText(services.messages, problem, { min, max, serviceDesk: services.policy.serviceDeskContact }, 'en', result.strength)}`);
      return output.warn(`No PIN was set for ${uid}; choose another and run accounts set-pin again.`).done(EXIT_REFUSED);
    }
    case 'done':
      return new Output()
        .say(`${uid}: the new PIN is set; ${result.revoked} open links and codes stopped working. We are letting ${uid} know by email (and SMS, if registered).`)
        .done(EXIT_OK);
  }
}

async function showContacts(services: Services, uid: string): Promise<AdminResult> {
  const [account, contact] = await Promise.all([services.directory.findByUid(uid), services.store.contacts.get(uid)]);
  if (!account && !contact) return new Output().say(`There is no account ${uid}.`).done(EXIT_REFUSED);
  if (!contact || (!contact.email && !contact.mobile)) {
    const output = new Output().say(`${uid} has no registered contacts${contact?.erasedAt !== undefined ? ` (erased on ${formatTime(contact.erasedAt)})` : ''}.`);
    for (const line of await limitLines(services, uid, {})) output.say(line);
    return output.done(EXIT_REFUSED);
  }
  const output = new Output().say(account ? `${uid} (${account.name})` : `${uid} (no such account in the directory)`);
  output.say(`  email:    ${contact.email ? maskEmail(contact.email) : '(none)'}`);
  output.say(`  mobile:   ${contact.mobile ? maskMobile(contact.mobile) : '(none)'}`);
  output.say(`  source:   ${contact.source === 'self' ? 'self (registered with the bot)' : 'import (two-factor registrations)'}`);
  output.say(`  verified: ${new Date(contact.verifiedAt).toISOString()}`);
  for (const line of await limitLines(services, uid, contact)) output.say(line);
  return output.done(EXIT_OK);
}

const count = (w: WindowCount, window: string) => `${w.count} of ${w.limit} in the last ${window}`;

/** Every pause and limit that applies to the account and its contacts now, each with when it ends. */
async function limitLines(services: Services, uid: string, contact: { email?: string; mobile?: string }): Promise<string[]> {
  const { throttles, sms } = services;
  const account = await throttles.accountLimits(uid);
  const inForce: string[] = [];
  if (account.pausedUntil) inForce.push(`self-service is paused until ${formatTime(account.pausedUntil)} (unlock lifts it)`);
  if (account.lastHour.until) inForce.push(`sends for the account: ${count(account.lastHour, 'hour')}; the next send pauses self-service`);
  if (account.lastDay.until) inForce.push(`sends for the account: ${count(account.lastDay, 'day')}; the next send pauses self-service`);
  if (account.failures.count >= account.failures.limit) inForce.push(`failed code checks in a row: ${account.failures.count} of ${account.failures.limit}`);
  const destinations = [contact.email && { to: contact.email, shown: maskEmail(contact.email) }, contact.mobile && { to: contact.mobile, shown: maskMobile(contact.mobile) }].filter(
    (d): d is { to: string; shown: string } => Boolean(d),
  );
  const perDestination: string[] = [];
  for (const { to, shown } of destinations) {
    const limit = await throttles.destinationLimit(to);
    perDestination.push(`codes to ${shown}: ${count(limit, 'hour')}`);
    if (limit.until) inForce.push(`codes to ${shown}: ${count(limit, 'hour')}; none is sent until ${formatTime(limit.until)} (unlock clears it)`);
  }
  if (contact.mobile && (await sms.optOuts.isOptedOut(contact.mobile))) inForce.push(`${maskMobile(contact.mobile)} texted STOP: nothing is sent to it until it texts START`);
  if (contact.mobile && (await sms.ceiling.reached())) {
    const now = services.clock.now();
    inForce.push(`all SMS: the hourly ceiling (SMS_MAX_PER_HOUR) is reached; codes resume at ${formatTime(now - (now % 3_600_000) + 3_600_000)}`);
  }
  return [
    `  sent:     ${[count(account.lastHour, 'hour'), `${account.lastDay.count} of ${account.lastDay.limit} in the last day`, ...perDestination].join('; ')}`,
    `  failed code checks in a row: ${account.failures.count} of ${account.failures.limit}`,
    inForce.length > 0 ? '  limits in force now:' : '  limits in force now: none',
    ...inForce.map((line) => `    - ${line}`),
  ];
}

async function deleteContacts(services: Services, uid: string): Promise<AdminResult> {
  const erased = await services.erasure.erase(uid, { channel: 'admin' });
  if (!erased) {
    const known = (await services.directory.findByUid(uid)) !== undefined;
    return new Output().say(known ? `${uid} has no registered contacts; nothing deleted.` : `There is no account ${uid}, and no contacts are registered under that UID; nothing deleted.`).done(EXIT_REFUSED);
  }
  const output = new Output().say(`${uid}: contacts deleted (email ${erased.email ?? '(none)'}, mobile ${erased.mobile ?? '(none)'}); ${erased.revoked} open links and codes revoked.`);
  output.say(erased.notified ? `${uid}: we are emailing their institutional address to let them know.` : `(There is no account ${uid} in the directory, so no one was told.)`);
  output.say(`${uid}: later contacts imports will not bring these contacts back.`);
  return output.done(EXIT_OK);
}

async function unlock(services: Services, uid: string): Promise<AdminResult> {
  if (!(await services.directory.findByUid(uid))) return new Output().say(`There is no account ${uid}; nothing to unlock.`).done(EXIT_REFUSED);
  const { throttles } = services;
  const pausedUntil = await throttles.pausedUntil(uid);
  const hadCounters = await throttles.clear(uid);
  // The limits of the account's own contacts too, or its next code would still not be sent.
  const contact = await services.store.contacts.get(uid);
  const cleared: string[] = [];
  if (contact?.email && (await throttles.clearDestination(contact.email))) cleared.push(maskEmail(contact.email));
  if (contact?.mobile && (await throttles.clearDestination(contact.mobile))) cleared.push(maskMobile(contact.mobile));
  await services.audit.record('throttle.unlocked', { uid, channel: 'admin' }, 'ok', { wasPaused: pausedUntil !== undefined, hadCounters, ...(cleared.length > 0 ? { contactLimits: cleared.length } : {}) });
  const output = new Output();
  if (services.directory.locksOut) {
    const outcome = await services.directory.unlock(uid);
    await services.audit.record('account.unlocked', { uid, channel: 'admin' }, outcome === 'unlocked' ? 'ok' : 'info', { via: 'service desk', wasLocked: outcome === 'unlocked' });
    output.say(outcome === 'unlocked' ? `${uid}: the account was locked out in the directory; the lockout is cleared (the PIN is unchanged).` : `${uid}: the account is not locked out in the directory.`);
  }
  if (pausedUntil !== undefined) output.say(`${uid}: self-service was paused until ${new Date(pausedUntil).toISOString()}; the pause and the rate-limit counters are cleared.`);
  else if (hadCounters) output.say(`${uid}: was not paused; the rate-limit counters are cleared.`);
  else if (cleared.length === 0) output.say(`${uid}: was not paused and had no rate-limit counters; nothing to clear.`);
  else output.say(`${uid}: was not paused and had no rate-limit counters of its own.`);
  if (cleared.length > 0) output.say(`${uid}: the limits on codes to ${cleared.join(' and ')} are cleared.`);
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
