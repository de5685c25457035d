import pg, { type Pool, type PoolClient, type QueryConfig, type QueryResult, type QueryResultRow } from 'pg';
import type { DataSource } from 'typeorm';
import { AppError } from '../errors/app-error.js';
import { Slots } from './slots.js';

/** The `pg` pool TypeORM's DataSource owns: sign-in, tokens, schema changes, settings and jobs. */
export function poolOf(dataSource: DataSource): Pool {
  return (dataSource.driver as unknown as { master: Pool }).master;
}

export interface RequestPoolOptions {
  size: number;
  statementTimeoutMs: number;
  applicationName: string;
}

/**
 * The connections record requests run on, apart from the DataSource's, so slow record queries can
 * never take the ones sign-in and system work need (issue 16). Every statement runs under
 * `statement_timeout`; list queries hold at most half of the connections, so reads and writes by id
 * always find one; a query whose client went away is cancelled in PostgreSQL.
 */
export class RequestPool {
  readonly pool: Pool;
  readonly statementTimeoutMs: number;
  private readonly lists: Slots;
  private readonly pids = new WeakMap<PoolClient, number>();

  constructor(
    url: string,
    opts: RequestPoolOptions,
    /** Where cancellations are sent from: a connection the busy ones cannot hold. */
    private readonly system: Pool,
  ) {
    this.statementTimeoutMs = opts.statementTimeoutMs;
    this.lists = new Slots(Math.max(1, Math.floor(opts.size / 2)));
    this.pool = new pg.Pool({
      connectionString: url,
      max: opts.size,
      application_name: opts.applicationName,
      statement_timeout: opts.statementTimeoutMs,
      // As the DataSource's: fail fast instead of hanging when PostgreSQL is down.
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30000,
      keepAlive: true,
    });
    // Idle connections dropped by PostgreSQL are replaced by the pool; requests see their own errors.
    this.pool.on('error', () => undefined);
  }

  /**
   * Runs a list query (a filter or count over many rows): it waits for one of the list slots, and
   * `signal` (the client went away) cancels it in PostgreSQL.
   */
  async list<R extends QueryResultRow>(config: QueryConfig, signal?: AbortSignal): Promise<QueryResult<R>> {
    const release = await this.lists.take(this.statementTimeoutMs);
    if (!release) {
      throw new AppError(
        'QUERY_TIMEOUT',
        'This server is busy with other slow list queries. Try again in a moment; add an index on the fields you filter and sort by, or narrow the filter.',
        { headers: { 'retry-after': '1' } },
      );
    }
    try {
      return await this.cancellable<R>(config, signal);
    } finally {
      release();
    }
  }

  private async cancellable<R extends QueryResultRow>(
    config: QueryConfig,
    signal?: AbortSignal,
  ): Promise<QueryResult<R>> {
    if (!signal) return this.pool.query<R>(config);
    const client = await this.pool.connect();
    let cancelling: Promise<unknown> | undefined;
    let cancel: (() => void) | undefined;
    try {
      const pid = await this.backendPid(client);
      cancel = () => {
        cancelling = this.system.query('SELECT pg_cancel_backend($1)', [pid]).catch(() => undefined);
      };
      signal.addEventListener('abort', cancel, { once: true });
      if (signal.aborted) throw new AppError('REQUEST_TIMEOUT', 'The client went away before the query ran.');
      return await client.query<R>(config);
    } finally {
      if (cancel) signal.removeEventListener('abort', cancel);
      // The cancel must land before the connection serves anyone else.
      if (cancelling) await cancelling;
      client.release();
    }
  }

  /** Once per connection: the backend that a cancel must reach. */
  private async backendPid(client: PoolClient): Promise<number> {
    let pid = this.pids.get(client);
    if (pid === undefined) {
      pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      this.pids.set(client, pid);
    }
    return pid;
  }

  async end(): Promise<void> {
    await this.pool.end();
  }
}
