import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { TestSmtpServer } from './support/smtp.js';
import { TwilioMock } from './support/twilioMock.js';
import { BotClient } from './support/botClient.js';
import { readAllFiles, startApp, type RunningApp } from './support/app.js';
import { openTestServices } from './support/services.js';
import { hasCode } from './support/secretScan.js';

const smtp = new TestSmtpServer();
const twilio = new TwilioMock();
let smtpUrl: string;

beforeAll(async () => {
  smtpUrl = await smtp.start();
  twilio.start();
});

afterAll(async () => {
  await smtp.stop();
  twilio.stop();
});

/** A server of the test's own (each test has its own DATA_DIR), with one account in its directory. */
async function serverWith(uid: string, name: string): Promise<RunningApp> {
  const { services, dataDir } = await openTestServices();
  await services.directory.importAccount({ uid, name, email: `${uid}@example.edu`, pin: 'Old-PIN-1234' });
  await services.close();
  return startApp(
    {
      SMTP_URL: smtpUrl,
      MAIL_FROM: 'PIN reset <pin-reset@example.edu>',
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: 'test-auth-token-0123456789abcdef',
      TWILIO_FROM: '+85230001234',
    },
    dataDir,
  );
}

/** The account's audit events since the last call (background sends drained first), as `event outcome purpose=...`. */
function auditOf(running: RunningApp, uid: string): () => Promise<string[]> {
  let seen = 0;
  return async () => {
    await running.app.services.background.drain();
    const events = await running.app.services.auditLog.read({ uid });
    const fresh = events.slice(seen);
    seen = events.length;
    return fresh.map((e) => {
      const { purpose, via, notice } = e.detail ?? {};
      const facts = Object.entries({ purpose, via, notice }).filter(([, v]) => v !== undefined);
      return [e.event, e.outcome, ...facts.map(([k, v]) => `${k}=${String(v)}`)].join(' ');
    });
  };
}

/** Registers both contacts through /api/messages, reading each code where the user would; returns the codes. */
async function register(running: RunningApp, uid: string, email: string, local: string, steps?: () => Promise<string[]>): Promise<string[]> {
  const step = steps ?? (async () => []);
  const user = new BotClient(running.baseUrl);
  expect(await user.send('register')).toEqual([expect.stringContaining('portal UID')]);
  const mailed = smtp.to(`${uid}@example.edu`).length;
  expect(await user.send(uid)).toEqual([expect.stringContaining('I have sent a 6-digit code')]);
  const identityCode = await smtp.waitFor(`${uid}@example.edu`, /code is (\d{6})/, mailed);
  if (steps) expect(await step()).toEqual(['code.sent ok purpose=identity']);
  expect(await user.send(identityCode)).toEqual([expect.stringContaining('alternate email')]);
  if (steps) expect(await step()).toEqual(['code.verified ok purpose=identity']);

  expect(await user.send(email)).toEqual([expect.stringMatching(new RegExp(`I have sent a 6-digit code to ${email[0]}\\S*@gmail\\.com`))]);
  const emailCode = await smtp.waitFor(email, /code is (\d{6})/);
  if (steps) expect(await step()).toEqual(['code.sent ok purpose=alt-email']);
  expect(await user.send(emailCode)).toEqual([expect.stringContaining('mobile number')]);
  if (steps) expect(await step()).toEqual(['code.verified ok purpose=alt-email']);

  expect(await user.send(local)).toEqual([expect.stringMatching(new RegExp(`\\+852 \\S*${local.slice(-4)}`))]);
  const smsCode = twilio.lastCode(`+852${local.replace(/\s/g, '')}`);
  expect(twilio.sent.at(-1)!.from).toBe('+85230001234');
  if (steps) expect(await step()).toEqual(['code.sent ok purpose=mobile']);
  expect(await user.send(smsCode)).toEqual([expect.stringMatching(new RegExp(`All done[\\s\\S]*${email[0]}\\S*@gmail\\.com[\\s\\S]*\\+852 \\S*${local.slice(-4)}`))]);
  if (steps) expect(await step()).toEqual(['code.verified ok purpose=mobile', 'contacts.changed ok via=code', 'notice.sent ok notice=contacts-changed']);
  return [identityCode, emailCode, smsCode];
}

describe('registration over HTTP, with real mail and nocked Twilio', () => {
  test('a user registers both contacts through /api/messages and they are saved, audited and notified', async () => {
    const running = await serverWith('jdoe', 'Jane Doe');
    try {
      await register(running, 'jdoe', 'jane.doe@gmail.com', '6123 4567', auditOf(running, 'jdoe'));
      // The institutional address hears of the change from the real mail server's point of view.
      await smtp.waitFor('jdoe@example.edu', /(were changed)/);
    } finally {
      await running.app.close();
    }

    // The store on disk holds the verified contacts after the server stopped.
    const reopened = await openTestServices({}, running.dataDir);
    try {
      expect(await reopened.services.store.contacts.get('jdoe')).toMatchObject({ email: 'jane.doe@gmail.com', mobile: '+85261234567', source: 'self' });
    } finally {
      await reopened.services.close();
    }
  });

  test('no code that was sent appears in the logs, the audit log or the store files', async () => {
    const running = await serverWith('asmith', 'Alex Smith');
    let issuedCodes: string[];
    try {
      issuedCodes = await register(running, 'asmith', 'alex.smith@gmail.com', '6987 6543');
      await running.app.services.background.drain();
    } finally {
      await running.app.close();
    }
    expect(issuedCodes).toHaveLength(3);
    const files = await readAllFiles(running.dataDir);
    expect(Object.keys(files).some((f) => f.endsWith('audit.jsonl'))).toBe(true);
    const haystacks = { logs: running.logs(), ...files };
    for (const code of issuedCodes) {
      for (const [where, text] of Object.entries(haystacks)) {
        // As text, not as digits inside a longer number (a stored time may hold any six digits).
        expect({ where, leaks: hasCode(text, code) }).toEqual({ where, leaks: false });
      }
    }
  });
});
