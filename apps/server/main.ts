import 'reflect-metadata';
import {
  ConfigError,
  configFromEnvironment,
  createLogger,
  Lifecycle,
  onShutdownSignal,
  prepareRuntime,
  settleWithin,
  type PlinthConfig,
} from '@plinth/core';
import { createServer } from './create-server.js';

const IN_FLIGHT_LIMIT_MS = 10_000;

async function main(): Promise<void> {
  let config: PlinthConfig;
  try {
    config = configFromEnvironment();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(err.message + '\n');
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config);
  const runtime = await prepareRuntime(config, logger, 'server').catch((err: Error) => {
    logger.fatal(err.message);
    return process.exit(1);
  });

  let app;
  try {
    app = await createServer(runtime.config, logger);
    await app.listen({ port: config.http.port, host: config.http.host });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    logger.fatal(
      e.code === 'EADDRINUSE'
        ? `Port ${config.http.port} on ${config.http.host} is taken by another program. Stop it or set PORT to a free port.`
        : { err },
      e.code === 'EADDRINUSE' ? undefined : 'Plinth could not start',
    );
    await app?.close().catch(() => undefined);
    await runtime.stop();
    process.exit(1);
  }
  const server = app;
  logger.info(
    `Plinth is ready at ${config.http.publicUrl} (API under /api)` +
      (config.workers.mode === 'inline' ? ' (workers inline)' : ' (workers off: run the worker separately)'),
  );

  onShutdownSignal(
    async (signal) => {
      logger.info(
        `${signal} received: /api/ready answers 503 now; stopping in ${config.http.shutdownGraceMs} ms`,
      );
      server.get(Lifecycle).beginShutdown();
      await new Promise((r) => setTimeout(r, config.http.shutdownGraceMs));
      // Stops accepting, lets accepted requests finish, then closes workers, queues, pools and Redis.
      const closed = await settleWithin(server.close(), IN_FLIGHT_LIMIT_MS);
      if (!closed) logger.warn('Requests still running after 10 s were cut off');
      await runtime.stop();
      logger.info('Plinth stopped');
      logger.flush();
    },
    (m) => logger.warn(m),
  );
}

void main();
