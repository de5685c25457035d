import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger, loadConfig, type ResolvedConfig } from '@plinth/core';
import { createRedisPrefix, createTestDatabase, testRedisUrl, type TestDatabase } from '@plinth/testing';
import type { DynamicModule, Type } from '@nestjs/common';
import { createServer } from '../../apps/server/create-server.js';
import { checkAgainstOpenApi, checkRequestAgainstOpenApi } from './openapi-check.js';

/**
 * Every answer a test reads through `t.fetch` (and so `api()`) is checked against the server's own
 * OpenAPI document (issue 8): an undocumented route, status or body shape fails the test.
 */
async function expectDocumented(app: NestFastifyApplication, method: string, path: string, res: Response) {
  const type = res.headers.get('content-type');
  if (type?.includes('text/event-stream')) return;
  const text = type?.includes('json') ? await res.clone().text() : '';
  const wrong = checkAgainstOpenApi(app, method, path, res.status, type, text);
  if (wrong) throw new Error(`OpenAPI mismatch: ${wrong}`);
}

/** Apps started by this test file, by origin, for `documentedFetch`. */
const running = new Map<string, NestFastifyApplication>();

/**
 * A `fetch` for clients given absolute URLs (the SDK): a request to an app started here has its
 * answer checked as `t.fetch` checks it, and a JSON body the app accepted checked against the
 * documented request body. Other URLs are fetched as they are.
 */
export async function documentedFetch(input: string, init?: RequestInit): Promise<Response> {
  const res = await fetch(input, init);
  const app = running.get(new URL(input).origin);
  if (!app) return res;
  const method = init?.method ?? 'GET';
  const { pathname, search } = new URL(input);
  await expectDocumented(app, method, pathname + search, res);
  if (res.ok && typeof init?.body === 'string') {
    const type = new Headers(init.headers).get('content-type');
    const wrong = checkRequestAgainstOpenApi(app, method, pathname + search, type, init.body);
    if (wrong) throw new Error(`OpenAPI mismatch: ${wrong}`);
  }
  return res;
}

export interface TestApp {
  app: NestFastifyApplication;
  url: string;
  config: ResolvedConfig;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export const TEST_SECRET = 'test-secret-that-is-long-enough-for-hkdf-0123456789';

/**
 * Boots the real AppModule on Fastify on a free port against the given database.
 * PLINTH_ALLOW_PRIVATE_ENDPOINTS defaults to true here: the local stand-ins for SMTP, S3, OIDC and
 * FCM/APNs listen on 127.0.0.1. Tests of the private-address check pass 'false'
 * (test/abuse/outbound-urls.e2e-spec.ts).
 */
export async function startApp(opts: {
  databaseUrl: string;
  redisPrefix: string;
  env?: Record<string, string>;
  imports?: Array<Type | DynamicModule>;
}): Promise<TestApp> {
  const base = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    REDIS_URL: testRedisUrl(),
    PLINTH_REDIS_PREFIX: opts.redisPrefix,
    DATABASE_URL: opts.databaseUrl,
    PLINTH_SECRET: TEST_SECRET,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    LOG_FORMAT: 'json',
    PLINTH_SHUTDOWN_GRACE: '0',
    PLINTH_ALLOW_PRIVATE_ENDPOINTS: 'true',
    ...opts.env,
  });
  const config: ResolvedConfig = { ...base, databaseUrl: base.databaseUrl!, secret: base.secret! };
  const app = await createServer(config, createLogger(config), { imports: opts.imports });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  running.set(url, app);
  return {
    app,
    url,
    config,
    fetch: async (path, init) => {
      const res = await fetch(url + path, init);
      await expectDocumented(app, init?.method ?? 'GET', path, res);
      return res;
    },
    close: () => {
      running.delete(url);
      return app.close();
    },
  };
}

/**
 * One database and one Redis prefix for a test file, plus an app on them; `stop` frees all three.
 * `redisPrefix` lets a second server (`startApp`) join the same replica group.
 */
export async function startIsolatedApp(
  opts: { env?: Record<string, string>; imports?: Array<Type | DynamicModule> } = {},
): Promise<TestApp & { db: TestDatabase; redisPrefix: string; stop(): Promise<void> }> {
  const db = await createTestDatabase();
  const redis = createRedisPrefix();
  const app = await startApp({ databaseUrl: db.url, redisPrefix: redis.prefix, ...opts });
  return {
    ...app,
    db,
    redisPrefix: redis.prefix,
    stop: async () => {
      await app.close();
      await db.drop();
      await redis.cleanup();
    },
  };
}
