import 'reflect-metadata';
import { createServer } from 'node:http';
import { NestFactory } from '@nestjs/core';
import {
  ConfigError,
  configFromEnvironment,
  createLogger,
  Metrics,
  onShutdownSignal,
  prepareRuntime,
  quietNestBootLogs,
  settleWithin,
  type PlinthConfig,
} from '@plinth/core';
import { JobsWorker } from '@plinth/jobs';
import { Logger } from 'nestjs-pino';
import { WorkerModule } from './worker.module.js';

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
  const logger = createLogger(config, 'plinth-worker');
  const runtime = await prepareRuntime(config, logger, 'worker').catch((err: Error) => {
    logger.fatal(err.message);
    return process.exit(1);
  });
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(runtime.config, logger), {
    bufferLogs: true,
    abortOnError: false,
  }).catch(async (err: Error) => {
    logger.fatal(err.message);
    await runtime.stop();
    return process.exit(1);
  });
  app.useLogger(quietNestBootLogs(app.get(Logger)));
  await app.init();
  const worker = app.get(JobsWorker);
  const metrics = app.get(Metrics);

  // The worker's only HTTP surface: /health (200 once its queues are consumed, 503 otherwise) and
  // /metrics (Prometheus text of this process's registry: push deliveries, queue depth, process).
  const health = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
      metrics.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': metrics.registry.contentType });
          res.end(req.method === 'HEAD' ? undefined : text);
        },
        (err: Error) => {
          logger.error(`Collecting metrics failed: ${err.message}`);
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ status: 500 }));
        },
      );
      return;
    }
    const ok = path === '/health' && worker.isReady;
    res.writeHead(path === '/health' ? (ok ? 200 : 503) : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(path === '/health' ? { status: ok ? 'ok' : 'starting' } : { status: 404 }));
  });
  await new Promise<void>((resolve, reject) => {
    health.once('error', reject);
    health.listen(config.workers.healthPort, config.http.host, () => resolve());
  }).catch(async (err: NodeJS.ErrnoException) => {
    logger.fatal(
      err.code === 'EADDRINUSE'
        ? `Port ${config.workers.healthPort} is taken. Set PLINTH_WORKER_PORT to a free port.`
        : err.message,
    );
    await app.close();
    await runtime.stop();
    process.exit(1);
  });
  logger.info(
    `Plinth worker is running; health at http://${config.http.host}:${config.workers.healthPort}/health, metrics at /metrics`,
  );

  onShutdownSignal(
    async (signal) => {
      logger.info(`${signal} received: finishing active jobs`);
      health.close();
      await settleWithin(app.close(), 30_000);
      await runtime.stop();
      logger.info('Plinth worker stopped');
      logger.flush();
    },
    (m) => logger.warn(m),
  );
}

void main();
