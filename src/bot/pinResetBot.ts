import { ActivityHandler, type ConversationState, type StatePropertyAccessor, type TurnContext, type UserState } from 'botbuilder';
import { runDialog, type Dialog, type DialogState } from 'botbuilder-dialogs';
import { say, type DialogDeps } from '../../dialogs/deps.js';

/** The bot: each message continues the user's flow (or starts one); state is saved after every turn. */
export class PinResetBot extends ActivityHandler {
  private readonly dialogState: StatePropertyAccessor<DialogState>;

  constructor(
    private readonly conversationState: ConversationState,
    private readonly userState: UserState,
    private readonly dialog: Dialog,
    private readonly deps: DialogDeps,
  ) {
    super();
    this.dialogState = conversationState.createProperty<DialogState>('DialogState');

    this.onMessage(async (context, next) => {
      await runDialog(this.dialog, context, this.dialogState);
      await next();
    });

    this.onMembersAdded(async (context, next) => {
      for (const member of context.activity.membersAdded ?? []) {
        if (member.id !== context.activity.recipient?.id) await say(this.deps, context, 'welcome');
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
