import { describe, expect, test } from '@jest/globals';
import { ActionTypes, CardFactory, ConversationState, MemoryStorage, TestAdapter, type TurnContext } from 'botbuilder';
import { renderForSms, SmsRendering } from '../src/channels/sms/smsRendering.js';
import { silentLogger } from '../src/ports/logger.js';
import { enSms } from '../src/messages/en.sms.js';
import { zhHkSms } from '../src/messages/zh-hk.sms.js';
import { fill } from '../src/messages/catalog.js';
import { smsSize } from '../src/domain/smsSegments.js';

describe('SMS replies are plain text with numbered options', () => {
  test('markdown, suggested actions and card buttons become plain numbered lines; links are spelled out', () => {
    const rendered = renderForSms({
      text: 'Pick **one** for j***@gmail.com – now',
      suggestedActions: { to: [], actions: [{ type: ActionTypes.ImBack, title: 'Email me', value: 'email' }] },
      attachments: [CardFactory.heroCard('', undefined, [{ type: ActionTypes.ImBack, title: 'Text me', value: 'sms' }, { type: ActionTypes.OpenUrl, title: 'Set new PIN', value: 'https://pin.example.edu/reset/abc' }])],
    });
    expect(rendered.text).toBe('Pick one for j***@gmail.com - now\n1. Email me\n2. Text me\nSet new PIN: https://pin.example.edu/reset/abc');
    expect(rendered.options).toEqual(['email', 'sms']);
  });

  test('a bare number answers the numbered options of the previous reply, on channel sms only', async () => {
    const state = new ConversationState(new MemoryStorage());
    const heard: string[] = [];
    const adapter = new TestAdapter(async (context: TurnContext) => {
      heard.push(context.activity.text ?? '');
      if (context.activity.text === 'ask') {
        await context.sendActivity({ text: 'Which?', suggestedActions: { to: [], actions: [{ type: ActionTypes.ImBack, title: 'Yes please', value: 'yes' }, { type: ActionTypes.ImBack, title: 'No', value: 'no' }] } });
      } else {
        await context.sendActivity(`got ${context.activity.text}`);
      }
      await state.saveChanges(context);
    });
    adapter.template.channelId = 'sms';
    adapter.use(new SmsRendering(state.createProperty<string[]>('SmsOptions'), silentLogger));
    await adapter.send('ask').assertReply('Which?\n1. Yes please\n2. No').send('2').assertReply('got no').send('2').assertReply('got 2');
    expect(heard).toEqual(['ask', 'no', '2']);
  });
});

describe('the SMS sentences fit in two segments in both languages', () => {
  test('every en.sms and zh-hk.sms sentence, with a long service-desk contact, is at most two segments', () => {
    const params = { serviceDesk: 'the IT Service Desk (2859 0000)' };
    for (const [key, sentence] of [...Object.entries(enSms), ...Object.entries(zhHkSms)]) {
      const text = renderForSms({ text: fill(sentence, params) }).text;
      expect({ key, segments: smsSize(text).segments <= 2 }).toEqual({ key, segments: true });
    }
  });
});
