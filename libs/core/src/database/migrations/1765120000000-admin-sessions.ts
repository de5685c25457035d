import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One row per admin sign-in: an admin token names its session, so one session can end (sign out)
 * without the others, and no session outlives `expires_at` (PLINTH_ADMIN_SESSION_TTL after sign-in).
 */
export class AdminSessions1765120000000 implements MigrationInterface {
  name = 'AdminSessions1765120000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE plinth.admin_session (
      id uuid PRIMARY KEY,
      admin_id uuid NOT NULL REFERENCES plinth.admin (id) ON DELETE CASCADE,
      created timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX admin_session_admin_idx ON plinth.admin_session (admin_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE plinth.admin_session`);
  }
}
