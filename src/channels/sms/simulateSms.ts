import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError, loadConfig } from '../../config/load.js';
import { normalizeMobile } from '../../domain/contactFormats.js';
import { postInboundSms } from './inboundRequest.js';

export const SIMULATE_USAGE = `Usage: npm run sms -- FROM "TEXT"
  Posts TEXT to the running bot's /api/sms as if FROM had texted its Twilio number, signed with
  TWILIO_AUTH_TOKEN over PUBLIC_BASE_URL/api/sms exactly as Twilio signs it, and prints the replies
  from DATA_DIR/outbox/sms.jsonl.  FROM: +85291234567 (or an 8-digit Hong Kong number).
  The bot is reached at http://127.0.0.1:PORT unless SMS_SIMULATE_URL is set.`;

export interface SimulationResult {
  exitCode: number;
  lines: string[];
}

async function outboxLines(path: string): Promise<string[]> {
  try {
    return (await readFile(path, 'utf8')).split('\n').filter(Boolean);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** `npm run sms -- +85291234567 "reset"`: one simulated inbound text and the bot's replies. */
export async function simulateSms(args: string[], env: NodeJS.ProcessEnv = process.env, envFile: string | null = '.env'): Promise<SimulationResult> {
  const [rawFrom, ...words] = args;
  const from = rawFrom ? normalizeMobile(rawFrom) : undefined;
  if (!from || words.length === 0) return { exitCode: 2, lines: [SIMULATE_USAGE] };
  let config;
  try {
    config = loadConfig(env, envFile);
  } catch (err) {
    if (err instanceof ConfigError) return { exitCode: 2, lines: [err.message] };
    throw err;
  }
  if (!config.TWILIO_AUTH_TOKEN) {
    return { exitCode: 2, lines: ['/api/sms only accepts signed texts: set TWILIO_AUTH_TOKEN (any value locally, with SMS_TRANSPORT=outbox) in .env, restart the bot, and try again.'] };
  }
  const outbox = join(resolve(config.DATA_DIR), 'outbox', 'sms.jsonl');
  const seen = (await outboxLines(outbox)).length;
  const target = env['SMS_SIMULATE_URL'] ?? `http://127.0.0.1:${config.PORT}`;
  let res: Response;
  try {
    res = await postInboundSms({ baseUrl: config.PUBLIC_BASE_URL, postTo: target.replace(/\/+$/, ''), authToken: config.TWILIO_AUTH_TOKEN, from, to: config.TWILIO_FROM ?? '+10000000000', body: words.join(' ') });
  } catch {
    return { exitCode: 1, lines: [`Cannot reach the bot at ${target}. Is it running (npm start)?`] };
  }
  if (res.status !== 200) return { exitCode: 1, lines: [`The bot answered ${res.status}: ${await res.text()}`] };
  if (config.SMS_TRANSPORT === 'twilio') return { exitCode: 0, lines: [`Delivered. Replies went out through Twilio to ${from}.`] };
  const replies = (await outboxLines(outbox))
    .slice(seen)
    .map((line) => JSON.parse(line) as { to: string; body: string })
    .filter((sms) => sms.to === from);
  return { exitCode: 0, lines: replies.length ? replies.map((sms) => `bot> ${sms.body.replace(/\n/g, '\n     ')}`) : ['(no reply)'] };
}
