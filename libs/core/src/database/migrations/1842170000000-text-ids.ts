import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * PocketBase's ids (docs/decisions/text-ids.md): collection ids and the record ids system tables keep
 * (sessions, linked identities, push devices) become text, so text-id collections and PocketBase
 * collection ids (`_pb_users_auth_`) fit. Existing UUIDs keep their text form.
 */
export class TextIds1842170000000 implements MigrationInterface {
  name = 'TextIds1842170000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE plinth.push_trigger DROP CONSTRAINT push_trigger_collection_id_fkey`);
    await q.query(`ALTER TABLE plinth.collection ALTER COLUMN id TYPE text`);
    await q.query(`ALTER TABLE plinth.push_trigger ALTER COLUMN collection_id TYPE text`);
    await q.query(
      `ALTER TABLE plinth.push_trigger ADD CONSTRAINT push_trigger_collection_id_fkey
       FOREIGN KEY (collection_id) REFERENCES plinth.collection (id) ON DELETE CASCADE`,
    );
    await q.query(
      `ALTER TABLE plinth.refresh_token ALTER COLUMN collection_id TYPE text, ALTER COLUMN record_id TYPE text`,
    );
    await q.query(
      `ALTER TABLE plinth.external_identity ALTER COLUMN collection_id TYPE text, ALTER COLUMN record_id TYPE text`,
    );
    await q.query(
      `ALTER TABLE plinth.push_device ALTER COLUMN collection_id TYPE text, ALTER COLUMN user_id TYPE text`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    const uuid = (col: string) => `ALTER COLUMN ${col} TYPE uuid USING ${col}::uuid`;
    await q.query(`ALTER TABLE plinth.push_device ${uuid('collection_id')}, ${uuid('user_id')}`);
    await q.query(`ALTER TABLE plinth.external_identity ${uuid('collection_id')}, ${uuid('record_id')}`);
    await q.query(`ALTER TABLE plinth.refresh_token ${uuid('collection_id')}, ${uuid('record_id')}`);
    await q.query(`ALTER TABLE plinth.push_trigger DROP CONSTRAINT push_trigger_collection_id_fkey`);
    await q.query(`ALTER TABLE plinth.push_trigger ${uuid('collection_id')}`);
    await q.query(`ALTER TABLE plinth.collection ${uuid('id')}`);
    await q.query(
      `ALTER TABLE plinth.push_trigger ADD CONSTRAINT push_trigger_collection_id_fkey
       FOREIGN KEY (collection_id) REFERENCES plinth.collection (id) ON DELETE CASCADE`,
    );
  }
}
