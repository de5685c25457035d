import { DynamicModule, Module } from '@nestjs/common';
import { WebhookDeliveryHandler } from './webhook-delivery.handler.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import { WebhookSweepHandler } from './webhook-sweep.handler.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksRepository } from './webhooks.repository.js';
import { WebhooksService } from './webhooks.service.js';

/**
 * Webhooks. Both roles get the delivery and sweep handlers (the jobs lib finds them when the
 * process consumes queues); `http: true` (the server) adds the admin API and the dispatcher that
 * turns record changes into deliveries.
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
        ...(opts.http ? [WebhookDispatcher, WebhooksService] : []),
      ],
    };
  }
}
