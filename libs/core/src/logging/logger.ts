import { pino, Logger as PinoLogger } from 'pino';
import type { PlinthConfig } from '../config/config.js';

/** Paths pino blanks out wherever they appear in a log line. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.passwordConfirm',
  '*.token',
  '*.refreshToken',
  '*.secret',
  '*.clientSecret',
];

/** Hides `token=` and similar query values in URLs that reach a log line. */
export function redactUrl(url: string): string {
  return url.replace(
    /([?&](?:token|code|key|secret|password|refreshToken|clientId)=)[^&#]*/gi,
    '$1[redacted]',
  );
}

export function createLogger(config: Pick<PlinthConfig, 'log'>, name = 'plinth'): PinoLogger {
  return pino({
    name,
    level: config.log.level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    transport:
      config.log.format === 'pretty'
        ? {
            target: 'pino-pretty',
            options: {
              colorize: process.stdout.isTTY,
              translateTime: 'SYS:HH:MM:ss.l',
              ignore: 'pid,hostname',
            },
          }
        : undefined,
  });
}
