import { WaterfallDialog, type PromptValidatorContext, type WaterfallStepContext, type DialogTurnResult } from 'botbuilder-dialogs';
import type { ChallengePurpose } from '../src/ports/store.js';
import { toAsciiDigits } from '../src/domain/contactFormats.js';
import type { SendResult, TurnContextInfo } from '../src/domain/contactRegistration.js';
import { CancelAndHelpDialog } from './cancelAndHelpDialog.js';
import { isResend } from './commands.js';
import { say, turnInfo, type DialogDeps, type Say } from './deps.js';
import { LocalizedTextPrompt, ask } from './prompts.js';

export const CODE_ENTRY_DIALOG = 'codeEntry';
const CODE_PROMPT = 'codePrompt';

export interface CodeEntryOptions {
  uid: string;
  purpose: ChallengePurpose;
  challengeId: string;
  /** What to say when asking (catalog keys, so it can be asked again in another language). */
  prompt: Say;
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
    this.addDialog(new LocalizedTextPrompt(CODE_PROMPT, deps, (pc) => this.isCodeOrResend(pc)));
    this.addDialog(new WaterfallDialog('codeEntrySteps', [(s) => this.askCode(s), (s) => this.checkCode(s)]));
    this.initialDialogId = 'codeEntrySteps';
  }

  private async isCodeOrResend(pc: PromptValidatorContext<string>): Promise<boolean> {
    const value = pc.recognized.value ?? '';
    if (isResend(value)) return true;
    return new RegExp(`^\\d{${this.deps.policy.codeDigits}}$`).test(asTyped(value));
  }

  private async askCode(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = step.options as CodeEntryOptions;
    return step.prompt(CODE_PROMPT, ask({ prompt: options.prompt, retry: { key: 'code.badFormat' } }));
  }

  private async checkCode(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = step.options as CodeEntryOptions;
    const typed = step.result as string;
    const info = turnInfo(step.context);
    const again = (prompt: Say) => step.replaceDialog(this.id, { ...options, prompt } satisfies CodeEntryOptions);

    if (isResend(typed)) {
      const sent = await this.resendCode(options, info);
      switch (sent.kind) {
        case 'sent':
          return step.replaceDialog(this.id, {
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

    const result = await this.deps.codes.check(options.challengeId, asTyped(typed), { uid: options.uid, purpose: options.purpose }, { ...info, uid: options.uid });
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
        return again({ key: 'code.undelivered' });
      case 'paused':
        await say(this.deps, step.context, 'limit.paused');
        return step.endDialog({ verified: false } satisfies CodeEntryResult);
    }
  }
}

/** A code as typed, with full-width digits made ASCII and spaces or dashes between digits dropped. */
const asTyped = (value: string) => toAsciiDigits(value).replace(/[\s-]/g, '');
