import { Injectable } from '@nestjs/common';
import { quoteIdent } from '@plinth/core';
import { DataSource, type EntityManager } from 'typeorm';
import { GAUGES, KEEP_DAYS, LATENCY_BOUNDS, type Grain } from './stats-metrics.js';

export interface RollupRow {
  bucket: Date;
  metric: string;
  dim: string;
  value: number;
}

/** Runs `work` once across replicas at a time: a tick and a manual run never fold the same minutes twice. */
const ROLLUP_LOCK = 0x706c7374; // "plst"

// The collection a request addressed, by name or id, from its path (records, auth routes, files).
const COLLECTION_OF_URL = `substring(l.url from '^/api/(?:collections|files)/([A-Za-z0-9_-]{1,100})')`;
const COLLECTION_JOIN = `LEFT JOIN plinth.collection c ON c.name = ${COLLECTION_OF_URL} OR c.id::text = ${COLLECTION_OF_URL}`;
const MINUTE = `date_trunc('minute', l.created)`;

/**
 * plinth.stats_rollup: the rollup's SQL (request log and system tables into per-minute values, minutes
 * folded into hours and hours into days) and the reads of GET /api/stats.
 */
@Injectable()
export class StatsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** One rollup in one transaction, under a lock, with UTC buckets. */
  inRollup<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [ROLLUP_LOCK]);
      await tx.query(`SET LOCAL TIME ZONE 'UTC'`);
      return work(tx);
    });
  }

  /** Where the last run left final minutes; the start of what to fold again. */
  async foldFrom(tx: EntityManager): Promise<Date> {
    const [row] = await tx.query(
      `SELECT greatest(
         coalesce((SELECT final_until FROM plinth.stats_watermark WHERE grain = 'minute'), '-infinity'),
         date_trunc('minute', now() - interval '1 day')) AS "from"`,
    );
    return row.from as Date;
  }

  /** Minutes from `from` to now, recomputed from the request log and the push tables. */
  async foldMinutes(tx: EntityManager, from: Date): Promise<void> {
    await tx.query(
      `DELETE FROM plinth.stats_rollup WHERE grain = 'minute' AND bucket >= $1 AND metric <> ALL($2)`,
      [from, GAUGES],
    );
    const insert = (select: string, params: unknown[] = []) =>
      tx.query(
        `INSERT INTO plinth.stats_rollup (grain, bucket, metric, dim, value) SELECT 'minute', * FROM (${select}) s`,
        [from, ...params],
      );
    // Requests by status class and collection.
    await insert(
      `SELECT ${MINUTE}, 'requests', (l.status / 100)::text || 'xx|' || coalesce(min(c.name), ''), count(*)
       FROM plinth.request_log l ${COLLECTION_JOIN} WHERE l.created >= $1
       GROUP BY 1, l.status / 100, c.id`,
    );
    // Latency histogram: count per bucket lower bound.
    await insert(
      `SELECT ${MINUTE}, 'latency_ms', ($2::float8[])[width_bucket(l.duration_ms, $2::float8[])]::text, count(*)
       FROM plinth.request_log l WHERE l.created >= $1 GROUP BY 1, 3`,
      [LATENCY_BOUNDS],
    );
    // Errors by problem code (the status when an answer had none).
    await insert(
      `SELECT ${MINUTE}, 'errors', CASE WHEN l.error_code <> '' THEN left(l.error_code, 64) ELSE 'HTTP_' || l.status END,
         count(*)
       FROM plinth.request_log l WHERE l.created >= $1 AND l.status >= 400 GROUP BY 1, 3`,
    );
    // Sign-ups (a created auth record) and sign-ins (any auth-with-* that succeeded) per auth collection.
    await insert(
      `SELECT ${MINUTE}, CASE WHEN l.method = 'POST' AND l.route = '/api/collections/:collection/records'
           THEN 'signups' ELSE 'signins' END, c.name, count(*)
       FROM plinth.request_log l ${COLLECTION_JOIN}
       WHERE l.created >= $1 AND l.status = 200 AND c.type = 'auth'
         AND ((l.method = 'POST' AND l.route = '/api/collections/:collection/records')
           OR l.route LIKE '/api/collections/:collection/auth-with-%')
       GROUP BY 1, 2, 3`,
    );
    // Push: deliveries written (sends), delivered and failed, per provider.
    await insert(
      `SELECT date_trunc('minute', m.created), 'push_sends', d.platform, count(*)
       FROM plinth.push_message m JOIN plinth.push_delivery d ON d.message_id = m.id
       WHERE m.created >= $1 GROUP BY 1, 3`,
    );
    await insert(
      `SELECT date_trunc('minute', d.sent_at), 'push_delivered', d.platform, count(*)
       FROM plinth.push_delivery d WHERE d.updated >= $1 AND d.status = 'sent' AND d.sent_at >= $1 GROUP BY 1, 3`,
    );
    await insert(
      `SELECT date_trunc('minute', d.updated), 'push_failed', d.platform, count(*)
       FROM plinth.push_delivery d WHERE d.updated >= $1 AND d.status = 'failed' GROUP BY 1, 3`,
    );
  }

  /** A snapshot value for the current minute (records per collection, realtime connections). */
  async setGauge(tx: EntityManager, metric: string, values: ReadonlyMap<string, number>): Promise<void> {
    if (!values.size) return;
    await tx.query(
      `INSERT INTO plinth.stats_rollup (grain, bucket, metric, dim, value)
       SELECT 'minute', date_trunc('minute', now()), $1, dim, value FROM unnest($2::text[], $3::float8[]) AS v(dim, value)
       ON CONFLICT (grain, bucket, metric, dim) DO UPDATE SET value = EXCLUDED.value`,
      [metric, [...values.keys()], [...values.values()]],
    );
  }

  /** Base and auth collections with their table and an estimate of their rows. */
  async tables(tx: EntityManager): Promise<Array<{ name: string; estimate: number }>> {
    const rows: Array<{ name: string; estimate: string | null }> = await tx.query(
      `SELECT c.name, (SELECT reltuples FROM pg_class WHERE oid = to_regclass(format('data.%I', c.name))) AS estimate
       FROM plinth.collection c WHERE c.type IN ('base', 'auth') ORDER BY c.name`,
    );
    return rows.map((r) => ({ name: r.name, estimate: Number(r.estimate ?? 0) }));
  }

  /** Exact rows of a collection's table (small tables; large ones use the planner's estimate). */
  async countRows(tx: EntityManager, name: string): Promise<number> {
    const [row] = await tx.query(`SELECT count(*)::int AS n FROM data.${quoteIdent(name)}`);
    return Number(row.n);
  }

  /** The coarser grain's buckets from `from` on, folded again from the finer grain's rows. */
  async fold(tx: EntityManager, into: Exclude<Grain, 'minute'>, from: Date): Promise<void> {
    const source = into === 'hour' ? 'minute' : 'hour';
    await tx.query(
      `DELETE FROM plinth.stats_rollup WHERE grain = $1 AND bucket >= date_trunc($1::text, $2::timestamptz)`,
      [into, from],
    );
    await tx.query(
      `INSERT INTO plinth.stats_rollup (grain, bucket, metric, dim, value)
       SELECT $1::text, date_trunc($1::text, bucket), metric, dim, sum(value) FROM plinth.stats_rollup
       WHERE grain = $2 AND bucket >= date_trunc($1::text, $3::timestamptz) AND metric <> ALL($4)
       GROUP BY 2, 3, 4`,
      [into, source, from, GAUGES],
    );
    await tx.query(
      `INSERT INTO plinth.stats_rollup (grain, bucket, metric, dim, value)
       SELECT DISTINCT ON (date_trunc($1::text, bucket), metric, dim)
         $1::text, date_trunc($1::text, bucket), metric, dim, value
       FROM plinth.stats_rollup
       WHERE grain = $2 AND bucket >= date_trunc($1::text, $3::timestamptz) AND metric = ANY($4)
       ORDER BY date_trunc($1::text, bucket), metric, dim, bucket DESC`,
      [into, source, from, GAUGES],
    );
  }

  /** Minutes before this are final: the next run folds from here (request log writes lag ~1 s). */
  async markFinal(tx: EntityManager): Promise<void> {
    await tx.query(
      `INSERT INTO plinth.stats_watermark (grain, final_until) VALUES ('minute', date_trunc('minute', now() - interval '10 seconds'))
       ON CONFLICT (grain) DO UPDATE SET final_until = EXCLUDED.final_until`,
    );
  }

  async deleteExpired(tx: EntityManager): Promise<void> {
    for (const [grain, days] of Object.entries(KEEP_DAYS)) {
      await tx.query(
        `DELETE FROM plinth.stats_rollup WHERE grain = $1 AND bucket < now() - make_interval(days => $2)`,
        [grain, days],
      );
    }
  }

  /** Every value of a grain in [from, to), oldest first. */
  async read(grain: Grain, from: Date, to: Date): Promise<RollupRow[]> {
    const rows: Array<{ bucket: Date; metric: string; dim: string; value: number }> =
      await this.dataSource.query(
        `SELECT bucket, metric, dim, value FROM plinth.stats_rollup
       WHERE grain = $1 AND bucket >= $2 AND bucket < $3 ORDER BY bucket`,
        [grain, from, to],
      );
    return rows;
  }
}
