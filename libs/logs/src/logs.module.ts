import { Module } from '@nestjs/common';
import { CoreModule } from '@plinth/core';
import { LogsController } from './logs.controller.js';
import { LogsService } from './logs.service.js';
import { RequestLogRepository } from './request-log.repository.js';
import { RequestLogWriter } from './request-log.writer.js';

/** Request logs: the writer the server's onResponse hook feeds, and the admin API that reads them. */
@Module({
  imports: [CoreModule],
  controllers: [LogsController],
  providers: [RequestLogRepository, RequestLogWriter, LogsService],
  exports: [RequestLogWriter],
})
export class LogsModule {}
