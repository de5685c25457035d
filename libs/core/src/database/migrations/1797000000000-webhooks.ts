import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhooks (issue 20): the endpoints admins configure, one delivery row per event and endpoint (its
 * id is the Standard Webhooks `webhook-id`, the same on every retry), and every attempt of each.
 * The delivery rows decide what is due: a job run twice sends nothing twice at once.
 */
export class Webhooks1797000000000 implements MigrationInterface {
  name = 'Webhooks1797000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE plinth.webhook (
      id uuid PRIMARY KEY,
      name text NOT NULL DEFAULT '',
      url text NOT NULL,
      events text[] NOT NULL,
      filter text NOT NULL DEFAULT '',
      include_hidden boolean NOT NULL DEFAULT false,
      enabled boolean NOT NULL DEFAULT true,
      secret text NOT NULL,
      previous_secret text,
      previous_secret_until timestamptz,
      consecutive_failures integer NOT NULL DEFAULT 0,
      disabled_reason text,
      created timestamptz NOT NULL DEFAULT now(),
      updated timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE plinth.webhook_delivery (
      id uuid PRIMARY KEY,
      seq bigserial NOT NULL,
      webhook_id uuid NOT NULL REFERENCES plinth.webhook (id) ON DELETE CASCADE,
      event_type text NOT NULL,
      order_key text NOT NULL,
      payload jsonb NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'delivered', 'dead')),
      attempts integer NOT NULL DEFAULT 0,
      -- Attempts made before the last replay: the retry schedule starts again after a replay.
      replayed_after integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      lease_until timestamptz,
      last_attempt_at timestamptz,
      last_status integer,
      last_error text,
      created timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX webhook_delivery_list_idx ON plinth.webhook_delivery (webhook_id, seq DESC)`);
    await q.query(`CREATE INDEX webhook_delivery_open_idx ON plinth.webhook_delivery (webhook_id, order_key, seq)
      WHERE status IN ('pending', 'sending')`);
    await q.query(`CREATE INDEX webhook_delivery_due_idx ON plinth.webhook_delivery (next_attempt_at)
      WHERE status IN ('pending', 'sending')`);
    await q.query(`CREATE TABLE plinth.webhook_attempt (
      delivery_id uuid NOT NULL REFERENCES plinth.webhook_delivery (id) ON DELETE CASCADE,
      attempt integer NOT NULL,
      at timestamptz NOT NULL DEFAULT now(),
      duration_ms integer NOT NULL,
      status integer,
      response text NOT NULL DEFAULT '',
      error text,
      PRIMARY KEY (delivery_id, attempt)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE plinth.webhook_attempt`);
    await q.query(`DROP TABLE plinth.webhook_delivery`);
    await q.query(`DROP TABLE plinth.webhook`);
  }
}
