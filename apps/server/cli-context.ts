import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  ConfigError,
  configFromEnvironment,
  createLogger,
  prepareRuntime,
  type ResolvedConfig,
} from '@plinth/core';

/**
 * Runs one CLI command in a Nest context built from the environment: a configuration problem is
 * printed and answers 1; the context and the runtime (embedded PostgreSQL, ...) stop after `work`.
 */
export async function withCliContext(
  moduleFor: (config: ResolvedConfig) => new (...args: never[]) => unknown,
  work: (app: INestApplicationContext) => Promise<number>,
): Promise<number> {
  let config;
  try {
    config = configFromEnvironment();
  } catch (err) {
    process.stderr.write((err instanceof ConfigError ? err.message : String(err)) + '\n');
    return 1;
  }
  const logger = createLogger({ log: { ...config.log, level: 'warn' } });
  const runtime = await prepareRuntime(config, logger, 'cli');
  const app = await NestFactory.createApplicationContext(moduleFor(runtime.config), { logger: ['error'] });
  try {
    return await work(app);
  } finally {
    await app.close();
    await runtime.stop();
  }
}
