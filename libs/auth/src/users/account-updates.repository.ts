import { Injectable } from '@nestjs/common';
import type { CompiledCollection } from '@plinth/collections';
import { DataSource, QueryFailedError } from 'typeorm';

const UNIQUE_VIOLATION = '23505';

/** The account changes that mailed links confirm: verified flag, password, email. */
@Injectable()
export class AccountUpdatesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** True when the account was not verified before. */
  async markVerified(c: CompiledCollection, id: string): Promise<boolean> {
    const [, count] = await this.dataSource.query(
      `UPDATE ${c.table} SET "verified" = true, "updated" = now() WHERE "id" = $1::${c.idType} AND NOT "verified"`,
      [id],
    );
    return count > 0;
  }

  /** Sets a new password hash and token key; the reset link proved the mailbox, so it is verified too. */
  async resetPassword(
    c: CompiledCollection,
    id: string,
    passwordHash: string,
    tokenKey: string,
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${c.table} SET "password_hash" = $2, "token_key" = $3, "verified" = true, "updated" = now()
       WHERE "id" = $1::${c.idType}`,
      [id, passwordHash, tokenKey],
    );
  }

  /** Sets a confirmed new email and token key; false when another account holds that email. */
  async changeEmail(c: CompiledCollection, id: string, email: string, tokenKey: string): Promise<boolean> {
    try {
      await this.dataSource.query(
        `UPDATE ${c.table} SET "email" = $2, "token_key" = $3, "verified" = true, "updated" = now()
         WHERE "id" = $1::${c.idType}`,
        [id, email, tokenKey],
      );
      return true;
    } catch (err) {
      const code = err instanceof QueryFailedError ? (err.driverError as { code?: string }).code : undefined;
      if (code === UNIQUE_VIOLATION) return false;
      throw err;
    }
  }
}
