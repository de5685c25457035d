import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

@Injectable()
export class OneTimeTokenRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Deletes every token past its expiry; returns how many went. */
  async deleteExpired(now = new Date()): Promise<number> {
    const result = await this.dataSource.query('DELETE FROM plinth.one_time_token WHERE expires_at <= $1', [
      now,
    ]);
    return Array.isArray(result) ? Number(result[1] ?? 0) : 0;
  }
}
