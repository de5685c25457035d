import type { Pool, PoolClient, QueryConfig, QueryResult, QueryResultRow } from 'pg';
import { RECORD_TYPES } from './record-sql.js';

/** A pool or a client inside a transaction. */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(text: string, params?: unknown[]): Promise<QueryResult<R>>;
  query<R extends QueryResultRow = QueryResultRow>(config: QueryConfig): Promise<QueryResult<R>>;
}

/** A query on records' tables: timestamps come back as the API's ISO strings (RECORD_TYPES). */
export function recordQuery<R extends QueryResultRow = QueryResultRow>(
  db: Queryable,
  text: string,
  values: unknown[],
): Promise<QueryResult<R>> {
  return db.query<R>({ text, values, types: RECORD_TYPES });
}

export async function withTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
