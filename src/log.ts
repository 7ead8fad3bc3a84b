import { pino, stdSerializers, destination as pinoDestination } from 'pino';
import type { AppConfig } from './config/schema.js';
import type { Logger } from './ports/logger.js';

/** Keys whose values are never written to a log, wherever they appear. */
const REDACT = ['code', 'pin', 'confirm', 'token', 'password', 'secret', 'text', 'body', 'authorization', 'cookie', 'csrf'];

export function createLogger(config: Pick<AppConfig, 'LOG_LEVEL'>, destination?: NodeJS.WritableStream): Logger {
  const paths = REDACT.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]).concat(['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-twilio-signature"]']);
  return pino(
    {
      level: config.LOG_LEVEL,
      base: { service: 'pin-reset-bot' },
      redact: { paths, censor: '[redacted]' },
      serializers: { err: stdSerializers.err },
    },
    destination ?? pinoDestination({ sync: true }),
  );
}
