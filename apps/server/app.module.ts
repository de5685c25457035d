import { DynamicModule, Module, Type } from '@nestjs/common';
import { ConfigModule, CoreModule, SettingsModule, type ResolvedConfig } from '@plinth/core';
import { AuthModule } from '@plinth/auth';
import { CollectionsModule } from '@plinth/collections';
import { JobsModule } from '@plinth/jobs';
import { PushModule } from '@plinth/push';
import { WebhooksModule } from '@plinth/webhooks';
import { LogsModule } from '@plinth/logs';
import { BackupsModule } from '@plinth/backups';
import { MailModule } from '@plinth/mail';
import { StorageModule } from '@plinth/storage';
import { HostingModule } from '@plinth/hosting';
import { RealtimeModule } from '@plinth/realtime';
import { LoggerModule } from 'nestjs-pino';
import type { Logger as PinoLogger } from 'pino';
import { HealthController } from './health.controller.js';
import { MetricsController } from './metrics.controller.js';
import { OpenApiController } from './openapi/openapi.controller.js';
import { PocketBaseImportModule } from './pocketbase-import/pocketbase-import.module.js';
import { OpenApiService } from './openapi/openapi.service.js';
import { SdkPackageController } from './sdk-package/sdk-package.controller.js';
import { SdkPackageService } from './sdk-package/sdk-package.service.js';

@Module({})
export class AppModule {
  static forRoot(
    config: ResolvedConfig,
    logger: PinoLogger,
    extra: Array<Type | DynamicModule> = [],
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config, { role: 'server', consumesJobs: config.workers.mode === 'inline' }),
        CoreModule,
        // Nest's own logs go through pino; the one line per request is written by an onResponse
        // hook in create-server.ts (cheaper on the hot path than the pino-http middleware).
        LoggerModule.forRoot({ pinoHttp: { logger }, forRoutes: [] }),
        SettingsModule,
        JobsModule,
        MailModule,
        CollectionsModule,
        AuthModule,
        StorageModule,
        HostingModule,
        RealtimeModule,
        PushModule.forRoot({ http: true }),
        WebhooksModule.forRoot({ http: true }),
        LogsModule,
        PocketBaseImportModule,
        BackupsModule.forRoot({ restore: true }),
        ...extra,
      ],
      controllers: [HealthController, MetricsController, OpenApiController, SdkPackageController],
      providers: [OpenApiService, SdkPackageService],
    };
  }
}
