import { MigrationInterface, QueryRunner } from 'typeorm';

export class RefreshTokens1764090200000 implements MigrationInterface {
  name = 'RefreshTokens1764090200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE plinth.refresh_token (
      id uuid PRIMARY KEY,
      family uuid NOT NULL,
      collection_id uuid NOT NULL,
      record_id uuid NOT NULL,
      token_hash text NOT NULL,
      key_fingerprint text NOT NULL,
      created timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      revoked_at timestamptz
    )`);
    await q.query(`CREATE UNIQUE INDEX refresh_token_hash_idx ON plinth.refresh_token (token_hash)`);
    await q.query(`CREATE INDEX refresh_token_family_idx ON plinth.refresh_token (family)`);
    await q.query(`CREATE INDEX refresh_token_record_idx ON plinth.refresh_token (collection_id, record_id)`);
    await q.query(`CREATE INDEX refresh_token_expires_idx ON plinth.refresh_token (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE plinth.refresh_token`);
  }
}
