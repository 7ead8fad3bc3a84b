import { WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import { CancelAndHelpDialog } from './cancelAndHelpDialog.js';
import { say, text, type DialogDeps } from './deps.js';
import { IdentityDialog, proveIdentity, type VerifiedIdentity } from './identityDialog.js';

export const STATUS_DIALOG = 'status';

/** Shows the registered contacts, masked, once the user has proved who they are. */
export class StatusDialog extends CancelAndHelpDialog {
  constructor(deps: DialogDeps) {
    super(STATUS_DIALOG, deps);
    this.addDialog(new IdentityDialog(deps));
    this.addDialog(new WaterfallDialog('statusSteps', [(s) => proveIdentity(s, this.deps), (s) => this.show(s)]));
    this.initialDialogId = 'statusSteps';
  }

  private async show(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const who = step.result as VerifiedIdentity | undefined;
    if (!who) return step.endDialog();
    const current = await this.deps.registration.current(who.uid);
    if (!current) await say(this.deps, step.context, 'status.none');
    else {
      const notSet = text(this.deps, step.context, 'status.notSet');
      await say(this.deps, step.context, 'status.show', { email: current.email ?? notSet, mobile: current.mobile ?? notSet });
    }
    return step.endDialog();
  }
}
