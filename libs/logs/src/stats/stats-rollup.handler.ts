import { Inject, Injectable, Logger } from '@nestjs/common';
import { REDIS } from '@plinth/core';
import { HandlesJob, JobHandler } from '@plinth/jobs';
import type { Redis } from 'ioredis';
import { realtimeConnections } from './replica-gauges.js';
import { StatsRepository } from './stats.repository.js';

/** Tables with fewer estimated rows than this are counted exactly; larger ones use the estimate. */
const EXACT_COUNT_BELOW = 100_000;

/**
 * `stats.rollup` (a BullMQ job scheduler, so one run per tick across replicas): folds the request log
 * and the push tables into per-minute values since the last final minute, snapshots records per
 * collection and realtime connections, folds minutes into hours and hours into days, and drops rows
 * past their grain's retention. One transaction under an advisory lock; the current minute is folded
 * again by the next run.
 */
@Injectable()
@JobHandler('stats.rollup')
export class StatsRollupHandler implements HandlesJob<'stats.rollup'> {
  private readonly logger = new Logger('Stats');

  constructor(
    private readonly repo: StatsRepository,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async handle(): Promise<{ from: string }> {
    const connections = await realtimeConnections(this.redis).catch(() => undefined);
    return this.repo.inRollup(async (tx) => {
      const from = await this.repo.foldFrom(tx);
      await this.repo.foldMinutes(tx, from);
      const records = new Map<string, number>();
      for (const t of await this.repo.tables(tx)) {
        records.set(
          t.name,
          t.estimate < EXACT_COUNT_BELOW ? await this.repo.countRows(tx, t.name) : t.estimate,
        );
      }
      await this.repo.setGauge(tx, 'records', records);
      if (connections !== undefined)
        await this.repo.setGauge(tx, 'realtime_connections', new Map([['', connections]]));
      await this.repo.fold(tx, 'hour', from);
      await this.repo.fold(tx, 'day', from);
      await this.repo.markFinal(tx);
      await this.repo.deleteExpired(tx);
      this.logger.debug(`Statistics folded from ${from.toISOString()}`);
      return { from: from.toISOString() };
    });
  }
}
