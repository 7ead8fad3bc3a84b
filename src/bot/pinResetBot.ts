import { ActivityTypes, TeamsActivityHandler, TurnContext, type ConversationState, type StatePropertyAccessor, type TaskModuleRequest, type TaskModuleResponse, type UserState } from 'botbuilder';
import { DialogSet, DialogTurnStatus, type Dialog, type DialogState, type DialogStateManagerConfiguration } from 'botbuilder-dialogs';
import { say, text, type DialogDeps } from '../../dialogs/deps.js';
import { PIN_PAGE_DATA_KEY, TEAMS, withMenu } from '../../dialogs/cards.js';
import { tenantAllowed, tenantOf } from './teamsIdentity.js';
import { isPinPageToken } from '../domain/pinReset.js';

/** What the bot needs to know about Teams. */
export interface TeamsSettings {
  /** Entra tenants whose users may use the bot; empty: any. */
  allowedTenantIds: readonly string[];
  /** PUBLIC_BASE_URL: the PIN page opened as a Teams dialog must be ours. */
  publicBaseUrl: string;
  /** Told of each refused activity (for the audit log), with the tenant it came from. */
  onTenantRefused?: (tenantId: string | undefined) => Promise<void>;
}

/** The turn-state key under which botbuilder-dialogs' DialogStateManager keeps its configuration. */
const DIALOG_MEMORY_CONFIGURATION = 'DialogStateManagerConfiguration';

/** The bot: each message continues the user's flow (or starts one); state is saved after every turn. */
export class PinResetBot extends TeamsActivityHandler {
  private readonly dialogState: StatePropertyAccessor<DialogState>;
  private memoryConfiguration: DialogStateManagerConfiguration | undefined;
  private readonly dialogs: DialogSet;

  constructor(
    private readonly conversationState: ConversationState,
    private readonly userState: UserState,
    private readonly dialog: Dialog,
    private readonly deps: DialogDeps,
    private readonly teams: TeamsSettings = { allowedTenantIds: [], publicBaseUrl: '' },
  ) {
    super();
    this.dialogState = conversationState.createProperty<DialogState>('DialogState');
    this.dialogs = new DialogSet(this.dialogState).add(dialog);

    this.onMessage(async (context, next) => {
      // In Teams the text may start with an @mention of the bot.
      if (context.activity.channelId === TEAMS && context.activity.text) TurnContext.removeRecipientMention(context.activity);
      // Not botbuilder's runDialog: it sends a "BotState" trace holding what the user just typed
      // (a code, say), which expectReplies would hand straight back.
      const dc = await this.dialogs.createContext(context);
      this.memoryConfiguration ??= dc.state.configuration;
      const result = await dc.continueDialog();
      if (result.status === DialogTurnStatus.empty) await dc.beginDialog(this.dialog.id);
      await next();
    });

    this.onMembersAdded(async (context, next) => {
      const { activity } = context;
      await this.deps.language.load(context);
      if (activity.channelId === TEAMS && activity.conversation?.conversationType === 'personal') {
        // Installed in personal scope: Teams names the bot as the member added; welcome once.
        await context.sendActivity(withMenu(this.deps, context, 'welcome'));
      } else {
        for (const member of activity.membersAdded ?? []) {
          if (member.id !== activity.recipient?.id) await context.sendActivity(withMenu(this.deps, context, 'welcome'));
        }
      }
      await next();
    });
  }

  override async run(context: TurnContext): Promise<void> {
    // botbuilder-dialogs builds its memory scopes and path resolvers (a small dependency-injection
    // container) afresh on every turn unless the turn state holds them already. They keep nothing
    // of a turn, so the set built on the first turn is handed to every later one.
    if (this.memoryConfiguration) context.turnState.set(DIALOG_MEMORY_CONFIGURATION, this.memoryConfiguration);
    // Trace activities carry internals (state snapshots); none ever leaves the bot.
    context.onSendActivities(async (_ctx, activities, next) => {
      const kept = activities.filter((a) => a.type !== ActivityTypes.Trace);
      activities.splice(0, activities.length, ...kept);
      return next();
    });
    if (!tenantAllowed(context.activity, this.teams.allowedTenantIds)) return this.refuseTenant(context);
    await super.run(context);
    await this.conversationState.saveChanges(context, false);
    await this.userState.saveChanges(context, false);
  }

  /** "Set new PIN": opens our PIN page, and only ours, as a Teams dialog. */
  protected override async handleTeamsTaskModuleFetch(context: TurnContext, request: TaskModuleRequest): Promise<TaskModuleResponse> {
    const url = this.pinPageUrl(request.data);
    if (!url) return { task: { type: 'message', value: text(this.deps, context, 'teams.linkUnavailable') } };
    return { task: { type: 'continue', value: { title: text(this.deps, context, 'teams.dialogTitle'), url, fallbackUrl: url, height: 'large', width: 'medium' } } };
  }

  /** The PIN page closed the dialog after setting the PIN: say so in the chat. */
  protected override async handleTeamsTaskModuleSubmit(context: TurnContext, request: TaskModuleRequest): Promise<TaskModuleResponse> {
    if ((request.data as { pinChanged?: unknown } | undefined)?.pinChanged === true) await say(this.deps, context, 'teams.pinChanged');
    // No body: Teams closes the dialog.
    return undefined as unknown as TaskModuleResponse;
  }

  private pinPageUrl(data: unknown): string | undefined {
    const holder = data as Record<string, unknown> | undefined;
    // Teams hands the button's value over as is, or wrapped once more in `data`.
    const url = holder?.[PIN_PAGE_DATA_KEY] ?? (holder?.['data'] as Record<string, unknown> | undefined)?.[PIN_PAGE_DATA_KEY];
    if (typeof url !== 'string' || !url.startsWith(`${this.teams.publicBaseUrl}/reset/`)) return undefined;
    return isPinPageToken(url.slice(this.teams.publicBaseUrl.length + '/reset/'.length)) ? url : undefined;
  }

  private async refuseTenant(context: TurnContext): Promise<void> {
    await this.teams.onTenantRefused?.(tenantOf(context.activity));
    const refusal = text(this.deps, context, 'teams.tenantRefused');
    if (context.activity.type === ActivityTypes.Invoke) {
      await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200, body: { task: { type: 'message', value: refusal } } } });
    } else if (context.activity.type === ActivityTypes.Message || context.activity.type === ActivityTypes.ConversationUpdate) {
      await context.sendActivity(refusal);
    }
  }
}
