import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from '@plinth/auth';
import { CollectionsModule, CollectionsRegistryModule } from '@plinth/collections';
import { CoreModule } from '@plinth/core';
import { JobsModule } from '@plinth/jobs';
import { PushEventsModule } from '@plinth/push';
import { HookGate } from './hooks/hook-gate.js';
import { HooksController } from './hooks/hooks.controller.js';
import { HooksRepository } from './hooks/hooks.repository.js';
import { HooksService } from './hooks/hooks.service.js';
import { OutboxKick } from './outbox-kick.js';
import { OutboxRelayHandler } from './outbox-relay.handler.js';
import { ScheduleRunHandler } from './schedules/schedule-run.handler.js';
import { ScheduleSync } from './schedules/schedule-sync.js';
import { SchedulesController } from './schedules/schedules.controller.js';
import { SchedulesRepository } from './schedules/schedules.repository.js';
import { SchedulesService } from './schedules/schedules.service.js';
import { WebhookDeliveryHandler } from './webhook-delivery.handler.js';
import { PushWebhooks } from './push-webhooks.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import { WebhookEmitter } from './webhook-emitter.js';
import { WebhookFanOut } from './webhook-fan-out.js';
import { WebhookSweepHandler } from './webhook-sweep.handler.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksRepository } from './webhooks.repository.js';
import { WebhooksService } from './webhooks.service.js';
import { WebhooksSchemaParts } from './webhooks-schema-parts.js';

/**
 * Webhooks. Both roles get the relay, delivery and sweep handlers (the jobs lib finds them when the
 * process consumes queues) and the emitter with push outcomes as events; `http: true` (the server)
 * adds the admin API and the dispatcher that puts record changes and account events the webhooks
 * want into the transactional outbox, and the blocking hooks that judge its record writes.
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
        CollectionsRegistryModule,
        ...(opts.http ? [CollectionsModule, AuthModule] : []),
      ],
      controllers: opts.http ? [WebhooksController, SchedulesController, HooksController] : [],
      providers: [
        WebhooksRepository,
        WebhookDeliveryHandler,
        WebhookSweepHandler,
        WebhookEmitter,
        OutboxKick,
        OutboxRelayHandler,
        WebhookFanOut,
        PushWebhooks,
        SchedulesRepository,
        ScheduleSync,
        ScheduleRunHandler,
        ...(opts.http ? [WebhookDispatcher, WebhooksService] : []),
        ...(opts.http ? [SchedulesService, WebhooksSchemaParts] : []),
        // Blocking hooks judge the writes of the process that serves the API.
        ...(opts.http ? [HooksRepository, HookGate, HooksService] : []),
      ],
    };
  }
}
