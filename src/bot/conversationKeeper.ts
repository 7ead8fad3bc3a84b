import { ActivityTypes, TurnContext, type Middleware } from 'botbuilder';
import type { Logger } from '../ports/logger.js';
import type { SignedInUser } from '../../dialogs/deps.js';
import { TEAMS } from '../../dialogs/cards.js';
import { teamsUserKey, type TeamsConversations } from '../domain/teamsConversations.js';
import { tenantAllowed } from './teamsIdentity.js';

/**
 * Keeps the Teams conversation of each user who installs the app or writes to the bot (personal
 * scope, allowed tenants), so a reminder can be sent there later; with the account, once the
 * signed-in identity matched one (TeamsIdentity believes only what it may). One store read a turn;
 * a write only when the conversation is new or changed.
 */
export class TeamsConversationKeeper implements Middleware {
  constructor(
    private readonly conversations: TeamsConversations,
    private readonly signedIn: SignedInUser,
    private readonly allowedTenantIds: readonly string[],
    private readonly logger: Logger,
  ) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    try {
      await this.keep(context);
    } catch (err) {
      // Not fatal: the turn goes on; the next one tries again.
      this.logger.warn({ err: { message: (err as Error).message }, channel: TEAMS }, 'could not keep the Teams conversation for reminders');
    }
    await next();
  }

  private async keep(context: TurnContext): Promise<void> {
    const { activity } = context;
    if (activity.channelId !== TEAMS) return;
    if (activity.type !== ActivityTypes.Message && activity.type !== ActivityTypes.ConversationUpdate && activity.type !== ActivityTypes.InstallationUpdate) return;
    if (activity.conversation?.conversationType && activity.conversation.conversationType !== 'personal') return;
    if (!tenantAllowed(activity, this.allowedTenantIds)) return;
    const key = teamsUserKey(activity.from);
    if (!key) return;
    // A conversation reference, not a reply to this activity: no activity id.
    const { activityId: _reply, ...reference } = TurnContext.getConversationReference(activity);
    if (!(await this.conversations.needsKeeping(key, reference))) return;
    await this.conversations.keep(key, reference, await this.signedIn.uidOf(context));
  }
}
