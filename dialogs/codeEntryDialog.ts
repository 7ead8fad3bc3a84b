import { WaterfallDialog, type PromptValidatorContext, type WaterfallStepContext, type DialogTurnResult } from 'botbuilder-dialogs';
import type { ChallengePurpose } from '../src/ports/store.js';
import { codeAsTyped, isCodeShaped, toAsciiDigits } from '../src/domain/contactFormats.js';
import type { SendResult, TurnContextInfo } from '../src/domain/contactRegistration.js';
import { CancelAndHelpDialog } from './cancelAndHelpDialog.js';
import { isResend, recognizeMethod } from './commands.js';
import { say, text, turnInfo, type DialogDeps, type Say } from './deps.js';
import { LocalizedTextPrompt, ask } from './prompts.js';

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
  /** A reset by SMS code: `email` switches to a link by email (offered when the code is not delivered). */
  offerEmail?: boolean;
}

/** Sends a replacement code for the one being asked for. */
export type ResendCode = (options: CodeEntryOptions, info: TurnContextInfo) => Promise<SendResult>;

export type CodeEntryResult = { verified: true; challengeId: string } | { verified: false; useEmail?: boolean };

/** `email` (or 電郵) instead of a code; a bare number is never taken for the choice here. */
const isEmailChoice = (typed: string | undefined) => recognizeMethod(typed) === 'email' && !/\d/.test(toAsciiDigits(typed ?? ''));

/**
 * Asks for a code until it is right, the user asks to `resend`, or a limit stops it. Every wrong
 * try says how many are left; the code itself is never repeated back.
 */
export class CodeEntryDialog extends CancelAndHelpDialog {
  private readonly resendCode: ResendCode;

  constructor(deps: DialogDeps, resendCode?: ResendCode) {
    super(CODE_ENTRY_DIALOG, deps);
    this.resendCode = resendCode ?? ((o, info) => deps.registration.resend(o.challengeId, o.uid, info));
    this.addDialog(new LocalizedTextPrompt(CODE_PROMPT, deps, (pc) => this.isAnswer(pc)));
    this.addDialog(new WaterfallDialog(CODE_STEPS, [(s) => this.askCode(s), (s) => this.checkCode(s)]));
    this.initialDialogId = CODE_STEPS;
  }

  private async isAnswer(pc: PromptValidatorContext<string>): Promise<boolean> {
    const value = pc.recognized.value ?? '';
    if (isResend(value) || isCodeShaped(value, this.deps.policy.codeDigits)) return true;
    const options = (pc.options.validations as { options?: CodeEntryOptions } | undefined)?.options;
    if (options?.offerEmail && isEmailChoice(value)) return true;
    // Not a code at all: if the code was never delivered, the user is told that instead (one read, off the usual path).
    return options !== undefined && (await this.deps.codes.get(options.challengeId))?.delivery === 'failed';
  }

  private async askCode(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = step.options as CodeEntryOptions;
    this.deps.waitingForCode?.(step.context, options.challengeId, text(this.deps, step.context, options.offerEmail ? 'code.undeliveredEmail' : 'code.undelivered'));
    return step.prompt(CODE_PROMPT, { validations: { ...ask({ prompt: options.prompt, retry: { key: 'code.badFormat' } }).validations, options } });
  }

  private async checkCode(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = step.options as CodeEntryOptions;
    const typed = step.result as string;
    const info = turnInfo(step.context);
    const again = (prompt: Say) => step.replaceDialog(CODE_STEPS, { ...options, prompt } satisfies CodeEntryOptions);

    if (options.offerEmail && isEmailChoice(typed)) return step.endDialog({ verified: false, useEmail: true } satisfies CodeEntryResult);

    if (isResend(typed)) {
      const sent = await this.resendCode(options, info);
      switch (sent.kind) {
        case 'sent':
          return step.replaceDialog(CODE_STEPS, {
            ...options,
            challengeId: sent.challengeId,
            prompt: { key: options.purpose === 'identity' ? 'code.resentIdentity' : 'code.resent', params: { uid: options.uid } },
          } satisfies CodeEntryOptions);
        case 'paused':
          await say(this.deps, step.context, 'limit.paused');
          return step.endDialog({ verified: false } satisfies CodeEntryResult);
        case 'destination-limited':
          await say(this.deps, step.context, 'limit.destination', { target: sent.target });
          return step.endDialog({ verified: false } satisfies CodeEntryResult);
        case 'send-failed':
          await say(this.deps, step.context, 'send.failed', { target: sent.target });
          return step.endDialog({ verified: false } satisfies CodeEntryResult);
      }
    }

    const result = await this.deps.codes.check(options.challengeId, codeAsTyped(typed), { uid: options.uid, purpose: options.purpose }, { ...info, uid: options.uid });
    switch (result.kind) {
      case 'ok':
        return step.endDialog({ verified: true, challengeId: options.challengeId } satisfies CodeEntryResult);
      case 'wrong':
        return again({ key: 'code.wrong', params: { triesLeft: result.triesLeft } });
      case 'dead':
        return again({ key: 'code.dead' });
      case 'expired':
        return again({ key: 'code.expired' });
      case 'undelivered':
        return again({ key: options.offerEmail ? 'code.undeliveredEmail' : 'code.undelivered' });
      case 'paused':
        await say(this.deps, step.context, 'limit.paused');
        return step.endDialog({ verified: false } satisfies CodeEntryResult);
    }
  }
}
