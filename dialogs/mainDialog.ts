import { ComponentDialog, Dialog, WaterfallDialog, type DialogContext, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import { recognizeLanguage } from './commands.js';
import { say, text, type DialogDeps } from './deps.js';
import { inTeams, menuCard, withMenu } from './cards.js';
import { recognizeIntent, type FlowIntent, type Intent } from './intents.js';
import { languageOf } from './language.js';
import { LocalizedTextPrompt, type PromptWords } from './prompts.js';
import { looksLikeTypedPin } from './typedPin.js';
import { RegisterContactsDialog } from './registerContactsDialog.js';
import { StatusDialog } from './statusDialog.js';
import { ResetPinDialog } from './resetPinDialog.js';
import { UnlockDialog } from './unlockDialog.js';
import { HANDOFF_DIALOG, HandoffDialog, interruptForHandoff, type HandoffOptions } from './handoffDialog.js';
import { isStopReminders, recognizeHandoff } from './deskWords.js';
import { STOP_REMINDERS_DIALOG, StopRemindersDialog } from './stopRemindersDialog.js';
import { ReconfirmDialog } from './reconfirmDialog.js';
import { afterTurn } from './deskFollowUps.js';

export const MAIN_DIALOG = 'main';
const ROUTE_STEPS = 'mainSteps';

/**
 * The flow each intent starts. An intent with no entry here (no flow yet) is answered like any
 * input the bot does not understand; adding a flow is one entry, plus its `switch.*` and
 * `already.*` sentences (the compiler asks for them).
 */
const FLOWS = {
  register: (deps: DialogDeps) => new RegisterContactsDialog(deps),
  reset: (deps: DialogDeps) => new ResetPinDialog(deps),
  status: (deps: DialogDeps) => new StatusDialog(deps),
  unlock: (deps: DialogDeps) => new UnlockDialog(deps),
} satisfies { [I in FlowIntent]?: (deps: DialogDeps) => Dialog };

type RoutedIntent = keyof typeof FLOWS;

/** Started again by a change of mind mid-flow: the intent is already known. */
interface RouteOptions {
  intent?: Intent;
}

/**
 * The root: works out the turn's language, reads what the user asked for and starts that flow.
 * It also handles what concerns the whole conversation at any prompt: a PIN typed into the chat
 * (never taken as an answer), and asking for another flow mid-way (said, then done).
 */
export class MainDialog extends ComponentDialog {
  private readonly flowIds = new Map<RoutedIntent, string>();

  constructor(private readonly deps: DialogDeps) {
    super(MAIN_DIALOG);
    for (const [intent, build] of Object.entries(FLOWS) as [RoutedIntent, (deps: DialogDeps) => Dialog][]) {
      const flow = build(deps);
      this.addDialog(flow);
      this.flowIds.set(intent, flow.id);
    }
    // The service desk's flows start from a reason or from what follows a turn, not from a plain intent.
    this.addDialog(new HandoffDialog(deps));
    this.addDialog(new StopRemindersDialog(deps));
    this.addDialog(new ReconfirmDialog(deps));
    this.addDialog(new WaterfallDialog(ROUTE_STEPS, [(s) => this.route(s), (s) => afterTurn(s, this.deps)]));
    this.initialDialogId = ROUTE_STEPS;
  }

  protected override async onBeginDialog(innerDc: DialogContext, options?: object): Promise<DialogTurnResult> {
    await this.deps.language.load(innerDc.context);
    return super.onBeginDialog(innerDc, options);
  }

  protected override async onContinueDialog(innerDc: DialogContext): Promise<DialogTurnResult> {
    await this.deps.language.load(innerDc.context);
    const typed = innerDc.context.activity.text;
    if (looksLikeTypedPin(typed, this.deps.policy.codeDigits)) {
      // Warned, and the question asked again: the message reaches no prompt, so it is neither kept nor echoed.
      await say(this.deps, innerDc.context, 'pin.typed');
      await innerDc.repromptDialog();
      return Dialog.EndOfTurn;
    }
    const handoff = await interruptForHandoff(innerDc, this.deps);
    if (handoff) return handoff;
    const intent = routed(recognizeIntent(typed));
    if (intent && !waitingPromptTakes(innerDc, typed ?? '')) {
      if (innerDc.activeDialog?.id === this.flowIds.get(intent)) {
        await say(this.deps, innerDc.context, `already.${intent}`);
        await innerDc.repromptDialog();
        return Dialog.EndOfTurn;
      }
      await say(this.deps, innerDc.context, `switch.${intent}`);
      await innerDc.cancelAllDialogs();
      return innerDc.beginDialog(ROUTE_STEPS, { intent } satisfies RouteOptions);
    }
    return super.onContinueDialog(innerDc);
  }

  private async route(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const typed = step.context.activity.text;
    const { context } = step;
    const known = (step.options as RouteOptions | undefined)?.intent;
    if (!known && looksLikeTypedPin(typed, this.deps.policy.codeDigits)) {
      await say(this.deps, context, 'pin.typedAtStart');
      return step.next();
    }
    const intent = known ?? recognizeIntent(typed);
    // A wish a flow serves wins ("I changed my mobile" is a registration); else words that need a person.
    if (this.deps.desk && !routed(intent)) {
      const reason = recognizeHandoff(typed) ?? (intent === 'handoff' ? 'asked' : undefined);
      if (reason) return step.beginDialog(HANDOFF_DIALOG, { reason } satisfies HandoffOptions);
      if (intent === 'stop-reminders' || isStopReminders(typed)) return step.beginDialog(STOP_REMINDERS_DIALOG);
    }
    const flow = routed(intent);
    if (flow) return step.beginDialog(this.flowIds.get(flow)!);
    switch (intent) {
      case 'help':
        // In Teams the commands are buttons too.
        if (inTeams(context)) await context.sendActivity({ text: text(this.deps, context, 'help'), attachments: [menuCard(this.deps, context)] });
        else await say(this.deps, context, 'help');
        return step.next();
      case 'cancel':
        await say(this.deps, context, 'nothingToCancel');
        return step.next();
      case 'greeting':
        await context.sendActivity(withMenu(this.deps, context, 'welcome'));
        return step.next();
      case 'thanks':
        await say(this.deps, context, 'thanks.reply');
        return step.next();
    }
    const language = recognizeLanguage(typed, languageOf(context).language);
    if (language) {
      await this.deps.language.choose(context, language);
      await say(this.deps, context, 'language.switched');
    } else {
      await context.sendActivity(withMenu(this.deps, context, 'unknownCommand'));
    }
    return step.next();
  }
}

/** The intent, if it has a flow to start. */
function routed(intent: Intent | undefined): RoutedIntent | undefined {
  return intent !== undefined && Object.hasOwn(FLOWS, intent) ? (intent as RoutedIntent) : undefined;
}

/** Whether the prompt waiting for this message would take it as its answer (an address that happens to contain "register", say). */
function waitingPromptTakes(dc: DialogContext, typed: string): boolean {
  let leaf = dc;
  while (leaf.child) leaf = leaf.child;
  const instance = leaf.activeDialog;
  const dialog = instance && leaf.findDialog(instance.id);
  if (!instance || !(dialog instanceof LocalizedTextPrompt)) return false;
  const words = (instance.state as { options?: { validations?: PromptWords } }).options?.validations;
  return dialog.accepts(typed, words);
}
