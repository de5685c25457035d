import pg from 'pg';

/** Drops this run's template database (test files drop their own databases). */
export default async function globalTeardown() {
  const template = process.env.PLINTH_TEST_TEMPLATE;
  if (!template) return;
  const admin = new pg.Client({
    connectionString: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
  await admin.end();
  delete process.env.PLINTH_TEST_TEMPLATE;
}
