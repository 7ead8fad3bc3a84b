import restify, { type Request, type Response } from 'restify';
import { ActivityHandler, CloudAdapter, ConfigurationBotFrameworkAuthentication, ConversationState, MemoryStorage, UserState, type TurnContext } from 'botbuilder';
import { ComponentDialog, DialogSet, DialogTurnStatus, TextPrompt, WaterfallDialog, type DialogState, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { AddressInfo } from 'node:net';

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
const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
const bot = new DialogEchoBot(new ConversationState(storage), new UserState(storage));
const server = restify.createServer({ name: 'dialog-echo-bot', handleUncaughtExceptions: false });
server.use(restify.plugins.queryParser({ mapParams: false }));
server.use(restify.plugins.bodyParser({ maxBodySize: 65536, mapParams: false, mapFiles: false, keepExtensions: false }));
server.post('/api/messages', async (req: Request, res: Response) => {
  await adapter.process(req, res, (context) => bot.run(context));
});
server.get('/healthz', (_req: Request, res: Response, next: restify.Next) => {
  res.send(200, { status: 'ok' });
  return next();
});
server.listen(Number(process.env['PORT'] ?? 3979), process.env['HOST'] ?? '127.0.0.1', () => {
  process.stdout.write(`dialog echo bot listening on ${(server.address() as AddressInfo).port}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
