import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { DynamicModule, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Metrics, ProblemFilter, quietNestBootLogs, redactUrl, type ResolvedConfig } from '@plinth/core';
import { Logger } from 'nestjs-pino';
import type { Logger as PinoLogger } from 'pino';
import { AppModule } from './app.module.js';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:@+=-]{1,128}$/;

/** Builds the HTTP app (not yet listening): used by main.ts and by the e2e harness. */
export async function createServer(
  config: ResolvedConfig,
  logger: PinoLogger,
  opts: { imports?: Array<Type | DynamicModule> } = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    logger: false,
    bodyLimit: config.http.bodyLimit,
    requestTimeout: config.http.requestTimeoutMs,
    connectionTimeout: config.http.requestTimeoutMs + 5000,
    keepAliveTimeout: config.http.keepAliveTimeoutMs,
    trustProxy: config.http.trustProxy,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    requestIdHeader: false,
    genReqId: (req: IncomingMessage) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
      return id;
    },
  });

  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, logger, opts.imports),
    adapter,
    {
      bufferLogs: true,
      bodyParser: false,
      abortOnError: false,
    },
  );
  app.useLogger(quietNestBootLogs(app.get(Logger)));
  app.useGlobalFilters(new ProblemFilter());
  app.enableCors({
    origin: config.http.corsOrigins === '*' ? true : config.http.corsOrigins,
    exposedHeaders: ['x-request-id', 'retry-after'],
    maxAge: 600,
  });

  const fastify = app.getHttpAdapter().getInstance();
  const metrics = app.get(Metrics);
  fastify.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  const requestLog = logger.child({ component: 'http' });
  const quiet = new Set(['/api/health', '/api/ready', '/metrics']);
  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    if (quiet.has(route)) return;
    requestLog[reply.statusCode >= 500 ? 'error' : 'info'](
      {
        requestId: request.id,
        method: request.method,
        url: redactUrl(request.url),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        ip: request.ip,
      },
      'request',
    );
  });

  await app.init();
  return app;
}
