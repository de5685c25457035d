import { Module } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService } from '@nestjs/core';
import {
  CoreModule,
  PLINTH_CONFIG,
  PLINTH_PROCESS,
  type PlinthProcess,
  type ResolvedConfig,
} from '@plinth/core';
import { MaintenanceCleanupHandler } from './handlers/maintenance-cleanup.handler.js';
import { JobsWorker } from './jobs-worker.service.js';
import { JobsService } from './jobs.service.js';

/**
 * Producers everywhere (`JobsService`); the consumer (`JobsWorker`) only in a process that consumes
 * the queues (apps/worker, or the server with PLINTH_WORKERS=inline) — elsewhere it is null, and the
 * few that care inject it as optional.
 */
@Module({
  imports: [CoreModule, DiscoveryModule],
  providers: [
    JobsService,
    MaintenanceCleanupHandler,
    {
      provide: JobsWorker,
      inject: [PLINTH_PROCESS, DiscoveryService, JobsService, PLINTH_CONFIG],
      useFactory: (
        proc: PlinthProcess,
        discovery: DiscoveryService,
        jobs: JobsService,
        config: ResolvedConfig,
      ) => (proc.consumesJobs ? new JobsWorker(discovery, jobs, config) : null),
    },
  ],
  exports: [JobsService, JobsWorker],
})
export class JobsModule {}
