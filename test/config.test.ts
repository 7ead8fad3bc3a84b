import { afterAll, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderEnvExample } from '../src/config/envExample.js';
import { ConfigError, loadConfig } from '../src/config/load.js';
import { settings } from '../src/config/schema.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pin-reset-config-'));
  dirs.push(dir);
  return dir;
}

/** Loads with exactly `env` and no .env file. */
const load = (env: Record<string, string>) => loadConfig(env, null);

/** The ConfigError that loading `env` throws. */
function problemsOf(env: Record<string, string>, envFile: string | null = null): ConfigError {
  try {
    loadConfig(env, envFile);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('.env.example', () => {
  test('.env.example in the repo is what the schema generates (run `npm run env:example` after changing the schema)', () => {
    const committed = readFileSync(join(repoRoot, '.env.example'), 'utf8');
    const generated = renderEnvExample();
    if (committed !== generated) {
      throw new Error('.env.example is out of step with src/config/schema.ts. Run `npm run env:example` and commit the result.');
    }
  });

  test('.env.example documents every setting', () => {
    const text = renderEnvExample();
    for (const name of Object.keys(settings)) expect(text).toMatch(new RegExp(`^(# )?${name}=`, 'm'));
  });

  test('.env.example copied to .env as it is gives the defaults', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, '.env'), renderEnvExample());
    expect(loadConfig({}, join(dir, '.env'))).toEqual(load({}));
  });

  test('every example in .env.example, uncommented, is a valid setting with the value shown', async () => {
    const dir = await tempDir();
    const uncommented = renderEnvExample().replace(/^# ([A-Za-z_]+=)/gm, '$1');
    await writeFile(join(dir, '.env'), uncommented);
    const config = loadConfig({}, join(dir, '.env'));
    expect(config.SMTP_URL).toBe('smtp://user:pass@smtp.example.edu:587');
    expect(config.SERVICE_DESK_CONTACT).toBe('the IT Service Desk, +852 0000 0000, servicedesk@example.edu');
    expect(config.INSTITUTION_EMAIL_DOMAINS).toEqual(['example.edu', 'connect.example.edu']);
    expect(config.MAIL_FROM).toBe('PIN reset <no-reply@localhost>');
  });
});

describe('defaults', () => {
  test('with nothing set the bot runs on the embedded defaults', () => {
    const config = load({});
    expect(config.PORT).toBe(3978);
    expect(config.DATA_DIR).toBe('./data');
    expect(config.SMS_TRANSPORT).toBe('outbox');
    expect(config.SMTP_URL).toBeUndefined();
    expect(config.PUBLIC_BASE_URL).toBe('http://localhost:3978');
    expect(config.INSTITUTION_EMAIL_DOMAINS).toEqual([]);
  });

  test('the security numbers default to the documented values', () => {
    const config = load({});
    expect(config.CODE_TTL_MINUTES).toBe(10);
    expect(config.CODE_MAX_TRIES).toBe(5);
    expect(config.SENDS_PER_ACCOUNT_PER_HOUR).toBe(5);
    expect(config.SENDS_PER_ACCOUNT_PER_DAY).toBe(10);
    expect(config.PAUSE_HOURS).toBe(24);
    expect(config.SENDS_PER_DESTINATION_PER_HOUR).toBe(5);
    expect(config.MAX_CONSECUTIVE_FAILURES).toBe(100);
    expect(config.LINK_TTL_MINUTES).toBe(30);
  });

  test('an empty value counts as not set', () => {
    expect(load({ PORT: '', DATA_DIR: '', SMS_TRANSPORT: '' })).toMatchObject({ PORT: 3978, DATA_DIR: './data', SMS_TRANSPORT: 'outbox' });
  });

  test('values are parsed into their types', () => {
    const config = load({ PORT: '8080', PUBLIC_BASE_URL: 'https://bot.example.edu/', INSTITUTION_EMAIL_DOMAINS: ' Example.edu , connect.example.edu,' });
    expect(config.PORT).toBe(8080);
    expect(config.PUBLIC_BASE_URL).toBe('https://bot.example.edu');
    expect(config.INSTITUTION_EMAIL_DOMAINS).toEqual(['example.edu', 'connect.example.edu']);
  });
});

describe('every bad variable is listed at once', () => {
  test('three bad variables give one ConfigError with three problems, each naming its variable', () => {
    const error = problemsOf({ PORT: 'abc', PUBLIC_BASE_URL: 'notaurl', SMS_TRANSPORT: 'pigeon' });
    expect(error.problems).toHaveLength(3);
    expect(error.problems[0]).toMatch(/^PORT must be a whole number from 0 to 65535 \(got "abc"\)$/);
    expect(error.problems[1]).toMatch(/^PUBLIC_BASE_URL must be an absolute http\(s\) URL/);
    expect(error.problems[2]).toMatch(/^SMS_TRANSPORT must be one of: twilio, outbox \(got "pigeon"\)$/);
    for (const problem of error.problems) expect(error.message).toContain(problem);
  });

  test('rules between variables are reported together with the bad values, not after they are fixed', () => {
    const error = problemsOf({ PORT: 'abc', SMS_TRANSPORT: 'twilio', MicrosoftAppId: 'app-id' });
    expect(error.problems.map((p) => p.split(' ')[0])).toEqual(['PORT', 'TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM', 'MicrosoftAppPassword']);
  });

  test('a rule is not checked against a variable that is itself bad', () => {
    const error = problemsOf({ SENDS_PER_ACCOUNT_PER_HOUR: 'lots', SENDS_PER_ACCOUNT_PER_DAY: '3' });
    expect(error.problems).toEqual(['SENDS_PER_ACCOUNT_PER_HOUR must be a whole number from 1 to 100 (got "lots")']);
  });

  test('numbers out of range and fractions are refused with the allowed range', () => {
    const error = problemsOf({ PORT: '70000', CODE_TTL_MINUTES: '1.5', CODE_MAX_TRIES: '0' });
    expect(error.problems).toEqual([
      'PORT must be a whole number from 0 to 65535 (got "70000")',
      'CODE_TTL_MINUTES must be a whole number from 1 to 60 (got "1.5")',
      'CODE_MAX_TRIES must be a whole number from 1 to 10 (got "0")',
    ]);
  });

  test('a daily send limit below the hourly one is refused', () => {
    expect(problemsOf({ SENDS_PER_ACCOUNT_PER_HOUR: '8', SENDS_PER_ACCOUNT_PER_DAY: '6' }).problems).toEqual([
      'SENDS_PER_ACCOUNT_PER_DAY must be at least SENDS_PER_ACCOUNT_PER_HOUR (got "6")',
    ]);
  });

  test('an SMTP_URL that is not an smtp:// or smtps:// URL is refused', () => {
    expect(problemsOf({ SMTP_URL: 'mail.example.edu' }).problems).toEqual(['SMTP_URL must be an smtp:// or smtps:// URL']);
    expect(load({ SMTP_URL: 'smtps://user:pw@smtp.example.edu:465' }).SMTP_URL).toBe('smtps://user:pw@smtp.example.edu:465');
  });
});

describe('SMS transport', () => {
  const twilio = { TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000', TWILIO_AUTH_TOKEN: 'token', TWILIO_FROM: '+85230000000' };

  test('SMS_TRANSPORT defaults to twilio when all three Twilio credentials are set', () => {
    expect(load(twilio).SMS_TRANSPORT).toBe('twilio');
  });

  test('SMS_TRANSPORT=outbox wins over Twilio credentials', () => {
    expect(load({ ...twilio, SMS_TRANSPORT: 'outbox' }).SMS_TRANSPORT).toBe('outbox');
  });

  test('SMS_TRANSPORT=twilio without credentials is an error naming each missing one', () => {
    expect(problemsOf({ SMS_TRANSPORT: 'twilio' }).problems).toEqual([
      'TWILIO_ACCOUNT_SID is required when SMS_TRANSPORT=twilio',
      'TWILIO_AUTH_TOKEN is required when SMS_TRANSPORT=twilio',
      'TWILIO_FROM is required when SMS_TRANSPORT=twilio',
    ]);
    expect(problemsOf({ SMS_TRANSPORT: 'twilio', TWILIO_ACCOUNT_SID: twilio.TWILIO_ACCOUNT_SID }).problems).toEqual([
      'TWILIO_AUTH_TOKEN is required when SMS_TRANSPORT=twilio',
      'TWILIO_FROM is required when SMS_TRANSPORT=twilio',
    ]);
  });
});

describe('secrets', () => {
  test('secret values are never echoed in error messages, even when they are the bad ones', () => {
    const secrets = {
      TWILIO_AUTH_TOKEN: 'twilio-token-S3CRET',
      MicrosoftAppPassword: 'app-password-S3CRET',
      SERVER_SECRET: 'short-S3CRET',
      SMTP_URL: 'user:mail-password-S3CRET@smtp.example.edu',
    };
    const error = problemsOf({ ...secrets, SMS_TRANSPORT: 'twilio', MicrosoftAppId: 'app', MicrosoftAppType: 'SingleTenant', PORT: 'abc' });
    const names = error.problems.map((p) => p.split(' ')[0]);
    expect(names).toEqual(expect.arrayContaining(['SERVER_SECRET', 'SMTP_URL', 'PORT', 'TWILIO_ACCOUNT_SID', 'MicrosoftAppTenantId']));
    expect(error.message).not.toMatch(/S3CRET/);
    expect(error.problems.join('\n')).not.toMatch(/S3CRET/);
  });

  test('settings that hold secrets are marked secret', () => {
    for (const name of ['TWILIO_AUTH_TOKEN', 'MicrosoftAppPassword', 'SERVER_SECRET', 'SMTP_URL'] as const) {
      expect((settings[name].doc as { secret?: boolean }).secret).toBe(true);
    }
  });
});

describe('.env file', () => {
  test('a .env file is read, and real environment variables win over it', async () => {
    const dir = await tempDir();
    const envFile = join(dir, '.env');
    await writeFile(envFile, ['# local settings', 'PORT=4000', 'DATA_DIR=/srv/pin-reset', 'SERVICE_DESK_CONTACT="IT desk # 2"', 'LOG_LEVEL=debug', ''].join('\n'));

    const config = loadConfig({ PORT: '5000', LOG_LEVEL: 'warn' }, envFile);
    expect(config.PORT).toBe(5000);
    expect(config.LOG_LEVEL).toBe('warn');
    expect(config.DATA_DIR).toBe('/srv/pin-reset');
    expect(config.SERVICE_DESK_CONTACT).toBe('IT desk # 2');
  });

  test('bad values from a .env file are reported like bad environment variables', async () => {
    const dir = await tempDir();
    const envFile = join(dir, '.env');
    await writeFile(envFile, 'PORT=abc\nSERVER_SECRET=too-short-S3CRET\n');
    const error = problemsOf({}, envFile);
    expect(error.problems).toEqual(['PORT must be a whole number from 0 to 65535 (got "abc")', 'SERVER_SECRET must be at least 32 characters']);
  });

  test('a missing .env file is not an error', async () => {
    const dir = await tempDir();
    expect(loadConfig({}, join(dir, '.env')).PORT).toBe(3978);
  });
});

describe('the entry point', () => {
  test('npm start with bad settings exits non-zero, listing every problem, without a stack trace', async () => {
    const dataDir = await tempDir();
    const env: NodeJS.ProcessEnv = {};
    for (const [name, value] of Object.entries(process.env)) if (!(name in settings)) env[name] = value;
    Object.assign(env, { PORT: 'abc', SMS_TRANSPORT: 'pigeon', DATA_DIR: dataDir, TWILIO_AUTH_TOKEN: 'tok-S3CRET', SERVER_SECRET: 'short-S3CRET' });

    const child = spawn('npx', ['tsx', 'src/main.ts'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));

    expect(code).not.toBe(0);
    expect(output).toContain('PORT must be a whole number from 0 to 65535 (got "abc")');
    expect(output).toContain('SMS_TRANSPORT must be one of: twilio, outbox (got "pigeon")');
    expect(output).toContain('SERVER_SECRET must be at least 32 characters');
    expect(output).not.toMatch(/S3CRET/);
    expect(output).not.toMatch(/^\s+at /m);
  });
});

describe('a half-configured Twilio', () => {
  test('is refused with the missing settings named, rather than silently using the outbox', async () => {
    const { loadConfig: load, ConfigError: CE } = await import('../src/config/load.js');
    let caught: unknown;
    try {
      load({ TWILIO_ACCOUNT_SID: 'AC123', TWILIO_FROM: '+85230001234' }, null);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(CE);
    expect((caught as InstanceType<typeof CE>).problems).toEqual([expect.stringMatching(/^TWILIO_AUTH_TOKEN is required with TWILIO_ACCOUNT_SID and TWILIO_FROM/)]);
    expect(load({ TWILIO_ACCOUNT_SID: 'AC123', SMS_TRANSPORT: 'outbox' }, null).SMS_TRANSPORT).toBe('outbox');
  });
});
