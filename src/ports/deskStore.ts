import type { Table } from './store.js';

/**
 * The service desk's records: hand-off cases, the counters that limit them, the Teams conversations
 * the bot may write to first, reminders sent, and re-confirmed contacts. Each is a table of its
 * own (see Store), reached through get/put/delete/findBy only.
 */

/** Why self-service could not help. */
export type HandoffReason = 'asked' | 'no-code' | 'lost-contact' | 'paused' | 'pins-refused';

/** One step the user went through, from the audit (event name, outcome and masked details only). */
export interface CaseStep {
  at: string;
  event: string;
  outcome: string;
  detail?: string;
}

/** Where the case went, per destination; a case is delivered once every configured one accepted it. */
export interface CaseDelivery {
  email?: 'pending' | 'sent';
  webhook?: 'pending' | 'sent';
}

/**
 * A case passed to the service desk. Holds no code, token or PIN: the UID as typed, how to reach
 * the user on their channel, and the audit's steps (which never hold secrets either).
 */
export interface HandoffCaseRecord {
  /** `PR-YYYYMMDD-NNNN`. */
  reference: string;
  reason: HandoffReason;
  /** The UID as the user typed it (or as Teams proved it); '' when none was given. */
  uid: string;
  /** True only when the user proved the account (signed in to Teams, or a code in this conversation). */
  verified: boolean;
  channel: string;
  language: string;
  /** How the desk can reach the user on the channel they used (an SMS number, a Teams user...). */
  reach: Record<string, string>;
  steps: CaseStep[];
  createdAt: number;
  delivery: CaseDelivery;
  attempts: number;
  /** When to try again; absent once delivered. */
  nextAttemptAt?: number;
  deliveredAt?: number;
}

/** A small counter for the desk's limits and references: events within a window, or a running number. */
export interface DeskCounterRecord {
  /** `ref:<YYYYMMDD>`, `handoff-conversation:<id>`, `handoff-account:<uid>`. */
  key: string;
  /** Times counted, newest last, within the window. */
  times: number[];
  /** A running number (the day's last reference). */
  last?: number;
  /** When the record can be deleted. */
  expiresAt: number;
}

/** Where the bot can write to a Teams user first (a proactive message): kept when they install the app or first write. */
export interface ConversationRefRecord {
  /** The Teams user: `teams:<aadObjectId or from.id>`. */
  key: string;
  /** The account, once the Teams identity was matched to one (from a verified request only). */
  uid?: string;
  /** botbuilder's ConversationReference, as JSON (no secret in it). */
  reference: Record<string, unknown>;
  updatedAt: number;
}

/** Reminders for one account: when it was last reminded, and whether the user asked to stop. */
export interface ReminderRecord {
  uid: string;
  /** Time of the last reminder claimed (sent, or being sent); the campaign skips the account within NUDGE_MIN_DAYS. */
  lastAt?: number;
  /** Time of the reminder before the last one, restored if the last one could not be sent. */
  previousAt?: number;
  kind?: 'register' | 'reconfirm';
  via?: 'teams' | 'email';
  status?: 'sending' | 'sent' | 'failed';
  count: number;
  /** The user said "stop reminders": never reminded again. */
  stoppedAt?: number;
  updatedAt: number;
}

/** The user said their registered contacts are still theirs. */
export interface ContactConfirmationRecord {
  uid: string;
  confirmedAt: number;
}

export interface DeskTables {
  readonly handoffCases: Table<HandoffCaseRecord>;
  readonly deskCounters: Table<DeskCounterRecord>;
  readonly conversationRefs: Table<ConversationRefRecord>;
  readonly reminders: Table<ReminderRecord>;
  readonly contactConfirmations: Table<ContactConfirmationRecord>;
}
