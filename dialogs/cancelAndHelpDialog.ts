import { ComponentDialog, Dialog, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import { recognizeLanguage } from './commands.js';
import { recognizeInterruption } from './intents.js';
import { say, type DialogDeps } from './deps.js';
import { languageOf } from './language.js';

/**
 * Base of every flow: `cancel` stops the flow; `help` explains and asks the same question again;
 * `中文`, `English` or `language` switch language and ask the same question again in it. (A typed
 * PIN, and asking for another flow, concern the whole conversation: the main dialog handles them.)
 */
export class CancelAndHelpDialog extends ComponentDialog {
  constructor(id: string, protected readonly deps: DialogDeps) {
    super(id);
  }

  protected override async onContinueDialog(innerDc: DialogContext): Promise<DialogTurnResult> {
    const typed = innerDc.context.activity.text;
    const command = recognizeInterruption(typed);
    if (command === 'cancel') {
      await say(this.deps, innerDc.context, 'cancelled');
      return innerDc.cancelAllDialogs(true);
    }
    if (command === 'help') {
      await say(this.deps, innerDc.context, 'help.inFlow');
      await innerDc.repromptDialog();
      return Dialog.EndOfTurn;
    }
    const language = recognizeLanguage(typed, languageOf(innerDc.context).language);
    if (language) {
      await this.deps.language.choose(innerDc.context, language);
      await say(this.deps, innerDc.context, 'language.switched');
      await innerDc.repromptDialog();
      return Dialog.EndOfTurn;
    }
    return super.onContinueDialog(innerDc);
  }
}
