import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail and the statistics' rollups (issue 23). `audit_log` is written in the transaction of
 * the change it records and never updated. `stats_rollup` holds one value per grain (minute, hour,
 * day), bucket start, metric and dimension; `stats_watermark` says up to where each grain is final.
 */
export class AuditAndStats1850500000000 implements MigrationInterface {
  name = 'AuditAndStats1850500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE plinth.audit_log (
      id uuid PRIMARY KEY,
      created timestamptz NOT NULL DEFAULT now(),
      action text NOT NULL,
      target_type text NOT NULL DEFAULT '',
      target_id text NOT NULL DEFAULT '',
      target_name text NOT NULL DEFAULT '',
      actor_kind text NOT NULL,
      actor_id text NOT NULL DEFAULT '',
      actor_name text NOT NULL DEFAULT '',
      ip text NOT NULL DEFAULT '',
      request_id text NOT NULL DEFAULT '',
      summary text NOT NULL DEFAULT '',
      changes jsonb NOT NULL DEFAULT '[]'::jsonb
    )`);
    await q.query(`CREATE INDEX audit_log_created_idx ON plinth.audit_log (created DESC, id)`);
    await q.query(`CREATE INDEX audit_log_action_idx ON plinth.audit_log (action, created DESC)`);
    await q.query(`CREATE INDEX audit_log_request_idx ON plinth.audit_log (request_id)`);
    await q.query(`CREATE TABLE plinth.stats_rollup (
      grain text NOT NULL,
      bucket timestamptz NOT NULL,
      metric text NOT NULL,
      dim text NOT NULL DEFAULT '',
      value double precision NOT NULL,
      PRIMARY KEY (grain, bucket, metric, dim),
      CONSTRAINT stats_rollup_grain_check CHECK (grain IN ('minute', 'hour', 'day'))
    )`);
    // The rollup reads pushes by time: messages by creation, deliveries by their last change.
    await q.query(`CREATE INDEX IF NOT EXISTS push_message_created_idx ON plinth.push_message (created)`);
    await q.query(`CREATE INDEX IF NOT EXISTS push_delivery_updated_idx ON plinth.push_delivery (updated)`);
    await q.query(`CREATE TABLE plinth.stats_watermark (
      grain text PRIMARY KEY,
      final_until timestamptz NOT NULL
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE plinth.stats_watermark`);
    await q.query(`DROP INDEX IF EXISTS plinth.push_delivery_updated_idx`);
    await q.query(`DROP INDEX IF EXISTS plinth.push_message_created_idx`);
    await q.query(`DROP TABLE plinth.stats_rollup`);
    await q.query(`DROP TABLE plinth.audit_log`);
  }
}
