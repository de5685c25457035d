import { Module } from '@nestjs/common';
import { CoreModule } from '@plinth/core';
import { StatsRollupHandler } from './stats-rollup.handler.js';
import { StatsRepository } from './stats.repository.js';

/** The `stats.rollup` job: imported by the worker and (for inline workers) by the server's LogsModule. */
@Module({
  imports: [CoreModule],
  providers: [StatsRepository, StatsRollupHandler],
  exports: [StatsRepository, StatsRollupHandler],
})
export class StatsJobsModule {}
