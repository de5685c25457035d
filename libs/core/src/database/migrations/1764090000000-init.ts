import { MigrationInterface, QueryRunner } from 'typeorm';

export class Init1764090000000 implements MigrationInterface {
  name = 'Init1764090000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE plinth.one_time_token (
      id uuid PRIMARY KEY,
      purpose text NOT NULL,
      token_hash text NOT NULL,
      subject text,
      data jsonb NOT NULL DEFAULT '{}'::jsonb,
      expires_at timestamptz NOT NULL,
      created timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE UNIQUE INDEX one_time_token_hash_idx ON plinth.one_time_token (token_hash)`);
    await q.query(`CREATE INDEX one_time_token_expires_idx ON plinth.one_time_token (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE plinth.one_time_token`);
  }
}
