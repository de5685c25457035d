import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import {
  CollectionsRegistry,
  compileFilter,
  RecordEvents,
  type CompiledCollection,
  type RecordChange,
} from '@plinth/collections';
import { newId, PLINTH_CONFIG, ReloadChannel, type ResolvedConfig } from '@plinth/core';
import { JobsService } from '@plinth/jobs';
import { DataSource } from 'typeorm';
import { enqueueDelivery } from './webhook-delivery.handler.js';
import { WebhooksRepository, type NewDelivery, type WebhookRow } from './webhooks.repository.js';

/** Whether a webhook's event list takes `type` (`posts.create`): exact, `posts.*` or `*`. */
export function wantsEvent(events: readonly string[], type: string): boolean {
  const collection = type.slice(0, type.lastIndexOf('.'));
  return events.some((e) => e === '*' || e === type || e === `${collection}.*`);
}

/** The body every receiver gets (DESIGN: `{type, timestamp, data: {collection, record}}`). */
export interface WebhookPayload {
  type: string;
  timestamp: string;
  data: { collection: string; record: Record<string, unknown> };
}

/** The record as an admin reads it; hidden fields only when the webhook asks for them. */
function recordFor(c: CompiledCollection, record: Record<string, unknown>, includeHidden: boolean) {
  if (includeHidden) return record;
  const out = { ...record };
  for (const col of c.fieldColumns) if (col.field?.hidden) delete out[col.name];
  return out;
}

/**
 * Turns record changes into webhook deliveries: every replica keeps the webhooks in memory
 * (reloaded through Redis when any replica changes them), so a write with no webhook on it costs
 * nothing. Deliveries are written to PostgreSQL first and then queued; the sweep queues any whose
 * job was lost.
 */
@Injectable()
export class WebhookDispatcher implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  private webhooks: WebhookRow[] = [];
  private readonly channel: ReloadChannel;
  private unsubscribe?: () => void;

  constructor(
    private readonly repo: WebhooksRepository,
    private readonly registry: CollectionsRegistry,
    private readonly events: RecordEvents,
    private readonly jobs: JobsService,
    private readonly dataSource: DataSource,
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
    this.unsubscribe = this.events.subscribe((change) => {
      if (!this.webhooks.length) return;
      void this.onChange(change).catch((err: Error) =>
        this.logger.error(
          `Webhook deliveries for ${change.collectionName}.${change.action} ${String(change.record.id)} were not written: ${err.message}`,
        ),
      );
    });
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
    this.channel.stop();
  }

  /** Reloads here and on every other replica (after an admin changed a webhook). */
  changed(): Promise<void> {
    return this.channel.changed();
  }

  private async onChange(change: RecordChange): Promise<void> {
    const type = `${change.collectionName}.${change.action}`;
    const c = this.registry.get(change.collectionName);
    const rows: NewDelivery[] = [];
    for (const w of this.webhooks) {
      if (!w.enabled || !wantsEvent(w.events, type)) continue;
      if (w.filter && !(await this.matches(c, w.filter, change.record))) continue;
      const payload: WebhookPayload = {
        type,
        timestamp: new Date().toISOString(),
        data: { collection: change.collectionName, record: recordFor(c, change.record, w.include_hidden) },
      };
      rows.push({
        id: newId(),
        webhookId: w.id,
        eventType: type,
        orderKey: `${change.collectionId}:${String(change.record.id)}`,
        payload,
      });
    }
    await this.deliver(rows);
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

  /**
   * The webhook's filter, in the record filter grammar, judged on the record as it was written (a
   * deleted record included): PostgreSQL reads the record as a row of its table.
   */
  private async matches(
    c: CompiledCollection,
    filter: string,
    record: Record<string, unknown>,
  ): Promise<boolean> {
    const params: unknown[] = [];
    try {
      const where = compileFilter(filter, c.filter, 't', {
        schema: this.registry.filterSchema,
        params,
        now: new Date(),
        auth: null,
        body: {},
        isAdmin: true,
        canSeeHidden: true,
        allowRequestMacros: false,
      });
      const row: Record<string, unknown> = { ...record };
      // Zero values of non-text columns ('' for an empty date or relation) are NULL in the table.
      for (const col of c.fieldColumns) if (row[col.name] === '' && col.cast !== 'text') row[col.name] = null;
      params.push(JSON.stringify(row));
      const [answer] = await this.dataSource.query(
        `SELECT EXISTS (SELECT 1 FROM jsonb_populate_record(NULL::${c.table}, $${params.length}::jsonb) AS t WHERE ${where}) AS ok`,
        params,
      );
      return answer?.ok === true;
    } catch (err) {
      // The filter was valid when saved; a schema change since may have broken it.
      this.logger.warn(
        `A webhook filter could not be judged on ${c.def.name} (skipped): ${(err as Error).message}`,
      );
      return false;
    }
  }
}
