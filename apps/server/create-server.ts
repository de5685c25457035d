import { randomUUID } from 'node:crypto';
import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { DynamicModule, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  fastifyTrustProxy,
  Lifecycle,
  Maintenance,
  makeProblem,
  Metrics,
  PROBLEM_CONTENT_TYPE,
  ProblemFilter,
  sendProblem,
  quietNestBootLogs,
  redactUrl,
  type ResolvedConfig,
} from '@plinth/core';
import { Logger } from 'nestjs-pino';
import type { Logger as PinoLogger } from 'pino';
import { registerMultipart } from '@plinth/storage';
import { CollectionsRegistry } from '@plinth/collections';
import { RequestLogWriter } from '@plinth/logs';
import { registerSite, SiteService } from '@plinth/hosting';
import { AppModule } from './app.module.js';
import { setupOpenApi } from './openapi/openapi-setup.js';
import { PLINTH_VERSION } from './version.js';
import { registerConsole } from './console-static.js';
import { acceptBodylessRequests } from './bodyless-requests.js';
import { registerAccountPages } from './account-pages.js';

/**
 * Errors Node's HTTP parser finds before Fastify sees a request (headers or URL over 16 KiB,
 * garbage on the wire) still get a problem+json answer.
 */
function writeClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : 400;
  const detail = tooLarge
    ? 'The URL or the headers are larger than 16 KiB. Send long filters in shorter form, or split the request.'
    : 'The request could not be parsed as HTTP.';
  const body = JSON.stringify(
    makeProblem(tooLarge ? 'HEADERS_TOO_LARGE' : 'BAD_REQUEST', status, detail, randomUUID()),
  );
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
}

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
    trustProxy: fastifyTrustProxy(config.http.trustProxy),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    requestIdHeader: false,
    // Long ids and names reach our routes (which answer 404/400 in problem+json) instead of a bare 414.
    routerOptions: { maxParamLength: 2048 },
    clientErrorHandler: writeClientError,
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
    // @fastify/cors 11 allows only GET, HEAD and POST by default: apps on other origins update and delete too.
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    exposedHeaders: ['x-request-id', 'retry-after'],
    maxAge: 600,
  });

  await registerMultipart(app, config); // multipart/form-data record uploads (libs/storage)
  const fastify = app.getHttpAdapter().getInstance();
  registerConsole(fastify); // the admin console at /_/
  acceptBodylessRequests(fastify);
  registerAccountPages(fastify, config, app.get(CollectionsRegistry)); // pages the account mails link to
  registerSite(fastify, app.get(SiteService)); // the app's own web front end at / (never over the routes above)
  const metrics = app.get(Metrics);
  const lifecycle = app.get(Lifecycle);
  // While a restore replaces the install (on any replica), everything but liveness answers 503.
  const maintenance = app.get(Maintenance);
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!maintenance.active || request.url.startsWith('/api/health')) return done();
    const err = maintenance.problem();
    sendProblem(reply, makeProblem(err.code, err.status, err.detail, request.id), err.extra.headers);
  });
  // Callback-style hooks: an async hook costs a promise per request on every route.
  fastify.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    if (lifecycle.shuttingDown) reply.header('connection', 'close');
    done(null, payload);
  });
  const requestLogs = app.get(RequestLogWriter); // GET /api/logs: buffered, written off the request path
  const requestLog = logger.child({ component: 'http' });
  const quiet = new Set(['/api/health', '/api/ready', '/metrics']);
  const logRequest = (request: FastifyRequest, reply: FastifyReply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    requestLogs.record(request, reply);
    const level = reply.statusCode >= 500 ? 'error' : 'info';
    if (quiet.has(route) || !requestLog.isLevelEnabled(level)) return;
    requestLog[level](
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
  };
  fastify.addHook('onResponse', (request, reply, done) => {
    try {
      logRequest(request, reply);
    } finally {
      done();
    }
  });

  setupOpenApi(app, PLINTH_VERSION);
  await app.init();
  return app;
}
