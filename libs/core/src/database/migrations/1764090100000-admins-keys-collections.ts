import { MigrationInterface, QueryRunner } from 'typeorm';

export class AdminsKeysCollections1764090100000 implements MigrationInterface {
  name = 'AdminsKeysCollections1764090100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE plinth.admin (
      id uuid PRIMARY KEY,
      email text NOT NULL,
      password_hash text NOT NULL,
      token_key text NOT NULL,
      created timestamptz NOT NULL DEFAULT now(),
      updated timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE UNIQUE INDEX admin_email_idx ON plinth.admin (lower(email))`);

    await q.query(`CREATE TABLE plinth.api_key (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      scopes text[] NOT NULL,
      key_hash text NOT NULL,
      created timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz,
      last_used_at timestamptz,
      created_by uuid REFERENCES plinth.admin (id) ON DELETE SET NULL
    )`);
    await q.query(`CREATE UNIQUE INDEX api_key_hash_idx ON plinth.api_key (key_hash)`);

    await q.query(`CREATE TABLE plinth.collection (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      type text NOT NULL,
      fields jsonb NOT NULL DEFAULT '[]'::jsonb,
      indexes jsonb NOT NULL DEFAULT '[]'::jsonb,
      list_rule text,
      view_rule text,
      create_rule text,
      update_rule text,
      delete_rule text,
      options jsonb NOT NULL DEFAULT '{}'::jsonb,
      created timestamptz NOT NULL DEFAULT now(),
      updated timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE UNIQUE INDEX collection_name_idx ON plinth.collection (lower(name))`);

    await q.query(`CREATE TABLE plinth.setting (
      key text PRIMARY KEY,
      value jsonb NOT NULL,
      updated timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE plinth.setting`);
    await q.query(`DROP TABLE plinth.collection`);
    await q.query(`DROP TABLE plinth.api_key`);
    await q.query(`DROP TABLE plinth.admin`);
  }
}
