import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import {
  ChangeOutbox,
  changeEvent,
  CollectionsRegistry,
  RecordEvents,
  type OutboxEvent,
  type RecordChange,
} from '@plinth/collections';
import { fileKinds } from './file-events.js';
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

  /**
   * Whether an enabled webhook takes the event, or one the relay derives from it: an auth
   * collection's create is also its `signup`, and a change of a record with files its
   * `file.create` / `file.delete` events.
   */
  private wants(e: OutboxEvent): boolean {
    if (this.emitter.wants(e.type)) return true;
    if (typeof e.data.collectionId !== 'string') return false;
    const c = this.registry.find(e.data.collectionId);
    if (!c) return false;
    const action = e.type.slice(c.def.name.length + 1);
    if (action === 'create' && c.isAuth && this.emitter.wants(`${c.def.name}.signup`)) return true;
    return (
      c.def.fields.some((f) => f.type === 'file') &&
      fileKinds(action).some((kind) => this.emitter.wants(`${c.def.name}.${kind}`))
    );
  }
}
