import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { newId, PLINTH_CONFIG, ReloadChannel, type ResolvedConfig } from '@plinth/core';
import { JobsService } from '@plinth/jobs';
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
 * Turns events into webhook deliveries, in both roles (the server for records and accounts, the
 * worker for push outcomes). Every process keeps the webhooks in memory (reloaded through Redis
 * when any replica changes them), so an event no webhook wants costs nothing. Deliveries are
 * written in the order events were emitted here (one chain per process), then queued; the sweep
 * queues any whose job was lost.
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

  /**
   * One event to every webhook that wants it. `build` makes the payload's data per webhook, or
   * undefined when the webhook's filter turns it down; it runs in emit order, after earlier events.
   */
  emit(
    type: string,
    orderKey: string,
    build: (w: WebhookRow) => Promise<Record<string, unknown> | undefined> | Record<string, unknown>,
  ): void {
    const targets = this.wanting(type);
    if (!targets.length) return;
    const timestamp = new Date().toISOString();
    this.enqueue(`${type} (${orderKey})`, async () => {
      const rows: NewDelivery[] = [];
      for (const w of targets) {
        const data = await build(w);
        if (!data) continue;
        const payload: WebhookPayload = { type, timestamp, data };
        rows.push({ id: newId(), webhookId: w.id, eventType: type, orderKey, payload });
      }
      await this.deliver(rows);
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
