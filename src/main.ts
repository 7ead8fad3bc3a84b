import { loadConfig, ConfigError } from './config/load.js';
import { StoreError } from './adapters/store/errors.js';
import { createApp } from './index.js';

/** Starts the bot; operator-fixable problems print a clear message and exit 1, never a stack trace. */
async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  const port = await app.listen();
  app.services.logger.info({ port, dataDir: app.services.dataDir, sms: config.SMS_TRANSPORT, mail: config.SMTP_URL ? 'smtp' : 'outbox' }, `pin-reset-bot listening on http://localhost:${port}/api/messages`);

  const stop = (signal: string) => {
    app.services.logger.info({ signal }, 'shutting down');
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.services.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof StoreError) {
    process.stderr.write(`pin-reset-bot cannot start.\n${err.message}\n`);
  } else {
    process.stderr.write(`pin-reset-bot cannot start: ${(err as Error)?.message ?? String(err)}\n`);
  }
  process.exit(1);
});
