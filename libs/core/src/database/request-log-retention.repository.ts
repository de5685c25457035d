import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Deletes request logs past their retention; used by `maintenance.cleanup` (libs/jobs). */
@Injectable()
export class RequestLogRetentionRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Deletes entries created more than `days` days ago; answers how many. */
  async deleteOlderThan(days: number): Promise<number> {
    const [, count] = await this.dataSource.query(
      `DELETE FROM plinth.request_log WHERE created < now() - make_interval(days => $1)`,
      [days],
    );
    return Number(count ?? 0);
  }
}
