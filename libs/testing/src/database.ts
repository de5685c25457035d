import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The migrated template of this test run, made by global-setup.mjs. */
export function templateDatabase(): string {
  const name = process.env.PLINTH_TEST_TEMPLATE;
  if (!name)
    throw new Error('PLINTH_TEST_TEMPLATE is not set: run the int/e2e tests through jest (global setup).');
  return name;
}

export function adminDatabaseUrl(): string {
  return process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export function databaseUrl(name: string): string {
  const url = new URL(adminDatabaseUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminDatabaseUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  /** A client on this database for assertions; closed by drop(). */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params?: unknown[],
  ): Promise<pg.QueryResult<R>>;
  drop(): Promise<void>;
}

/**
 * A fresh database for one test file: a copy of the migrated template (the default), or an
 * empty one (`{ empty: true }`) for tests of migrations themselves.
 */
export async function createTestDatabase(opts: { empty?: boolean } = {}): Promise<TestDatabase> {
  const name = `plinth_t_${Math.floor(Date.now() / 1000)}_${randomBytes(6).toString('hex')}`;
  await withAdmin((c) =>
    c.query(`CREATE DATABASE "${name}"${opts.empty ? '' : ` TEMPLATE "${templateDatabase()}"`}`),
  );
  const url = databaseUrl(name);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on('error', () => undefined);
  return {
    name,
    url,
    query: (sql, params) => pool.query(sql, params),
    drop: async () => {
      await pool.end();
      await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
