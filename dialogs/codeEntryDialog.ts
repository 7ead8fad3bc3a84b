import { WaterfallDialog, type PromptValidatorContext, type WaterfallStepContext, type DialogTurnResult } from 'botbuilder-dialogs';
import type { ChallengePurpose } from '../src/ports/store.js';
import { codeAsTyped, isCodeShaped, toAsciiDigits } from '../src/domain/contactFormats.js';
import type { SendResult, TurnContextInfo } from '../src/domain/contactRegistration.js';
import type { MessageRef } from '../src/messages/catalog.js';
import { CancelAndHelpDialog } from './cancelAndHelpDialog.js';
import { isResend, recognizeChange, recognizeMethod, type ChangeTarget } from './commands.js';
import { text, turnInfo, type DialogDeps, type Say } from './deps.js';
import { sayPaused } from './limits.js';
import { LocalizedTextPrompt, ask, type PromptWords } from './prompts.js';

export const CODE_ENTRY_DIALOG = 'codeEntry';
const CODE_PROMPT = 'codePrompt';
// Asking again replaces these steps, not the whole dialog: from inside, replacing `codeEntry` would nest a new one each time.
const CODE_STEPS = 'codeEntrySteps';

export interface CodeEntryOptions {
  uid: string;
  purpose: ChallengePurpose;
  challengeId: string;
  /** What to say when asking (catalog keys, so it can be asked again in another language). */
  prompt: Say;
  /** Where the code went, masked for chat, when the user typed it (a contact being registered). */
  target?: string;
  /** A reset by SMS code: `email` switches to a link by email (offered when the code is not delivered). */
  offerEmail?: boolean;
}

/** Sends a replacement code for the one being asked for. */
export type ResendCode = (options: CodeEntryOptions, info: TurnContextInfo) => Promise<SendResult>;

/**
 * `verified`, or not: `useEmail` (a reset switching to a link by email), or `change` (the user wants
 * to give the address, number or UID again; `notice` says why, when it was not their own wish).
 */
export type CodeEntryResult = { verified: true; challengeId: string } | { verified: false; useEmail?: boolean; change?: ChangeTarget; notice?: MessageRef };

/** `email` (or 電郵) instead of a code; a bare number is never taken for the choice here. */
const isEmailChoice = (typed: string | undefined) => recognizeMethod(typed) === 'email' && !/\d/.test(toAsciiDigits(typed ?? ''));

/** What a resend is announced with, for each kind of code. */
const RESENT: Record<ChallengePurpose, 'code.resentIdentity' | 'reset.smsResent' | 'unlock.smsResent' | 'register.emailResent' | 'register.mobileResent'> = {
  identity: 'code.resentIdentity',
  'reset-sms': 'reset.smsResent',
  'unlock-sms': 'unlock.smsResent',
  'alt-email': 'register.emailResent',
  mobile: 'register.mobileResent',
};

/**
 * Asks for a code until it is right, the user asks to `resend` or to `change` what it went to, or a
 * limit stops it. Every wrong try says how many are left; the code itself is never repeated back.
 */
export class CodeEntryDialog extends CancelAndHelpDialog {
  private readonly resendCode: ResendCode;

  constructor(deps: DialogDeps, resendCode?: ResendCode) {
    super(CODE_ENTRY_DIALOG, deps);
    this.resendCode = resendCode ?? ((o, info) => deps.registration.resend(o.challengeId, o.uid, info));
    this.addDialog(new LocalizedTextPrompt(CODE_PROMPT, deps, (pc) => this.isAnswer(pc), (typed, words) => this.takes(typed, optionsIn(words))));
    this.addDialog(new WaterfallDialog(CODE_STEPS, [(s) => this.askCode(s), (s) => this.checkCode(s)]));
    this.initialDialogId = CODE_STEPS;
  }

  /** A code, `resend`, `change` (or "wrong email"), and `email` where it is offered. */
  private takes(typed: string, options: CodeEntryOptions | undefined): boolean {
    if (isResend(typed) || isCodeShaped(typed, this.deps.policy.codeDigits) || recognizeChange(typed)) return true;
    return options?.offerEmail === true && isEmailChoice(typed);
  }

  private async isAnswer(pc: PromptValidatorContext<string>): Promise<boolean> {
    const options = optionsIn(pc.options.validations as PromptWords | undefined);
    if (this.takes(pc.recognized.value ?? '', options)) return true;
    // Not a code at all: if the code was never delivered, the user is told that instead (one read, off the usual path).
    return options !== undefined && (await this.deps.codes.get(options.challengeId))?.delivery === 'failed';
  }

  private async askCode(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = step.options as CodeEntryOptions;
    this.deps.waitingForCode?.(step.context, options.challengeId, text(this.deps, step.context, options.offerEmail ? 'code.undeliveredEmail' : 'code.undelivered'));
    const choices: MessageRef = { key: 'code.choices', params: { change: { key: `code.change.${options.purpose}` } } };
    const reminder: MessageRef = { key: `code.remind.${options.purpose}`, params: { uid: options.uid, target: options.target ?? '' } };
    const words: PromptWords = { prompt: options.prompt, retry: [{ key: 'code.badFormat' }, choices], reminder: [reminder, choices] };
    return step.prompt(CODE_PROMPT, { validations: { ...ask(words).validations, options } });
  }

  private async checkCode(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = step.options as CodeEntryOptions;
    const typed = step.result as string;
    const info = turnInfo(step.context);
    const again = (prompt: Say) => step.replaceDialog(CODE_STEPS, { ...options, prompt } satisfies CodeEntryOptions);
    const stop = (result: CodeEntryResult) => step.endDialog(result);

    const change = recognizeChange(typed);
    if (change) {
      // The code went to the wrong place, or to the wrong account: it must not stay usable.
      await this.deps.codes.revoke(options.challengeId);
      return stop({ verified: false, change });
    }
    if (options.offerEmail && isEmailChoice(typed)) return stop({ verified: false, useEmail: true });

    if (isResend(typed)) {
      const sent = await this.resendCode(options, info);
      switch (sent.kind) {
        case 'sent': {
          const prompt: MessageRef = { key: RESENT[options.purpose], params: { uid: options.uid, target: sent.target } };
          return step.replaceDialog(CODE_STEPS, { ...options, challengeId: sent.challengeId, prompt } satisfies CodeEntryOptions);
        }
        case 'paused':
          await sayPaused(this.deps, step.context, sent.until);
          return stop({ verified: false });
        case 'destination-limited':
        case 'send-failed':
          // Asked again for the address or number, with why: a limit and a failed send read alike.
          return stop({ verified: false, change: 'this', notice: { key: 'send.failed', params: { target: sent.target } } });
      }
    }

    const result = await this.deps.codes.check(options.challengeId, codeAsTyped(typed), { uid: options.uid, purpose: options.purpose }, { ...info, uid: options.uid });
    switch (result.kind) {
      case 'ok':
        return stop({ verified: true, challengeId: options.challengeId });
      case 'wrong':
        return again({ key: 'code.wrong', params: { triesLeft: result.triesLeft } });
      case 'dead':
        return again({ key: 'code.dead' });
      case 'expired':
        return again({ key: 'code.expired' });
      case 'undelivered':
        return again({ key: options.offerEmail ? 'code.undeliveredEmail' : 'code.undelivered' });
      case 'paused':
        await sayPaused(this.deps, step.context, result.until);
        return stop({ verified: false });
    }
  }
}

/** The code entry's options, carried through the prompt's state beside its words. */
function optionsIn(words: PromptWords | undefined): CodeEntryOptions | undefined {
  return (words as { options?: CodeEntryOptions } | undefined)?.options;
}
