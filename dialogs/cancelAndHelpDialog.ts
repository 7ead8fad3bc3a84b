import { ComponentDialog, Dialog, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import { recognizeCommand } from './commands.js';
import { say, type DialogDeps } from './deps.js';

/** Base of every flow: `cancel` stops the flow, `help` explains and asks the same question again. */
export class CancelAndHelpDialog extends ComponentDialog {
  constructor(id: string, protected readonly deps: DialogDeps) {
    super(id);
  }

  protected override async onContinueDialog(innerDc: DialogContext): Promise<DialogTurnResult> {
    const command = recognizeCommand(innerDc.context.activity.text);
    if (command === 'cancel') {
      await say(this.deps, innerDc.context, 'cancelled');
      return innerDc.cancelAllDialogs(true);
    }
    if (command === 'help') {
      await say(this.deps, innerDc.context, 'help.inFlow');
      await innerDc.repromptDialog();
      return Dialog.EndOfTurn;
    }
    return super.onContinueDialog(innerDc);
  }
}
