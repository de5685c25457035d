import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/** Serialises first-admin setups (transaction-scoped advisory lock): "no admin yet" holds until the insert. */
const SETUP_LOCK = 0x706c6164; // "plad"

export interface AdminRow {
  id: string;
  email: string;
  password_hash: string;
  token_key: string;
  created: Date;
  updated: Date;
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
}
