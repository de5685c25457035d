import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { CoreModule } from '@plinth/core';
import { AuditContextInterceptor } from './audit-context.interceptor.js';
import { AuditReadRepository } from './audit-read.repository.js';
import { AuditController } from './audit.controller.js';
import { AuditService } from './audit.service.js';
import { LogsController } from './logs.controller.js';
import { LogsService } from './logs.service.js';
import { RequestLogRepository } from './request-log.repository.js';
import { RequestLogWriter } from './request-log.writer.js';
import { ReplicaGauges } from './stats/replica-gauges.js';
import { StatsJobsModule } from './stats/stats-jobs.module.js';
import { StatsController } from './stats/stats.controller.js';
import { StatsService } from './stats/stats.service.js';

/**
 * What the server does, for admins: request logs (the writer the onResponse hook feeds), the audit
 * trail (every route runs with its caller as the audit actor) and the statistics.
 */
@Module({
  imports: [CoreModule, StatsJobsModule],
  controllers: [LogsController, AuditController, StatsController],
  providers: [
    RequestLogRepository,
    RequestLogWriter,
    LogsService,
    AuditReadRepository,
    AuditService,
    StatsService,
    ReplicaGauges,
    { provide: APP_INTERCEPTOR, useClass: AuditContextInterceptor },
  ],
  exports: [RequestLogWriter],
})
export class LogsModule {}
