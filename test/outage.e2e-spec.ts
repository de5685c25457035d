import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { createTestDatabase, eventually, freePort, type TestDatabase } from '@plinth/testing';
import { expectProblem } from './support/problem.js';
import { startApp, type TestApp } from './support/start-app.js';

function startRedis(port: number): ChildProcess {
  return spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
}

/** Whether a Redis answers PING on this port (one short-lived client). */
async function redisAnswers(port: number): Promise<boolean> {
  const client = new Redis(port, '127.0.0.1', {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } finally {
    client.disconnect();
  }
}

describe('Redis outage', () => {
  let db: TestDatabase;
  let app: TestApp;
  let redis: ChildProcess;
  let port: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    port = await freePort();
    redis = startRedis(port);
    await eventually(() => redisAnswers(port));
    app = await startApp({
      databaseUrl: db.url,
      redisPrefix: 'outage',
      env: { REDIS_URL: `redis://127.0.0.1:${port}`, PLINTH_WORKERS: 'off' },
    });
  });
  afterAll(async () => {
    await app?.close();
    redis?.kill('SIGKILL');
    await db?.drop();
  });

  it('turns /api/ready to 503 naming Redis while /api/health stays 200, and recovers by itself', async () => {
    expect((await app.fetch('/api/ready')).status).toBe(200);

    redis.kill('SIGKILL');
    await new Promise((r) => redis.once('exit', r));
    const res = await eventually<Response | null>(async () => {
      const r = await app.fetch('/api/ready');
      return r.status === 503 ? r : null;
    });
    expect(res!.headers.get('retry-after')).toBeTruthy();
    const body = await expectProblem(res!, 503, 'NOT_READY');
    expect(body.checks).toEqual({ postgres: 'ok', redis: 'unavailable' });
    expect(body.detail).toMatch(/Redis/);
    expect((await app.fetch('/api/health')).status).toBe(200);

    redis = startRedis(port);
    await eventually(async () => (await app.fetch('/api/ready')).status === 200, 15_000);
  });
});
