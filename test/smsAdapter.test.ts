import { describe, expect, test } from '@jest/globals';
import { SmsAdapter } from '../src/channels/sms/smsAdapter.js';
import { ManualClock } from './support/fakes.js';

const silent = { info() {}, warn() {}, error() {}, debug() {} };
const NOTICE = 'Your code could not be delivered by SMS. Type email to get a link instead.';

/** The adapter with a phone that records what it is texted; `failed` stands in for challenges marked undelivered in the store. */
function setUp() {
  const texted: string[] = [];
  const failed = new Set<string>();
  const adapter = new SmsAdapter({ reply: async (m) => void texted.push(m.body) }, silent, 'https://pin.example.edu', new ManualClock(), async (id) => failed.has(id));
  let n = 0;
  const text = (logic: Parameters<SmsAdapter['processInbound']>[1]) => adapter.processInbound({ sid: `SM${++n}`, from: '+85290000001', to: '+85230001234', body: 'x' }, logic);
  return { adapter, texted, failed, text };
}

// Which of these happens on a real turn depends on when the background send settles, so each is forced here.
describe('a user waiting on SMS is told once that their code was not delivered, after the turn’s own replies', () => {
  test('a code that fails while the user’s own turn is still running', async () => {
    const { adapter, texted, failed, text } = setUp();
    await text(async (context) => {
      adapter.expectCode(context, 'ch-1', NOTICE);
      // The store marks the code failed, then its listener tells the adapter, mid-turn.
      failed.add('ch-1');
      await adapter.codeUndelivered('ch-1');
      await context.sendActivity('I have sent a 6-digit code.');
    });
    expect(texted).toEqual(['I have sent a 6-digit code.', NOTICE]);
    // A second report of the same failure, and the next text, do not repeat it.
    await adapter.codeUndelivered('ch-1');
    await text(async (context) => void (await context.sendActivity('ok')));
    expect(texted).toEqual(['I have sent a 6-digit code.', NOTICE, 'ok']);
  });

  test('a code that failed before the user was waiting for it', async () => {
    const { adapter, texted, failed, text } = setUp();
    await text(async (context) => {
      failed.add('ch-2');
      await adapter.codeUndelivered('ch-2');
      adapter.expectCode(context, 'ch-2', NOTICE);
      await context.sendActivity('I have sent a 6-digit code.');
    });
    expect(texted).toEqual(['I have sent a 6-digit code.', NOTICE]);
  });

  test('a code that fails after the turn is told at once, without waiting for another text', async () => {
    const { adapter, texted, failed, text } = setUp();
    await text(async (context) => {
      adapter.expectCode(context, 'ch-3', NOTICE);
      await context.sendActivity('I have sent a 6-digit code.');
    });
    failed.add('ch-3');
    await adapter.codeUndelivered('ch-3');
    expect(texted).toEqual(['I have sent a 6-digit code.', NOTICE]);
  });
});
