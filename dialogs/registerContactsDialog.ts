import { WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import { CancelAndHelpDialog } from './cancelAndHelpDialog.js';
import { say, turnInfo, valuesOf, type DialogDeps } from './deps.js';
import { IdentityDialog, proveIdentity, type VerifiedIdentity } from './identityDialog.js';
import { VERIFY_EMAIL_DIALOG, VERIFY_MOBILE_DIALOG, VerifyContactDialog, type VerifiedContact, type VerifyContactOptions } from './verifyContactDialog.js';

export const REGISTER_DIALOG = 'registerContacts';
const REGISTER_STEPS = 'registerSteps';

/** What the steps keep between them. */
interface RegisterValues {
  who: VerifiedIdentity;
  emailChallengeId: string;
}

/** Going back to the email question from the mobile one: the identity already proved stays proved. */
interface RegisterOptions {
  who?: VerifiedIdentity;
}

/** Register contacts (DESIGN.md): prove identity, verify the alternate email, verify the mobile, save. */
export class RegisterContactsDialog extends CancelAndHelpDialog {
  constructor(deps: DialogDeps) {
    super(REGISTER_DIALOG, deps);
    this.addDialog(new IdentityDialog(deps));
    this.addDialog(new VerifyContactDialog(deps, 'email'));
    this.addDialog(new VerifyContactDialog(deps, 'mobile'));
    this.addDialog(new WaterfallDialog(REGISTER_STEPS, [(s) => this.proveIdentity(s), (s) => this.verifyEmail(s), (s) => this.verifyMobile(s), (s) => this.save(s)]));
    this.initialDialogId = REGISTER_STEPS;
  }

  private proveIdentity(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const proved = (step.options as RegisterOptions | undefined)?.who;
    return proved ? step.next(proved) : proveIdentity(step, this.deps);
  }

  private async verifyEmail(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const who = step.result as VerifiedIdentity | undefined;
    if (!who) return step.endDialog();
    valuesOf<RegisterValues>(step).who = who;
    const changing = (step.options as RegisterOptions | undefined)?.who !== undefined;
    return step.beginDialog(VERIFY_EMAIL_DIALOG, { uid: who.uid, ...(changing ? { notice: { key: 'code.goingBack' } } : {}) } satisfies VerifyContactOptions);
  }

  private async verifyMobile(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const email = step.result as VerifiedContact | undefined;
    if (!email || !('challengeId' in email)) return step.endDialog();
    const values = valuesOf<RegisterValues>(step);
    values.emailChallengeId = email.challengeId;
    return step.beginDialog(VERIFY_MOBILE_DIALOG, { uid: values.who!.uid } satisfies VerifyContactOptions);
  }

  private async save(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const mobile = step.result as VerifiedContact | undefined;
    const { who, emailChallengeId } = valuesOf<RegisterValues>(step);
    if (mobile && 'changeEmail' in mobile) return step.replaceDialog(REGISTER_STEPS, { who } satisfies RegisterOptions);
    if (!mobile || !who || !emailChallengeId) return step.endDialog();
    const saved = await this.deps.registration.save(who.uid, { identity: who.identity, emailChallengeId, mobileChallengeId: mobile.challengeId }, turnInfo(step.context));
    if (!saved) {
      await say(this.deps, step.context, 'register.expired');
      return step.endDialog();
    }
    await say(this.deps, step.context, saved.toldPrevious ? 'register.saved' : 'register.savedFirst', { email: saved.email ?? '', mobile: saved.mobile ?? '' });
    return step.endDialog(saved);
  }
}
