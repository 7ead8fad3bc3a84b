import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { AutoSaveStateMiddleware, ConversationState, MemoryStorage, UserState, type Activity } from 'botbuilder';
import { DialogTestClient } from 'botbuilder-testing';
import { MainDialog } from '../dialogs/mainDialog.js';
import { SmsRendering } from '../src/channels/sms/smsRendering.js';
import { silentLogger } from '../src/ports/logger.js';
import { smsSize } from '../src/domain/smsSegments.js';
import { openTestServices, addAccount, type TestServices } from './support/services.js';
import { dialogDeps } from './support/dialogs.js';
import { recordTokensIn } from './support/secrets.js';

let t: TestServices;

beforeEach(async () => {
  t = await openTestServices({ PUBLIC_BASE_URL: 'https://pin.example.edu' });
  await addAccount(t.services, 'jdoe', 'jdoe@example.edu');
  const now = t.clock.now();
  await addAccount(t.services, 'cwong', 'cwong@example.edu');
  await t.services.store.contacts.put({ uid: 'cwong', email: 'chris@gmail.com', mobile: '+85261234567', source: 'self', verifiedAt: now, updatedAt: now });
});
afterEach(async () => {
  await t.services.close();
});

/** A conversation on `channelId`; SMS replies go through the SMS rendering, as they do on the SMS channels. */
function conversationOn(channelId: string) {
  const storage = new MemoryStorage();
  const conversationState = new ConversationState(storage);
  const userState = new UserState(storage);
  const middlewares = [new AutoSaveStateMiddleware(userState), ...(channelId === 'sms' ? [new SmsRendering(conversationState.createProperty<string[]>('SmsOptions'), silentLogger)] : [])];
  const client = new DialogTestClient(channelId, new MainDialog(dialogDeps(t.services, conversationState, userState)), undefined, middlewares, conversationState);
  const everything: string[] = [];
  return {
    everything,
    async say(text: string): Promise<string[]> {
      const replies: string[] = [];
      let reply: Partial<Activity> | undefined = await client.sendActivity({ type: 'message', text, ...(channelId === 'sms' ? {} : { locale: 'en-US' }) });
      while (reply) {
        // The words a user reads: the text, and a card's text and buttons.
        const cards = (reply.attachments ?? []).map((a) => a.content as { text?: string; buttons?: { type: string; title: string; value: unknown }[] });
        const buttons = cards.flatMap((c) => c.buttons ?? []).map((b) => (b.type === 'openUrl' ? `${b.title}: ${String(b.value)}` : b.title));
        const read = [reply.text ?? '', ...cards.map((c) => c.text ?? ''), ...buttons].filter(Boolean).join('\n');
        recordTokensIn(read);
        replies.push(read);
        reply = client.getNextReply();
      }
      everything.push(...replies);
      return replies;
    },
  };
}

/** Registration, status, a reset by SMS and the odd mistake: every kind of reply that shows a mask or bold text. */
async function everyReply(channelId: string): Promise<string[]> {
  const chat = conversationOn(channelId);
  await chat.say('hello');
  await chat.say('register');
  await chat.say('jdoe');
  await t.services.background.drain();
  await chat.say(t.mailer.lastCode('jdoe@example.edu'));
  await chat.say('jane.doe@gmail.com');
  await chat.say('resend');
  await chat.say('help');
  await chat.say('not a code');
  await t.services.background.drain();
  await chat.say(t.mailer.lastCode('jane.doe@gmail.com'));
  await chat.say('9123 4567');
  await chat.say(t.sms.lastCode('+85291234567'));
  // Past the hour's five sends for an account.
  t.clock.advance(61 * 60_000);
  await chat.say('status');
  await chat.say('jdoe');
  await t.services.background.drain();
  await chat.say(t.mailer.lastCode('jdoe@example.edu'));
  await chat.say('reset');
  await chat.say('cwong');
  await chat.say('sms');
  await t.services.background.drain();
  await chat.say(t.sms.lastCode('+85261234567'));
  await chat.say('what is this');
  return chat.everything;
}

/** What is left of a reply once its bold spans (`**word**`) are taken out: a star left over is one markdown would misread. */
const outsideBold = (reply: string) => reply.replace(/\*\*[^*\s](?:[^*\n]*[^*\s])?\*\*/g, '');

describe('masks and markdown on every channel', () => {
  test.each(['msteams', 'emulator', 'webchat'])('on %s (markdown, or printed as is by npm run chat) every reply is markdown-safe and masks use •', async (channelId) => {
    const replies = await everyReply(channelId);
    expect(replies.length).toBeGreaterThanOrEqual(20);
    expect(replies.filter((r) => outsideBold(r).includes('*'))).toEqual([]);
    const all = replies.join('\n');
    expect(all).toContain('j•••@gmail.com');
    expect(all).toContain('+852 ••••4567');
    expect(all).toMatch(/\*\*resend\*\*/);
    expect(all).toMatch(/\/reset\/[A-Za-z0-9_-]{32}/);
  });

  test('by SMS every reply is plain text: no bold markers, ASCII masks, and GSM-7 throughout an English conversation', async () => {
    const replies = await everyReply('sms');
    expect(replies.length).toBeGreaterThanOrEqual(20);
    expect(replies.filter((r) => outsideBold(r) !== r || r.includes('•'))).toEqual([]);
    const all = replies.join('\n');
    expect(all).toContain('j***@gmail.com');
    expect(all).toContain('+852 ****4567');
    expect(all).toMatch(/\/reset\/[A-Za-z0-9_-]{32}/);
    expect(replies.filter((r) => smsSize(r).encoding !== 'GSM-7')).toEqual([]);
    expect(replies.filter((r) => smsSize(r).segments > 2)).toEqual([]);
  });
});
