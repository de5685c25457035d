import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface OtpRow {
  id: string;
  collection_id: string;
  record_id: string;
  kind: 'code' | 'link';
  code_hash: string;
  sent_to: string;
  attempts: number;
  expires_at: Date;
}

export interface MfaRow {
  id: string;
  collection_id: string;
  record_id: string;
  method: string;
  expires_at: Date;
}

export interface TotpRow {
  secret: string;
  confirmed_at: Date | null;
  last_step: string;
  created: Date;
}

/** Mailed codes, waiting MFA sign-ins, TOTP authenticators and recovery codes (docs/decisions/otp-mfa.md). */
@Injectable()
export class SignInFactorsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insertOtp(row: Omit<OtpRow, 'attempts'>): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO plinth.auth_otp (id, collection_id, record_id, kind, code_hash, sent_to, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [row.id, row.collection_id, row.record_id, row.kind, row.code_hash, row.sent_to, row.expires_at],
    );
  }

  /** Counts one attempt on an unexpired code of this collection (atomically) and returns it as it is now. */
  async attemptOtp(id: string, collectionId: string): Promise<OtpRow | undefined> {
    const [rows] = await this.dataSource.query(
      `UPDATE plinth.auth_otp SET attempts = attempts + 1
       WHERE id = $1 AND collection_id = $2 AND expires_at > now()
       RETURNING id, collection_id, record_id, kind, code_hash, sent_to, attempts, expires_at`,
      [id, collectionId],
    );
    return rows?.[0];
  }

  /** Uses the code up: true for the one caller that deleted it (a code works once). */
  async consumeOtp(id: string, codeHash: string): Promise<boolean> {
    const [, count] = await this.dataSource.query(
      `DELETE FROM plinth.auth_otp WHERE id = $1 AND code_hash = $2`,
      [id, codeHash],
    );
    return count > 0;
  }

  async deleteOtp(id: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM plinth.auth_otp WHERE id = $1`, [id]);
  }

  async insertMfa(row: MfaRow): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO plinth.auth_mfa (id, collection_id, record_id, method, expires_at) VALUES ($1, $2, $3, $4, $5)`,
      [row.id, row.collection_id, row.record_id, row.method, row.expires_at],
    );
  }

  async findMfa(id: string): Promise<MfaRow | undefined> {
    const [row] = await this.dataSource.query(
      `SELECT id, collection_id, record_id, method, expires_at FROM plinth.auth_mfa WHERE id = $1`,
      [id],
    );
    return row;
  }

  /** Ends a waiting sign-in: true for the one caller that deleted it. */
  async deleteMfa(id: string): Promise<boolean> {
    const [, count] = await this.dataSource.query(`DELETE FROM plinth.auth_mfa WHERE id = $1`, [id]);
    return count > 0;
  }

  async findTotp(collectionId: string, recordId: string): Promise<TotpRow | undefined> {
    const [row] = await this.dataSource.query(
      `SELECT secret, confirmed_at, last_step, created FROM plinth.auth_totp WHERE collection_id = $1 AND record_id = $2`,
      [collectionId, recordId],
    );
    return row;
  }

  /** Starts an enrolment, replacing one not confirmed yet; false when a confirmed authenticator exists. */
  async startTotp(collectionId: string, recordId: string, sealedSecret: string): Promise<boolean> {
    // An INSERT answers its RETURNING rows as they are (UPDATE and DELETE answer [rows, count]).
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO plinth.auth_totp (collection_id, record_id, secret) VALUES ($1, $2, $3)
       ON CONFLICT (collection_id, record_id) DO UPDATE SET secret = EXCLUDED.secret, last_step = 0, created = now()
         WHERE plinth.auth_totp.confirmed_at IS NULL
       RETURNING 1`,
      [collectionId, recordId, sealedSecret],
    );
    return rows.length > 0;
  }

  /**
   * Records `step` as used (and the authenticator as confirmed): false when that step or a later one
   * was used already, so a code works once.
   */
  async useTotpStep(collectionId: string, recordId: string, step: number): Promise<boolean> {
    const [, count] = await this.dataSource.query(
      `UPDATE plinth.auth_totp SET last_step = $3, confirmed_at = COALESCE(confirmed_at, now())
       WHERE collection_id = $1 AND record_id = $2 AND last_step < $3`,
      [collectionId, recordId, step],
    );
    return count > 0;
  }

  /** Replaces every recovery code of the account by these (HMACs). */
  async replaceRecoveryCodes(collectionId: string, recordId: string, hashes: string[]): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      await tx.query(`DELETE FROM plinth.auth_recovery_code WHERE collection_id = $1 AND record_id = $2`, [
        collectionId,
        recordId,
      ]);
      await tx.query(
        `INSERT INTO plinth.auth_recovery_code (collection_id, record_id, code_hash)
         SELECT $1, $2, unnest($3::text[])`,
        [collectionId, recordId, hashes],
      );
    });
  }

  /** Uses a recovery code up: true for the one caller that deleted it. */
  async useRecoveryCode(collectionId: string, recordId: string, hash: string): Promise<boolean> {
    const [, count] = await this.dataSource.query(
      `DELETE FROM plinth.auth_recovery_code WHERE collection_id = $1 AND record_id = $2 AND code_hash = $3`,
      [collectionId, recordId, hash],
    );
    return count > 0;
  }

  async countRecoveryCodes(collectionId: string, recordId: string): Promise<number> {
    const [row] = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM plinth.auth_recovery_code WHERE collection_id = $1 AND record_id = $2`,
      [collectionId, recordId],
    );
    return row?.n ?? 0;
  }

  /** Removes the authenticator, its recovery codes and waiting sign-ins of the account; false when it had none. */
  async removeTotp(collectionId: string, recordId: string): Promise<boolean> {
    return this.dataSource.transaction(async (tx) => {
      const [, count] = await tx.query(
        `DELETE FROM plinth.auth_totp WHERE collection_id = $1 AND record_id = $2`,
        [collectionId, recordId],
      );
      await tx.query(`DELETE FROM plinth.auth_recovery_code WHERE collection_id = $1 AND record_id = $2`, [
        collectionId,
        recordId,
      ]);
      await tx.query(`DELETE FROM plinth.auth_mfa WHERE collection_id = $1 AND record_id = $2`, [
        collectionId,
        recordId,
      ]);
      return count > 0;
    });
  }
}
