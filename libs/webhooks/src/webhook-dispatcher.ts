import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AuthEvents, type AuthEvent } from '@plinth/auth';
import {
  CollectionsRegistry,
  compileFilter,
  RecordEvents,
  type CompiledCollection,
  type RecordActor,
  type RecordChange,
} from '@plinth/collections';
import { WebhookEmitter } from './webhook-emitter.js';
import { type WebhookRow, WebhooksRepository } from './webhooks.repository.js';

/** The record as an admin reads it; hidden fields only when the webhook asks for them. */
function recordFor(c: CompiledCollection, record: Record<string, unknown>, includeHidden: boolean) {
  if (includeHidden) return record;
  const out = { ...record };
  for (const col of c.fieldColumns) if (col.field?.hidden) delete out[col.name];
  return out;
}

/** What a record or account event says besides the record itself. */
interface RecordEvent {
  type: string;
  collectionId: string;
  collectionName: string;
  record: Record<string, unknown>;
  previous?: Record<string, unknown>;
  /** Who made a record change (`data.auth`). */
  actor?: RecordActor;
  method?: string;
}

/**
 * The server's events: record changes (`posts.create|update|delete`) and account events of auth
 * collections (`users.signup|signin|password-reset|verified|email-changed`), both as
 * `data: {collection, record, ...}` with the record as an admin reads it (and of a record change:
 * `auth`, who made it; of an update: `previous`, the record before). A webhook's filter is
 * judged on that record. One record's events share an order key, so they arrive in order.
 */
@Injectable()
export class WebhookDispatcher implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    private readonly emitter: WebhookEmitter,
    private readonly registry: CollectionsRegistry,
    private readonly records: RecordEvents,
    private readonly auth: AuthEvents,
    private readonly webhooks: WebhooksRepository,
  ) {}

  onModuleInit(): void {
    this.unsubscribe.push(
      this.records.subscribe((change: RecordChange) =>
        this.onEvent({ ...change, type: `${change.collectionName}.${change.action}` }),
      ),
      this.auth.subscribe((e: AuthEvent) => this.onEvent({ ...e, type: `${e.collectionName}.${e.kind}` })),
    );
  }

  onApplicationShutdown(): void {
    for (const off of this.unsubscribe.splice(0)) off();
  }

  private onEvent(e: RecordEvent): void {
    const c = this.registry.find(e.collectionId);
    if (!c) return;
    this.emitter.emit(e.type, `${e.collectionId}:${String(e.record.id)}`, async (w: WebhookRow) => {
      if (w.filter && !(await this.matches(c, w.filter, e.record))) return undefined;
      return {
        collection: e.collectionName,
        record: recordFor(c, e.record, w.include_hidden),
        ...(e.previous ? { previous: recordFor(c, e.previous, w.include_hidden) } : {}),
        ...(e.actor ? { auth: e.actor } : {}),
        ...(e.method ? { method: e.method } : {}),
      };
    });
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
    try {
      const where = compileFilter(filter, c.filter, 't', {
        schema: this.registry.filterSchema,
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
      return await this.webhooks.recordMatches(c, row, where);
    } catch (err) {
      // The filter was valid when saved; a schema change since may have broken it.
      this.logger.warn(
        `A webhook filter could not be judged on ${c.def.name} (skipped): ${(err as Error).message}`,
      );
      return false;
    }
  }
}
