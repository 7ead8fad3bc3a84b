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
  pinSetAt: time.optional(),
  pinSetBy: z.enum(['user', 'service-desk', 'import']).optional(),
  createdAt: time,
  updatedAt: time,
});

/**
 * Quick checks for the two large tables, used when the store loads: true means the record certainly
 * matches its schema; false sends it through the schema, which then names what is wrong. On 100,000
 * accounts with contacts the schemas took about a fifth of the start (and their copies fed the
 * garbage collector); these allocate nothing. test/records.test.ts holds them to the schemas.
 */
const isTime = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isOptionalString = (v: unknown) => v === undefined || typeof v === 'string';
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function looksLikeAccount(r: unknown): boolean {
  return (
    isObject(r) &&
    typeof r['uid'] === 'string' &&
    r['uid'].length > 0 &&
    typeof r['name'] === 'string' &&
    typeof r['email'] === 'string' &&
    isOptionalString(r['upn']) &&
    isOptionalString(r['aadObjectId']) &&
    isOptionalString(r['pinHash']) &&
    (r['pinSetAt'] === undefined || isTime(r['pinSetAt'])) &&
    (r['pinSetBy'] === undefined || r['pinSetBy'] === 'user' || r['pinSetBy'] === 'service-desk' || r['pinSetBy'] === 'import') &&
    isTime(r['createdAt']) &&
    isTime(r['updatedAt'])
  );
}

export function looksLikeContact(r: unknown): boolean {
  return (
    isObject(r) &&
    typeof r['uid'] === 'string' &&
    r['uid'].length > 0 &&
    isOptionalString(r['email']) &&
    isOptionalString(r['mobile']) &&
    (r['source'] === 'self' || r['source'] === 'import') &&
    isTime(r['verifiedAt']) &&
    isTime(r['updatedAt']) &&
    (r['erased'] === undefined || (Array.isArray(r['erased']) && r['erased'].every((m) => typeof m === 'string'))) &&
    (r['erasedAt'] === undefined || isTime(r['erasedAt']))
  );
}

export const contactSchema: z.ZodType<ContactRecord> = z.object({
  uid: z.string().min(1),
  email: z.string().optional(),
  mobile: z.string().optional(),
  source: z.enum(['self', 'import']),
  verifiedAt: time,
  updatedAt: time,
  erased: z.array(z.string()).optional(),
  erasedAt: time.optional(),
});

export const challengeSchema: z.ZodType<ChallengeRecord> = z.object({
  id: z.string().min(1),
  uid: z.string(),
  purpose: z.enum(['identity', 'alt-email', 'mobile', 'reset-sms', 'unlock-sms']),
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
  purpose: z.enum(['reset-pin', 'unlock']),
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
  refusedAt: time.optional(),
  clockHour: z.object({ start: time, count: z.number().int().nonnegative() }).optional(),
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
