import { Injectable, Logger } from '@nestjs/common';
import {
  CollectionsRegistry,
  compileFilter,
  type CompiledCollection,
  type RecordActor,
} from '@plinth/collections';
import { newId } from '@plinth/core';
import { fileChanges } from './file-events.js';
import { WebhookEmitter, type WebhookPayload } from './webhook-emitter.js';
import {
  WebhooksRepository,
  type NewDelivery,
  type OutboxRow,
  type WebhookRow,
} from './webhooks.repository.js';

/** The record as an admin reads it; hidden fields only when the webhook asks for them. */
function recordFor(c: CompiledCollection, record: Record<string, unknown>, includeHidden: boolean) {
  if (includeHidden) return record;
  const out = { ...record };
  for (const col of c.fieldColumns) if (col.field?.hidden) delete out[col.name];
  return out;
}

/** What a record or account event in the outbox says. */
interface RecordEventData {
  collectionId: string;
  collectionName: string;
  action?: string;
  record: Record<string, unknown>;
  previous?: Record<string, unknown>;
  actor?: RecordActor;
  method?: string;
  factors?: string[];
}

/**
 * Turns outbox events into one delivery per webhook that wants each. Record changes
 * (`posts.create|update|delete`) and account events (`users.signin|...`) become `data: {collection,
 * record, previous?, auth?, method?}` with the record as an admin reads it, judged by each webhook's
 * filter; an auth collection's create is also its `signup`, and each file a change uploaded or
 * removed a `<collection>.file.create|delete` with `data.file: {field, name}`. Push outcomes pass as they are. A webhook
 * made after the event does not get it.
 */
@Injectable()
export class WebhookFanOut {
  private readonly logger = new Logger('Webhooks');

  constructor(
    private readonly emitter: WebhookEmitter,
    private readonly registry: CollectionsRegistry,
    private readonly repo: WebhooksRepository,
  ) {}

  async deliveries(events: OutboxRow[]): Promise<NewDelivery[]> {
    const out: NewDelivery[] = [];
    for (const e of events) {
      const timestamp = new Date(e.created).toISOString();
      const add = (type: string, w: WebhookRow, data: Record<string, unknown>) => {
        const payload: WebhookPayload = { type, timestamp, data };
        out.push({ id: newId(), webhookId: w.id, eventType: type, orderKey: e.order_key, payload });
      };
      const targets = (type: string) =>
        this.emitter.wanting(type).filter((w) => new Date(w.created) <= new Date(e.created));
      const data = e.data as unknown as RecordEventData;
      if (typeof data.collectionId !== 'string') {
        for (const w of targets(e.type)) add(e.type, w, e.data);
        continue;
      }
      const c = this.registry.find(data.collectionId);
      if (!c) continue;
      // The event itself, then what it implies: an auth collection's signup, the files it changed.
      const derived: Array<{ type: string; extra?: Record<string, unknown>; signup?: boolean }> = [
        { type: e.type },
      ];
      if (data.action === 'create' && c.isAuth) derived.push({ type: `${c.def.name}.signup`, signup: true });
      if (data.action) {
        for (const f of fileChanges(c.def, data.action, data.record, data.previous)) {
          derived.push({
            type: `${c.def.name}.${f.kind}`,
            extra: { file: { field: f.field, name: f.name } },
          });
        }
      }
      for (const { type, extra, signup } of derived) {
        for (const w of targets(type)) {
          if (w.filter && !(await this.matches(c, w.filter, data.record))) continue;
          add(type, w, {
            collection: data.collectionName,
            record: recordFor(c, data.record, w.include_hidden),
            ...(data.previous ? { previous: recordFor(c, data.previous, w.include_hidden) } : {}),
            ...(data.actor && !signup ? { auth: data.actor } : {}),
            ...(data.method ? { method: data.method } : {}),
            ...(data.factors ? { factors: data.factors } : {}),
            ...extra,
          });
        }
      }
    }
    return out;
  }

  /**
   * The webhook's filter, in the record filter grammar, judged on the record as it was written (a
   * deleted record included): PostgreSQL reads the record as a row of its table (on a connection of
   * its own, so a filter a schema change broke cannot abort the relay's transaction).
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
      return await this.repo.recordMatches(c, row, where);
    } catch (err) {
      // The filter was valid when saved; a schema change since may have broken it.
      this.logger.warn(
        `A webhook filter could not be judged on ${c.def.name} (skipped): ${(err as Error).message}`,
      );
      return false;
    }
  }
}
