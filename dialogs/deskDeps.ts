import type { StatePropertyAccessor } from 'botbuilder';
import type { ServiceDeskHandoff } from '../src/domain/handoff.js';
import type { ReminderLedger } from '../src/domain/campaign.js';
import type { TeamsConversations } from '../src/domain/teamsConversations.js';
import type { ContactReconfirmation } from '../src/domain/reconfirmation.js';

/** What the service desk's dialogs remember in a conversation, so nothing is offered twice. */
export interface DeskConversationState {
  /** The account whose refused PINs were already offered a hand-off here. */
  pinsRefusedOffered?: string;
  /** The account asked in this conversation whether its contacts are still its own. */
  reconfirmAsked?: string;
}

/** What the service desk's dialogs use (hand-off to a person, reminders, re-confirmation). */
export interface DeskServices {
  handoff: ServiceDeskHandoff;
  reminders: ReminderLedger;
  conversations: TeamsConversations;
  reconfirm: ContactReconfirmation;
  /** Conversation state of the desk's dialogs. */
  state: StatePropertyAccessor<DeskConversationState | undefined>;
}
