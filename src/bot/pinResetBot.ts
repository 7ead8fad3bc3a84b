import { ActivityHandler, ActivityTypes, type ConversationState, type StatePropertyAccessor, type TurnContext, type UserState } from 'botbuilder';
import { DialogSet, DialogTurnStatus, type Dialog, type DialogState } from 'botbuilder-dialogs';
import { say, type DialogDeps } from '../../dialogs/deps.js';

/** The bot: each message continues the user's flow (or starts one); state is saved after every turn. */
export class PinResetBot extends ActivityHandler {
  private readonly dialogState: StatePropertyAccessor<DialogState>;
  private readonly dialogs: DialogSet;

  constructor(
    private readonly conversationState: ConversationState,
    private readonly userState: UserState,
    private readonly dialog: Dialog,
    private readonly deps: DialogDeps,
  ) {
    super();
    this.dialogState = conversationState.createProperty<DialogState>('DialogState');
    this.dialogs = new DialogSet(this.dialogState).add(dialog);

    this.onMessage(async (context, next) => {
      // Not botbuilder's runDialog: it sends a "BotState" trace holding what the user just typed
      // (a code, say), which expectReplies would hand straight back.
      const dc = await this.dialogs.createContext(context);
      const result = await dc.continueDialog();
      if (result.status === DialogTurnStatus.empty) await dc.beginDialog(this.dialog.id);
      await next();
    });

    this.onMembersAdded(async (context, next) => {
      await this.deps.language.load(context);
      for (const member of context.activity.membersAdded ?? []) {
        if (member.id !== context.activity.recipient?.id) await say(this.deps, context, 'welcome');
      }
      await next();
    });
  }

  override async run(context: TurnContext): Promise<void> {
    // Trace activities carry internals (state snapshots); none ever leaves the bot.
    context.onSendActivities(async (_ctx, activities, next) => {
      const kept = activities.filter((a) => a.type !== ActivityTypes.Trace);
      activities.splice(0, activities.length, ...kept);
      return next();
    });
    await super.run(context);
    await this.conversationState.saveChanges(context, false);
    await this.userState.saveChanges(context, false);
  }
}
