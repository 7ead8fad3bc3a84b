import { ConfigurationBotFrameworkAuthentication, CloudAdapter, type ConversationState, type TurnContext, type UserState } from 'botbuilder';
import type { AddressInfo } from 'node:net';
import type { AppConfig } from './config/schema.js';
import { openServices, type ServiceOverrides, type Services } from './services.js';
import { StoreStorage } from './bot/storeStorage.js';
import { EntryPointConversationState, EntryPointUserState } from './bot/entryPointState.js';
import { PinResetBot } from './bot/pinResetBot.js';
import { TeamsIdentity } from './bot/teamsIdentity.js';
import { TEAMS } from '../dialogs/cards.js';
import { botTokenCheck } from './bot/botToken.js';
import { createHttpServer } from './http/server.js';
import type { BuiltFileReader } from './http/pageScripts.js';
import { SmsAdapter } from './channels/sms/smsAdapter.js';
import { SmsConventions } from './channels/sms/smsConventions.js';
import { SmsRendering } from './channels/sms/smsRendering.js';
import { startAdminSocket } from './admin/socket.js';
import { MainDialog } from '../dialogs/mainDialog.js';
import type { DialogDeps } from '../dialogs/deps.js';
import { say } from '../dialogs/deps.js';
import { LanguageChoice } from '../dialogs/language.js';
import { isStoreUnavailable } from './ports/store.js';
import { TeamsConversationKeeper } from './bot/conversationKeeper.js';
import { DirectoryUnavailableError } from './ports/directory.js';

/** What tests may replace: the services' parts, and the app's own waits. */
export interface AppOverrides extends ServiceOverrides {
  /** How long the SDK may take to verify a Bot Framework token before the activity is refused with 401 (default 10 s). */
  botTokenTimeoutMs?: number;
  /** Reads the PIN page's built scripts (default: from the build's output, dist/static). */
  pageFiles?: BuiltFileReader;
}

export interface App {
  services: Services;
  /** Starts listening; resolves with the bound port. */
  listen(port?: number, host?: string): Promise<number>;
  /** Graceful stop: no new requests, in-flight turns finish, background sends finish, the store is flushed. */
  close(): Promise<void>;
}

/**
 * The composition root: builds storage, state, dialogs, bot, adapter and HTTP server, in that
 * order, from the validated configuration (with services from ./services.ts).
 */
export async function createApp(config: AppConfig, { botTokenTimeoutMs, pageFiles, ...overrides }: AppOverrides = {}): Promise<App> {
  const services = await openServices(config, { role: 'bot', ...overrides });
  const { logger } = services;

  const storage = new StoreStorage(services.store.botState, services.clock);
  // Keyed by entry point too, so /api/messages can never address a conversation texted to /api/sms.
  const conversationState = new EntryPointConversationState(storage);
  const userState = new EntryPointUserState(storage);

  if (!config.MicrosoftAppId) {
    logger.warn({ mode: 'local' }, 'MicrosoftAppId is not set: the bot is in local mode. /api/messages serves only clients on this machine (loopback), refuses sms activities, and believes no Teams identity unless TRUST_UNVERIFIED_TEAMS_IDENTITY=true. Set MicrosoftAppId (and MicrosoftAppPassword) to serve Teams.');
  }
  const { pinReset } = services;
  if (config.TRUST_UNVERIFIED_TEAMS_IDENTITY) {
    logger.warn({ setting: 'TRUST_UNVERIFIED_TEAMS_IDENTITY' }, 'TRUST_UNVERIFIED_TEAMS_IDENTITY=true: a Teams identity is believed without a verified Bot Framework token, so any local client can pose as any Teams user. For local trials and tests only.');
  }
  const signedIn = new TeamsIdentity(services.directory, logger, config.TRUST_UNVERIFIED_TEAMS_IDENTITY);
  const language = new LanguageChoice(conversationState, userState, services.languages);
  const deps: DialogDeps = {
    registration: services.registration,
    pinReset,
    unlock: services.unlock,
    codes: services.codes,
    messages: services.messages,
    policy: services.policy,
    signedIn,
    language,
    smsAvailable: async () => !(await services.sms.ceiling.reached()),
    waitingForCode: (context, challengeId, notice) => smsAdapter.expectCode(context, challengeId, notice),
    desk: { ...services.desk, state: conversationState.createProperty('Desk') },
  };
  const bot = new PinResetBot(conversationState, userState, new MainDialog(deps), deps, {
    allowedTenantIds: config.ALLOWED_TENANT_IDS,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    onTenantRefused: (tenant) => services.audit.record('teams.tenant_refused', { channel: TEAMS }, 'fail', tenant ? { tenant } : undefined),
  });

  const authentication = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: config.MicrosoftAppId,
    MicrosoftAppPassword: config.MicrosoftAppPassword,
    MicrosoftAppType: config.MicrosoftAppType,
    MicrosoftAppTenantId: config.MicrosoftAppTenantId,
  });
  const adapter = new CloudAdapter(authentication);
  const smsAdapter = new SmsAdapter(services.sms.sender, logger, config.PUBLIC_BASE_URL, services.clock, async (id) => (await services.codes.get(id))?.delivery === 'failed');
  // A user waiting on SMS for a code that was not delivered is told so at once.
  services.codes.onUndelivered((challenge) =>
    services.background.run('undelivered-code notice', () => smsAdapter.codeUndelivered(challenge.id)),
  );
  const onTurnError = async (context: TurnContext, error: Error) => {
    const activity = context.activity;
    if (isStoreUnavailable(error)) {
      // The database is down: nothing was changed, and the user's place in the flow is kept for when it is back.
      logger.error({ err: { name: error.name, message: error.message }, channel: activity.channelId }, 'turn failed: the store is unavailable');
      await say(deps, context, 'store.unavailable').catch((sendError: unknown) => logger.error({ err: sendError }, 'could not send the apology'));
      return;
    }
    const unreachable = directoryUnavailableIn(error);
    if (unreachable) {
      // Not a fault of the turn: the user hears "try again in a few minutes" and keeps their place
      // (the turn's state was not saved, so the same question is still open).
      logger.warn({ reason: unreachable.reason, channel: activity.channelId }, 'a turn could not reach the directory');
      await services.audit.record('directory.unreachable', { channel: activity.channelId }, 'fail', { during: 'chat' });
      await say(deps, context, 'directory.unavailable').catch((err: unknown) => logger.error({ err }, 'could not send the apology'));
      return;
    }
    logger.error({ err: error, channel: activity.channelId, conversation: activity.conversation?.id, activityType: activity.type }, 'turn failed');
    await services.audit.record('turn.error', { channel: activity.channelId }, 'fail', { error: error.name });
    try {
      await say(deps, context, 'turnError');
    } catch (sendError) {
      logger.error({ err: sendError }, 'could not send the apology');
    }
    // Start the user over rather than leave them in a broken state.
    await conversationState.delete(context).catch((err: unknown) => logger.error({ err }, 'could not clear conversation state'));
  };
  // SMS conversations (ours on /api/sms, and Azure's Twilio channel on /api/messages) read alike.
  const smsRendering = new SmsRendering(conversationState.createProperty<string[]>('SmsOptions'), logger);
  const smsConventions = new SmsConventions(services.sms.optOuts, conversationState, deps);
  // Both states a turn loads, read in one store lookup at its start.
  const prefetchState = {
    onTurn: (context: TurnContext, next: () => Promise<void>) => {
      const key = (state: ConversationState | UserState) => {
        try {
          return state.getStorageKey(context);
        } catch {
          return undefined; // an activity without a conversation or user: nothing to read ahead
        }
      };
      return storage.prefetching([key(conversationState), key(userState)], next);
    },
  };
  for (const channelAdapter of [adapter, smsAdapter]) {
    channelAdapter.use(prefetchState, smsRendering, smsConventions);
    channelAdapter.onTurnError = onTurnError;
  }
  // Teams conversations are kept for the registration campaign's reminders. Inside the turn, not as
  // adapter middleware: middleware runs before the turn is marked token-verified, so it would ask
  // for the signed-in identity too early and get none.
  const keeper = new TeamsConversationKeeper(services.desk.conversations, signedIn, config.ALLOWED_TENANT_IDS, logger);
  const messagesTurn = { run: (context: TurnContext) => keeper.onTurn(context, () => bot.run(context)) };

  const checkToken = config.MicrosoftAppId ? botTokenCheck(authentication, config.MicrosoftAppId, logger, services.clock, botTokenTimeoutMs) : undefined;
  const http = createHttpServer({ services, adapter, bot: messagesTurn, smsBot: bot, pinReset, smsAdapter, ...(checkToken ? { checkToken } : {}), ...(pageFiles ? { pageFiles } : {}) });
  // With PostgreSQL the admin CLI talks to the database itself; the socket serves lowdb's single writer.
  const adminSocket = services.store.kind === 'lowdb' ? await startAdminSocket(services.dataDir, services, logger) : undefined;

  let closing: Promise<void> | null = null;
  return {
    services,
    listen: (port = config.PORT, host = config.HOST) =>
      new Promise<number>((resolve, reject) => {
        http.server.once('error', reject);
        http.server.listen(port, host, () => resolve((http.server.address() as AddressInfo).port));
      }),
    close: () =>
      (closing ??= (async () => {
        http.stopAccepting();
        const closed = new Promise<void>((resolve) => http.server.close(() => resolve()));
        const deadline = Date.now() + 10_000;
        while (http.inFlight() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        await adminSocket?.close();
        await services.close();
        await Promise.race([closed, new Promise((r) => setTimeout(r, 1000))]);
      })()),
  };
}

/** The DirectoryUnavailableError behind a turn's error (botbuilder-dialogs wraps errors in DialogContextError, as `error`). */
function directoryUnavailableIn(error: unknown): DirectoryUnavailableError | undefined {
  for (let e = error, depth = 0; e && depth < 10; e = (e as { error?: unknown }).error, depth++) {
    if (e instanceof DirectoryUnavailableError) return e;
  }
  return undefined;
}
