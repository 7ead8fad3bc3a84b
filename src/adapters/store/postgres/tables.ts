import type { AccountRecord, BotStateRecord, ChallengeRecord, ContactRecord, LinkRecord, PreferenceRecord, SmsDeliveryRecord, SmsOptOutRecord, ThrottleRecord } from '../../../ports/store.js';
import type { ContactConfirmationRecord, ConversationRefRecord, DeskCounterRecord, HandoffCaseRecord, ReminderRecord } from '../../../ports/deskStore.js';
import type { PgTableSpec } from './pgTable.js';

/**
 * Each record type of the store port, field by field, as the tables of migrations/ hold it. A new
 * field needs its column here (the compiler asks for it) and in a new migration.
 */
export const accounts: PgTableSpec<AccountRecord> = {
  table: 'accounts',
  key: 'uid',
  columns: {
    uid: ['uid', 'text'],
    name: ['name', 'text'],
    email: ['email', 'text'],
    upn: ['upn', 'text'],
    aadObjectId: ['aad_object_id', 'text'],
    pinHash: ['pin_hash', 'text'],
    pinSetAt: ['pin_set_at', 'time'],
    pinSetBy: ['pin_set_by', 'text'],
    createdAt: ['created_at', 'time'],
    updatedAt: ['updated_at', 'time'],
  },
  indexes: { upn: { field: 'upn', foldCase: true }, email: { field: 'email', foldCase: true }, aadObjectId: { field: 'aadObjectId', foldCase: true } },
};

export const contacts: PgTableSpec<ContactRecord> = {
  table: 'contacts',
  key: 'uid',
  columns: {
    uid: ['uid', 'text'],
    email: ['email', 'text'],
    mobile: ['mobile', 'text'],
    source: ['source', 'text'],
    verifiedAt: ['verified_at', 'time'],
    updatedAt: ['updated_at', 'time'],
    erased: ['erased', 'texts'],
    erasedAt: ['erased_at', 'time'],
  },
  indexes: { email: { field: 'email', foldCase: true }, mobile: { field: 'mobile' } },
  remember: true,
};

export const preferences: PgTableSpec<PreferenceRecord> = {
  table: 'preferences',
  key: 'uid',
  columns: { uid: ['uid', 'text'], language: ['language', 'text'], updatedAt: ['updated_at', 'time'] },
  remember: true,
};

export const challenges: PgTableSpec<ChallengeRecord> = {
  table: 'challenges',
  key: 'id',
  columns: {
    id: ['id', 'text'],
    uid: ['uid', 'text'],
    purpose: ['purpose', 'text'],
    channel: ['channel', 'text'],
    target: ['target', 'text'],
    codeMac: ['code_mac', 'text'],
    createdAt: ['created_at', 'time'],
    expiresAt: ['expires_at', 'time'],
    wrongTries: ['wrong_tries', 'int'],
    status: ['status', 'text'],
    delivery: ['delivery', 'text'],
  },
  indexes: { uid: { field: 'uid' }, target: { field: 'target' } },
  remember: true,
};

export const links: PgTableSpec<LinkRecord> = {
  table: 'links',
  key: 'tokenHash',
  columns: {
    tokenHash: ['token_hash', 'text'],
    uid: ['uid', 'text'],
    purpose: ['purpose', 'text'],
    via: ['via', 'text'],
    createdAt: ['created_at', 'time'],
    expiresAt: ['expires_at', 'time'],
    status: ['status', 'text'],
    delivery: ['delivery', 'text'],
    rejectedPins: ['rejected_pins', 'int'],
  },
  indexes: { uid: { field: 'uid' } },
  remember: true,
};

/** The clock-hour count is two columns; the port's record nests them. */
export const throttles: PgTableSpec<ThrottleRecord> = {
  table: 'throttles',
  key: 'key',
  columns: {
    key: ['key', 'text'],
    sends: ['sends', 'times'],
    consecutiveFailures: ['consecutive_failures', 'int'],
    pausedUntil: ['paused_until', 'time'],
    refusedAt: ['refused_at', 'time'],
    clockHour: {
      parts: [
        ['clock_hour_start', 'time'],
        ['clock_hour_count', 'int'],
      ],
      toParts: (hour: { start: number; count: number }) => [hour.start, hour.count],
      fromParts: (parts) => ({ start: parts[0] as number, count: parts[1] as number }),
    },
    updatedAt: ['updated_at', 'time'],
  },
  remember: true,
  // A counter's first event (a new account, destination or texting number) is the common case.
  absentFirst: true,
};

export const botState: PgTableSpec<BotStateRecord> = {
  table: 'bot_state',
  key: 'key',
  columns: { key: ['key', 'text'], eTag: ['etag', 'text'], value: ['value', 'json'], updatedAt: ['updated_at', 'time'] },
  version: 'eTag',
};

export const smsOptOuts: PgTableSpec<SmsOptOutRecord> = {
  table: 'sms_opt_outs',
  key: 'number',
  columns: { number: ['number', 'text'], optedOutAt: ['opted_out_at', 'time'] },
};

export const smsDeliveries: PgTableSpec<SmsDeliveryRecord> = {
  table: 'sms_deliveries',
  key: 'sid',
  columns: { sid: ['sid', 'text'], expiresAt: ['expires_at', 'time'] },
};

/** Hand-off cases; those still to be delivered are found by the `pending` index (an expression, as in lowdb). */
export const handoffCases: PgTableSpec<HandoffCaseRecord> = {
  table: 'handoff_cases',
  key: 'reference',
  columns: {
    reference: ['reference', 'text'],
    reason: ['reason', 'text'],
    uid: ['uid', 'text'],
    verified: ['verified', 'bool'],
    channel: ['channel', 'text'],
    language: ['language', 'text'],
    reach: ['reach', 'json'],
    steps: ['steps', 'json'],
    createdAt: ['created_at', 'time'],
    delivery: ['delivery', 'json'],
    attempts: ['attempts', 'int'],
    nextAttemptAt: ['next_attempt_at', 'time'],
    deliveredAt: ['delivered_at', 'time'],
  },
  indexes: { pending: { sql: "(CASE WHEN delivered_at IS NULL THEN 'yes' END)" } },
};

export const deskCounters: PgTableSpec<DeskCounterRecord> = {
  table: 'desk_counters',
  key: 'key',
  columns: { key: ['key', 'text'], times: ['times', 'times'], last: ['last', 'int'], expiresAt: ['expires_at', 'time'] },
  remember: true,
};

export const conversationRefs: PgTableSpec<ConversationRefRecord> = {
  table: 'conversation_refs',
  key: 'key',
  columns: { key: ['key', 'text'], uid: ['uid', 'text'], reference: ['reference', 'json'], updatedAt: ['updated_at', 'time'] },
  indexes: { uid: { field: 'uid' } },
};

export const reminders: PgTableSpec<ReminderRecord> = {
  table: 'reminders',
  key: 'uid',
  columns: {
    uid: ['uid', 'text'],
    lastAt: ['last_at', 'time'],
    previousAt: ['previous_at', 'time'],
    kind: ['kind', 'text'],
    via: ['via', 'text'],
    status: ['status', 'text'],
    count: ['count', 'int'],
    stoppedAt: ['stopped_at', 'time'],
    updatedAt: ['updated_at', 'time'],
  },
};

export const contactConfirmations: PgTableSpec<ContactConfirmationRecord> = {
  table: 'contact_confirmations',
  key: 'uid',
  columns: { uid: ['uid', 'text'], confirmedAt: ['confirmed_at', 'time'] },
};
