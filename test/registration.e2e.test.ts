import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TestSmtpServer } from './support/smtp.js';
import { TwilioMock } from './support/twilioMock.js';
import { BotClient } from './support/botClient.js';
import { readAllFiles, startApp, type RunningApp } from './support/app.js';
import { openTestServices } from './support/services.js';
import { hasCode } from './support/secretScan.js';

const smtp = new TestSmtpServer();
const twilio = new TwilioMock();
let running: RunningApp;
const issuedCodes: string[] = [];

beforeAll(async () => {
  const smtpUrl = await smtp.start();
  twilio.start();
  const { services, dataDir } = await openTestServices();
  await services.directory.importAccount({ uid: 'jdoe', name: 'Jane Doe', email: 'jdoe@example.edu', pin: 'Old-PIN-1234' });
  await services.close();
  running = await startApp(
    {
      SMTP_URL: smtpUrl,
      MAIL_FROM: 'PIN reset <pin-reset@example.edu>',
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: 'test-auth-token-0123456789abcdef',
      TWILIO_FROM: '+85230001234',
    },
    dataDir,
  );
});

afterAll(async () => {
  await running?.app.close();
  await smtp.stop();
  twilio.stop();
});

describe('registration over HTTP, with real mail and nocked Twilio', () => {
  test('a user registers both contacts through /api/messages and they are saved, audited and notified', async () => {
    const user = new BotClient(running.baseUrl);
    expect(await user.send('register')).toEqual([expect.stringContaining('portal UID')]);
    expect(await user.send('jdoe')).toEqual([expect.stringContaining('I have sent a 6-digit code')]);

    const identityCode = await smtp.waitFor('jdoe@example.edu', /code is (\d{6})/);
    issuedCodes.push(identityCode);
    expect(await user.send(identityCode)).toEqual([expect.stringContaining('alternate email')]);

    expect(await user.send('jane.doe@gmail.com')).toEqual([expect.stringContaining('j•••@gmail.com')]);
    const emailCode = await smtp.waitFor('jane.doe@gmail.com', /code is (\d{6})/);
    issuedCodes.push(emailCode);
    expect(await user.send(emailCode)).toEqual([expect.stringContaining('mobile number')]);

    expect(await user.send('6123 4567')).toEqual([expect.stringContaining('+852 ••••4567')]);
    const smsCode = twilio.lastCode('+85261234567');
    issuedCodes.push(smsCode);
    expect(twilio.sent.at(-1)!.from).toBe('+85230001234');
    expect(await user.send(smsCode)).toEqual([expect.stringMatching(/All done[\s\S]*j•••@gmail\.com[\s\S]*\+852 ••••4567/)]);

    // The institutional address hears of the change from the real mail server's point of view.
    await smtp.waitFor('jdoe@example.edu', /(were changed)/);
    await running.app.services.background.drain();
    await running.app.close();

    // The store on disk holds the verified contacts after the server stopped.
    const reopened = await openTestServices({}, running.dataDir);
    expect(await reopened.services.store.contacts.get('jdoe')).toMatchObject({ email: 'jane.doe@gmail.com', mobile: '+85261234567', source: 'self' });
    await reopened.services.close();

    const audit = (await readFile(join(running.dataDir, 'audit.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { event: string; uid?: string });
    const events = audit.filter((e) => e.uid === 'jdoe').map((e) => e.event);
    expect(events.filter((e) => e === 'code.verified')).toHaveLength(3);
    expect(events).toContain('contacts.changed');
    expect(events).toContain('notice.sent');
  });

  test('no code that was sent appears in the logs, the audit log or the store files', async () => {
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
