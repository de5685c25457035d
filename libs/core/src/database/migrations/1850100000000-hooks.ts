import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Blocking hooks (issue 20): endpoints called, signed with Standard Webhooks, before a record
 * create / update / delete or a sign-up commits; they allow, patch or refuse the write. Every
 * process keeps them in memory (reloaded through Redis), so this table is read only when they change.
 */
export class Hooks1850100000000 implements MigrationInterface {
  name = 'Hooks1850100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE plinth.hook (
      id uuid PRIMARY KEY,
      name text NOT NULL DEFAULT '',
      url text NOT NULL,
      events text[] NOT NULL,
      filter text NOT NULL DEFAULT '',
      timeout_ms integer NOT NULL DEFAULT 2000 CHECK (timeout_ms BETWEEN 50 AND 30000),
      failure_policy text NOT NULL DEFAULT 'deny' CHECK (failure_policy IN ('deny', 'allow')),
      enabled boolean NOT NULL DEFAULT true,
      secret text NOT NULL,
      previous_secret text,
      previous_secret_until timestamptz,
      created timestamptz NOT NULL DEFAULT now(),
      updated timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE plinth.hook`);
  }
}
