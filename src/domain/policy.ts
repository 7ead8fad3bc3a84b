import type { AppConfig } from '../config/schema.js';

/** The security numbers the domain enforces (DESIGN.md), in milliseconds where they are times. */
export interface SecurityPolicy {
  codeDigits: number;
  codeTtlMs: number;
  codeMaxTries: number;
  sendsPerAccountPerHour: number;
  sendsPerAccountPerDay: number;
  pauseMs: number;
  sendsPerDestinationPerHour: number;
  maxConsecutiveFailures: number;
  linkTtlMs: number;
  smsLinkTtlMs: number;
  /** How long after proving identity a registration may still be saved. */
  verifiedWindowMs: number;
  institutionEmailDomains: readonly string[];
  /** Country of mobile numbers typed without a country code (DEFAULT_PHONE_REGION). */
  phoneRegion: string;
  serviceDeskContact: string;
  /** The same, as Chinese replies name it. */
  serviceDeskContactZh: string;
  publicBaseUrl: string;
  /** Lowest zxcvbn score (0-4) a new PIN may have. */
  pinMinStrength: number;
  /** As the PIN page names it; unset, the page names none. */
  institutionName?: string;
}

const MINUTE = 60_000;
const DEFAULT_SERVICE_DESK = 'the IT Service Desk';

export function policyFromConfig(c: AppConfig): SecurityPolicy {
  return {
    codeDigits: 6,
    codeTtlMs: c.CODE_TTL_MINUTES * MINUTE,
    codeMaxTries: c.CODE_MAX_TRIES,
    sendsPerAccountPerHour: c.SENDS_PER_ACCOUNT_PER_HOUR,
    sendsPerAccountPerDay: c.SENDS_PER_ACCOUNT_PER_DAY,
    pauseMs: c.PAUSE_HOURS * 60 * MINUTE,
    sendsPerDestinationPerHour: c.SENDS_PER_DESTINATION_PER_HOUR,
    maxConsecutiveFailures: c.MAX_CONSECUTIVE_FAILURES,
    linkTtlMs: c.LINK_TTL_MINUTES * MINUTE,
    smsLinkTtlMs: c.SMS_LINK_TTL_MINUTES * MINUTE,
    verifiedWindowMs: 30 * MINUTE,
    institutionEmailDomains: c.INSTITUTION_EMAIL_DOMAINS,
    phoneRegion: c.DEFAULT_PHONE_REGION,
    serviceDeskContact: c.SERVICE_DESK_CONTACT,
    serviceDeskContactZh: c.SERVICE_DESK_CONTACT_ZH_HK ?? (c.SERVICE_DESK_CONTACT === DEFAULT_SERVICE_DESK ? '資訊科技服務台' : c.SERVICE_DESK_CONTACT),
    publicBaseUrl: c.PUBLIC_BASE_URL,
    pinMinStrength: c.PIN_MIN_STRENGTH,
    ...(c.INSTITUTION_NAME ? { institutionName: c.INSTITUTION_NAME } : {}),
  };
}
