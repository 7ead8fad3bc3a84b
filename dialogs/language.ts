import type { BotState, StatePropertyAccessor, TurnContext } from 'botbuilder';
import { languageOfLocale, type Language } from '../src/messages/catalog.js';
import type { LanguagePreferences } from '../src/domain/languagePreferences.js';

/** This conversation's language, if the user chose it (`chosen`) or it came from their account; it outranks the locale. */
interface ConversationLanguage {
  language?: Language;
  chosen?: boolean;
  /** The account proved in this conversation, once there is one. */
  uid?: string;
}

interface UserLanguage {
  language: Language;
}

const TURN_KEY = Symbol('language');

interface TurnLanguage {
  language: Language;
  /** False when nothing said which language (no locale, no choice): English by default, both in mail. */
  known: boolean;
}

/**
 * The language of each turn, and remembering the user's choice: for this conversation
 * (conversation state), for this user on this channel (user state), and for the account, once
 * the user has proved which one it is (in the store, so other channels and mail use it too).
 * Order: a choice made here > the account's > this user's earlier choice > the channel's locale > English.
 */
export class LanguageChoice {
  private readonly conversation: StatePropertyAccessor<ConversationLanguage | undefined>;
  private readonly user: StatePropertyAccessor<UserLanguage | undefined> | undefined;

  constructor(conversationState: BotState, userState: BotState | undefined, private readonly preferences: LanguagePreferences) {
    this.conversation = conversationState.createProperty('Language');
    this.user = userState?.createProperty('Language');
  }

  /** Works out this turn's language once, at the start of the turn. */
  async load(context: TurnContext): Promise<Language> {
    const inConversation = await this.conversation.get(context);
    const ofUser = await this.user?.get(context);
    const fromLocale = languageOfLocale(context.activity.locale);
    const language = inConversation?.language ?? ofUser?.language ?? fromLocale;
    context.turnState.set(TURN_KEY, { language: language ?? 'en', known: language !== undefined } satisfies TurnLanguage);
    return language ?? 'en';
  }

  /** The user typed `中文`, `English` or `language`: use it from now on, everywhere they are known. */
  async choose(context: TurnContext, language: Language): Promise<void> {
    const current = await this.conversation.get(context);
    await this.conversation.set(context, { ...current, language, chosen: true });
    await this.user?.set(context, { language });
    context.turnState.set(TURN_KEY, { language, known: true } satisfies TurnLanguage);
    if (current?.uid) await this.preferences.remember(current.uid, language);
  }

  /**
   * The user proved they hold account `uid` (a code, or signed in). A choice made in this
   * conversation is saved to the account; otherwise the account's remembered language is taken
   * up; otherwise a language known from the channel's locale is saved to the account.
   */
  async accountKnown(context: TurnContext, uid: string): Promise<void> {
    const current = await this.conversation.get(context);
    const turn = languageOf(context);
    if (current?.chosen && current.language) {
      await this.conversation.set(context, { ...current, uid });
      await this.preferences.remember(uid, current.language);
      return;
    }
    const remembered = await this.preferences.of(uid);
    if (remembered) {
      await this.conversation.set(context, { language: remembered, uid });
      await this.user?.set(context, { language: remembered });
      context.turnState.set(TURN_KEY, { language: remembered, known: true } satisfies TurnLanguage);
      return;
    }
    await this.conversation.set(context, { ...current, uid });
    if (turn.known) await this.preferences.remember(uid, turn.language);
  }

  /** The account the user proved in this conversation (a code, or signed in), if any. */
  async provenAccount(context: TurnContext): Promise<string | undefined> {
    return (await this.conversation.get(context))?.uid;
  }
}

/** This turn's language: as loaded by LanguageChoice, else from the activity's locale, else English. */
export function languageOf(context: TurnContext): TurnLanguage {
  const loaded = context.turnState.get(TURN_KEY) as TurnLanguage | undefined;
  if (loaded) return loaded;
  const fromLocale = languageOfLocale(context.activity.locale);
  return { language: fromLocale ?? 'en', known: fromLocale !== undefined };
}
