import type { CampaignPlan, CampaignResult, Candidate } from '../domain/campaign.js';
import type { Services } from '../services.js';
import { EXIT_OK, EXIT_REFUSED, failure, Output, type AdminLive, type AdminResult } from './result.js';

export interface NudgeOptions {
  dryRun: boolean;
  limit?: number;
  perMinute: number;
}

/** Reminders a minute unless --per-minute says otherwise: gentle on the mail server and Teams' limits. */
export const DEFAULT_PER_MINUTE = 60;
const SAMPLE = 10;

export const NUDGE_USAGE = `  nudge [--dry-run] [--limit N] [--per-minute R]
                             Remind accounts with no registered contact to register (and, with
                             CONTACTS_RECONFIRM_DAYS, those with old contacts to check them): in
                             Teams where the bot holds their chat, else by mail to the
                             institutional address. Never twice within NUDGE_MIN_DAYS, never
                             after "stop reminders". --dry-run counts and shows a sample and
                             sends nothing; --limit caps the run; --per-minute paces it (default
                             ${DEFAULT_PER_MINUTE}). Stop it with Ctrl+C and run it again: nobody is reminded twice.`;

/** Reads `nudge`'s options; a string is the usage error. */
export function parseNudgeArgs(args: readonly string[]): NudgeOptions | string {
  const options: NudgeOptions = { dryRun: false, perMinute: DEFAULT_PER_MINUTE };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--dry-run') {
      options.dryRun = true;
      continue;
    }
    const eq = /^(--[a-z-]+)=(.*)$/.exec(arg);
    const flag = eq ? eq[1]! : arg;
    if (flag !== '--limit' && flag !== '--per-minute') return `nudge takes --dry-run, --limit N and --per-minute R; unexpected "${arg}".`;
    const value = eq ? eq[2]! : args[++i];
    if (value === undefined || value === '') return `nudge ${flag} needs a number.`;
    const [max, what] = flag === '--limit' ? [10_000_000, 'accounts'] : [100_000, 'reminders a minute'];
    if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) return `nudge ${flag}: "${value}" is not a whole number of ${what} from 1 to ${max.toLocaleString('en-GB')}.`;
    if (flag === '--limit') options.limit = Number(value);
    else options.perMinute = Number(value);
  }
  return options;
}

const n = (x: number) => x.toLocaleString('en-GB');
const plural = (x: number, one: string, many = `${one}s`) => `${n(x)} ${x === 1 ? one : many}`;

function breakdown(candidates: readonly Candidate[]): string {
  const count = (f: (c: Candidate) => boolean) => candidates.filter(f).length;
  return `${n(count((c) => c.kind === 'register'))} to register, ${n(count((c) => c.kind === 'reconfirm'))} to re-confirm; ${n(count((c) => c.via === 'teams'))} in Teams, ${n(count((c) => c.via === 'email'))} by email`;
}

function leftOut(plan: CampaignPlan, minDays: number): string {
  return `Left out: ${plural(plan.skipped.recent, 'account')} reminded in the last ${minDays} days, ${plural(plan.skipped.stopped, 'account')} that asked to stop reminders.`;
}

export async function runNudge(services: Services, options: NudgeOptions, live: AdminLive): Promise<AdminResult> {
  const { campaign } = services.desk;
  if (!services.directory.listAccounts) return failure('nudge: this directory cannot list its accounts, so there is no one to remind; nothing was sent.');
  const minDays = services.config.NUDGE_MIN_DAYS;
  const plan = await campaign.plan();
  const output = new Output();
  const todo = plan.candidates.slice(0, options.limit ?? plan.candidates.length);
  if (options.dryRun) {
    output.say('Dry run: nothing was sent.');
    output.say(`${plural(todo.length, 'account')} would be reminded: ${breakdown(todo)}.`);
    if (todo.length < plan.candidates.length) output.say(`(${n(plan.candidates.length)} are due; --limit ${n(options.limit!)} takes the first ${n(todo.length)}.)`);
    output.say(leftOut(plan, minDays));
    if (todo.length > 0) {
      const minutes = Math.ceil(todo.length / options.perMinute);
      output.say(`At ${n(options.perMinute)} a minute the run would take about ${minutes < 120 ? plural(minutes, 'minute') : plural(Math.ceil(minutes / 60), 'hour')}.`);
      output.say(`Sample (${Math.min(SAMPLE, todo.length)} of ${n(todo.length)}):`);
      for (const c of sample(todo, SAMPLE)) output.say(`  ${c.uid.padEnd(20)} ${c.kind.padEnd(10)} ${c.via}`);
    }
    return output.done(EXIT_OK);
  }
  const result = await campaign.run(plan, { ...(options.limit ? { limit: options.limit } : {}), perMinute: options.perMinute, ...(live.signal ? { signal: live.signal } : {}), ...(live.onProgress ? { onProgress: live.onProgress } : {}) });
  summarise(output, result, plan, minDays);
  return output.done(result.failed > 0 || result.stopped ? EXIT_REFUSED : EXIT_OK);
}

function summarise(output: Output, r: CampaignResult, plan: CampaignPlan, minDays: number): void {
  const via = `${n(r.byKind.register)} to register, ${n(r.byKind.reconfirm)} to re-confirm; ${n(r.byVia.teams)} in Teams, ${n(r.byVia.email)} by email`;
  output.say(`Reminded ${plural(r.sent, 'account')}: ${via}.`);
  if (r.failed > 0) output.say(`${plural(r.failed, 'reminder')} could not be sent (the mail server or Teams refused); the next run tries them again.`);
  if (r.skipped > 0) output.say(`${plural(r.skipped, 'account')} had been reminded meanwhile, or asked to stop, and ${r.skipped === 1 ? 'was' : 'were'} left out.`);
  if (r.stopped) output.say(`Stopped after ${n(r.done)} of ${n(r.total)}. Run nudge again to go on: nobody already reminded is reminded again.`);
  output.say(leftOut(plan, minDays));
}

/** Spread over the list, so the sample shows more than the first few UIDs. */
function sample<T>(items: readonly T[], size: number): T[] {
  if (items.length <= size) return [...items];
  return Array.from({ length: size }, (_, i) => items[Math.floor((i * items.length) / size)]!);
}
