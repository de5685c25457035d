import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

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

  async count(): Promise<number> {
    const [row] = await this.dataSource.query('SELECT count(*)::int AS n FROM plinth.admin');
    return row.n;
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
  ): Promise<AdminRow | undefined> {
    const [created] = await this.dataSource.query(
      `INSERT INTO plinth.admin (id, email, password_hash, token_key) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING RETURNING *`,
      [row.id, row.email, row.password_hash, row.token_key],
    );
    return created;
  }
}
