import { MigrationInterface, QueryRunner } from 'typeorm';

/** Accounts at social sign-in providers, linked to records of auth collections (DESIGN §3, §5). */
export class ExternalIdentity1764090300000 implements MigrationInterface {
  name = 'ExternalIdentity1764090300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE plinth.external_identity (
      id uuid PRIMARY KEY,
      collection_id uuid NOT NULL,
      record_id uuid NOT NULL,
      provider text NOT NULL,
      provider_user_id text NOT NULL,
      email text,
      created timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(
      `CREATE UNIQUE INDEX external_identity_provider_user_idx ON plinth.external_identity (collection_id, provider, provider_user_id)`,
    );
    await q.query(
      `CREATE INDEX external_identity_record_idx ON plinth.external_identity (collection_id, record_id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE plinth.external_identity`);
  }
}
