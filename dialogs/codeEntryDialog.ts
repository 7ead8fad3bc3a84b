import { TextPrompt, WaterfallDialog, type PromptValidatorContext, type WaterfallStepContext, type DialogTurnResult } from 'botbuilder-dialogs';
import type { ChallengePurpose } from '../src/ports/store.js';
import { toAsciiDigits } from '../src/domain/contactFormats.js';
import type { SendResult, TurnContextInfo } from '../src/domain/contactRegistration.js';
import { CancelAndHelpDialog } from './cancelAndHelpDialog.js';
import { isResend } from './commands.js';
import { say, text, turnInfo, type DialogDeps } from './deps.js';

export const CODE_ENTRY_DIALOG = 'codeEntry';
const CODE_PROMPT = 'codePrompt';
// Asking again replaces these steps, not the whole dialog: from inside, replacing `codeEntry` would nest a new one each time.
const CODE_STEPS = 'codeEntrySteps';

export interface CodeEntryOptions {
  uid: string;
  purpose: ChallengePurpose;
  challengeId: string;
  /** What to say when asking (already in the user's language). */
  prompt: string;
}

/** Sends a replacement code for the one being asked for. */
export type ResendCode = (options: CodeEntryOptions, info: TurnContextInfo) => Promise<SendResult>;

export type CodeEntryResult = { verified: true; challengeId: string } | { verified: false };

/**
 * Asks for a code until it is right, the user asks to `resend`, or a limit stops it. Every wrong
 * try says how many are left; the code itself is never repeated back.
 */
export class CodeEntryDialog extends CancelAndHelpDialog {
  private readonly resendCode: ResendCode;

  constructor(deps: DialogDeps, resendCode?: ResendCode) {
    super(CODE_ENTRY_DIALOG, deps);
    this.resendCode = resendCode ?? ((o, info) => deps.registration.resend(o.challengeId, o.uid, info));
    this.addDialog(new TextPrompt(CODE_PROMPT, (pc) => this.isCodeOrResend(pc)));
    this.addDialog(new WaterfallDialog(CODE_STEPS, [(s) => this.askCode(s), (s) => this.checkCode(s)]));
    this.initialDialogId = CODE_STEPS;
  }

  private async isCodeOrResend(pc: PromptValidatorContext<string>): Promise<boolean> {
    const value = pc.recognized.value ?? '';
    if (isResend(value)) return true;
    const digits = toAsciiDigits(value).replace(/[\s-]/g, '');
    return new RegExp(`^\\d{${this.deps.policy.codeDigits}}$`).test(digits);
  }

  private async askCode(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = step.options as CodeEntryOptions;
    return step.prompt(CODE_PROMPT, { prompt: options.prompt, retryPrompt: text(this.deps, step.context, 'code.badFormat') });
  }

  private async checkCode(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = step.options as CodeEntryOptions;
    const typed = step.result as string;
    const info = turnInfo(step.context);
    const again = (prompt: string) => step.replaceDialog(CODE_STEPS, { ...options, prompt } satisfies CodeEntryOptions);

    if (isResend(typed)) {
      const sent = await this.resendCode(options, info);
      switch (sent.kind) {
        case 'sent':
          return step.replaceDialog(CODE_STEPS, {
            ...options,
            challengeId: sent.challengeId,
            prompt: text(this.deps, step.context, options.purpose === 'identity' ? 'code.resentIdentity' : 'code.resent', { uid: options.uid }),
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

    const result = await this.deps.codes.check(options.challengeId, typed, { uid: options.uid, purpose: options.purpose }, { ...info, uid: options.uid });
    switch (result.kind) {
      case 'ok':
        return step.endDialog({ verified: true, challengeId: options.challengeId } satisfies CodeEntryResult);
      case 'wrong':
        return again(text(this.deps, step.context, 'code.wrong', { triesLeft: result.triesLeft }));
      case 'dead':
        return again(text(this.deps, step.context, 'code.dead'));
      case 'expired':
        return again(text(this.deps, step.context, 'code.expired'));
      case 'undelivered':
        return again(text(this.deps, step.context, 'code.undelivered'));
      case 'paused':
        await say(this.deps, step.context, 'limit.paused');
        return step.endDialog({ verified: false } satisfies CodeEntryResult);
    }
  }
}
