import { expect } from '@jest/globals';
import { ConversationState, MemoryStorage, type Storage } from 'botbuilder';
import { DialogTestClient } from 'botbuilder-testing';
import { MainDialog } from '../../dialogs/mainDialog.js';
import type { DialogDeps } from '../../dialogs/deps.js';
import type { Services } from '../../src/services.js';
import { recordTokensIn } from './secrets.js';

export function dialogDeps(services: Services): DialogDeps {
  return { registration: services.registration, pinReset: services.pinReset, codes: services.codes, messages: services.messages, policy: services.policy };
}

export interface Chat {
  client: DialogTestClient;
  /** Sends what the user types and returns every reply of that turn, in order. */
  say(text: string): Promise<string[]>;
}

export function startChat(services: Services, storage: Storage = new MemoryStorage(), channelId = 'test'): Chat {
  const client = new DialogTestClient(channelId, new MainDialog(dialogDeps(services)), undefined, [], new ConversationState(storage));
  return {
    client,
    async say(text: string) {
      const replies: string[] = [];
      let reply = await client.sendActivity(text);
      while (reply) {
        replies.push(String(reply.text ?? ''));
        recordTokensIn(reply.text);
        reply = client.getNextReply();
      }
      return replies;
    },
  };
}

/** A conversation as a table of [user says, bot replies (substrings or patterns)] steps. */
export async function converse(chat: Chat, steps: [string, ...(string | RegExp)[]][]): Promise<void> {
  for (const [userSays, ...expected] of steps) {
    const replies = await chat.say(userSays);
    expect({ userSays, replies: replies.length }).toEqual({ userSays, replies: expected.length });
    expected.forEach((want, i) => {
      if (typeof want === 'string') expect(replies[i]).toContain(want);
      else expect(replies[i]).toMatch(want);
    });
  }
}
