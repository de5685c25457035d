import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { JobsService } from '@plinth/jobs';
import {
  createRedisPrefix,
  createTestDatabase,
  eventually,
  spawnBuilt,
  testRedisUrl,
  type Spawned,
  type TestDatabase,
} from '@plinth/testing';
import { startApp, TEST_SECRET, type TestApp } from './support/start-app.js';
import { startWorker } from './support/worker.js';

async function seedTokens(db: TestDatabase): Promise<void> {
  await db.query(
    `INSERT INTO plinth.one_time_token (id, purpose, token_hash, expires_at) VALUES
       ($1, 'test', $2, now() - interval '1 minute'),
       ($3, 'test', $4, now() + interval '1 hour')`,
    [randomUUID(), 'expired-' + randomUUID(), randomUUID(), 'valid-' + randomUUID()],
  );
}

// Only this test's tokens: the server adds its own (e.g. the first-admin setup token).
const remaining = async (db: TestDatabase) =>
  (
    await db.query<{ token_hash: string }>(
      "SELECT token_hash FROM plinth.one_time_token WHERE purpose = 'test'",
    )
  ).rows.map((r) => r.token_hash.split('-')[0]);

describe('maintenance.cleanup enqueued by the server', () => {
  let db: TestDatabase;
  const redis = createRedisPrefix();
  let app: TestApp | undefined;
  let worker: Spawned | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    if (worker && worker.child.exitCode === null) {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
  });
  afterAll(async () => {
    await db.drop();
    await redis.cleanup();
  });

  it('runs inside the server when PLINTH_WORKERS=inline', async () => {
    await db.query("DELETE FROM plinth.one_time_token WHERE purpose = 'test'");
    await seedTokens(db);
    app = await startApp({
      databaseUrl: db.url,
      redisPrefix: redis.prefix,
      env: { PLINTH_WORKERS: 'inline' },
    });
    await app.app.get(JobsService).enqueue('maintenance.cleanup', { reason: 'manual' });
    await eventually(async () => (await remaining(db)).join() === 'valid');
    expect(await remaining(db)).toEqual(['valid']);
  });

  it('waits for a separate worker process when PLINTH_WORKERS=off, which then runs it', async () => {
    await db.query("DELETE FROM plinth.one_time_token WHERE purpose = 'test'");
    await seedTokens(db);
    app = await startApp({ databaseUrl: db.url, redisPrefix: redis.prefix, env: { PLINTH_WORKERS: 'off' } });
    await app.app.get(JobsService).enqueue('maintenance.cleanup', { reason: 'manual' });

    // No consumer yet: the job waits in Redis and nothing is deleted.
    const queue = app.app.get(JobsService).queue('maintenance');
    expect(await queue.getWaitingCount()).toBeGreaterThanOrEqual(1);
    expect(await queue.getActiveCount()).toBe(0);
    expect((await remaining(db)).sort()).toEqual(['expired', 'valid']);

    const proc = (worker = await startWorker({ databaseUrl: db.url, redisPrefix: redis.prefix }));
    await eventually(async () => (await remaining(db)).join() === 'valid', 15_000);
    expect(await remaining(db)).toEqual(['valid']);

    proc.child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);
  });

  it('refuses to start a worker without DATABASE_URL, saying why', async () => {
    const proc = spawnBuilt('worker', { REDIS_URL: testRedisUrl(), PLINTH_SECRET: TEST_SECRET });
    const { code } = await proc.exited;
    expect(code).toBe(1);
    expect(proc.output()).toContain('DATABASE_URL');
  });
});
