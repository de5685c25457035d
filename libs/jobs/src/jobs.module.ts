import { DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { MaintenanceCleanupHandler } from './handlers/maintenance-cleanup.handler.js';
import { MailSendHandler } from './handlers/mail-send.handler.js';
import { MailSender } from './handlers/mail-sender.js';
import { MailSettingsController } from './handlers/mail-settings.controller.js';
import { JobsWorker } from './jobs-worker.service.js';
import { JobsService } from './jobs.service.js';

/**
 * `consume: false` gives producers only (servers with PLINTH_WORKERS=off); `consume: true` adds
 * the workers and every handler (apps/worker, or the server with PLINTH_WORKERS=inline).
 */
@Module({})
export class JobsModule {
  static forRoot(opts: { consume: boolean }): DynamicModule {
    return {
      module: JobsModule,
      global: true,
      imports: opts.consume ? [DiscoveryModule] : [],
      // MailSender everywhere: it registers the `mail` settings section, sends the admin's test mail and
      // tells whether mail can be sent at all.
      controllers: [MailSettingsController],
      providers: [
        JobsService,
        MailSender,
        ...(opts.consume ? [JobsWorker, MaintenanceCleanupHandler, MailSendHandler] : []),
      ],
      exports: [JobsService, MailSender, ...(opts.consume ? [JobsWorker] : [])],
    };
  }
}
