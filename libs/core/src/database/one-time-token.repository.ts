import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

@Injectable()
export class OneTimeTokenRepository {
  constructor(private readonly dataSource: DataSource) {}

  async create(row: {
    id: string;
    purpose: string;
    tokenHash: string;
    expiresAt: Date;
    subject?: string | null;
    data?: Record<string, unknown>;
  }): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO plinth.one_time_token (id, purpose, token_hash, subject, data, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [row.id, row.purpose, row.tokenHash, row.subject ?? null, row.data ?? {}, row.expiresAt],
    );
  }

  /** Deletes and returns an unexpired token of that purpose: a token works once. */
  async consume(
    purpose: string,
    tokenHash: string,
  ): Promise<{ subject: string | null; data: Record<string, unknown> } | undefined> {
    const [rows] = await this.dataSource.query(
      `DELETE FROM plinth.one_time_token WHERE purpose = $1 AND token_hash = $2 AND expires_at > now()
       RETURNING subject, data`,
      [purpose, tokenHash],
    );
    return rows?.[0];
  }

  /** Whether an unexpired token of that purpose exists, without using it up. */
  async exists(purpose: string, tokenHash: string): Promise<boolean> {
    const rows = await this.dataSource.query(
      `SELECT 1 FROM plinth.one_time_token WHERE purpose = $1 AND token_hash = $2 AND expires_at > now()`,
      [purpose, tokenHash],
    );
    return rows.length > 0;
  }

  /** Deletes every token past its expiry (mailed codes and waiting MFA sign-ins too); returns how many went. */
  async deleteExpired(now = new Date()): Promise<number> {
    let total = 0;
    for (const table of ['one_time_token', 'auth_otp', 'auth_mfa']) {
      const result = await this.dataSource.query(`DELETE FROM plinth.${table} WHERE expires_at <= $1`, [now]);
      total += Array.isArray(result) ? Number(result[1] ?? 0) : 0;
    }
    return total;
  }
}
