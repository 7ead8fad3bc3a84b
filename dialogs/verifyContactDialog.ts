import { WaterfallDialog, type DialogTurnResult, type PromptValidatorContext, type WaterfallStepContext } from 'botbuilder-dialogs';
import { isInstitutionalEmail, parseEmail, parseMobile, type ContactProblem } from '../src/domain/contactFormats.js';
import { CancelAndHelpDialog } from './cancelAndHelpDialog.js';
import { CODE_ENTRY_DIALOG, CodeEntryDialog, type CodeEntryOptions, type CodeEntryResult } from './codeEntryDialog.js';
import { say, turnInfo, type DialogDeps } from './deps.js';
import { LocalizedTextPrompt, ask, type PromptWords } from './prompts.js';
import type { MessageRef } from '../src/messages/catalog.js';

/** The re-prompt for a refused address or number: its own sentence where the reason is more than its shape. */
const refusal = (problem: ContactProblem, notWrittenLikeOne: 'register.badEmail' | 'register.badMobile'): MessageRef =>
  problem === 'invisible' || problem === 'invalid-number' || problem === 'landline' || problem === 'cannot-text' ? { key: `contact.refused.${problem}` } : { key: notWrittenLikeOne };

export const VERIFY_EMAIL_DIALOG = 'verifyAltEmail';
export const VERIFY_MOBILE_DIALOG = 'verifyMobile';
const CONTACT_PROMPT = 'contactPrompt';

export interface VerifyContactOptions {
  uid: string;
  /** Said before the question, e.g. why the previous answer could not be used. */
  notice?: MessageRef | string;
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
    this.addDialog(new LocalizedTextPrompt(CONTACT_PROMPT, deps, (pc) => this.isContact(pc)));
    this.addDialog(new WaterfallDialog(this.stepsId, [(s) => this.askContact(s), (s) => this.sendCode(s), (s) => this.finish(s)]));
    this.initialDialogId = this.stepsId;
  }

  private async isContact(pc: PromptValidatorContext<string>): Promise<boolean> {
    const value = pc.recognized.value ?? '';
    const words = pc.options.validations as PromptWords;
    if (this.kind === 'mobile') {
      const mobile = parseMobile(value, this.deps.policy.phoneRegion);
      if (mobile.ok) return true;
      words.retry = refusal(mobile.problem, 'register.badMobile');
      return false;
    }
    const parsed = parseEmail(value);
    if (!parsed.ok) {
      words.retry = refusal(parsed.problem, 'register.badEmail');
      return false;
    }
    const email = parsed.value;
    if (isInstitutionalEmail(email, this.deps.policy.institutionEmailDomains)) {
      words.retry = { key: 'register.institutionalEmail', params: { domains: this.deps.policy.institutionEmailDomains.join(', ') } };
      return false;
    }
    return true;
  }

  private askContact(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { notice } = step.options as VerifyContactOptions;
    const question: MessageRef = { key: this.kind === 'email' ? 'register.askEmail' : 'register.askMobile' };
    return step.prompt(CONTACT_PROMPT, ask({ prompt: notice ? [notice, question] : question }));
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
          prompt: { key: this.kind === 'email' ? 'register.emailCodeSent' : 'register.mobileCodeSent', params: { target: sent.target } },
        } satisfies CodeEntryOptions);
      case 'paused':
        await say(this.deps, step.context, 'limit.paused');
        return step.endDialog();
      case 'destination-limited':
        return step.replaceDialog(this.stepsId, { uid, notice: { key: 'limit.destination', params: { target: sent.target } } } satisfies VerifyContactOptions);
      case 'send-failed':
        if (this.kind === 'mobile' && this.deps.smsAvailable && !(await this.deps.smsAvailable())) {
          await say(this.deps, step.context, 'register.smsUnavailable');
          return step.endDialog();
        }
        return step.replaceDialog(this.stepsId, { uid, notice: { key: 'send.failed', params: { target: sent.target } } } satisfies VerifyContactOptions);
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
