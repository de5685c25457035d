import { MigrationInterface, QueryRunner } from 'typeorm';

/** Push: devices, topic subscriptions, messages and one delivery per message × device (DESIGN §6). */
export class Push1764190100000 implements MigrationInterface {
  name = 'Push1764190100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE plinth.push_device (
      id uuid PRIMARY KEY,
      collection_id uuid NOT NULL,
      user_id uuid NOT NULL,
      platform text NOT NULL,
      token text NOT NULL,
      keys jsonb,
      app_id text,
      locale text,
      active boolean NOT NULL DEFAULT true,
      inactive_reason text,
      created timestamptz NOT NULL DEFAULT now(),
      updated timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE UNIQUE INDEX push_device_token_idx ON plinth.push_device (platform, token)`);
    await q.query(`CREATE INDEX push_device_user_idx ON plinth.push_device (collection_id, user_id)`);

    await q.query(`CREATE TABLE plinth.push_topic (
      topic text NOT NULL,
      device_id uuid NOT NULL REFERENCES plinth.push_device (id) ON DELETE CASCADE,
      created timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (topic, device_id)
    )`);
    await q.query(`CREATE INDEX push_topic_device_idx ON plinth.push_topic (device_id)`);

    await q.query(`CREATE TABLE plinth.push_message (
      id uuid PRIMARY KEY,
      created_by text NOT NULL,
      idempotency_key text,
      source text NOT NULL DEFAULT 'api',
      targets jsonb NOT NULL,
      payload jsonb NOT NULL,
      scheduled_at timestamptz,
      created timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(
      `CREATE UNIQUE INDEX push_message_idempotency_idx ON plinth.push_message (created_by, idempotency_key)
       WHERE idempotency_key IS NOT NULL`,
    );

    await q.query(`CREATE TABLE plinth.push_delivery (
      id uuid PRIMARY KEY,
      message_id uuid NOT NULL REFERENCES plinth.push_message (id) ON DELETE CASCADE,
      device_id uuid REFERENCES plinth.push_device (id) ON DELETE SET NULL,
      platform text NOT NULL,
      status text NOT NULL DEFAULT 'pending',
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      lease_until timestamptz,
      error text,
      sent_at timestamptz,
      updated timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT push_delivery_status_check CHECK (status IN ('pending', 'sending', 'sent', 'failed'))
    )`);
    await q.query(
      `CREATE UNIQUE INDEX push_delivery_message_device_idx ON plinth.push_delivery (message_id, device_id)`,
    );
    await q.query(
      `CREATE INDEX push_delivery_open_idx ON plinth.push_delivery (next_attempt_at)
       WHERE status IN ('pending', 'sending')`,
    );

    // Push on record events: one row per collection (ids survive renames; deleting the collection drops it).
    await q.query(`CREATE TABLE plinth.push_trigger (
      collection_id uuid PRIMARY KEY REFERENCES plinth.collection (id) ON DELETE CASCADE,
      triggers jsonb NOT NULL,
      updated timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE plinth.push_trigger`);
    await q.query(`DROP TABLE plinth.push_delivery`);
    await q.query(`DROP TABLE plinth.push_message`);
    await q.query(`DROP TABLE plinth.push_topic`);
    await q.query(`DROP TABLE plinth.push_device`);
  }
}
