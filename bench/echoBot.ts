import restify, { type Request, type Response } from 'restify';
import { ActivityHandler, CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import type { AddressInfo } from 'node:net';

/**
 * The baseline for `npm run bench`: a minimal echo bot on the same stack as the real server
 * (restify with the same body parsing, CloudAdapter, ActivityHandler), no state and no store.
 * The bench sends it the same activities, at the same concurrency, as the real bot.
 */
class EchoBot extends ActivityHandler {
  constructor() {
    super();
    this.onMessage(async (context, next) => {
      await context.sendActivity(`You said: ${context.activity.text ?? ''}`);
      await next();
    });
  }
}

const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
const bot = new EchoBot();
const server = restify.createServer({ name: 'echo-bot', handleUncaughtExceptions: false });
server.use(restify.plugins.queryParser({ mapParams: false }));
server.use(restify.plugins.bodyParser({ maxBodySize: 65536, mapParams: false, mapFiles: false, keepExtensions: false }));
server.post('/api/messages', async (req: Request, res: Response) => {
  await adapter.process(req, res, (context) => bot.run(context));
});
server.get('/healthz', (_req: Request, res: Response, next: restify.Next) => {
  res.send(200, { status: 'ok' });
  return next();
});
server.listen(Number(process.env['PORT'] ?? 3979), process.env['HOST'] ?? '127.0.0.1', () => {
  process.stdout.write(`echo bot listening on ${(server.address() as AddressInfo).port}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
