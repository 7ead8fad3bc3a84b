import { expect } from '@jest/globals';
import { AutoSaveStateMiddleware, ConversationState, MemoryStorage, UserState, type Storage } from 'botbuilder';
import { DialogTestClient } from 'botbuilder-testing';
import { MainDialog } from '../../dialogs/mainDialog.js';
import type { DialogDeps } from '../../dialogs/deps.js';
import { LanguageChoice } from '../../dialogs/language.js';
import type { Services } from '../../src/services.js';
import { recordTokensIn } from './secrets.js';

export function dialogDeps(services: Services, conversationState = new ConversationState(new MemoryStorage()), userState?: UserState): DialogDeps {
  const language = new LanguageChoice(conversationState, userState, services.languages);
  // As the app wires them (src/index.ts), the service desk's parts included.
  const desk = { ...services.desk, state: conversationState.createProperty<Record<string, string>>('Desk') };
  return { registration: services.registration, pinReset: services.pinReset, unlock: services.unlock, codes: services.codes, messages: services.messages, policy: services.policy, language, desk };
}

export interface Chat {
  client: DialogTestClient;
  /** Sends what the user types and returns every reply of that turn, in order. */
  say(text: string): Promise<string[]>;
}

/**
 * A conversation with the main dialog. Like Teams, Web Chat and the Emulator, the client sends a
 * locale with every message (`null`: none, as over SMS). A `conversationId` makes it a new
 * conversation of the same user (user state, on the same storage, carries over).
 */
export function startChat(services: Services, storage: Storage = new MemoryStorage(), channelId = 'test', locale: string | null = 'en-US', conversationId?: string): Chat {
  const conversationState = new ConversationState(storage);
  const userState = new UserState(storage);
  const client = new DialogTestClient(channelId, new MainDialog(dialogDeps(services, conversationState, userState)), undefined, [new AutoSaveStateMiddleware(userState)], conversationState);
  const conversation = conversationId ? { conversation: { id: conversationId, isGroup: false, conversationType: 'personal', name: conversationId } } : {};
  return {
    client,
    async say(text: string) {
      const replies: string[] = [];
      let reply = await client.sendActivity({ type: 'message', text, ...conversation, ...(locale ? { locale } : {}) });
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
