import { WaterfallDialog, type DialogTurnResult, type PromptValidatorContext, type WaterfallStepContext } from 'botbuilder-dialogs';
import { isInstitutionalEmail, parseEmail, parseMobile, type ContactProblem } from '../src/domain/contactFormats.js';
import { CancelAndHelpDialog } from './cancelAndHelpDialog.js';
import { CODE_ENTRY_DIALOG, CodeEntryDialog, type CodeEntryOptions, type CodeEntryResult } from './codeEntryDialog.js';
import { say, turnInfo, type DialogDeps, type Say } from './deps.js';
import { sayPaused } from './limits.js';
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

/** The contact verified by its code, or, asked for the mobile, the user wants to give the email again ("wrong email"). */
export type VerifiedContact = { challengeId: string } | { changeEmail: true };

/** Asks for one contact (the alternate email, or the mobile), sends a code to it and checks it. */
export class VerifyContactDialog extends CancelAndHelpDialog {
  /** Asking again replaces these steps, not the whole dialog: from inside, replacing the dialog itself would nest a new one each time. */
  private get stepsId(): string {
    return `${this.id}Steps`;
  }

  constructor(deps: DialogDeps, private readonly kind: 'email' | 'mobile') {
    super(kind === 'email' ? VERIFY_EMAIL_DIALOG : VERIFY_MOBILE_DIALOG, deps);
    this.addDialog(new CodeEntryDialog(deps));
    this.addDialog(new LocalizedTextPrompt(CONTACT_PROMPT, deps, (pc) => this.isContact(pc), (typed) => this.parses(typed)));
    this.addDialog(new WaterfallDialog(this.stepsId, [(s) => this.askContact(s), (s) => this.sendCode(s), (s) => this.finish(s)]));
    this.initialDialogId = this.stepsId;
  }

  private parses(typed: string): boolean {
    return (this.kind === 'mobile' ? parseMobile(typed, this.deps.policy.phoneRegion) : parseEmail(typed)).ok;
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
    const prompt: Say = notice ? [notice, question] : question;
    return step.prompt(CONTACT_PROMPT, ask({ prompt, reminder: question }));
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
          target: sent.target,
          prompt: { key: this.kind === 'email' ? 'register.emailCodeSent' : 'register.mobileCodeSent', params: { target: sent.target } },
        } satisfies CodeEntryOptions);
      case 'paused':
        await sayPaused(this.deps, step.context, sent.until);
        return step.endDialog();
      case 'destination-limited':
      case 'send-failed':
        // A limit on codes to one address or number reads like a failed send: the words must not tell that someone else's codes went there.
        if (sent.kind === 'send-failed' && this.kind === 'mobile' && this.deps.smsAvailable && !(await this.deps.smsAvailable())) {
          await say(this.deps, step.context, 'register.smsUnavailable');
          return step.endDialog();
        }
        return this.askAgain(step, { key: 'send.failed', params: { target: sent.target } });
      case 'invalid':
      case 'institutional':
        return this.askAgain(step);
    }
  }

  private async finish(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const result = step.result as CodeEntryResult | undefined;
    if (result?.verified) return step.endDialog({ challengeId: result.challengeId } satisfies VerifiedContact);
    if (result?.change === 'email' && this.kind === 'mobile' && !result.notice) return step.endDialog({ changeEmail: true } satisfies VerifiedContact);
    if (result?.change) return this.askAgain(step, result.notice ?? { key: 'code.goingBack' });
    return step.endDialog();
  }

  private askAgain(step: WaterfallStepContext, notice?: MessageRef): Promise<DialogTurnResult> {
    const { uid } = step.options as VerifyContactOptions;
    return step.replaceDialog(this.stepsId, { uid, ...(notice ? { notice } : {}) } satisfies VerifyContactOptions);
  }
}
