import { afterAll, describe, expect, it } from '@jest/globals';
import { MIGRATIONS } from '@plinth/core';
import { createRedisPrefix, createTestDatabase, type TestDatabase } from '@plinth/testing';
import { startApp } from './support/start-app.js';

describe('migrations at boot', () => {
  let db: TestDatabase;
  const redis = createRedisPrefix();
  afterAll(async () => {
    await db?.drop();
    await redis.cleanup();
  });

  it('run exactly once when two servers start on an empty database at the same moment', async () => {
    db = await createTestDatabase({ empty: true });
    const apps = await Promise.all(
      [1, 2].map(() =>
        startApp({ databaseUrl: db.url, redisPrefix: redis.prefix, env: { PLINTH_WORKERS: 'off' } }),
      ),
    );
    try {
      for (const app of apps) expect((await app.fetch('/api/ready')).status).toBe(200);
      const { rows } = await db.query<{ name: string; n: number }>(
        'SELECT name, count(*)::int AS n FROM plinth.migrations GROUP BY name ORDER BY min(timestamp)',
      );
      expect(rows).toEqual(MIGRATIONS.map((m) => ({ name: m.name, n: 1 })));
      const tables = await db.query("SELECT to_regclass('plinth.one_time_token') AS t");
      expect(tables.rows[0].t).toBe('plinth.one_time_token');
    } finally {
      await Promise.all(apps.map((a) => a.close()));
    }
  });
});
