import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import {
  ChangeOutbox,
  changeEvent,
  CollectionsRegistry,
  RecordEvents,
  type OutboxEvent,
  type RecordChange,
} from '@plinth/collections';
import { OutboxKick } from './outbox-kick.js';
import { WebhookEmitter } from './webhook-emitter.js';

/**
 * The server's side of webhook events: tells the transactional outbox which record changes and
 * account events some webhook wants (from the webhooks in memory, so an unwanted change writes
 * nothing), and asks for a relay run once such a change committed.
 */
@Injectable()
export class WebhookDispatcher implements OnModuleInit, OnApplicationShutdown {
  private unsubscribe?: () => void;

  constructor(
    private readonly emitter: WebhookEmitter,
    private readonly registry: CollectionsRegistry,
    private readonly records: RecordEvents,
    private readonly outbox: ChangeOutbox,
    private readonly kick: OutboxKick,
  ) {}

  onModuleInit(): void {
    this.outbox.use({ wants: (e) => this.wants(e), written: () => this.kick.kick() });
    this.unsubscribe = this.records.subscribe((change: RecordChange) => {
      if (this.wants(changeEvent(change))) this.kick.kick();
    });
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
  }

  /** Whether an enabled webhook takes the event; an auth collection's create is also its `signup`. */
  private wants(e: OutboxEvent): boolean {
    if (this.emitter.wants(e.type)) return true;
    if (!e.type.endsWith('.create') || typeof e.data.collectionId !== 'string') return false;
    const c = this.registry.find(e.data.collectionId);
    return !!c?.isAuth && this.emitter.wants(`${c.def.name}.signup`);
  }
}
