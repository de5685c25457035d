import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hosting (issue 24): deploys of the app's web front end. A deploy is a manifest (path → sha256, size);
 * the bytes are content-addressed blobs in the file storage (`_hosting/blobs/<sha256>`), recorded in
 * `site_blob` once verified. At most one deploy is active.
 */
export class SiteHosting1850600000000 implements MigrationInterface {
  name = 'SiteHosting1850600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE plinth.site_deploy (
      id uuid PRIMARY KEY,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'ready')),
      active boolean NOT NULL DEFAULT false,
      file_count integer NOT NULL DEFAULT 0,
      total_size bigint NOT NULL DEFAULT 0,
      created_by text NOT NULL DEFAULT '',
      message text NOT NULL DEFAULT '',
      created timestamptz NOT NULL DEFAULT now(),
      activated timestamptz
    )`);
    await q.query(`CREATE UNIQUE INDEX site_deploy_one_active ON plinth.site_deploy (active) WHERE active`);
    await q.query(`CREATE INDEX site_deploy_created_idx ON plinth.site_deploy (created DESC)`);
    await q.query(`CREATE TABLE plinth.site_deploy_file (
      deploy_id uuid NOT NULL REFERENCES plinth.site_deploy (id) ON DELETE CASCADE,
      path text NOT NULL,
      sha256 text NOT NULL,
      size bigint NOT NULL,
      PRIMARY KEY (deploy_id, path)
    )`);
    await q.query(`CREATE INDEX site_deploy_file_sha256_idx ON plinth.site_deploy_file (sha256)`);
    await q.query(`CREATE TABLE plinth.site_blob (
      sha256 text PRIMARY KEY,
      size bigint NOT NULL,
      created timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE plinth.site_blob`);
    await q.query(`DROP TABLE plinth.site_deploy_file`);
    await q.query(`DROP TABLE plinth.site_deploy`);
  }
}
