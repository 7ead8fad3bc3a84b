import restify, { type Request, type Response, type Server } from 'restify';
import type { Activity, CloudAdapter, TurnContext } from 'botbuilder';
import type { Services } from '../services.js';
import type { PinReset } from '../domain/pinReset.js';
import { PAGE_HEADERS } from './linkPage.js';
import { registerResetPage } from './resetPage.js';
import { registerPageScripts, type BuiltFileReader } from './pageScripts.js';
import { markTokenVerified, type BotTokenCheck } from '../bot/botToken.js';
import { registerUnlockPage } from './unlockPage.js';
import { registerSmsRoutes } from '../channels/sms/smsWebhook.js';
import type { SmsAdapter } from '../channels/sms/smsAdapter.js';
import { clientAddress, RateLimiter, sendTooMany } from './rateLimit.js';
import { isStoreUnavailable } from '../ports/store.js';

export interface HttpDeps {
  services: Services;
  adapter: CloudAdapter;
  /** Runs a turn that came to /api/messages (once it is known whether its token was verified). */
  bot: TurnRunner;
  /** Runs a turn that came through the Twilio webhook. */
  smsBot: TurnRunner;
  pinReset: PinReset;
  /** Verifies the Bot Framework token when MicrosoftAppId is set. */
  checkToken?: BotTokenCheck;
  smsAdapter: SmsAdapter;
  /** Reads the PIN page's built scripts (default: from the build's output, dist/static). */
  pageFiles?: BuiltFileReader;
}

/**
 * The HTTP surface (DESIGN.md contract): /api/messages for Bot Framework activities and /healthz.
 * Requests in flight are counted so that shutdown can let them finish.
 */
export interface HttpSurface {
  server: Server;
  /** Requests being handled now. */
  inFlight(): number;
  /** New requests get 503 from now on, while those in flight finish. */
  stopAccepting(): void;
}

/** What takes a turn: the bot, possibly with work of its own around it. */
export interface TurnRunner {
  run(context: TurnContext): Promise<void>;
}

export function createHttpServer({ services, adapter, bot, smsBot, pinReset, checkToken, smsAdapter, pageFiles }: HttpDeps): HttpSurface {
  const server = restify.createServer({ name: 'pin-reset-bot', handleUncaughtExceptions: false });
  let inFlight = 0;
  let accepting = true;
  const { config, clock } = services;
  const minute = (limit: number) => new RateLimiter({ limit, windowMs: 60_000, clock });
  const messagesPerIp = minute(config.MESSAGES_PER_IP_PER_MINUTE);
  const messagesPerConversation = minute(config.MESSAGES_PER_CONVERSATION_PER_MINUTE);
  // Twilio's webhooks come from a few addresses, like Teams'; the per-number limit on /api/sms does the real work.
  const smsPerIp = minute(config.MESSAGES_PER_IP_PER_MINUTE);
  const pinPagePerIp = minute(config.PIN_PAGE_REQUESTS_PER_IP_PER_MINUTE);
  const addressOf = (req: Request) => clientAddress(req, config.TRUSTED_PROXY_HOPS);

  server.pre((req: Request, res: Response, next: restify.Next) => {
    // Every response, the SDK's and restify's own errors included, carries the page's security headers.
    for (const [name, value] of Object.entries(PAGE_HEADERS)) res.setHeader(name, value);
    if (!accepting) {
      res.setHeader('Connection', 'close');
      res.send(503, { code: 'ShuttingDown', message: 'The service is restarting; try again in a moment.' });
      return next(false);
    }
    inFlight++;
    res.once('close', () => inFlight--);
    return next();
  });
  // Per-IP flood limits on the chat endpoints, before the body is read (and, for SMS, before the signature is checked).
  server.pre((req: Request, res: Response, next: restify.Next) => {
    const path = req.getPath();
    const limiter = /^\/api\/messages\/?$/.test(path) ? messagesPerIp : /^\/api\/sms(\/status)?\/?$/.test(path) ? smsPerIp : undefined;
    if (!limiter) return next();
    const decision = limiter.take(addressOf(req));
    if (decision.allowed) return next();
    sendTooMany(res, decision, 'Too many requests from this address.');
    return next(false);
  });
  // Without MicrosoftAppId nothing on /api/messages is authenticated, so only this machine may use it
  // (the terminal chat, the Emulator). Judged by the socket, never X-Forwarded-For, which anyone can write.
  server.pre((req: Request, res: Response, next: restify.Next) => {
    if (config.MicrosoftAppId || !/^\/api\/messages\/?$/.test(req.getPath()) || isLoopback(req.socket.remoteAddress)) return next();
    res.send(401, { code: 'Unauthorized', message: LOCAL_ONLY });
    return next(false);
  });
  server.pre((req: Request, res: Response, next: restify.Next) => {
    // restify inflates gzip bodies unbounded and without an error handler (a bad one crashed the
    // process); no client of ours compresses what it sends.
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
      res.send(415, { code: 'UnsupportedMediaType', message: 'Compressed request bodies are not accepted; send the body uncompressed.' });
      return next(false);
    }
    // Nothing here takes uploads; restify would hand multipart bodies to formidable and temp files.
    if (/^\s*multipart\//i.test(req.headers['content-type'] ?? '')) {
      res.send(415, { code: 'UnsupportedMediaType', message: 'Multipart bodies are not accepted; send JSON or a URL-encoded form.' });
      return next(false);
    }
    return next();
  });
  server.use(restify.plugins.queryParser({ mapParams: false }));
  server.use(restify.plugins.bodyParser({ maxBodySize: services.config.MAX_BODY_BYTES, mapParams: false, mapFiles: false, keepExtensions: false }));

  server.use((req: Request, res: Response, next: restify.Next) => {
    // restify decodes bodies leniently, turning bad bytes into U+FFFD; no real client sends that character raw.
    const raw = (req as Request & { rawBody?: unknown }).rawBody;
    if (typeof raw !== 'string' || !raw.includes('\uFFFD')) return next();
    res.send(400, { code: 'BadRequest', message: 'The body is not valid UTF-8.' });
    return next(false);
  });

  server.post('/api/messages', async (req: Request, res: Response) => {
    if (!req.is('json')) {
      res.send(415, { code: 'UnsupportedMediaType', message: 'Send the activity as application/json.' });
      return;
    }
    if (typeof req.body !== 'object' || req.body === null || typeof (req.body as { type?: unknown }).type !== 'string') {
      res.send(400, { code: 'BadRequest', message: 'The body must be a Bot Framework activity with a "type".' });
      return;
    }
    const missing = missingActivityFields(req.body as Record<string, unknown>);
    if (missing.length > 0) {
      // The SDK would fail on these mid-turn with a 500 (and echo its error text).
      res.send(400, { code: 'BadRequest', message: `The activity lacks ${missing.join(', ')}.` });
      return;
    }
    const verified = services.config.MicrosoftAppId !== undefined && checkToken !== undefined && (await checkToken(req.body as Activity, req.headers.authorization ?? ''));
    if (services.config.MicrosoftAppId && !verified) {
      // Refused here rather than by the SDK, which prints a stack trace for every probe and answers
      // 500 when it cannot reach the signing keys.
      res.send(401, { code: 'Unauthorized', message: 'A valid Bot Framework token is required.' });
      return;
    }
    if (!verified && (req.body as Activity).channelId === SMS_CHANNEL) {
      // Only the Azure Bot Service Twilio channel posts sms activities here, always with a token.
      res.send(401, { code: 'Unauthorized', message: SMS_NEEDS_TOKEN });
      return;
    }
    // Counted after the token check (when one is required); the per-IP limit above bounds the rest.
    const perConversation = messagesPerConversation.take((req.body as { conversation: { id: string } }).conversation.id);
    if (!perConversation.allowed) {
      sendTooMany(res, perConversation, 'Too many messages in this conversation.');
      return;
    }
    await adapter.process(req, res, (context) => {
      if (verified) markTokenVerified(context);
      return bot.run(context);
    });
  });

  registerResetPage(server, pinReset, services, (req) => pinPagePerIp.take(addressOf(req)));
  registerUnlockPage(server, services.unlock, services, (req) => pinPagePerIp.take(addressOf(req)));
  registerPageScripts(server, services.logger, pageFiles);
  registerSmsRoutes(server, services, smsAdapter, smsBot);

  // 200 while the bot takes turns, even with the directory down (users are then told to try again; the body says which);
  // 503 while the store cannot be reached, so a load balancer sends users to an instance that can serve them.
  const health = async (_req: Request, res: Response) => {
    const store = await services.store.health();
    const directory = services.directory.health();
    if (!store.ok) res.send(503, { status: 'unavailable', store: store.problem, directory });
    else res.send(200, { status: 'ok', directory });
  };
  server.get('/healthz', health);
  server.head('/healthz', health);

  // Never show internals: any unexpected error becomes a plain 500 with no details.
  server.on('restifyError', (req: Request, res: Response, err: Error & { statusCode?: number; body?: unknown; toJSON?: () => unknown }, callback: () => void) => {
    if (isStoreUnavailable(err)) {
      // The database is down (a webhook's store step, say): try again later, never a 500.
      services.logger.error({ err: { name: err.name, message: err.message }, route: req.getRoute()?.path ?? 'unknown', method: req.method }, 'request failed: the store is unavailable');
      err.statusCode = 503;
      res.setHeader('Retry-After', '120');
      err.toJSON = () => ({ code: 'ServiceUnavailable', message: 'The service cannot reach its records just now; nothing was changed. Try again in a few minutes.' });
      return callback();
    }
    const status = err.statusCode ?? 500;
    if (status >= 500) {
      // The path of a PIN page holds its token, so only the route is logged.
      services.logger.error({ err, route: req.getRoute()?.path ?? 'unknown', method: req.method }, 'request failed');
      err.toJSON = () => ({ code: 'InternalError', message: 'Something went wrong on our side.' });
    }
    return callback();
  });

  return {
    server,
    inFlight: () => inFlight,
    stopAccepting: () => {
      accepting = false;
    },
  };
}

const SMS_CHANNEL = 'sms';
const LOCAL_ONLY = 'Without MicrosoftAppId this bot takes activities only from this machine (loopback); set MicrosoftAppId to serve the Bot Framework.';
const SMS_NEEDS_TOKEN = 'An sms activity on /api/messages needs a verified Bot Framework token (the Azure Bot Service Twilio channel); texts to the Twilio number arrive on /api/sms.';

/** Whether a socket's peer is this machine: 127.0.0.0/8 or ::1, also as IPv4-mapped IPv6. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** Fields every Bot Framework activity carries and the SDK relies on, each a non-empty string. */
function missingActivityFields(activity: Record<string, unknown>): string[] {
  const at = (path: string) => path.split('.').reduce<unknown>((v, k) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined), activity);
  return ['channelId', 'serviceUrl', 'conversation.id', 'from.id'].filter((path) => {
    const value = at(path);
    return typeof value !== 'string' || value.length === 0;
  });
}
