import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Schedules (issue 20): cron expressions that POST a signed tick to a URL or run a built-in job, and
 * the run log of each. PostgreSQL is the source of truth; BullMQ's job schedulers only fire the ticks.
 * One row per (schedule, tick) makes a tick that BullMQ hands out twice run once.
 */
export class Schedules1797100000000 implements MigrationInterface {
  name = 'Schedules1797100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE plinth.schedule (
      id uuid PRIMARY KEY,
      name text NOT NULL UNIQUE,
      cron text NOT NULL,
      timezone text NOT NULL DEFAULT 'UTC',
      enabled boolean NOT NULL DEFAULT true,
      target jsonb NOT NULL,
      secret text NOT NULL,
      created timestamptz NOT NULL DEFAULT now(),
      updated timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE plinth.schedule_run (
      id uuid PRIMARY KEY,
      seq bigserial NOT NULL,
      schedule_id uuid NOT NULL REFERENCES plinth.schedule (id) ON DELETE CASCADE,
      trigger text NOT NULL CHECK (trigger IN ('schedule', 'manual')),
      scheduled_for timestamptz NOT NULL,
      status text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
      started_at timestamptz,
      finished_at timestamptz,
      duration_ms integer,
      http_status integer,
      response text NOT NULL DEFAULT '',
      error text,
      created timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX schedule_run_list_idx ON plinth.schedule_run (schedule_id, seq DESC)`);
    await q.query(`CREATE UNIQUE INDEX schedule_run_tick_idx ON plinth.schedule_run (schedule_id, scheduled_for)
      WHERE trigger = 'schedule'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE plinth.schedule_run`);
    await q.query(`DROP TABLE plinth.schedule`);
  }
}
