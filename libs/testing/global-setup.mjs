// Jest global setup for the int and e2e projects: checks PostgreSQL and Redis answer, drops test
// databases left by runs that crashed hours ago, and migrates this run's template database once.
// It imports the compiled migrations from dist/ (npm test builds first), so it is plain JavaScript.
import pg from 'pg';
import { Redis } from 'ioredis';
import { createDataSource, runMigrations } from '../../dist/libs/core/src/index.js';

const STALE_AFTER_SECONDS = 3 * 3600;

export default async function globalSetup() {
  if (process.env.PLINTH_TEST_TEMPLATE) return;
  const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = new pg.Client({ connectionString: adminUrl });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(
      `Tests need PostgreSQL at ${adminUrl} (${err.message}). Start it or set TEST_DATABASE_URL.`,
      {
        cause: err,
      },
    );
  }
  const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(`Tests need Redis at ${redisUrl} (${err.message}). Start it or set TEST_REDIS_URL.`, {
      cause: err,
    });
  } finally {
    redis.disconnect();
  }

  // Names carry their creation time (plinth_t_<epoch>_...), so concurrent runs keep their own.
  const now = Math.floor(Date.now() / 1000);
  const { rows } = await admin.query("SELECT datname FROM pg_database WHERE datname ~ '^plinth_t_[0-9]+_'");
  for (const { datname } of rows) {
    const created = Number(datname.split('_')[2]);
    if (now - created > STALE_AFTER_SECONDS)
      await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  }

  const template = `plinth_t_${now}_template_${process.pid}`;
  await admin.query(`CREATE DATABASE "${template}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${template}`;
  const ds = createDataSource(url.toString(), { poolSize: 2, applicationName: 'plinth-test-setup' });
  await ds.initialize();
  await runMigrations(ds);
  await ds.destroy();
  await admin.end();
  // Inherited by the test workers Jest starts after this.
  process.env.PLINTH_TEST_TEMPLATE = template;
}
