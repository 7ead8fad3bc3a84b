import { ActivityHandler, ConversationState, MemoryStorage, UserState, type TurnContext } from 'botbuilder';
import { ComponentDialog, DialogSet, DialogTurnStatus, TextPrompt, WaterfallDialog, type DialogState, type WaterfallStepContext } from 'botbuilder-dialogs';
import { serveBaseline } from './baselineServer.js';

/**
 * A second baseline for `npm run bench`: the echo, plus only what botbuilder-dialogs costs a turn,
 * as the real bot uses it: conversation and user state (in memory, no store, no fsync), two nested
 * component dialogs, a waterfall and a text prompt. Every turn answers the prompt, echoes the text
 * and prompts again. No domain work at all: the cost of a turn above the plain echo here is the
 * dialog stack's own, the floor under any bot built on it.
 */
class EchoFlow extends ComponentDialog {
  constructor() {
    super('echoFlow');
    this.addDialog(new TextPrompt('echoPrompt'));
    this.addDialog(
      new WaterfallDialog('echoSteps', [
        async (step: WaterfallStepContext) => step.prompt('echoPrompt', { prompt: 'Say something.' }),
        async (step: WaterfallStepContext) => {
          await step.context.sendActivity(`You said: ${String(step.result ?? '')}`);
          return step.replaceDialog('echoSteps');
        },
      ]),
    );
    this.initialDialogId = 'echoSteps';
  }
}

class EchoMain extends ComponentDialog {
  constructor() {
    super('echoMain');
    this.addDialog(new EchoFlow());
    this.initialDialogId = 'echoFlow';
  }
}

class DialogEchoBot extends ActivityHandler {
  private readonly dialogs: DialogSet;
  constructor(private readonly conversationState: ConversationState, private readonly userState: UserState) {
    super();
    this.dialogs = new DialogSet(conversationState.createProperty<DialogState>('DialogState')).add(new EchoMain());
    const language = userState.createProperty<{ language?: string }>('Language');
    this.onMessage(async (context, next) => {
      await language.get(context, {});
      const dc = await this.dialogs.createContext(context);
      const result = await dc.continueDialog();
      if (result.status === DialogTurnStatus.empty) {
        // The first turn starts the flow and echoes at once, as every later turn does.
        await context.sendActivity(`You said: ${context.activity.text ?? ''}`);
        await dc.beginDialog('echoMain');
      }
      await next();
    });
  }

  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    await this.conversationState.saveChanges(context, false);
    await this.userState.saveChanges(context, false);
  }
}

const storage = new MemoryStorage();
const bot = new DialogEchoBot(new ConversationState(storage), new UserState(storage));
serveBaseline('dialog-echo-bot', (context) => bot.run(context));
