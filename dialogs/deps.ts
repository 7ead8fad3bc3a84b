import type { TurnContext } from 'botbuilder';
import type { WaterfallStepContext } from 'botbuilder-dialogs';
import type { ContactRegistration, TurnContextInfo } from '../src/domain/contactRegistration.js';
import type { VerificationCodes } from '../src/domain/verificationCodes.js';
import type { PinReset } from '../src/domain/pinReset.js';
import type { AccountUnlock } from '../src/domain/accountUnlock.js';
import type { SecurityPolicy } from '../src/domain/policy.js';
import type { Messages, MessageKey, MessageRef, Params } from '../src/messages/catalog.js';
import { languageOf, type LanguageChoice } from './language.js';
import type { DeskServices } from './deskDeps.js';

/** Who the channel says the user is (Teams sign-in), resolved by the bot layer; undefined when unknown. */
export interface SignedInUser {
  uidOf(context: TurnContext): Promise<string | undefined>;
}

/** What the dialogs may use: domain services only, never files, HTTP or transports. */
export interface DialogDeps {
  registration: ContactRegistration;
  pinReset: PinReset;
  /** Unlocking a locked-out account (absent: no directory here locks accounts). */
  unlock?: AccountUnlock;
  codes: VerificationCodes;
  messages: Messages;
  policy: SecurityPolicy;
  /** Absent where no channel signs users in. */
  signedIn?: SignedInUser;
  language: LanguageChoice;
  /** False while outbound SMS is stopped (the hourly ceiling); users are offered email instead. Absent: always available. */
  smsAvailable?: () => Promise<boolean>;
  /** The user now waits in this conversation for a code; `notice` is what to tell them if it is not delivered. */
  waitingForCode?: (context: TurnContext, challengeId: string, notice: string) => void;
  /** The service desk's parts (hand-off, reminders, re-confirmation); absent: none of them is offered. */
  desk?: DeskServices;
}

/**
 * Something to say, kept as catalog keys rather than words so that it can be said again in
 * another language (after `中文` or `English` at a prompt). Several parts are joined by a blank line.
 */
export type Say = MessageRef | string | (MessageRef | string)[];

/** Renders a catalog sentence in the user's language, with the service desk always available. */
export function text(deps: DialogDeps, context: TurnContext, key: MessageKey, params: Params = {}): string {
  // On SMS a shorter sentence (`<key>.sms`) is used where the catalog has one.
  const smsKey = `${key}.sms`;
  if (context.activity.channelId === 'sms' && deps.messages.has(smsKey)) key = smsKey;
  return deps.messages.t(key, { serviceDesk: deps.policy.serviceDeskContact, digits: deps.policy.codeDigits, ...params }, languageOf(context).language);
}

/** Renders something to say (see Say) in the user's current language. */
export function render(deps: DialogDeps, context: TurnContext, say: Say): string {
  const parts = Array.isArray(say) ? say : [say];
  return parts.map((part) => (typeof part === 'string' ? part : text(deps, context, part.key, part.params))).join('\n\n');
}

/** The catalog keys said this turn by `say` (a turn that paused the account is followed by the offer of a hand-off). */
export const SAID_THIS_TURN = Symbol('saidThisTurn');

export async function say(deps: DialogDeps, context: TurnContext, key: MessageKey, params: Params = {}): Promise<void> {
  context.turnState.set(SAID_THIS_TURN, [...((context.turnState.get(SAID_THIS_TURN) as MessageKey[] | undefined) ?? []), key]);
  await context.sendActivity(text(deps, context, key, params));
}

/** The channel and language of this turn, for audit events and messages sent outside the chat. */
export function turnInfo(context: TurnContext): TurnContextInfo {
  const { language, known } = languageOf(context);
  return { channel: context.activity.channelId, ...(known ? { locale: language } : {}) };
}

/** A waterfall's own values (kept in dialog state from one step to the next), typed by the dialog that keeps them. */
export function valuesOf<Values extends object>(step: WaterfallStepContext): Partial<Values> {
  return step.values as Partial<Values>;
}
