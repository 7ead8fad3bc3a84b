import { z } from 'zod';
import type { AccountRecord, BotStateRecord, ChallengeRecord, ContactRecord, LinkRecord, PreferenceRecord, SmsDeliveryRecord, SmsOptOutRecord, ThrottleRecord } from '../../ports/store.js';

/** The on-disk shape of every record, checked when the store loads. */
const time = z.number().int().nonnegative();

export const accountSchema: z.ZodType<AccountRecord> = z.object({
  uid: z.string().min(1),
  name: z.string(),
  email: z.string(),
  upn: z.string().optional(),
  aadObjectId: z.string().optional(),
  pinHash: z.string().optional(),
  createdAt: time,
  updatedAt: time,
});

export const contactSchema: z.ZodType<ContactRecord> = z.object({
  uid: z.string().min(1),
  email: z.string().optional(),
  mobile: z.string().optional(),
  source: z.enum(['self', 'import']),
  verifiedAt: time,
  updatedAt: time,
});

export const challengeSchema: z.ZodType<ChallengeRecord> = z.object({
  id: z.string().min(1),
  uid: z.string(),
  purpose: z.enum(['identity', 'alt-email', 'mobile', 'reset-sms']),
  channel: z.enum(['email', 'sms']),
  target: z.string(),
  codeMac: z.string(),
  createdAt: time,
  expiresAt: time,
  wrongTries: z.number().int().nonnegative(),
  status: z.enum(['open', 'used', 'dead', 'revoked']),
  delivery: z.enum(['pending', 'sent', 'failed', 'none']),
});

export const linkSchema: z.ZodType<LinkRecord> = z.object({
  tokenHash: z.string().regex(/^[0-9a-f]{64}$/),
  uid: z.string(),
  purpose: z.literal('reset-pin'),
  via: z.enum(['email', 'sms']),
  createdAt: time,
  expiresAt: time,
  status: z.enum(['open', 'used', 'revoked']),
  delivery: z.enum(['pending', 'sent', 'failed', 'none']),
  rejectedPins: z.number().int().nonnegative().optional(),
});

export const throttleSchema: z.ZodType<ThrottleRecord> = z.object({
  key: z.string().min(1),
  sends: z.array(time),
  consecutiveFailures: z.number().int().nonnegative(),
  pausedUntil: time.optional(),
  updatedAt: time,
});

export const botStateSchema: z.ZodType<BotStateRecord> = z.object({
  key: z.string().min(1),
  eTag: z.string(),
  value: z.record(z.string(), z.unknown()),
  updatedAt: time,
});

export const preferenceSchema: z.ZodType<PreferenceRecord> = z.object({
  uid: z.string().min(1),
  language: z.string().min(1),
  updatedAt: time,
});

export const smsOptOutSchema: z.ZodType<SmsOptOutRecord> = z.object({
  number: z.string().min(1),
  optedOutAt: time,
});

export const smsDeliverySchema: z.ZodType<SmsDeliveryRecord> = z.object({
  sid: z.string().min(1),
  expiresAt: time,
});
