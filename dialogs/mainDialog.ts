import { ComponentDialog, WaterfallDialog, type DialogContext, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import { recognizeCommand, recognizeLanguage } from './commands.js';
import { say, text, type DialogDeps } from './deps.js';
import { inTeams, menuCard } from './cards.js';
import { languageOf } from './language.js';
import { REGISTER_DIALOG, RegisterContactsDialog } from './registerContactsDialog.js';
import { STATUS_DIALOG, StatusDialog } from './statusDialog.js';
import { RESET_DIALOG, ResetPinDialog } from './resetPinDialog.js';
import { UNLOCK_DIALOG, UnlockDialog } from './unlockDialog.js';

export const MAIN_DIALOG = 'main';

/** The root: works out the turn's language, reads what the user asked for and starts that flow. */
export class MainDialog extends ComponentDialog {
  constructor(private readonly deps: DialogDeps) {
    super(MAIN_DIALOG);
    this.addDialog(new RegisterContactsDialog(deps));
    this.addDialog(new StatusDialog(deps));
    this.addDialog(new ResetPinDialog(deps));
    this.addDialog(new UnlockDialog(deps));
    this.addDialog(new WaterfallDialog('mainSteps', [(s) => this.route(s), (s) => s.endDialog()]));
    this.initialDialogId = 'mainSteps';
  }

  protected override async onBeginDialog(innerDc: DialogContext, options?: object): Promise<DialogTurnResult> {
    await this.deps.language.load(innerDc.context);
    return super.onBeginDialog(innerDc, options);
  }

  protected override async onContinueDialog(innerDc: DialogContext): Promise<DialogTurnResult> {
    await this.deps.language.load(innerDc.context);
    return super.onContinueDialog(innerDc);
  }

  private async route(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const typed = step.context.activity.text;
    switch (recognizeCommand(typed)) {
      case 'register':
        return step.beginDialog(REGISTER_DIALOG);
      case 'status':
        return step.beginDialog(STATUS_DIALOG);
      case 'reset':
        return step.beginDialog(RESET_DIALOG);
      case 'unlock':
        return step.beginDialog(UNLOCK_DIALOG);
      case 'help':
        // In Teams the commands are buttons too.
        if (inTeams(step.context)) await step.context.sendActivity({ text: text(this.deps, step.context, 'help'), attachments: [menuCard(this.deps, step.context)] });
        else await say(this.deps, step.context, 'help');
        return step.endDialog();
      case 'cancel':
        await say(this.deps, step.context, 'nothingToCancel');
        return step.endDialog();
    }
    const language = recognizeLanguage(typed, languageOf(step.context).language);
    if (language) {
      await this.deps.language.choose(step.context, language);
      await say(this.deps, step.context, 'language.switched');
    } else {
      await say(this.deps, step.context, 'unknownCommand');
    }
    return step.endDialog();
  }
}
