import { afterAll, describe, expect, it } from '@jest/globals';
import { createDataSource, MIGRATIONS, newId, runMigrations } from '@plinth/core';
import { DataSource } from 'typeorm';
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

  it('key existing OIDC identities by the issuer their collection names (issue 16)', async () => {
    const old = await createTestDatabase({ empty: true });
    try {
      // The schema as it was before identities had an issuer, with rows linked then.
      const before = MIGRATIONS.slice(
        0,
        MIGRATIONS.findIndex((m) => m.name === 'ExternalIdentityIssuer1796630000000'),
      );
      const ds = new DataSource({ ...createDataSource(old.url).options, migrations: before } as never);
      await ds.initialize();
      await runMigrations(ds);
      await ds.destroy();
      const named = newId();
      const fromEnv = newId();
      const oauth2 = (issuer?: string) =>
        JSON.stringify({ oauth2: { enabled: true, providers: [{ name: 'oidc', clientId: 'c', issuer }] } });
      await old.query(
        `INSERT INTO plinth.collection (id, name, type, options) VALUES ($1, 'people', 'auth', $2), ($3, 'staff', 'auth', $4)`,
        [named, oauth2('https://idp.example/realms/x/'), fromEnv, oauth2()],
      );
      const identity = (collection: string, provider: string, sub: string) =>
        old.query(
          `INSERT INTO plinth.external_identity (id, collection_id, record_id, provider, provider_user_id)
           VALUES ($1, $2, $3, $4, $5)`,
          [newId(), collection, newId(), provider, sub],
        );
      await identity(named, 'oidc', 'a');
      await identity(named, 'google', 'b');
      await identity(fromEnv, 'oidc', 'c');

      const after = createDataSource(old.url);
      await after.initialize();
      expect(await runMigrations(after)).toEqual([
        'ExternalIdentityIssuer1796630000000',
        ...MIGRATIONS.slice(before.length + 1).map((m) => m.name),
      ]);
      await after.destroy();
      const { rows } = await old.query(
        'SELECT provider, provider_user_id AS sub, issuer FROM plinth.external_identity ORDER BY provider_user_id',
      );
      expect(rows).toEqual([
        { provider: 'oidc', sub: 'a', issuer: 'https://idp.example/realms/x' },
        { provider: 'google', sub: 'b', issuer: '' },
        { provider: 'oidc', sub: 'c', issuer: null },
      ]);
    } finally {
      await old.drop();
    }
  });
});
