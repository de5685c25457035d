import { Injectable } from '@nestjs/common';
import type { CompiledCollection } from '@plinth/collections';
import { AppError, newId } from '@plinth/core';
import { DataSource, EntityManager } from 'typeorm';
import type { AccountRow } from '../users/user-accounts.repository.js';

export interface IdentityKey {
  collectionId: string;
  provider: string;
  /** The OpenID Connect issuer (`sub` is unique per issuer only); "" for Google and GitHub. */
  issuer: string;
  providerUserId: string;
}

/** Provider accounts linked to records of auth collections (plinth.external_identity). */
@Injectable()
export class ExternalIdentitiesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The account linked to this provider identity. An identity whose record was deleted counts as
   * absent and is removed here (deleting a user does not reach into this table).
   */
  async findAccount(c: CompiledCollection, key: IdentityKey): Promise<AccountRow | undefined> {
    const [row] = await this.dataSource.query(
      `SELECT i.id AS identity_id, t.id AS record_id FROM plinth.external_identity i
       LEFT JOIN ${c.table} AS t ON t."id"::text = i.record_id
       WHERE i.collection_id = $1 AND i.provider = $2 AND i.issuer = $3 AND i.provider_user_id = $4`,
      [key.collectionId, key.provider, key.issuer, key.providerUserId],
    );
    if (!row && key.provider === 'oidc' && (await this.claimLegacy(key))) return this.findAccount(c, key);
    if (!row) return undefined;
    if (!row.record_id) {
      await this.dataSource.query(`DELETE FROM plinth.external_identity WHERE id = $1`, [row.identity_id]);
      return undefined;
    }
    const [account] = await this.dataSource.query(
      `SELECT ${c.selectList}, t."password_hash", t."token_key" FROM ${c.table} AS t WHERE t."id" = $1::${c.idType}`,
      [row.record_id],
    );
    return account;
  }

  /**
   * An OIDC identity linked before identities were keyed by issuer, whose issuer the migration could
   * not tell (it came from the environment), is claimed by the issuer configured now.
   */
  private async claimLegacy(key: IdentityKey): Promise<boolean> {
    // TypeORM answers an UPDATE on PostgreSQL with [rows, affected].
    const [rows] = await this.dataSource.query(
      `UPDATE plinth.external_identity SET issuer = $3
       WHERE collection_id = $1 AND provider = $2 AND issuer IS NULL AND provider_user_id = $4 RETURNING id`,
      [key.collectionId, key.provider, key.issuer, key.providerUserId],
    );
    return (rows as unknown[]).length > 0;
  }

  async link(key: IdentityKey, recordId: string, email: string | null, tx?: EntityManager): Promise<void> {
    await (tx ?? this.dataSource.manager).query(
      `INSERT INTO plinth.external_identity (id, collection_id, record_id, provider, issuer, provider_user_id, email)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [newId(), key.collectionId, recordId, key.provider, key.issuer, key.providerUserId, email],
    );
  }

  /** A new account and its identity, in one transaction. */
  async createAccount(
    c: CompiledCollection,
    key: IdentityKey,
    account: { email: string; verified: boolean; passwordHash: string; tokenKey: string },
    /** More to write in the same transaction (the outbox event of the new record). */
    also?: (tx: EntityManager, row: AccountRow) => Promise<unknown>,
  ): Promise<AccountRow> {
    return this.dataSource.transaction(async (tx) => {
      const [row] = await tx.query(
        `INSERT INTO ${c.table} AS t ("id", "email", "emailVisibility", "verified", "password_hash", "token_key")
         VALUES ($1::${c.idType}, $2, false, $3, $4, $5)
         RETURNING ${c.selectList}, t."password_hash", t."token_key"`,
        [newAccountId(c), account.email, account.verified, account.passwordHash, account.tokenKey],
      );
      await this.link(key, row.id, account.email, tx);
      await also?.(tx, row as AccountRow);
      return row as AccountRow;
    });
  }

  /**
   * Links an unverified account through a provider-verified email: the account becomes verified and
   * gets a new random password and token key, so whoever registered the address before its owner
   * (and knows that password or holds its tokens) loses access.
   */
  async claimUnverified(
    c: CompiledCollection,
    key: IdentityKey,
    recordId: string,
    email: string,
    secrets: { passwordHash: string; tokenKey: string },
  ): Promise<AccountRow> {
    return this.dataSource.transaction(async (tx) => {
      const [rows] = await tx.query(
        `UPDATE ${c.table} AS t SET "verified" = true, "password_hash" = $2, "token_key" = $3, "updated" = now()
         WHERE t."id" = $1::${c.idType} RETURNING ${c.selectList}, t."password_hash", t."token_key"`,
        [recordId, secrets.passwordHash, secrets.tokenKey],
      );
      await tx.query(
        `UPDATE plinth.refresh_token SET revoked_at = now() WHERE collection_id = $1 AND record_id = $2 AND revoked_at IS NULL`,
        [c.def.id, recordId],
      );
      await this.link(key, recordId, email, tx);
      return rows[0] as AccountRow;
    });
  }
}

/** A new account's id; a text-id collection without an autogenerate pattern cannot make one. */
function newAccountId(c: CompiledCollection): string {
  const id = c.newRecordId();
  if (id === undefined)
    throw new AppError(
      'VALIDATION_FAILED',
      `"${c.def.name}" makes no record ids of its own (its id field has no autogenerate pattern), so social sign-in cannot create accounts there; give the id field an "autogeneratePattern".`,
    );
  return id;
}
