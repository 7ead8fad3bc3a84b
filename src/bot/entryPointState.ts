import { ConversationState, UserState, type TurnContext } from 'botbuilder';

/**
 * An adapter that keeps its conversations apart from every other entry point's: its turns' state
 * lives under its own prefix. The SMS webhook's adapter is one; the Bot Framework's CloudAdapter
 * (`/api/messages`) gets the default prefix.
 */
export interface PartitionedAdapter {
  readonly statePartition: string;
}

/** The prefix of every state key written by turns that came through `/api/messages`. */
export const BOT_FRAMEWORK_PARTITION = 'bot-framework';

/**
 * The state prefix of a turn, taken from the adapter that runs it, never from the activity: an
 * activity can claim any channel and conversation id, but not the entry point it came in by.
 */
export function statePartitionOf(context: TurnContext): string {
  const partition = (context.adapter as Partial<PartitionedAdapter> | undefined)?.statePartition;
  return typeof partition === 'string' && partition !== '' ? partition : BOT_FRAMEWORK_PARTITION;
}

/** ConversationState whose keys start with the entry point: `<partition>/<channel>/conversations/<id>/`. */
export class EntryPointConversationState extends ConversationState {
  override getStorageKey(context: TurnContext): string | undefined {
    return `${statePartitionOf(context)}/${super.getStorageKey(context)}`;
  }
}

/** UserState whose keys start with the entry point: `<partition>/<channel>/users/<id>/`. */
export class EntryPointUserState extends UserState {
  override getStorageKey(context: TurnContext): string | undefined {
    return `${statePartitionOf(context)}/${super.getStorageKey(context)}`;
  }
}
