import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { AppConfig } from './config/schema.js';
import type { Clock } from './ports/clock.js';
import { systemClock } from './ports/clock.js';
import type { Logger } from './ports/logger.js';
import type { Mailer } from './ports/mailer.js';
import type { SmsSender } from './ports/sms.js';
import type { Store } from './ports/store.js';
import type { Directory } from './ports/directory.js';
import type { AuditTrail } from './ports/audit.js';
import { LowStore } from './adapters/store/lowStore.js';
import { PgStore } from './adapters/store/postgres/pgStore.js';
import { EmbeddedDirectory } from './adapters/directory/embeddedDirectory.js';
import { LdapDirectory } from './adapters/directory/ldapDirectory.js';
import { JsonlAuditLog } from './adapters/audit/jsonlAuditLog.js';
import { PgAuditLog } from './adapters/audit/pgAuditLog.js';
import { JsonlAuditHistory } from './adapters/audit/jsonlAuditHistory.js';
import type { AuditHistory } from './ports/auditHistory.js';
import { RECORD_SYNC_WITHIN_MS } from './adapters/appendLog.js';
import { OutboxMailer } from './adapters/mail/outboxMailer.js';
import { SmtpMailer } from './adapters/mail/smtpMailer.js';
import { OutboxSms } from './adapters/sms/outboxSms.js';
import { TwilioSms } from './adapters/sms/twilioSms.js';
import { GuardedSms } from './adapters/sms/guardedSms.js';
import { SmsDeliveries, SmsInboundLimit, SmsOptOuts, SmsSpendCeiling } from './domain/smsSafeguards.js';
import { Audit } from './domain/audit.js';
import { BackgroundWork } from './domain/background.js';
import { ContactErasure } from './domain/contactErasure.js';
import { ContactRegistration } from './domain/contactRegistration.js';
import { Outbound } from './domain/outbound.js';
import { Notices } from './domain/notices.js';
import { PinReset } from './domain/pinReset.js';
import { pinPolicyFrom } from './domain/pinPolicy.js';
import { workerEstimator } from './adapters/strength/workerEstimator.js';
import { AccountUnlock } from './domain/accountUnlock.js';
import { policyFromConfig, type SecurityPolicy } from './domain/policy.js';
import { ServerKey } from './domain/secrets.js';
import { Retention } from './domain/retention.js';
import { Throttles } from './domain/throttles.js';
import { VerificationCodes } from './domain/verificationCodes.js';
import { Messages } from './messages/catalog.js';
import { LanguagePreferences } from './domain/languagePreferences.js';
import { StoreError } from './adapters/store/errors.js';
import { createLogger } from './log.js';
import { DeskCounters } from './domain/deskCounters.js';
import { EmailCaseDestination } from './domain/caseContent.js';
import { ServiceDeskHandoff } from './domain/handoff.js';
import { WebhookDestination } from './adapters/desk/webhookDestination.js';
import type { CaseDestination } from './ports/serviceDesk.js';
import { ConfigurationBotFrameworkAuthentication, CloudAdapter } from 'botbuilder';
import { RegistrationCampaign, ReminderLedger } from './domain/campaign.js';
import { TeamsConversations } from './domain/teamsConversations.js';
import { ContactReconfirmation } from './domain/reconfirmation.js';
import { BotFrameworkTeamsMessenger } from './bot/teamsMessenger.js';
import type { TeamsMessenger } from './ports/teamsMessenger.js';

/** Everything the bot, the web pages and the admin CLI use, built once from the configuration. */
export interface Services {
  config: AppConfig;
  dataDir: string;
  policy: SecurityPolicy;
  clock: Clock;
  logger: Logger;
  store: Store;
  /** Where accounts live and PINs are set: the embedded directory, or AD / OpenLDAP (DIRECTORY). */
  directory: Directory;
  /** The embedded directory, for `accounts import`; absent with DIRECTORY=ldap. */
  embeddedDirectory?: EmbeddedDirectory;
  auditLog: AuditTrail;
  /** The audit read back for the service desk (report, hand-off cases). */
  auditHistory: AuditHistory;
  audit: Audit;
  throttles: Throttles;
  codes: VerificationCodes;
  registration: ContactRegistration;
  pinReset: PinReset;
  /** Unlocking a locked-out account without changing its PIN (LDAP directories). */
  unlock: AccountUnlock;
  notices: Notices;
  messages: Messages;
  languages: LanguagePreferences;
  outbound: Outbound;
  background: BackgroundWork;
  key: ServerKey;
  /** The SMS channel's safeguards and the guarded SMS transport every SMS goes through. */
  sms: SmsServices;
  retention: Retention;
  erasure: ContactErasure;
  /** The service desk's parts: hand-off to a person, the campaign, re-confirmation. */
  desk: DeskParts;
  close(): Promise<void>;
}

export interface DeskParts {
  handoff: ServiceDeskHandoff;
  counters: DeskCounters;
  campaign: RegistrationCampaign;
  reminders: ReminderLedger;
  conversations: TeamsConversations;
  reconfirm: ContactReconfirmation;
}

export interface SmsServices {
  sender: GuardedSms;
  optOuts: SmsOptOuts;
  deliveries: SmsDeliveries;
  inboundLimit: SmsInboundLimit;
  ceiling: SmsSpendCeiling;
}

export interface ServiceOverrides {
  clock?: Clock;
  logger?: Logger;
  mailer?: Mailer;
  sms?: SmsSender;
  /** Who holds the DATA_DIR lock (lowdb): 'bot' or 'admin CLI'. */
  role?: string;
  /** Writes proactive Teams messages (default: the Bot Framework SDK, signed with MicrosoftAppId). */
  teamsMessenger?: TeamsMessenger;
}

/** The store the configuration names: lowdb under DATA_DIR (holding its lock), or PostgreSQL (schema brought up to date). */
async function openStore(config: AppConfig, dataDir: string, role: string, warn: (message: string) => void): Promise<Store> {
  if (config.STORE === 'postgres') return PgStore.open({ url: config.DATABASE_URL!, poolSize: config.DATABASE_POOL_SIZE, onWarning: warn });
  return LowStore.open(dataDir, { role, onWarning: warn });
}

/** The audit trail beside the store (a table in PostgreSQL, else DATA_DIR/audit.jsonl), and how the service desk reads it back. */
function openAudit(config: AppConfig, store: Store, dataDir: string, warn: (message: string) => void): { trail: AuditTrail; history: AuditHistory } {
  if (store instanceof PgStore) {
    const log = new PgAuditLog(store.db);
    return { trail: log, history: log };
  }
  const log = new JsonlAuditLog(join(dataDir, 'audit.jsonl'), { onWarning: warn, rotateBytes: config.AUDIT_ROTATE_MB * 1024 * 1024, syncWithinMs: RECORD_SYNC_WITHIN_MS });
  return { trail: log, history: new JsonlAuditHistory(log) };
}

/** Loads or creates the server secret (DATA_DIR/secret.key, owner-only) unless SERVER_SECRET is set. */
async function loadServerKey(config: AppConfig, dataDir: string): Promise<ServerKey> {
  if (config.SERVER_SECRET) return new ServerKey(Buffer.from(config.SERVER_SECRET, 'utf8'));
  const path = join(dataDir, 'secret.key');
  try {
    const text = (await readFile(path, 'utf8')).trim();
    const key = Buffer.from(text, 'base64url');
    if (key.length < 32) throw new StoreError(`${path} does not hold a valid secret (too short). Restore it from a backup; codes and links issued with it will stop working if you replace it.`, path);
    return new ServerKey(key);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      if (err instanceof StoreError) throw err;
      throw new StoreError(`Cannot read ${path}: ${(err as Error).message}`, path);
    }
  }
  const key = randomBytes(32);
  await writeFile(path, `${key.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  return new ServerKey(key);
}

export async function openServices(config: AppConfig, overrides: ServiceOverrides = {}): Promise<Services> {
  const dataDir = resolve(config.DATA_DIR);
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? createLogger(config);
  const warn = (message: string) => logger.warn({}, message);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const store = await openStore(config, dataDir, overrides.role ?? 'pin-reset-bot', warn);
  try {
    const key = await loadServerKey(config, dataDir);
    const policy = policyFromConfig(config);
    const { trail: auditLog, history: auditHistory } = openAudit(config, store, dataDir, warn);
    const audit = new Audit(auditLog, clock, logger);
    const outboxDir = join(dataDir, 'outbox');
    const mailer = overrides.mailer ?? (config.SMTP_URL ? new SmtpMailer(config.SMTP_URL, config.MAIL_FROM) : new OutboxMailer(join(outboxDir, 'mail.jsonl'), clock));
    const sms =
      overrides.sms ??
      (config.SMS_TRANSPORT === 'twilio'
        ? new TwilioSms(config.TWILIO_ACCOUNT_SID!, config.TWILIO_AUTH_TOKEN!, config.TWILIO_FROM!, statusCallbackUrl(config.PUBLIC_BASE_URL))
        : new OutboxSms(join(outboxDir, 'sms.jsonl'), config.TWILIO_FROM ?? 'pin-reset-bot', clock));
    const throttles = new Throttles(store.throttles, clock, policy, audit);
    const optOuts = new SmsOptOuts(store.smsOptOuts, clock, audit);
    const ceiling = new SmsSpendCeiling(throttles, config.SMS_MAX_PER_HOUR, audit, logger, clock);
    const smsServices: SmsServices = {
      sender: new GuardedSms(sms, optOuts, ceiling),
      optOuts,
      deliveries: new SmsDeliveries(store.smsDeliveries, clock),
      inboundLimit: new SmsInboundLimit(throttles, config.SMS_INBOUND_PER_NUMBER_PER_HOUR, audit),
      ceiling,
    };
    const embeddedDirectory = config.DIRECTORY === 'embedded' ? new EmbeddedDirectory(store.accounts, clock) : undefined;
    const directory: Directory = embeddedDirectory ?? ldapDirectory(config, logger, clock);
    const codes = new VerificationCodes(store.challenges, key, clock, policy, throttles, audit, store.broadcast);
    const messages = new Messages({ perLanguage: { en: { serviceDesk: policy.serviceDeskContact }, 'zh-hk': { serviceDesk: policy.serviceDeskContactZh } } });
    const languages = new LanguagePreferences(store.preferences, directory, clock);
    const background = new BackgroundWork(logger);
    const outbound = new Outbound(mailer, smsServices.sender, logger);
    const notices = new Notices(outbound, audit, background);
    const registration = new ContactRegistration({ directory, contacts: store.contacts, codes, throttles, outbound, audit, messages, policy, clock, background, notices, languages, key });
    // PIN strength is judged in a worker thread: a long patterned PIN can take zxcvbn a second.
    const strength = workerEstimator();
    const pinPolicy = pinPolicyFrom(policy, strength.estimate);
    const pinReset = new PinReset({ directory, contacts: store.contacts, links: store.links, codes, throttles, outbound, audit, messages, policy, clock, background, notices, key, languages, pinPolicy });
    const unlock = new AccountUnlock({ directory, contacts: store.contacts, links: store.links, codes, throttles, outbound, audit, messages, policy, clock, background, notices, key, languages });
    const erasure = new ContactErasure({ contacts: store.contacts, links: store.links, codes, directory, audit, notices, messages, policy, clock, languages, key });
    const retention = new Retention(store, auditLog, clock, retentionPolicy(config, policy), logger);
    const desk = deskParts(config, { store, clock, logger, audit, outbound, auditHistory, background, directory, messages, languages, policy, teamsMessenger: overrides.teamsMessenger });
    // Purges on a schedule; unref'd so a short-lived admin CLI run is never kept alive by it.
    const purgeTimer = setInterval(() => {
      retention.purge().catch((err: unknown) => logger.error({ err }, 'purge failed'));
    }, config.PURGE_INTERVAL_MINUTES * 60_000).unref();
    // Hand-off cases not yet delivered are retried; delivered ones and spent counters are forgotten with the purge.
    let deskTicks = 0;
    const deskTimer = setInterval(() => {
      const purge = ++deskTicks % config.PURGE_INTERVAL_MINUTES === 0;
      desk.handoff
        .retryDue()
        .then(() => (purge ? Promise.all([desk.handoff.forgetDelivered(), desk.counters.forgetExpired()]) : undefined))
        .catch((err: unknown) => logger.error({ err }, 'hand-off retry failed'));
    }, 60_000).unref();
    return {
      config,
      dataDir,
      policy,
      clock,
      logger,
      store,
      directory,
      ...(embeddedDirectory ? { embeddedDirectory } : {}),
      auditLog,
      auditHistory,
      audit,
      throttles,
      codes,
      registration,
      pinReset,
      unlock,
      notices,
      messages,
      languages,
      outbound,
      background,
      key,
      sms: smsServices,
      retention,
      erasure,
      desk,
      async close() {
        clearInterval(purgeTimer);
        clearInterval(deskTimer);
        await retention.settled();
        await desk.handoff.settled();
        await background.drain();
        await Promise.allSettled([auditLog.close(), closeIfCan(mailer), closeIfCan(sms), strength.close(), directory.close()]);
        await store.close();
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}

/** The service desk's parts, with the destinations of hand-off cases the configuration names. */
function deskParts(
  config: AppConfig,
  parts: {
    store: Store;
    clock: Clock;
    logger: Logger;
    audit: Audit;
    outbound: Outbound;
    auditHistory: AuditHistory;
    background: BackgroundWork;
    directory: Directory;
    messages: Messages;
    languages: LanguagePreferences;
    policy: SecurityPolicy;
    teamsMessenger: TeamsMessenger | undefined;
  },
): DeskParts {
  const { store, clock, logger, audit, outbound, auditHistory, background, directory, messages, languages, policy } = parts;
  const counters = new DeskCounters(store.deskCounters, clock);
  const destinations: CaseDestination[] = [];
  if (config.SERVICE_DESK_EMAIL) destinations.push(new EmailCaseDestination(outbound, config.SERVICE_DESK_EMAIL));
  if (config.SERVICE_DESK_WEBHOOK_URL && config.SERVICE_DESK_WEBHOOK_SECRET) destinations.push(new WebhookDestination(config.SERVICE_DESK_WEBHOOK_URL, config.SERVICE_DESK_WEBHOOK_SECRET, () => clock.now()));
  const handoff = new ServiceDeskHandoff({ cases: store.handoffCases, links: store.links, counters, history: auditHistory, destinations, audit, clock, logger, background });
  const reminders = new ReminderLedger(store.reminders, clock, audit);
  const conversations = new TeamsConversations(store.conversationRefs, clock);
  const teams = parts.teamsMessenger ?? new BotFrameworkTeamsMessenger(new CloudAdapter(botAuthentication(config)), config.MicrosoftAppId);
  const campaign = new RegistrationCampaign({
    directory,
    contacts: store.contacts,
    confirmations: store.contactConfirmations,
    reminders: store.reminders,
    ledger: reminders,
    conversations,
    teams,
    outbound,
    messages,
    languages,
    audit,
    clock,
    settings: {
      minDays: config.NUDGE_MIN_DAYS,
      reconfirmDays: config.CONTACTS_RECONFIRM_DAYS,
      ...(config.MicrosoftAppId ? { teamsAppId: config.MicrosoftAppId } : {}),
      ...(config.TWILIO_FROM?.startsWith('+') ? { smsNumber: config.TWILIO_FROM } : {}),
    },
  });
  const reconfirm = new ContactReconfirmation({
    contacts: store.contacts,
    confirmations: store.contactConfirmations,
    challenges: store.challenges,
    audit,
    clock,
    days: config.CONTACTS_RECONFIRM_DAYS,
    verifiedWindowMs: policy.verifiedWindowMs,
  });
  return { handoff, counters, campaign, reminders, conversations, reconfirm };
}

/** The Bot Framework identity of the bot, from MicrosoftAppId and the rest (none: local, unauthenticated). */
function botAuthentication(config: AppConfig): ConfigurationBotFrameworkAuthentication {
  return new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: config.MicrosoftAppId,
    MicrosoftAppPassword: config.MicrosoftAppPassword,
    MicrosoftAppType: config.MicrosoftAppType,
    MicrosoftAppTenantId: config.MicrosoftAppTenantId,
  });
}

/** The LDAP directory of DIRECTORY=ldap, from its settings (the schema has checked that the required ones are set). */
function ldapDirectory(config: AppConfig, logger: Logger, clock: Clock): LdapDirectory {
  return new LdapDirectory(
    {
      kind: config.LDAP_KIND!,
      url: config.LDAP_URL!,
      ...(config.LDAP_CA_FILE ? { caFile: config.LDAP_CA_FILE } : {}),
      bindDn: config.LDAP_BIND_DN!,
      bindPassword: config.LDAP_BIND_PASSWORD!,
      baseDn: config.LDAP_BASE_DN!,
      ...(config.LDAP_USER_FILTER ? { userFilter: config.LDAP_USER_FILTER } : {}),
      attributes: {
        uid: config.LDAP_UID_ATTRIBUTE,
        mail: config.LDAP_MAIL_ATTRIBUTE,
        upn: config.LDAP_UPN_ATTRIBUTE,
        name: config.LDAP_NAME_ATTRIBUTE,
        ...(config.LDAP_MOBILE_ATTRIBUTE ? { mobile: config.LDAP_MOBILE_ATTRIBUTE } : {}),
        ...(config.LDAP_ALT_EMAIL_ATTRIBUTE ? { altEmail: config.LDAP_ALT_EMAIL_ATTRIBUTE } : {}),
      },
      timeoutMs: config.LDAP_TIMEOUT_MS,
      unlockOnReset: config.LDAP_UNLOCK_ON_RESET,
      phoneRegion: config.DEFAULT_PHONE_REGION,
    },
    logger,
    clock,
  );
}

/** Delivery reports only where Twilio can reach us: a public HTTPS address, not a developer's localhost. */
function statusCallbackUrl(publicBaseUrl: string): string | undefined {
  return publicBaseUrl.startsWith('https://') ? `${publicBaseUrl}/api/sms/status` : undefined;
}

function retentionPolicy(config: AppConfig, policy: SecurityPolicy) {
  return {
    verifiedWindowMs: Math.max(policy.verifiedWindowMs, policy.codeTtlMs),
    conversationIdleMs: config.CONVERSATION_IDLE_MINUTES * 60_000,
    auditRetentionMs: config.AUDIT_RETENTION_DAYS * 24 * 3_600_000,
  };
}

async function closeIfCan(x: unknown): Promise<void> {
  const c = (x as { close?: () => Promise<void> | void }).close;
  if (typeof c === 'function') await c.call(x);
}
