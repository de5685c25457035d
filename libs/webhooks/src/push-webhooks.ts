import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { PushEvents, type PushEvent } from '@plinth/push';
import { WebhookEmitter } from './webhook-emitter.js';

/**
 * Push outcomes as webhook events, in whichever process sends pushes (the worker, or the server
 * with inline workers): `push.delivery.failed` and `push.message.completed`, ordered per message.
 */
@Injectable()
export class PushWebhooks implements OnModuleInit, OnApplicationShutdown {
  private unsubscribe?: () => void;

  constructor(
    private readonly emitter: WebhookEmitter,
    private readonly events: PushEvents,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.events.subscribe((e: PushEvent) => {
      const { kind, ...data } = e;
      this.emitter.emit(`push.${kind}`, `push:${e.messageId}`, data);
    });
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
  }
}
