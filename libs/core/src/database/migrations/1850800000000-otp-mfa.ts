import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sign-in beyond passwords (docs/decisions/otp-mfa.md): mailed one-time codes and magic links
 * (`auth_otp`, codes stored as HMACs, with their failed attempts), first factors waiting for a second
 * (`auth_mfa`), TOTP authenticators (`auth_totp`, the secret sealed) and their recovery codes
 * (`auth_recovery_code`, stored as HMACs). Admins' TOTP uses PocketBase's _superusers collection id.
 */
export class OtpMfa1850800000000 implements MigrationInterface {
  name = 'OtpMfa1850800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE plinth.auth_otp (
      id text PRIMARY KEY,
      collection_id text NOT NULL,
      record_id text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('code', 'link')),
      code_hash text NOT NULL,
      sent_to text NOT NULL,
      attempts integer NOT NULL DEFAULT 0,
      created timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX auth_otp_record ON plinth.auth_otp (collection_id, record_id)`);
    await q.query(`CREATE INDEX auth_otp_expires ON plinth.auth_otp (expires_at)`);
    await q.query(`CREATE TABLE plinth.auth_mfa (
      id text PRIMARY KEY,
      collection_id text NOT NULL,
      record_id text NOT NULL,
      method text NOT NULL,
      created timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX auth_mfa_expires ON plinth.auth_mfa (expires_at)`);
    await q.query(`CREATE TABLE plinth.auth_totp (
      collection_id text NOT NULL,
      record_id text NOT NULL,
      secret text NOT NULL,
      confirmed_at timestamptz,
      last_step bigint NOT NULL DEFAULT 0,
      created timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (collection_id, record_id)
    )`);
    await q.query(`CREATE TABLE plinth.auth_recovery_code (
      collection_id text NOT NULL,
      record_id text NOT NULL,
      code_hash text NOT NULL,
      created timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (collection_id, record_id, code_hash)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE plinth.auth_recovery_code`);
    await q.query(`DROP TABLE plinth.auth_totp`);
    await q.query(`DROP TABLE plinth.auth_mfa`);
    await q.query(`DROP TABLE plinth.auth_otp`);
  }
}
