import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/**
 * Serialises first-admin setups and admin deletions (transaction-scoped advisory lock): "no admin yet"
 * holds until the insert, "another admin is left" until the delete.
 */
const SETUP_LOCK = 0x706c6164; // "plad"

export interface AdminRow {
  id: string;
  email: string;
  password_hash: string;
  token_key: string;
  created: Date;
  updated: Date;
}

/** An admin with one of its live sessions. */
export interface AdminSessionRow extends AdminRow {
  session_id: string;
  session_created: Date;
  session_expires_at: Date;
}

@Injectable()
export class AdminsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async count(manager: EntityManager = this.dataSource.manager): Promise<number> {
    const [row] = await manager.query('SELECT count(*)::int AS n FROM plinth.admin');
    return row.n;
  }

  /** Runs `work` in a transaction that holds the first-admin setup lock. */
  withSetupLock<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [SETUP_LOCK]);
      return work(tx);
    });
  }

  /** Uses up an unexpired one-time token in the caller's transaction (as OneTimeTokenRepository.consume). */
  async consumeToken(tx: EntityManager, purpose: string, tokenHash: string): Promise<boolean> {
    const [rows] = await tx.query(
      `DELETE FROM plinth.one_time_token WHERE purpose = $1 AND token_hash = $2 AND expires_at > now() RETURNING id`,
      [purpose, tokenHash],
    );
    return (rows?.length ?? 0) > 0;
  }

  async findByEmail(email: string): Promise<AdminRow | undefined> {
    const [row] = await this.dataSource.query('SELECT * FROM plinth.admin WHERE lower(email) = lower($1)', [
      email,
    ]);
    return row;
  }

  async findById(id: string): Promise<AdminRow | undefined> {
    const [row] = await this.dataSource.query('SELECT * FROM plinth.admin WHERE id = $1', [id]);
    return row;
  }

  /** Inserts unless the email is taken; returns undefined when it was. */
  async insert(
    row: Pick<AdminRow, 'id' | 'email' | 'password_hash' | 'token_key'>,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<AdminRow | undefined> {
    const [created] = await manager.query(
      `INSERT INTO plinth.admin (id, email, password_hash, token_key) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING RETURNING *`,
      [row.id, row.email, row.password_hash, row.token_key],
    );
    return created;
  }

  async list(): Promise<AdminRow[]> {
    return this.dataSource.query('SELECT * FROM plinth.admin ORDER BY lower(email), id');
  }

  /** Starts a session; the admin's sessions past their lifetime go at the same time. */
  async insertSession(row: { id: string; admin_id: string; created: Date; expires_at: Date }): Promise<void> {
    await this.dataSource.query(
      `WITH pruned AS (DELETE FROM plinth.admin_session WHERE admin_id = $2 AND expires_at <= now())
       INSERT INTO plinth.admin_session (id, admin_id, created, expires_at) VALUES ($1, $2, $3, $4)`,
      [row.id, row.admin_id, row.created, row.expires_at],
    );
  }

  /** The admin with this live session (not ended, not past its lifetime), read as stored now. */
  async findSession(adminId: string, sessionId: string): Promise<AdminSessionRow | undefined> {
    const [row] = await this.dataSource.query(
      `SELECT a.*, s.id AS session_id, s.created AS session_created, s.expires_at AS session_expires_at
       FROM plinth.admin_session s JOIN plinth.admin a ON a.id = s.admin_id
       WHERE s.id = $2 AND s.admin_id = $1 AND s.expires_at > now()`,
      [adminId, sessionId],
    );
    return row;
  }

  async endSession(adminId: string, sessionId: string): Promise<void> {
    await this.dataSource.query('DELETE FROM plinth.admin_session WHERE admin_id = $1 AND id = $2', [
      adminId,
      sessionId,
    ]);
  }

  /** Ends every session of the admin, but `keep` when given. */
  async endSessions(
    adminId: string,
    keep?: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    await manager.query(
      'DELETE FROM plinth.admin_session WHERE admin_id = $1 AND ($2::uuid IS NULL OR id <> $2::uuid)',
      [adminId, keep ?? null],
    );
  }

  /** Sets the password hash and ends every other session in one transaction; false: no such admin. */
  async setPassword(adminId: string, passwordHash: string, keepSession?: string): Promise<boolean> {
    return this.dataSource.transaction(async (tx) => {
      const [rows] = await tx.query(
        'UPDATE plinth.admin SET password_hash = $2, updated = now() WHERE id = $1 RETURNING id',
        [adminId, passwordHash],
      );
      if (!rows?.length) return false;
      await this.endSessions(adminId, keepSession, tx);
      return true;
    });
  }

  /** Replaces an imported (bcrypt) hash by its argon2id form, unless the password changed meanwhile. */
  async upgradePasswordHash(adminId: string, oldHash: string, newHash: string): Promise<void> {
    await this.dataSource.query(
      'UPDATE plinth.admin SET password_hash = $3 WHERE id = $1 AND password_hash = $2',
      [adminId, oldHash, newHash],
    );
  }

  /** Deletes an admin (its sessions go with it) unless it is the last one. */
  async deleteUnlessLast(
    adminId: string,
    then?: (tx: EntityManager, email: string) => Promise<void>,
  ): Promise<'deleted' | 'missing' | 'last'> {
    return this.withSetupLock(async (tx) => {
      const [row] = await tx.query(
        'SELECT (SELECT count(*)::int FROM plinth.admin) AS n, (SELECT email FROM plinth.admin WHERE id = $1) AS email',
        [adminId],
      );
      if (row.email === null) return 'missing';
      if (row.n <= 1) return 'last';
      await tx.query('DELETE FROM plinth.admin WHERE id = $1', [adminId]);
      await then?.(tx, row.email);
      return 'deleted';
    });
  }
}
