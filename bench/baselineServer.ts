import restify, { type Request, type Response } from 'restify';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type TurnContext } from 'botbuilder';
import type { AddressInfo } from 'node:net';

/**
 * Serves a bench baseline bot as the real server serves the bot: restify with the same body
 * parsing, CloudAdapter without credentials, POST /api/messages and GET /healthz, on PORT/HOST.
 */
export function serveBaseline(name: string, run: (context: TurnContext) => Promise<void>): void {
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
  const server = restify.createServer({ name, handleUncaughtExceptions: false });
  server.use(restify.plugins.queryParser({ mapParams: false }));
  server.use(restify.plugins.bodyParser({ maxBodySize: 65536, mapParams: false, mapFiles: false, keepExtensions: false }));
  server.post('/api/messages', async (req: Request, res: Response) => {
    await adapter.process(req, res, run);
  });
  server.get('/healthz', (_req: Request, res: Response, next: restify.Next) => {
    res.send(200, { status: 'ok' });
    return next();
  });
  server.listen(Number(process.env['PORT'] ?? 3979), process.env['HOST'] ?? '127.0.0.1', () => {
    process.stdout.write(`${name} listening on ${(server.address() as AddressInfo).port}\n`);
  });
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}
