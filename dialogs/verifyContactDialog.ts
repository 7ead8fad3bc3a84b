import { TextPrompt, WaterfallDialog, type DialogTurnResult, type PromptValidatorContext, type WaterfallStepContext } from 'botbuilder-dialogs';
import { isInstitutionalEmail, normalizeEmail, normalizeMobile } from '../src/domain/contactFormats.js';
import { CancelAndHelpDialog } from './cancelAndHelpDialog.js';
import { CODE_ENTRY_DIALOG, CodeEntryDialog, type CodeEntryOptions, type CodeEntryResult } from './codeEntryDialog.js';
import { say, text, turnInfo, type DialogDeps } from './deps.js';

export const VERIFY_EMAIL_DIALOG = 'verifyAltEmail';
export const VERIFY_MOBILE_DIALOG = 'verifyMobile';
const CONTACT_PROMPT = 'contactPrompt';

export interface VerifyContactOptions {
  uid: string;
  /** Said before the question, e.g. why the previous answer could not be used. */
  notice?: string;
}

/** Asks for one contact (the alternate email, or the mobile), sends a code to it and checks it. */
export class VerifyContactDialog extends CancelAndHelpDialog {
  /** Asking again replaces these steps, not the whole dialog: from inside, replacing the dialog itself would nest a new one each time. */
  private get stepsId(): string {
    return `${this.id}Steps`;
  }

  constructor(deps: DialogDeps, private readonly kind: 'email' | 'mobile') {
    super(kind === 'email' ? VERIFY_EMAIL_DIALOG : VERIFY_MOBILE_DIALOG, deps);
    this.addDialog(new CodeEntryDialog(deps));
    this.addDialog(new TextPrompt(CONTACT_PROMPT, (pc) => this.isContact(pc)));
    this.addDialog(new WaterfallDialog(this.stepsId, [(s) => this.askContact(s), (s) => this.sendCode(s), (s) => this.finish(s)]));
    this.initialDialogId = this.stepsId;
  }

  private async isContact(pc: PromptValidatorContext<string>): Promise<boolean> {
    const value = pc.recognized.value ?? '';
    const context = pc.context;
    if (this.kind === 'mobile') {
      if (normalizeMobile(value)) return true;
      pc.options.retryPrompt = text(this.deps, context, 'register.badMobile');
      return false;
    }
    const email = normalizeEmail(value);
    if (!email) {
      pc.options.retryPrompt = text(this.deps, context, 'register.badEmail');
      return false;
    }
    if (isInstitutionalEmail(email, this.deps.policy.institutionEmailDomains)) {
      pc.options.retryPrompt = text(this.deps, context, 'register.institutionalEmail', { domains: this.deps.policy.institutionEmailDomains.join(', ') });
      return false;
    }
    return true;
  }

  private askContact(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { notice } = step.options as VerifyContactOptions;
    const question = text(this.deps, step.context, this.kind === 'email' ? 'register.askEmail' : 'register.askMobile');
    return step.prompt(CONTACT_PROMPT, { prompt: notice ? `${notice}\n\n${question}` : question });
  }

  private async sendCode(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { uid } = step.options as VerifyContactOptions;
    const info = turnInfo(step.context);
    const typed = step.result as string;
    const sent = this.kind === 'email' ? await this.deps.registration.startAltEmail(uid, typed, info) : await this.deps.registration.startMobile(uid, typed, info);
    switch (sent.kind) {
      case 'sent':
        return step.beginDialog(CODE_ENTRY_DIALOG, {
          uid,
          purpose: this.kind === 'email' ? 'alt-email' : 'mobile',
          challengeId: sent.challengeId,
          prompt: text(this.deps, step.context, this.kind === 'email' ? 'register.emailCodeSent' : 'register.mobileCodeSent', { target: sent.target }),
        } satisfies CodeEntryOptions);
      case 'paused':
        await say(this.deps, step.context, 'limit.paused');
        return step.endDialog();
      case 'destination-limited':
        return step.replaceDialog(this.stepsId, { uid, notice: text(this.deps, step.context, 'limit.destination', { target: sent.target }) } satisfies VerifyContactOptions);
      case 'send-failed':
        return step.replaceDialog(this.stepsId, { uid, notice: text(this.deps, step.context, 'send.failed', { target: sent.target }) } satisfies VerifyContactOptions);
      case 'invalid':
      case 'institutional':
        return step.replaceDialog(this.stepsId, { uid } satisfies VerifyContactOptions);
    }
  }

  private async finish(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const result = step.result as CodeEntryResult | undefined;
    return step.endDialog(result?.verified ? result.challengeId : undefined);
  }
}
