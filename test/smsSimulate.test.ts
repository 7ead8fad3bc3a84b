import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startApp, type RunningApp } from './support/app.js';
import { simulateSms } from '../src/channels/sms/simulateSms.js';

let running: RunningApp;
let env: Record<string, string>;

beforeAll(async () => {
  running = await startApp({ SMS_TRANSPORT: 'outbox', TWILIO_AUTH_TOKEN: 'local-simulation-token' });
  env = { DATA_DIR: running.dataDir, PORT: new URL(running.baseUrl).port, PUBLIC_BASE_URL: running.baseUrl, SMS_TRANSPORT: 'outbox', TWILIO_AUTH_TOKEN: 'local-simulation-token' };
});

afterAll(async () => {
  await running?.app.close();
});

describe('npm run sms simulates an inbound text against the running bot', () => {
  test('a signed text reaches the bot and the replies are read back from the outbox', async () => {
    const result = await simulateSms(['9123 4567', 'help'], env, null);
    expect(result).toEqual({ exitCode: 0, lines: [expect.stringMatching(/^bot> Portal PIN reset service/)] });
    const reset = await simulateSms(['+85291234567', 'reset'], env, null);
    expect(reset.lines).toEqual([expect.stringContaining('portal UID')]);
  });

  test('without TWILIO_AUTH_TOKEN it explains what to set; a wrong token is refused by the bot', async () => {
    const { TWILIO_AUTH_TOKEN: _unused, ...noToken } = env;
    expect(await simulateSms(['+85291234567', 'help'], noToken, null)).toEqual({ exitCode: 2, lines: [expect.stringContaining('set TWILIO_AUTH_TOKEN')] });
    const wrong = await simulateSms(['+85291234567', 'help'], { ...env, TWILIO_AUTH_TOKEN: 'not-the-bot-token' }, null);
    expect(wrong).toEqual({ exitCode: 1, lines: [expect.stringContaining('answered 403')] });
    expect((await simulateSms(['nonsense'], env, null)).exitCode).toBe(2);
  });
});
