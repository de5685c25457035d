import { DynamicModule, Module } from '@nestjs/common';
import { BackupsModule } from '@plinth/backups';
import { ConfigModule, CoreModule, SettingsModule, type ResolvedConfig } from '@plinth/core';
import { JobsModule } from '@plinth/jobs';
import { StatsJobsModule } from '@plinth/logs';
import { MailModule } from '@plinth/mail';
import { PushModule } from '@plinth/push';
import { WebhooksModule } from '@plinth/webhooks';
import { LoggerModule } from 'nestjs-pino';
import type { Logger as PinoLogger } from 'pino';

/** The worker: no HTTP API, only the BullMQ processors of libs/jobs. */
@Module({})
export class WorkerModule {
  static forRoot(config: ResolvedConfig, logger: PinoLogger): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config, { role: 'worker', consumesJobs: true }),
        CoreModule,
        LoggerModule.forRoot({ pinoHttp: { logger } }),
        SettingsModule,
        JobsModule,
        MailModule,
        PushModule.forRoot({ http: false }),
        WebhooksModule.forRoot({ http: false }),
        StatsJobsModule,
        BackupsModule.forRoot({ restore: false }),
      ],
    };
  }
}
