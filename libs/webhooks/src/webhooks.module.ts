import { DynamicModule, Module } from '@nestjs/common';
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
      controllers: opts.http ? [WebhooksController] : [],
      providers: [
        WebhooksRepository,
        WebhookDeliveryHandler,
        WebhookSweepHandler,
        WebhookEmitter,
        PushWebhooks,
        ...(opts.http ? [WebhookDispatcher, WebhooksService] : []),
      ],
    };
  }
}
