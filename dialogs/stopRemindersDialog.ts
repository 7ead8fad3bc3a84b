import { WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import { CancelAndHelpDialog } from './cancelAndHelpDialog.js';
import { say, turnInfo, type DialogDeps } from './deps.js';
import { IdentityDialog, proveIdentity, type VerifiedIdentity } from './identityDialog.js';
import { provenAccount } from './deskFollowUps.js';

export const STOP_REMINDERS_DIALOG = 'stopReminders';

/**
 * "stop reminders" (`停止提醒`): the account is never reminded again. Where the bot knows the
 * account (signed in to Teams, the Teams chat a reminder went to, or proved in this conversation)
 * at once; elsewhere once the user proves it the ordinary way, so nobody can stop another's reminders.
 */
export class StopRemindersDialog extends CancelAndHelpDialog {
  constructor(deps: DialogDeps) {
    super(STOP_REMINDERS_DIALOG, deps);
    this.addDialog(new IdentityDialog(deps));
    this.addDialog(new WaterfallDialog('stopRemindersSteps', [(s) => this.findAccount(s), (s) => this.stop(s)]));
    this.initialDialogId = 'stopRemindersSteps';
  }

  private async findAccount(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { context } = step;
    const known = (await provenAccount(context, this.deps)) ?? (await this.deps.signedIn?.uidOf(context));
    if (known) return step.next({ uid: known, identity: { kind: 'signed-in' } } satisfies VerifiedIdentity);
    return proveIdentity(step, this.deps);
  }

  private async stop(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const who = step.result as VerifiedIdentity | undefined;
    if (!who) return step.endDialog();
    await this.deps.desk?.reminders.stop(who.uid, turnInfo(step.context));
    await say(this.deps, step.context, 'reminders.stopped');
    return step.endDialog();
  }
}
