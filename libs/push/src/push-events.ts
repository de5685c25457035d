import { Injectable, Module } from '@nestjs/common';
import { EventBus } from '@plinth/core';
import type { Counts } from './push-messages.repository.js';
import type { Platform } from './push.types.js';

/** What the push worker reports once it happened (webhooks `push.delivery.failed`, `push.message.completed`). */
export type PushEvent =
  | {
      kind: 'delivery.failed';
      messageId: string;
      deliveryId: string;
      deviceId: string | null;
      platform: Platform;
      userId: string | null;
      error: string;
    }
  | { kind: 'message.completed'; messageId: string; counts: Counts };

/** The internal bus of push outcomes, emitted by whichever process runs `push.deliver` jobs. */
@Injectable()
export class PushEvents extends EventBus<PushEvent> {
  constructor() {
    super('PushEvents', (e) => `push.${e.kind} of message ${e.messageId}`);
  }
}

/** Its own module, so that libs outside push (webhooks) subscribe in both roles. */
@Module({ providers: [PushEvents], exports: [PushEvents] })
export class PushEventsModule {}
