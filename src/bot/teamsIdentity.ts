import { TeamsInfo, type Activity, type TurnContext } from 'botbuilder';
import type { Directory } from '../ports/directory.js';
import type { Logger } from '../ports/logger.js';
import type { SignedInUser } from '../../dialogs/deps.js';
import { TEAMS } from '../../dialogs/cards.js';
import { isTokenVerified } from './botToken.js';

/** The Entra tenant an activity came from, as Teams sends it. */
export function tenantOf(activity: Partial<Activity>): string | undefined {
  const fromChannelData = (activity.channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id;
  const id = typeof fromChannelData === 'string' ? fromChannelData : activity.conversation?.tenantId;
  return id?.trim().toLowerCase() || undefined;
}

/** Whether a Teams activity comes from a tenant the operator allows (every tenant when the list is empty). */
export function tenantAllowed(activity: Partial<Activity>, allowed: readonly string[]): boolean {
  if (activity.channelId !== TEAMS || allowed.length === 0) return true;
  const tenant = tenantOf(activity);
  return tenant !== undefined && allowed.includes(tenant);
}

const RESOLVED = Symbol('teamsSignedInUid');

/**
 * Finds the portal account of the user signed in to Teams: by their Entra object id, else by the
 * UPN or email the Bot Connector gives for them (TeamsInfo.getMember). An identity is believed
 * only on a turn whose request carried a Bot Framework token this bot verified; anything else (a
 * local client, a connector on this machine) could claim any user. `trustUnverified`
 * (TRUST_UNVERIFIED_TEAMS_IDENTITY, local trials and tests only) lifts that rule.
 */
export class TeamsIdentity implements SignedInUser {
  constructor(
    private readonly directory: Directory,
    private readonly logger: Logger,
    private readonly trustUnverified = false,
  ) {}

  async uidOf(context: TurnContext): Promise<string | undefined> {
    if (context.activity.channelId !== TEAMS) return undefined;
    const cached = context.turnState.get(RESOLVED) as { uid: string | undefined } | undefined;
    if (cached) return cached.uid;
    const uid = this.trustUnverified || isTokenVerified(context) ? await this.lookUp(context) : undefined;
    context.turnState.set(RESOLVED, { uid });
    return uid;
  }

  private async lookUp(context: TurnContext): Promise<string | undefined> {
    const from = context.activity.from;
    if (from?.aadObjectId) {
      const byObjectId = await this.directory.findByAadObjectId(from.aadObjectId);
      if (byObjectId) return byObjectId.uid;
    }
    if (!from?.id) return undefined;
    try {
      const member = await TeamsInfo.getMember(context, from.id);
      for (const login of [member.userPrincipalName, member.email]) {
        if (!login) continue;
        const account = await this.directory.findByLogin(login);
        if (account) return account.uid;
      }
    } catch (err) {
      // Not fatal: the user proves who they are the ordinary way.
      this.logger.warn({ err: { message: (err as Error).message }, channel: TEAMS }, 'could not read the Teams member; falling back to the ordinary identity check');
    }
    return undefined;
  }
}
