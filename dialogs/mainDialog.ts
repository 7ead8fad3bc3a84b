import { ComponentDialog, WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import { recognizeCommand } from './commands.js';
import { say, text, type DialogDeps } from './deps.js';
import { inTeams, menuCard } from './cards.js';
import { REGISTER_DIALOG, RegisterContactsDialog } from './registerContactsDialog.js';
import { STATUS_DIALOG, StatusDialog } from './statusDialog.js';
import { RESET_DIALOG, ResetPinDialog } from './resetPinDialog.js';

export const MAIN_DIALOG = 'main';

/** The root: reads what the user asked for and starts that flow. */
export class MainDialog extends ComponentDialog {
  constructor(private readonly deps: DialogDeps) {
    super(MAIN_DIALOG);
    this.addDialog(new RegisterContactsDialog(deps));
    this.addDialog(new StatusDialog(deps));
    this.addDialog(new ResetPinDialog(deps));
    this.addDialog(new WaterfallDialog('mainSteps', [(s) => this.route(s), (s) => s.endDialog()]));
    this.initialDialogId = 'mainSteps';
  }

  private async route(step: WaterfallStepContext): Promise<DialogTurnResult> {
    switch (recognizeCommand(step.context.activity.text)) {
      case 'register':
        return step.beginDialog(REGISTER_DIALOG);
      case 'status':
        return step.beginDialog(STATUS_DIALOG);
      case 'reset':
        return step.beginDialog(RESET_DIALOG);
      case 'help':
        // In Teams the commands are buttons too.
        if (inTeams(step.context)) await step.context.sendActivity({ text: text(this.deps, step.context, 'help'), attachments: [menuCard(this.deps, step.context)] });
        else await say(this.deps, step.context, 'help');
        return step.endDialog();
      case 'cancel':
        await say(this.deps, step.context, 'nothingToCancel');
        return step.endDialog();
      default:
        await say(this.deps, step.context, 'unknownCommand');
        return step.endDialog();
    }
  }
}
