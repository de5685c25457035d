import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When every delivery of a push message was sent or failed (issue 20: `push.message.completed`
 * fires once, from the worker whose update set it; a retry of failed deliveries clears it).
 */
export class PushMessageCompleted1797200000000 implements MigrationInterface {
  name = 'PushMessageCompleted1797200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE plinth.push_message ADD COLUMN completed_at timestamptz`);
    // Messages finished before this migration count as completed: no event for them afterwards.
    await q.query(
      `UPDATE plinth.push_message m SET completed_at = now() WHERE NOT EXISTS (SELECT 1 FROM plinth.push_delivery p
         WHERE p.message_id = m.id AND p.status IN ('pending', 'sending'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE plinth.push_message DROP COLUMN completed_at`);
  }
}
