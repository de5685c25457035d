import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from '@plinth/auth';
import { CollectionsModule } from '@plinth/collections';
import { CoreModule } from '@plinth/core';
import { JobsModule } from '@plinth/jobs';
import { PushEventsModule } from '@plinth/push';
import { ScheduleRunHandler } from './schedules/schedule-run.handler.js';
import { ScheduleSync } from './schedules/schedule-sync.js';
import { SchedulesController } from './schedules/schedules.controller.js';
import { SchedulesRepository } from './schedules/schedules.repository.js';
import { SchedulesService } from './schedules/schedules.service.js';
import { WebhookDeliveryHandler } from './webhook-delivery.handler.js';
import { PushWebhooks } from './push-webhooks.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import { WebhookEmitter } from './webhook-emitter.js';
import { WebhookSweepHandler } from './webhook-sweep.handler.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksRepository } from './webhooks.repository.js';
import { WebhooksService } from './webhooks.service.js';

/**
 * Webhooks. Both roles get the delivery and sweep handlers (the jobs lib finds them when the
 * process consumes queues) and the emitter with push outcomes as events; `http: true` (the server)
 * adds the admin API and the dispatcher that turns record changes and account events into deliveries.
 */
@Module({})
export class WebhooksModule {
  static forRoot(opts: { http: boolean }): DynamicModule {
    return {
      module: WebhooksModule,
      imports: [
        CoreModule,
        JobsModule,
        PushEventsModule,
        ...(opts.http ? [CollectionsModule, AuthModule] : []),
      ],
      controllers: opts.http ? [WebhooksController, SchedulesController] : [],
      providers: [
        WebhooksRepository,
        WebhookDeliveryHandler,
        WebhookSweepHandler,
        WebhookEmitter,
        PushWebhooks,
        SchedulesRepository,
        ScheduleSync,
        ScheduleRunHandler,
        ...(opts.http ? [WebhookDispatcher, WebhooksService] : []),
        ...(opts.http ? [SchedulesService] : []),
      ],
    };
  }
}
