import { DataSource } from 'typeorm';
import { MIGRATIONS } from './migrations/index.js';

/** Advisory lock key for migrations: several replicas booting together migrate one at a time. */
const MIGRATION_LOCK = 0x706c696e; // "plin"

export function createDataSource(
  url: string,
  opts: { poolSize?: number; applicationName?: string } = {},
): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    schema: 'plinth',
    // No entities: repositories write their SQL (docs/decisions/typeorm.md).
    entities: [],
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsRun: false,
    synchronize: false,
    logging: false,
    poolSize: opts.poolSize ?? 20,
    applicationName: opts.applicationName ?? 'plinth',
    extra: {
      // Fail fast instead of hanging when PostgreSQL is down (answers 503 DATABASE_UNAVAILABLE).
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30000,
      keepAlive: true,
    },
  });
}

/**
 * Creates the `plinth` and `data` schemas and runs pending migrations, holding a PostgreSQL
 * advisory lock so that replicas starting at the same moment never race.
 * Returns the names of the migrations this call applied.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await runner.query('CREATE SCHEMA IF NOT EXISTS plinth');
    await runner.query('CREATE SCHEMA IF NOT EXISTS data');
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}
