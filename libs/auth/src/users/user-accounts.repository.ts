import { Injectable } from '@nestjs/common';
import { type CompiledCollection, quoteIdent } from '@plinth/collections';
import { sql, type Sql, toQuery } from '@plinth/core';
import { DataSource } from 'typeorm';

export interface AccountRow extends Record<string, unknown> {
  id: string;
  password_hash: string;
  token_key: string;
}

export interface RefreshRow {
  id: string;
  family: string;
  collection_id: string;
  record_id: string;
  key_fingerprint: string;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
}

/** App-user accounts (rows of auth collections, with their secrets) and their refresh tokens. */
@Injectable()
export class UserAccountsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findByEmail(c: CompiledCollection, email: string): Promise<AccountRow | undefined> {
    const [row] = await this.dataSource.query(
      `SELECT ${c.selectList}, t."password_hash", t."token_key" FROM ${c.table} AS t WHERE lower(t."email") = lower($1)`,
      [email],
    );
    return row;
  }

  /**
   * The account whose identity field holds `identity` (passwordAuth.identityFields): email compared
   * case-insensitively as sign-in always has, other unique fields exactly. First match in field order.
   */
  async findByIdentity(
    c: CompiledCollection,
    fields: readonly string[],
    identity: string,
  ): Promise<AccountRow | undefined> {
    const where = fields.map((f) =>
      f === 'email' ? 'lower(t."email") = lower($1)' : `t.${quoteIdent(f)} = $1`,
    );
    const order = fields.map((f, i) => `WHEN ${where[i]} THEN ${i}`).join(' ');
    const [row] = await this.dataSource.query(
      `SELECT ${c.selectList}, t."password_hash", t."token_key" FROM ${c.table} AS t
       WHERE ${where.map((w) => `(${w})`).join(' OR ')} ORDER BY CASE ${order} END LIMIT 1`,
      [identity],
    );
    return row;
  }

  /** Whether the account's row satisfies `where` (a compiled rule over alias `t`, values in `params`). */
  /** Replaces an imported (bcrypt) hash by its argon2id form, unless the password changed meanwhile. */
  async upgradePasswordHash(
    c: CompiledCollection,
    id: string,
    oldHash: string,
    newHash: string,
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${c.table} SET "password_hash" = $3 WHERE "id" = $1::${c.idType} AND "password_hash" = $2`,
      [id, oldHash, newHash],
    );
  }

  async matches(c: CompiledCollection, id: string, where: Sql): Promise<boolean> {
    const { text, values } = toQuery(
      sql`SELECT 1 FROM ${c.sql.table} AS t WHERE t."id" = ${id}${c.sql.idCast} AND (${where})`,
    );
    const rows = await this.dataSource.query(text, values);
    return rows.length > 0;
  }

  async findById(c: CompiledCollection, id: string): Promise<AccountRow | undefined> {
    const [row] = await this.dataSource.query(
      `SELECT ${c.selectList}, t."password_hash", t."token_key" FROM ${c.table} AS t WHERE t."id" = $1::${c.idType}`,
      [id],
    );
    return row;
  }

  async rotateTokenKey(c: CompiledCollection, id: string, tokenKey: string): Promise<void> {
    await this.dataSource.query(`UPDATE ${c.table} SET "token_key" = $2 WHERE "id" = $1::${c.idType}`, [
      id,
      tokenKey,
    ]);
  }

  /**
   * Ends every session of one account at once (an admin's "revoke sessions"): a new token key, so
   * every access token and refresh token signed with the old one dies, and every refresh row revoked.
   * False when the record does not exist.
   */
  async revokeSessions(c: CompiledCollection, id: string, tokenKey: string): Promise<boolean> {
    return this.dataSource.transaction(async (tx) => {
      const [rows] = await tx.query(
        `UPDATE ${c.table} SET "token_key" = $2 WHERE "id" = $1::${c.idType} RETURNING "id"`,
        [id, tokenKey],
      );
      if (!rows?.length) return false;
      await tx.query(
        `UPDATE plinth.refresh_token SET revoked_at = now() WHERE collection_id = $1 AND record_id = $2 AND revoked_at IS NULL`,
        [c.def.id, id],
      );
      return true;
    });
  }

  async insertRefresh(
    row: Omit<RefreshRow, 'used_at' | 'revoked_at'> & { token_hash: string },
  ): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO plinth.refresh_token (id, family, collection_id, record_id, token_hash, key_fingerprint, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        row.id,
        row.family,
        row.collection_id,
        row.record_id,
        row.token_hash,
        row.key_fingerprint,
        row.expires_at,
      ],
    );
  }

  /**
   * Marks the token used, returning it as it was before (atomically: two concurrent uses can't both win).
   * Only a token of this collection is touched: another collection's refresh leaves it as it was.
   */
  async useRefresh(tokenHash: string, collectionId: string): Promise<RefreshRow | undefined> {
    const [rows] = await this.dataSource.query(
      `UPDATE plinth.refresh_token r SET used_at = COALESCE(r.used_at, now())
       FROM (SELECT id, used_at AS previous_use FROM plinth.refresh_token
             WHERE token_hash = $1 AND collection_id = $2 FOR UPDATE) old
       WHERE r.id = old.id
       RETURNING r.id, r.family, r.collection_id, r.record_id, r.key_fingerprint, r.expires_at, old.previous_use AS used_at, r.revoked_at`,
      [tokenHash, collectionId],
    );
    return rows?.[0];
  }

  /**
   * One sign-in session (a refresh-token family) of an account: when it signed in, and whether any of
   * its tokens is unrevoked and signed under the account's current token key (a logout revokes them
   * all; a password change changes the key). Undefined when it has no tokens.
   */
  async session(
    family: string,
    collectionId: string,
    recordId: string,
    keyFingerprint: string,
  ): Promise<{ started: Date; live: boolean } | undefined> {
    const [row] = await this.dataSource.query(
      `SELECT min(created) AS started, bool_or(revoked_at IS NULL AND key_fingerprint = $4) AS live
       FROM plinth.refresh_token WHERE family = $1 AND collection_id = $2 AND record_id = $3`,
      [family, collectionId, recordId, keyFingerprint],
    );
    return row?.started ? { started: new Date(row.started), live: row.live === true } : undefined;
  }

  async findRefresh(tokenHash: string): Promise<RefreshRow | undefined> {
    const [row] = await this.dataSource.query(`SELECT * FROM plinth.refresh_token WHERE token_hash = $1`, [
      tokenHash,
    ]);
    return row;
  }

  async revokeFamily(family: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE plinth.refresh_token SET revoked_at = now() WHERE family = $1 AND revoked_at IS NULL`,
      [family],
    );
  }

  async revokeAll(collectionId: string, recordId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE plinth.refresh_token SET revoked_at = now() WHERE collection_id = $1 AND record_id = $2 AND revoked_at IS NULL`,
      [collectionId, recordId],
    );
  }
}
