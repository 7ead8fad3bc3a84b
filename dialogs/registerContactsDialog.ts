import { WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import { CancelAndHelpDialog } from './cancelAndHelpDialog.js';
import { say, turnInfo, type DialogDeps } from './deps.js';
import { IdentityDialog, proveIdentity, type VerifiedIdentity } from './identityDialog.js';
import { VERIFY_EMAIL_DIALOG, VERIFY_MOBILE_DIALOG, VerifyContactDialog, type VerifyContactOptions } from './verifyContactDialog.js';

export const REGISTER_DIALOG = 'registerContacts';

/** Register contacts (DESIGN.md): prove identity, verify the alternate email, verify the mobile, save. */
export class RegisterContactsDialog extends CancelAndHelpDialog {
  constructor(deps: DialogDeps) {
    super(REGISTER_DIALOG, deps);
    this.addDialog(new IdentityDialog(deps));
    this.addDialog(new VerifyContactDialog(deps, 'email'));
    this.addDialog(new VerifyContactDialog(deps, 'mobile'));
    this.addDialog(
      new WaterfallDialog('registerSteps', [(s) => this.proveIdentity(s), (s) => this.verifyEmail(s), (s) => this.verifyMobile(s), (s) => this.save(s)]),
    );
    this.initialDialogId = 'registerSteps';
  }

  private proveIdentity(step: WaterfallStepContext): Promise<DialogTurnResult> {
    return proveIdentity(step, this.deps);
  }

  private async verifyEmail(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const who = step.result as VerifiedIdentity | undefined;
    if (!who) return step.endDialog();
    (step.values as Record<string, unknown>)['who'] = who;
    return step.beginDialog(VERIFY_EMAIL_DIALOG, { uid: who.uid } satisfies VerifyContactOptions);
  }

  private async verifyMobile(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const emailChallengeId = step.result as string | undefined;
    if (!emailChallengeId) return step.endDialog();
    (step.values as Record<string, unknown>)['emailChallengeId'] = emailChallengeId;
    const who = (step.values as Record<string, unknown>)['who'] as VerifiedIdentity;
    return step.beginDialog(VERIFY_MOBILE_DIALOG, { uid: who.uid } satisfies VerifyContactOptions);
  }

  private async save(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const mobileChallengeId = step.result as string | undefined;
    if (!mobileChallengeId) return step.endDialog();
    const who = (step.values as Record<string, unknown>)['who'] as VerifiedIdentity;
    const saved = await this.deps.registration.save(
      who.uid,
      { identity: who.identity, emailChallengeId: (step.values as Record<string, unknown>)['emailChallengeId'] as string, mobileChallengeId },
      turnInfo(step.context),
    );
    if (!saved) {
      await say(this.deps, step.context, 'register.expired');
      return step.endDialog();
    }
    await say(this.deps, step.context, 'register.saved', { email: saved.email ?? '', mobile: saved.mobile ?? '' });
    return step.endDialog(saved);
  }
}
