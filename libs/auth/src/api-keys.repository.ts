import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface ApiKeyRow {
  id: string;
  name: string;
  scopes: string[];
  key_hash: string;
  created: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
}

@Injectable()
export class ApiKeysRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(
    row: Pick<ApiKeyRow, 'id' | 'name' | 'scopes' | 'key_hash' | 'expires_at'> & {
      created_by: string | null;
    },
  ) {
    const [created] = await this.dataSource.query(
      `INSERT INTO plinth.api_key (id, name, scopes, key_hash, expires_at, created_by)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
      [row.id, row.name, row.scopes, row.key_hash, row.expires_at, row.created_by],
    );
    return created as ApiKeyRow;
  }

  list(): Promise<ApiKeyRow[]> {
    return this.dataSource.query('SELECT * FROM plinth.api_key ORDER BY created DESC, id DESC');
  }

  async findByHash(hash: string): Promise<ApiKeyRow | undefined> {
    const [row] = await this.dataSource.query('SELECT * FROM plinth.api_key WHERE key_hash = $1', [hash]);
    return row;
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.dataSource.query('DELETE FROM plinth.api_key WHERE id = $1', [id]);
    return Number(result[1]) > 0;
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.dataSource.query('UPDATE plinth.api_key SET last_used_at = $2 WHERE id = $1', [id, at]);
  }
}
