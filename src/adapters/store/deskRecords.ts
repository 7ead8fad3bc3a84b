import { z } from 'zod';
import type { ContactConfirmationRecord, ConversationRefRecord, DeskCounterRecord, HandoffCaseRecord, ReminderRecord } from '../../ports/deskStore.js';

/** The on-disk shape of the service desk's records (src/ports/deskStore.ts), checked when the store loads. */
const time = z.number().int().nonnegative();

export const handoffCaseSchema: z.ZodType<HandoffCaseRecord> = z.object({
  reference: z.string().regex(/^PR-\d{8}-\d{4,}$/),
  reason: z.enum(['asked', 'no-code', 'lost-contact', 'paused', 'pins-refused']),
  uid: z.string(),
  verified: z.boolean(),
  channel: z.string(),
  language: z.string(),
  reach: z.record(z.string(), z.string()),
  steps: z.array(z.object({ at: z.string(), event: z.string(), outcome: z.string(), detail: z.string().optional() })),
  createdAt: time,
  delivery: z.object({ email: z.enum(['pending', 'sent']).optional(), webhook: z.enum(['pending', 'sent']).optional() }),
  attempts: z.number().int().nonnegative(),
  nextAttemptAt: time.optional(),
  deliveredAt: time.optional(),
});

export const deskCounterSchema: z.ZodType<DeskCounterRecord> = z.object({
  key: z.string().min(1),
  times: z.array(time),
  last: z.number().int().nonnegative().optional(),
  expiresAt: time,
});

export const conversationRefSchema: z.ZodType<ConversationRefRecord> = z.object({
  key: z.string().min(1),
  uid: z.string().min(1).optional(),
  reference: z.record(z.string(), z.unknown()),
  updatedAt: time,
});

export const reminderSchema: z.ZodType<ReminderRecord> = z.object({
  uid: z.string().min(1),
  lastAt: time.optional(),
  previousAt: time.optional(),
  kind: z.enum(['register', 'reconfirm']).optional(),
  via: z.enum(['teams', 'email']).optional(),
  status: z.enum(['sending', 'sent', 'failed']).optional(),
  count: z.number().int().nonnegative(),
  stoppedAt: time.optional(),
  updatedAt: time,
});

export const contactConfirmationSchema: z.ZodType<ContactConfirmationRecord> = z.object({
  uid: z.string().min(1),
  confirmedAt: time,
});
