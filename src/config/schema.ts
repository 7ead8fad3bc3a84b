import { accessSync, constants } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_PHONE_REGION, isPhoneRegion } from '../domain/contactFormats.js';

/**
 * Every setting the bot reads, with its default and a one-line description.
 * This is the whole security posture on one screen; `.env.example` is generated from it
 * (`npm run env:example`) and a test keeps the two in step.
 */

const int = (min: number, max: number) => {
  const error = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};
const oneOf = <const V extends readonly [string, ...string[]]>(values: V) => z.enum(values, { error: `must be one of: ${values.join(', ')}` });
const optionalText = z.string().trim().optional().transform((v) => (v ? v : undefined));
/** `true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`). */
const flag = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => /^(true|false|1|0|yes|no|on|off)$/.test(v), { error: 'must be true or false' })
  .transform((v) => /^(true|1|yes|on)$/.test(v));
const attributeName = optionalText.refine((v) => v === undefined || /^([A-Za-z][A-Za-z0-9-]*|\d+(\.\d+)+)$/.test(v), { error: 'must be an LDAP attribute name, e.g. mail' });
const LDAP_URL = /^ldaps?:\/\/(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?\/?$/i;
/** One filter in parentheses, with balanced parentheses (values in it are the operator's own). */
function balancedFilter(filter: string): boolean {
  if (!filter.startsWith('(') || !filter.endsWith(')')) return false;
  let depth = 0;
  for (let i = 0; i < filter.length; i++) {
    const c = filter[i];
    if (c === '\\') i += 2;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0 && i !== filter.length - 1) return false;
    if (depth < 0) return false;
  }
  return depth === 0;
}
const csv = z
  .string()
  .optional()
  .transform((v) => (v ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean));

export interface SettingDoc {
  description: string;
  example?: string;
  secret?: boolean;
}

export const settings = {
  PORT: { schema: int(0, 65535).default(3978), doc: { description: 'HTTP port the bot listens on.' } },
  HOST: { schema: z.string().default('0.0.0.0'), doc: { description: 'Address the HTTP server binds to.' } },
  DATA_DIR: { schema: z.string().min(1).default('./data'), doc: { description: 'Folder for the store, audit log, outbox and server secret.' } },
  PUBLIC_BASE_URL: {
    schema: z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL, e.g. https://bot.example.edu' })
      .default('http://localhost:3978')
      .transform((v) => v.replace(/\/+$/, '')),
    doc: { description: 'Public URL of this server, used in links and to check Twilio signatures.' },
  },
  SMTP_URL: {
    schema: optionalText.refine((v) => v === undefined || /^smtps?:\/\/[^/?#\s]+/i.test(v), { error: 'must be an smtp:// or smtps:// URL' }),
    doc: { description: 'SMTP server URL (smtp:// or smtps://). Unset: mail is written to DATA_DIR/outbox/mail.jsonl.', example: 'smtp://user:pass@smtp.example.edu:587', secret: true },
  },
  MAIL_FROM: { schema: z.string().default('PIN reset <no-reply@localhost>'), doc: { description: 'From address of every email the bot sends.' } },
  SMS_TRANSPORT: { schema: oneOf(['twilio', 'outbox']).optional(), doc: { description: "'twilio' or 'outbox'. Default: twilio when Twilio credentials are set, else outbox." } },
  TWILIO_ACCOUNT_SID: { schema: optionalText, doc: { description: 'Twilio account SID (AC...).' } },
  TWILIO_AUTH_TOKEN: { schema: optionalText, doc: { description: 'Twilio auth token; also checks X-Twilio-Signature on /api/sms.', secret: true } },
  TWILIO_FROM: { schema: optionalText, doc: { description: 'Twilio number or messaging service SID that sends SMS (E.164).' } },
  MicrosoftAppId: { schema: optionalText, doc: { description: 'Azure Bot app id. Unset: /api/messages accepts unauthenticated local clients.' } },
  MicrosoftAppPassword: { schema: optionalText, doc: { description: 'Azure Bot client secret (MultiTenant or SingleTenant).', secret: true } },
  MicrosoftAppType: { schema: oneOf(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'), doc: { description: 'Azure Bot app type.' } },
  MicrosoftAppTenantId: { schema: optionalText, doc: { description: 'Tenant id, required for SingleTenant and UserAssignedMSI.' } },
  SERVICE_DESK_CONTACT: { schema: z.string().min(1).default('the IT Service Desk'), doc: { description: 'Who to contact when self-service cannot help; shown in help and notices.', example: 'the IT Service Desk, +852 0000 0000, servicedesk@example.edu' } },
  INSTITUTION_EMAIL_DOMAINS: { schema: csv, doc: { description: 'Comma list of institutional mail domains; they cannot be the alternate email.', example: 'example.edu,connect.example.edu' } },
  SERVER_SECRET: { schema: z.string().min(32, 'must be at least 32 characters').optional(), doc: { description: 'Key for code HMACs and CSRF tokens. Unset: generated once into DATA_DIR/secret.key.', secret: true } },
  LOG_LEVEL: { schema: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'), doc: { description: 'Log level.' } },
  CODE_TTL_MINUTES: { schema: int(1, 60).default(10), doc: { description: 'How long an email or SMS code stays valid.' } },
  CODE_MAX_TRIES: { schema: int(1, 10).default(5), doc: { description: 'Wrong tries before a code is dead.' } },
  SENDS_PER_ACCOUNT_PER_HOUR: { schema: int(1, 100).default(5), doc: { description: 'Codes and links sent for one account in an hour before self-service pauses.' } },
  SENDS_PER_ACCOUNT_PER_DAY: { schema: int(1, 1000).default(10), doc: { description: 'Codes and links sent for one account in a day before self-service pauses.' } },
  PAUSE_HOURS: { schema: int(1, 720).default(24), doc: { description: 'How long self-service stays paused for an account after a limit.' } },
  SENDS_PER_DESTINATION_PER_HOUR: { schema: int(1, 100).default(5), doc: { description: 'Codes sent to one phone number or email address in an hour.' } },
  MAX_CONSECUTIVE_FAILURES: { schema: int(1, 100).default(100), doc: { description: 'Failed code checks in a row, across codes, before an account is paused.' } },
  LINK_TTL_MINUTES: { schema: int(1, 60).default(30), doc: { description: 'How long an emailed reset link stays valid.' } },
  SMS_LINK_TTL_MINUTES: { schema: int(1, 60).default(10), doc: { description: 'How long the PIN-page link given after a correct SMS code stays valid.' } },
  MAX_BODY_BYTES: { schema: int(1024, 10_000_000).default(65536), doc: { description: 'Largest request body accepted on any endpoint.' } },

  // Microsoft Teams
  ALLOWED_TENANT_IDS: {
    schema: csv.refine((ids) => ids.every((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)), { error: 'must be a comma list of tenant ids (GUIDs)' }),
    doc: { description: 'Comma list of Microsoft Entra tenant ids whose Teams users may use the bot. Unset: any tenant.', example: '72f988bf-86f1-41af-91ab-2d7cd011db47' },
  },

  // Traditional Chinese (zh-HK)
  SERVICE_DESK_CONTACT_ZH_HK: {
    schema: optionalText,
    doc: {
      description: 'SERVICE_DESK_CONTACT as written in Chinese replies and mail. Unset: 資訊科技服務台 if SERVICE_DESK_CONTACT is unset, else SERVICE_DESK_CONTACT as given.',
      example: '資訊科技服務台（電話 +852 0000 0000，電郵 servicedesk@example.edu）',
    },
  },

  // The SMS channel, and its spend ceiling
  SMS_INBOUND_PER_NUMBER_PER_HOUR: { schema: int(1, 1000).default(30), doc: { description: 'Texts one number may send to /api/sms in an hour; more get 429 and no reply.' } },
  SMS_MAX_PER_HOUR: { schema: int(1, 1_000_000).default(200), doc: { description: 'Outbound SMS for the whole service in a clock hour (counted afresh on the hour); at the ceiling codes stop, an alert is logged and users are offered email.' } },

  // Data retention and privacy.
  PURGE_INTERVAL_MINUTES: { schema: int(1, 1440).default(15), doc: { description: 'How often expired codes, links, old counters, idle conversations and old audit records are purged.' } },
  CONVERSATION_IDLE_MINUTES: { schema: int(5, 10080).default(60), doc: { description: 'Conversation state untouched this long is deleted (the user starts over).' } },
  AUDIT_RETENTION_DAYS: { schema: int(1, 3650).default(365), doc: { description: 'Audit records older than this are deleted.' } },
  AUDIT_ROTATE_MB: { schema: int(1, 1024).default(10), doc: { description: 'The audit log is rotated to audit-<time>.jsonl once it grows past this size.' } },

  // Flood limits on HTTP (in memory, per process; answered with 429 and Retry-After).
  MESSAGES_PER_CONVERSATION_PER_MINUTE: { schema: int(1, 100_000).default(60), doc: { description: 'Activities one conversation may post to /api/messages per minute (a person types far fewer).' } },
  MESSAGES_PER_IP_PER_MINUTE: { schema: int(1, 1_000_000).default(6000), doc: { description: "Requests to /api/messages per client IP per minute. Generous: all Teams traffic comes from Microsoft's IPs." } },
  PIN_PAGE_REQUESTS_PER_IP_PER_MINUTE: { schema: int(1, 100_000).default(120), doc: { description: 'Requests to the PIN page (GET, HEAD, POST) per client IP per minute; raise it behind a large campus NAT.' } },
  TRUSTED_PROXY_HOPS: { schema: int(0, 10).default(0), doc: { description: 'Reverse proxies in front of the bot; the client IP is read that many hops from the right of X-Forwarded-For. 0: the socket address.' } },

  // The store: embedded, or PostgreSQL for several instances on one database.
  STORE: { schema: oneOf(['lowdb', 'postgres']).default('lowdb'), doc: { description: "'lowdb': the embedded store under DATA_DIR (one instance). 'postgres': PostgreSQL at DATABASE_URL (any number of instances)." } },
  DATABASE_URL: {
    schema: optionalText.refine((v) => v === undefined || /^postgres(ql)?:\/\/[^\s]+$/i.test(v), { error: 'must be a postgres:// or postgresql:// URL, e.g. postgres://user:pass@host:5432/db?sslmode=require' }),
    doc: { description: 'PostgreSQL for STORE=postgres, as libpq writes it (sslmode=disable, require, verify-ca or verify-full).', example: 'postgres://pinreset:secret@db.example.edu:5432/pinreset?sslmode=verify-full', secret: true },
  },
  DATABASE_POOL_SIZE: { schema: int(1, 1000).default(10), doc: { description: 'Connections each instance keeps to PostgreSQL at most (STORE=postgres).' } },
  // Who is believed, and which phone numbers are taken.
  NODE_ENV: { schema: optionalText, doc: { description: "Node's environment name; 'production' refuses the settings meant for local trials only.", example: 'production' } },
  DEFAULT_PHONE_REGION: {
    schema: z.string().trim().toUpperCase().default(DEFAULT_PHONE_REGION).refine(isPhoneRegion, { error: 'must be a two-letter country code, e.g. HK or GB' }),
    doc: { description: 'Country of mobile numbers typed without a country code (ISO 3166 two letters); only numbers that can receive SMS are accepted.' },
  },
  TRUST_UNVERIFIED_TEAMS_IDENTITY: {
    schema: z.enum(['true', 'false'], { error: 'must be true or false' }).default('false').transform((v) => v === 'true'),
    doc: { description: 'Believe a Teams identity on requests without a verified Bot Framework token. Local trials and tests only: refused with NODE_ENV=production or MicrosoftAppId.' },
  },

  // The PIN page and the PIN policy (NIST SP 800-63B 5.1.1.2).
  PIN_MIN_STRENGTH: { schema: int(0, 4).default(3), doc: { description: "Lowest zxcvbn score (0-4) a new PIN may have; weaker ones are refused with zxcvbn's feedback as the reason." } },
  INSTITUTION_NAME: {
    schema: optionalText,
    doc: { description: 'Your institution as the PIN page names it, so users can tell the real page from an imitation; its words also count as easy to guess in a PIN. Unset: the page names none.', example: 'Example University' },
  },

  // The service desk (hand-off to a person, the registration campaign, re-confirmation).
  SERVICE_DESK_EMAIL: {
    schema: optionalText.refine((v) => v === undefined || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v), { error: 'must be an email address' }),
    doc: { description: 'Where hand-off cases are mailed (a ticket system mailbox). Unset (and no webhook): the bot names the service desk instead.', example: 'servicedesk-tickets@example.edu' },
  },
  SERVICE_DESK_WEBHOOK_URL: {
    schema: optionalText.refine((v) => v === undefined || /^https?:\/\/[^\s/?#]+/i.test(v), { error: 'must be an http(s) URL' }),
    doc: { description: 'Where hand-off cases are POSTed as JSON, signed with SERVICE_DESK_WEBHOOK_SECRET.', example: 'https://tickets.example.edu/api/pin-reset-cases' },
  },
  SERVICE_DESK_WEBHOOK_SECRET: {
    schema: z.string().min(32, 'must be at least 32 characters').optional(),
    doc: { description: 'Key of the HMAC-SHA256 that signs each webhook case (X-Pin-Reset-Signature); required with SERVICE_DESK_WEBHOOK_URL.', example: 'a-long-random-secret-shared-with-the-ticket-system', secret: true },
  },
  NUDGE_MIN_DAYS: { schema: int(1, 365).default(30), doc: { description: '`admin nudge` never reminds an account twice within this many days.' } },
  CONTACTS_RECONFIRM_DAYS: {
    schema: int(0, 730).default(0),
    doc: { description: 'Ask a registered user whose contacts were verified more than this many days ago whether they are still theirs. 0: never.' },
  },

  // The account directory (embedded, or Active Directory / OpenLDAP over LDAP).
  DIRECTORY: { schema: oneOf(['embedded', 'ldap']).default('embedded'), doc: { description: "Where accounts and PINs live: 'embedded' (accounts imported by CSV, PINs hashed in the store) or 'ldap' (Active Directory or OpenLDAP; the new PIN is written there)." } },
  LDAP_KIND: { schema: oneOf(['ad', 'openldap']).optional(), doc: { description: "With DIRECTORY=ldap: 'ad' (Active Directory, Samba) or 'openldap'. Sets the defaults of the LDAP_*_ATTRIBUTE settings and LDAP_USER_FILTER." } },
  LDAP_URL: {
    schema: optionalText.refine((v) => v === undefined || LDAP_URL.test(v), { error: 'must be ldaps://host[:port] or ldap://host[:port] (no path); ldap:// is always upgraded with StartTLS' }),
    doc: { description: 'The directory server: ldaps://host[:port], or ldap://host[:port], which always upgrades with StartTLS. The certificate and host name are always verified.', example: 'ldaps://dc1.example.edu' },
  },
  LDAP_CA_FILE: { schema: optionalText, doc: { description: "A PEM bundle of CAs to trust for the directory's certificate, in addition to those Node.js trusts by default.", example: '/etc/ssl/certs/university-ca.pem' } },
  LDAP_BIND_DN: { schema: optionalText, doc: { description: 'The service account that searches and resets (a DN; on AD also user@domain).', example: 'CN=svc-pinreset,OU=Service Accounts,DC=example,DC=edu' } },
  LDAP_BIND_PASSWORD: { schema: optionalText, doc: { description: "The service account's password. Never logged, printed or stored.", secret: true } },
  LDAP_BASE_DN: { schema: optionalText, doc: { description: 'The subtree that holds the portal accounts.', example: 'OU=People,DC=example,DC=edu' } },
  LDAP_USER_FILTER: {
    schema: optionalText.refine((v) => v === undefined || balancedFilter(v), { error: 'must be one LDAP filter in parentheses, e.g. (objectClass=person)' }),
    doc: { description: 'An extra filter ANDed into every account search. Default on AD: (!(userAccountControl:1.2.840.113556.1.4.803:=2)), which leaves out disabled accounts; on OpenLDAP none.' },
  },
  LDAP_UID_ATTRIBUTE: { schema: attributeName, doc: { description: 'The attribute holding the portal UID. Default: sAMAccountName on AD, uid on OpenLDAP.' } },
  LDAP_MAIL_ATTRIBUTE: { schema: attributeName, doc: { description: 'The attribute holding the institutional email. Default: mail.' } },
  LDAP_UPN_ATTRIBUTE: { schema: attributeName, doc: { description: 'The attribute matched against the Teams sign-in. Default: userPrincipalName on AD, mail on OpenLDAP.' } },
  LDAP_NAME_ATTRIBUTE: { schema: attributeName, doc: { description: 'The attribute holding the display name. Default: displayName on AD, cn on OpenLDAP.' } },
  LDAP_MOBILE_ATTRIBUTE: { schema: attributeName, doc: { description: 'Optional: an attribute holding a verified mobile (e.g. the VPN two-factor one), read as an imported contact. A contact registered with the bot wins.', example: 'mobile' } },
  LDAP_ALT_EMAIL_ATTRIBUTE: { schema: attributeName, doc: { description: 'Optional: an attribute holding a verified alternate email, read as an imported contact. A contact registered with the bot wins.', example: 'otherMailbox' } },
  LDAP_TIMEOUT_MS: { schema: int(100, 120_000).default(5000), doc: { description: 'How long one directory connection or operation may take before the directory counts as unreachable.' } },
  LDAP_UNLOCK_ON_RESET: { schema: flag.default(true), doc: { description: 'Whether a successful reset also clears a lockout (AD lockoutTime, OpenLDAP pwdAccountLockedTime).' } },
} as const satisfies Record<string, { schema: z.ZodType; doc: SettingDoc }>;

type Settings = typeof settings;
export type Config = { [K in keyof Settings]: z.output<Settings[K]['schema']> };
export type SettingName = keyof Settings;

export const configSchema = z
  .object(Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, v.schema])) as { [K in keyof Settings]: Settings[K]['schema'] })
  .superRefine(
    (c, ctx) => {
      // Runs even when some settings are bad, so that every problem is listed at once; a rule is
      // checked only when the settings it reads are themselves valid.
      const bad = new Set(ctx.issues.map((issue) => issue.path?.[0]));
      const valid = (...names: SettingName[]) => names.every((n) => !bad.has(n));
      if (c.SMS_TRANSPORT === 'twilio' && valid('SMS_TRANSPORT')) {
        for (const k of ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM'] as const) {
          if (!c[k]) ctx.addIssue({ code: 'custom', path: [k], message: 'is required when SMS_TRANSPORT=twilio' });
        }
      }
      const twilioSet = (['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM'] as const).filter((k) => c[k]);
      if (c.SMS_TRANSPORT === undefined && valid('SMS_TRANSPORT') && twilioSet.length > 0 && twilioSet.length < 3) {
        // Half a Twilio setup would silently send codes to the outbox; say so instead.
        for (const k of ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM'] as const) {
          if (!c[k]) ctx.addIssue({ code: 'custom', path: [k], message: `is required with ${twilioSet.join(' and ')} (or set SMS_TRANSPORT=outbox)` });
        }
      }
      if (valid('MicrosoftAppType') && c.MicrosoftAppId && c.MicrosoftAppType !== 'UserAssignedMSI' && !c.MicrosoftAppPassword) {
        ctx.addIssue({ code: 'custom', path: ['MicrosoftAppPassword'], message: 'is required when MicrosoftAppId is set' });
      }
      if (valid('MicrosoftAppType') && c.MicrosoftAppType !== 'MultiTenant' && c.MicrosoftAppId && !c.MicrosoftAppTenantId) {
        ctx.addIssue({ code: 'custom', path: ['MicrosoftAppTenantId'], message: `is required when MicrosoftAppType=${c.MicrosoftAppType}` });
      }
      if (c.STORE === 'postgres' && valid('STORE')) {
        if (!c.DATABASE_URL && valid('DATABASE_URL')) ctx.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'is required when STORE=postgres' });
        // A secret generated into one instance's DATA_DIR would differ on the others: codes and CSRF values made on one would fail on another.
        if (!c.SERVER_SECRET && valid('SERVER_SECRET')) ctx.addIssue({ code: 'custom', path: ['SERVER_SECRET'], message: 'is required when STORE=postgres, the same on every instance (e.g. openssl rand -base64 48)' });
      }
      if (c.TRUST_UNVERIFIED_TEAMS_IDENTITY && valid('TRUST_UNVERIFIED_TEAMS_IDENTITY')) {
        // Anyone who can reach /api/messages could then pose as any Teams user: never where real users are.
        if (c.NODE_ENV === 'production') ctx.addIssue({ code: 'custom', path: ['TRUST_UNVERIFIED_TEAMS_IDENTITY'], message: 'must not be true when NODE_ENV=production (it lets a request pose as any Teams user)' });
        if (c.MicrosoftAppId) ctx.addIssue({ code: 'custom', path: ['TRUST_UNVERIFIED_TEAMS_IDENTITY'], message: 'must not be true when MicrosoftAppId is set (requests are verified then; the setting is for local trials and tests only)' });
      }
      if (c.SERVICE_DESK_WEBHOOK_URL && !c.SERVICE_DESK_WEBHOOK_SECRET && valid('SERVICE_DESK_WEBHOOK_URL', 'SERVICE_DESK_WEBHOOK_SECRET')) {
        ctx.addIssue({ code: 'custom', path: ['SERVICE_DESK_WEBHOOK_SECRET'], message: 'is required when SERVICE_DESK_WEBHOOK_URL is set (cases are signed with it)' });
      }
      if (valid('SENDS_PER_ACCOUNT_PER_DAY', 'SENDS_PER_ACCOUNT_PER_HOUR') && c.SENDS_PER_ACCOUNT_PER_DAY < c.SENDS_PER_ACCOUNT_PER_HOUR) {
        ctx.addIssue({ code: 'custom', path: ['SENDS_PER_ACCOUNT_PER_DAY'], message: 'must be at least SENDS_PER_ACCOUNT_PER_HOUR' });
      }
      if (c.DIRECTORY === 'ldap' && valid('DIRECTORY')) {
        for (const k of ['LDAP_KIND', 'LDAP_URL', 'LDAP_BIND_DN', 'LDAP_BIND_PASSWORD', 'LDAP_BASE_DN'] as const) {
          if (!c[k] && valid(k)) ctx.addIssue({ code: 'custom', path: [k], message: 'is required when DIRECTORY=ldap' });
        }
        const unreadable = c.LDAP_CA_FILE && valid('LDAP_CA_FILE') ? unreadableFile(c.LDAP_CA_FILE) : undefined;
        if (unreadable) ctx.addIssue({ code: 'custom', path: ['LDAP_CA_FILE'], message: `cannot be read (${unreadable})` });
      }
    },
    { when: () => true },
  )
  .transform((c) => ({
    ...c,
    SMS_TRANSPORT: c.SMS_TRANSPORT ?? (c.TWILIO_ACCOUNT_SID && c.TWILIO_AUTH_TOKEN && c.TWILIO_FROM ? 'twilio' : 'outbox'),
    ...ldapDefaults(c),
  }));

/** The LDAP attribute names and filter that LDAP_KIND implies, where the operator set none. */
function ldapDefaults(c: { LDAP_KIND?: 'ad' | 'openldap' | undefined; LDAP_USER_FILTER?: string | undefined; LDAP_UID_ATTRIBUTE?: string | undefined; LDAP_MAIL_ATTRIBUTE?: string | undefined; LDAP_UPN_ATTRIBUTE?: string | undefined; LDAP_NAME_ATTRIBUTE?: string | undefined }) {
  const ad = c.LDAP_KIND === 'ad';
  return {
    LDAP_USER_FILTER: c.LDAP_USER_FILTER ?? (ad ? '(!(userAccountControl:1.2.840.113556.1.4.803:=2))' : undefined),
    LDAP_UID_ATTRIBUTE: c.LDAP_UID_ATTRIBUTE ?? (ad ? 'sAMAccountName' : 'uid'),
    LDAP_MAIL_ATTRIBUTE: c.LDAP_MAIL_ATTRIBUTE ?? 'mail',
    LDAP_UPN_ATTRIBUTE: c.LDAP_UPN_ATTRIBUTE ?? (ad ? 'userPrincipalName' : 'mail'),
    LDAP_NAME_ATTRIBUTE: c.LDAP_NAME_ATTRIBUTE ?? (ad ? 'displayName' : 'cn'),
  };
}

function unreadableFile(path: string): string | undefined {
  try {
    accessSync(path, constants.R_OK);
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? String(err);
  }
}

export type AppConfig = z.output<typeof configSchema>;
