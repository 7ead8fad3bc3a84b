import { CardFactory, MessageFactory, type Activity, type TurnContext } from 'botbuilder';
import { TextPrompt, type DialogInstance, type PromptOptions, type PromptValidator } from 'botbuilder-dialogs';
import { isCodeShaped, normalizeUid } from '../src/domain/contactFormats.js';
import type { MessageRef } from '../src/messages/catalog.js';
import { render, say, type DialogDeps, type Say } from './deps.js';
import { inTeams } from './cards.js';

/** What a localized prompt says, kept as catalog keys (PromptOptions.validations carries it through dialog state). */
export interface PromptWords {
  prompt: Say;
  retry?: Say;
  /** Said instead of `prompt` when the same question is asked again (after help, a language switch, a typed PIN): never "I have sent…" twice. */
  reminder?: Say;
  /** Suggested replies shown as buttons where the channel has them (not SMS). */
  actions?: MessageRef[];
}

/** Prompt options whose words are rendered each time the prompt is shown, in the user's language then. */
export function ask(words: PromptWords): PromptOptions {
  return { validations: words };
}

/** Whether a prompt takes `typed` as an answer, judged without side effects (so that an answer is never taken for a change of mind). */
export type AcceptsAnswer = (typed: string, words: PromptWords | undefined) => boolean;

/**
 * A text prompt that renders its question when it shows it, so `help` and a language switch
 * (`中文`, `English`) ask the same question again in the user's current language.
 */
export class LocalizedTextPrompt extends TextPrompt {
  constructor(
    id: string,
    private readonly deps: DialogDeps,
    validator?: PromptValidator<string>,
    /** Default: nothing that names another flow is an answer here (a UID prompt, say). */
    readonly accepts: AcceptsAnswer = () => false,
  ) {
    super(id, validator);
  }

  override async repromptDialog(context: TurnContext, instance: DialogInstance): Promise<void> {
    const state = instance.state as { options: PromptOptions; state: object };
    const words = state.options.validations as PromptWords | undefined;
    const options = words?.reminder ? { ...state.options, validations: { ...words, prompt: words.reminder } } : state.options;
    await this.onPrompt(context, state.state, options, false);
  }

  protected override onPrompt(context: TurnContext, state: object, options: PromptOptions, isRetry: boolean): Promise<void> {
    const words = options.validations as PromptWords | undefined;
    if (!words) return super.onPrompt(context, state, options, isRetry);
    const said = render(this.deps, context, isRetry && words.retry ? words.retry : words.prompt);
    const buttons = context.activity.channelId === 'sms' ? [] : (words.actions ?? []).map((a) => render(this.deps, context, a));
    const activity = withButtons(context, said, buttons);
    return super.onPrompt(context, state, { ...options, prompt: activity, retryPrompt: activity }, isRetry);
  }
}

/**
 * A prompt that accepts only a well-formed portal UID. A verification code typed here by mistake is
 * refused unread: taken as a UID it would be kept in the conversation state and the audit log.
 */
export const uidPrompt = (id: string, deps: DialogDeps) =>
  new LocalizedTextPrompt(id, deps, async (pc) => {
    const typed = pc.recognized.value ?? '';
    if (isCodeShaped(typed, deps.policy.codeDigits)) {
      await say(deps, pc.context, 'identity.codeNotUid');
      return false;
    }
    return pc.recognized.succeeded && normalizeUid(typed) !== undefined;
  });


/** The words of the UID question, in any language; `notice` is said before it the first time. */
export function askUid(notice?: MessageRef): PromptOptions {
  const question: MessageRef = { key: 'identity.askUid' };
  return ask({ prompt: notice ? [notice, question] : question, retry: { key: 'identity.badUid' }, reminder: question });
}

/** The question with its answers as buttons: on a card in Teams, suggested actions elsewhere (none by SMS). */
function withButtons(context: TurnContext, said: string, buttons: string[]): Partial<Activity> {
  if (buttons.length === 0) return MessageFactory.text(said);
  if (!inTeams(context)) return MessageFactory.suggestedActions(buttons, said);
  return { ...MessageFactory.text(said), attachments: [CardFactory.heroCard('', undefined, buttons.map((title) => ({ type: 'imBack', title, value: title })))] };
}
