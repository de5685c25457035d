import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { PLINTH_CONFIG, ReloadChannel, type ResolvedConfig } from '@plinth/core';
import { JobsService } from '@plinth/jobs';
import { OutboxKick } from './outbox-kick.js';
import { enqueueDelivery } from './webhook-delivery.handler.js';
import { WebhooksRepository, type NewDelivery, type WebhookRow } from './webhooks.repository.js';

/**
 * Whether a webhook's event list takes `type`: exactly, `*` (everything), or `<first part>.*`
 * (`posts.*` takes `posts.create` and `posts.signin`; `push.*` takes `push.delivery.failed`).
 */
export function wantsEvent(events: readonly string[], type: string): boolean {
  const scope = type.slice(0, type.indexOf('.'));
  return events.some((e) => e === '*' || e === type || e === `${scope}.*`);
}

/** The body every receiver gets: `{type, timestamp, data}` (data per kind of event, see README). */
export interface WebhookPayload {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

/**
 * The webhooks every process keeps in memory (reloaded through Redis when any replica changes them),
 * so an event no webhook wants costs nothing; and the way events that are no record write (push
 * outcomes) reach the outbox, written in the order they were emitted here (one chain per process).
 */
@Injectable()
export class WebhookEmitter implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  private webhooks: WebhookRow[] = [];
  private readonly channel: ReloadChannel;
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly repo: WebhooksRepository,
    private readonly jobs: JobsService,
    private readonly kick: OutboxKick,
    @Inject(PLINTH_CONFIG) config: ResolvedConfig,
  ) {
    this.channel = new ReloadChannel(
      config.redis.url,
      `${config.redis.prefix}:webhooks-changed`,
      async () => {
        this.webhooks = await this.repo.all();
      },
      'Webhooks',
    );
  }

  async onModuleInit(): Promise<void> {
    await this.channel.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.idle();
  }

  onApplicationShutdown(): void {
    this.channel.stop();
  }

  /** Reloads here and on every other replica (after an admin changed a webhook). */
  changed(): Promise<void> {
    return this.channel.changed();
  }

  /** The enabled webhooks that want this type of event (none: the caller need not build anything). */
  wanting(type: string): WebhookRow[] {
    return this.webhooks.filter((w) => w.enabled && wantsEvent(w.events, type));
  }

  /** Whether any enabled webhook wants this type of event. */
  wants(type: string): boolean {
    return this.webhooks.some((w) => w.enabled && wantsEvent(w.events, type));
  }

  /**
   * An event that is no record write (a push outcome) into the outbox, when a webhook wants it:
   * written in emit order (one chain per process), then the relay is asked to fan it out.
   */
  emit(type: string, orderKey: string, data: Record<string, unknown>): void {
    if (!this.wants(type)) return;
    this.enqueue(`${type} (${orderKey})`, async () => {
      await this.repo.insertOutbox([{ type, orderKey, data }]);
      this.kick.kick();
    });
  }

  /** Resolves when every event emitted so far is written: for shutdown and tests. */
  async idle(): Promise<void> {
    let seen: Promise<void> | undefined;
    while (seen !== this.tail) {
      seen = this.tail;
      await seen;
    }
  }

  /** Writes deliveries and queues them; a queue that is down leaves them to the sweep. */
  async deliver(rows: NewDelivery[]): Promise<void> {
    if (!rows.length) return;
    await this.repo.insertDeliveries(rows);
    for (const row of rows) {
      await enqueueDelivery(this.jobs, row.id).catch((err: Error) =>
        this.logger.warn(
          `Delivery ${row.id} is written but not queued (the sweep will queue it): ${err.message}`,
        ),
      );
    }
  }

  private enqueue(what: string, work: () => Promise<void>): void {
    this.tail = this.tail
      .then(work)
      .catch((err: Error) =>
        this.logger.error(`Webhook deliveries for ${what} were not written: ${err.message}`),
      );
  }
}
