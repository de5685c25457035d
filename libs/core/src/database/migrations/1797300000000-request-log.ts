import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Request logs (issue 23): one row per API request, written in batches by every replica and read by
 * `GET /api/logs`. Text columns are never NULL ('' when empty) so filters read them as PocketBase does.
 */
export class RequestLog1797300000000 implements MigrationInterface {
  name = 'RequestLog1797300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE plinth.request_log (
      id uuid PRIMARY KEY,
      created timestamptz NOT NULL,
      method text NOT NULL,
      route text NOT NULL DEFAULT '',
      url text NOT NULL,
      status integer NOT NULL,
      duration_ms double precision NOT NULL,
      size bigint NOT NULL DEFAULT 0,
      ip text NOT NULL DEFAULT '',
      user_agent text NOT NULL DEFAULT '',
      auth_kind text NOT NULL DEFAULT 'anonymous',
      auth_id text NOT NULL DEFAULT '',
      request_id text NOT NULL DEFAULT '',
      error_code text NOT NULL DEFAULT '',
      error_message text NOT NULL DEFAULT ''
    )`);
    await q.query(`CREATE INDEX request_log_created_idx ON plinth.request_log (created DESC, id)`);
    await q.query(`CREATE INDEX request_log_status_idx ON plinth.request_log (status, created DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE plinth.request_log`);
  }
}
