import type { LoggerService } from '@nestjs/common';

/** Nest's boot chatter (one line per module and route) goes to debug, so `info` stays readable. */
const NOISY_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
]);

export function quietNestBootLogs<T extends LoggerService>(logger: T): T {
  const log = logger.log.bind(logger);
  const debug = logger.debug?.bind(logger) ?? (() => undefined);
  logger.log = (message: unknown, ...rest: unknown[]) =>
    NOISY_CONTEXTS.has(String(rest.at(-1))) ? debug(message, ...rest) : log(message, ...rest);
  return logger;
}
