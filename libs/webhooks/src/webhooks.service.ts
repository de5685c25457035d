import { Inject, Injectable } from '@nestjs/common';
import { AUTH_EVENT_KINDS } from '@plinth/auth';
import { CollectionsRegistry, compileFilter, FilterError } from '@plinth/collections';
import {
  AppError,
  AuditTrail,
  diffValues,
  type AuditChange,
  isUuid,
  newId,
  PLINTH_CONFIG,
  type FieldProblem,
  type ResolvedConfig,
} from '@plinth/core';
import { JobsService } from '@plinth/jobs';
import { endpointUrlProblem, iso, pageOf, throwIfInvalid } from './signed-endpoints.js';
import { enqueueDelivery, webhookSecretBox } from './webhook-delivery.handler.js';
import { WebhookEmitter, type WebhookPayload } from './webhook-emitter.js';
import { newWebhookSecret } from './webhook-signing.js';
import { PUSH_EVENTS } from './webhooks.schemas.js';
import {
  WebhooksRepository,
  type DeliveryRow,
  type DeliveryStatus,
  type WebhookRow,
} from './webhooks.repository.js';

export interface WebhookBody {
  name?: string;
  url?: string;
  events?: string[];
  filter?: string;
  includeHidden?: boolean;
  enabled?: boolean;
}

/** After a rotation the old secret still signs (beside the new one) this long, so receivers can switch. */
export const OLD_SECRET_VALID_MS = 24 * 3600_000;

/** Left out of a webhook's audit diff: state the deliveries change, not an admin. */
const IGNORED = ['created', 'updated', 'consecutiveFailures', 'previousSecretValidUntil', 'disabledReason'];
const DONE = {
  create: 'created',
  update: 'changed',
  delete: 'deleted',
  rotate_secret: 'rotated the secret of',
};

function toView(w: WebhookRow, secret?: string) {
  const until =
    w.previous_secret && w.previous_secret_until && new Date(w.previous_secret_until) > new Date();
  return {
    id: w.id,
    name: w.name,
    url: w.url,
    events: w.events,
    filter: w.filter,
    includeHidden: w.include_hidden,
    enabled: w.enabled,
    consecutiveFailures: w.consecutive_failures,
    disabledReason: w.disabled_reason,
    previousSecretValidUntil: until ? iso(w.previous_secret_until) : null,
    ...(secret ? { secret } : {}),
    created: iso(w.created)!,
    updated: iso(w.updated)!,
  };
}

const deliveryView = (d: DeliveryRow) => ({
  id: d.id,
  type: d.event_type,
  status: d.status,
  attempts: d.attempts,
  nextAttemptAt: d.status === 'pending' || d.status === 'sending' ? iso(d.next_attempt_at) : null,
  lastAttemptAt: iso(d.last_attempt_at),
  lastStatus: d.last_status,
  lastError: d.last_error,
  created: iso(d.created)!,
});

/** The admin side of webhooks: configure, rotate secrets, read deliveries, replay, send a test event. */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly repo: WebhooksRepository,
    private readonly emitter: WebhookEmitter,
    private readonly registry: CollectionsRegistry,
    private readonly jobs: JobsService,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
    private readonly audit: AuditTrail,
  ) {}

  async list() {
    return { items: (await this.repo.all()).map((w) => toView(w)) };
  }

  async get(id: string) {
    return toView(await this.find(id));
  }

  /** A new webhook; `id` keeps the one of an imported schema file. */
  async create(body: WebhookBody, id: string = newId()) {
    this.check(body);
    const secret = newWebhookSecret();
    await this.repo.insert({
      id,
      name: body.name ?? '',
      url: body.url!,
      events: body.events!,
      filter: body.filter ?? '',
      include_hidden: body.includeHidden ?? false,
      enabled: body.enabled ?? true,
      secret: webhookSecretBox(this.config).seal(secret),
    });
    await this.emitter.changed();
    const view = toView(await this.find(id));
    await this.recordChange('create', view, diffValues({}, view, { ignore: IGNORED }));
    return toView(await this.find(id), secret);
  }

  private recordChange(
    verb: keyof typeof DONE,
    view: { id: string; url: string },
    changes: AuditChange[] = [],
  ) {
    return this.audit.record({
      action: `webhook.${verb}`,
      targetType: 'webhook',
      targetId: view.id,
      targetName: view.url,
      summary: `${DONE[verb]} webhook ${view.url}`,
      changes,
    });
  }

  async update(id: string, body: WebhookBody) {
    const current = await this.find(id);
    const before = toView(current);
    this.check({ ...body, events: body.events ?? current.events, filter: body.filter ?? current.filter });
    await this.repo.update(id, {
      name: body.name,
      url: body.url,
      events: body.events,
      filter: body.filter,
      include_hidden: body.includeHidden,
      enabled: body.enabled,
    });
    await this.emitter.changed();
    if (body.enabled === true && !current.enabled) {
      // What waited while it was disabled goes out now.
      const open = await this.repo.deliveries(id, { status: 'pending', limit: 10_000, offset: 0 });
      for (const d of open.items) await enqueueDelivery(this.jobs, d.id, { tag: `enabled-${Date.now()}` });
    }
    const after = await this.get(id);
    await this.recordChange('update', after, diffValues(before, after, { ignore: IGNORED }));
    return after;
  }

  async delete(id: string): Promise<void> {
    const current = isUuid(id) ? await this.find(id).catch(() => undefined) : undefined;
    if (!isUuid(id) || !(await this.repo.delete(id))) throw notFound(id);
    await this.emitter.changed();
    await this.recordChange('delete', { id, url: current?.url ?? '' });
  }

  /** A new secret, shown once; the old one keeps signing beside it for 24 hours. */
  async rotateSecret(id: string) {
    await this.find(id);
    const secret = newWebhookSecret();
    await this.repo.rotateSecret(id, webhookSecretBox(this.config).seal(secret), OLD_SECRET_VALID_MS);
    await this.emitter.changed();
    const view = toView(await this.find(id));
    await this.recordChange('rotate_secret', view, [{ path: 'secret', secret: true }]);
    return toView(await this.find(id), secret);
  }

  async deliveries(id: string, query: Record<string, unknown>) {
    await this.find(id);
    const status = query.status === undefined ? undefined : String(query.status);
    if (status !== undefined && !['pending', 'sending', 'delivered', 'dead'].includes(status)) {
      throw new AppError('VALIDATION_FAILED', 'status must be pending, sending, delivered or dead.', {
        errors: [
          { path: 'status', code: 'INVALID_VALUE', message: 'must be pending, sending, delivered or dead' },
        ],
      });
    }
    return pageOf(
      query,
      (range) => this.repo.deliveries(id, { status: status as DeliveryStatus | undefined, ...range }),
      deliveryView,
    );
  }

  async delivery(id: string, deliveryId: string) {
    await this.find(id);
    const d = isUuid(deliveryId) ? await this.repo.delivery(id, deliveryId) : undefined;
    if (!d) {
      throw new AppError('WEBHOOK_DELIVERY_NOT_FOUND', `Webhook ${id} has no delivery ${deliveryId}.`);
    }
    return {
      ...deliveryView(d),
      payload: d.payload,
      attemptLog: d.attempt_log.map((a) => ({
        attempt: a.attempt,
        at: iso(a.at)!,
        durationMs: a.duration_ms,
        status: a.status,
        response: a.response,
        error: a.error,
      })),
    };
  }

  /** One delivery (delivered or dead) or, without one, every dead letter: sent again with the same `webhook-id`. */
  async replay(id: string, deliveryId?: string) {
    await this.find(id);
    if (deliveryId !== undefined && !isUuid(deliveryId)) {
      throw new AppError('WEBHOOK_DELIVERY_NOT_FOUND', `Webhook ${id} has no delivery ${deliveryId}.`);
    }
    const ids = await this.repo.replay(id, deliveryId);
    if (deliveryId && !ids.length) {
      throw new AppError(
        'WEBHOOK_DELIVERY_NOT_FOUND',
        `Webhook ${id} has no finished delivery ${deliveryId} (one still pending is already being sent).`,
      );
    }
    const tag = `replay-${Date.now()}`;
    for (const d of ids) await enqueueDelivery(this.jobs, d, { tag });
    return { queued: ids.length };
  }

  /** A `webhook.test` event to this endpoint, delivered (and logged) like any other. */
  async sendTest(id: string) {
    const w = await this.find(id);
    const deliveryId = newId();
    const payload: WebhookPayload & { type: 'webhook.test' } = {
      type: 'webhook.test',
      timestamp: new Date().toISOString(),
      data: {
        collection: '',
        record: { id: 'test', message: `A test event for webhook "${w.name || w.url}"` },
      },
    };
    await this.emitter.deliver([
      { id: deliveryId, webhookId: id, eventType: 'webhook.test', orderKey: `test:${deliveryId}`, payload },
    ]);
    return { deliveryId };
  }

  private async find(id: string): Promise<WebhookRow> {
    const w = isUuid(id) ? await this.repo.find(id) : undefined;
    if (!w) throw notFound(id);
    return w;
  }

  /**
   * The URL, the events' collections and the filter, checked against every collection the events
   * name (also by the schema import, before it writes any webhook).
   */
  check(body: WebhookBody): void {
    const errors: FieldProblem[] = [];
    if (body.url !== undefined) {
      errors.push(...endpointUrlProblem(body.url, 'url', this.config.webhooks.allowPrivateEndpoints));
    }
    const names = new Set<string>();
    (body.events ?? []).forEach((event, i) => {
      if (event === '*' || isPushEvent(event)) return;
      const dot = event.indexOf('.');
      const [name, action] = [event.slice(0, dot), event.slice(dot + 1)];
      const c = this.registry.find(name);
      if (!c) {
        errors.push({ path: `events.${i}`, code: 'INVALID_VALUE', message: `names no collection "${name}"` });
      } else if (!c.isAuth && (AUTH_EVENT_KINDS as readonly string[]).includes(action)) {
        errors.push({
          path: `events.${i}`,
          code: 'INVALID_VALUE',
          message: `"${name}" is not an auth collection, so it has no ${action} events (only create, update, delete)`,
        });
      } else if (action.startsWith('file.') && !c.def.fields.some((f) => f.type === 'file')) {
        errors.push({
          path: `events.${i}`,
          code: 'INVALID_VALUE',
          message: `"${name}" has no file fields, so it has no ${action} events`,
        });
      } else names.add(name);
    });
    if (body.filter && body.events?.length && body.events.every(isPushEvent)) {
      errors.push({
        path: 'filter',
        code: 'INVALID_VALUE',
        message: 'push events carry no record to filter: leave the filter empty, or add record events',
      });
    }
    if (body.filter) {
      for (const name of names) {
        try {
          compileFilter(body.filter, this.registry.get(name).filter, 't', {
            schema: this.registry.filterSchema,
            now: new Date(),
            auth: null,
            isAdmin: true,
            canSeeHidden: true,
            allowRequestMacros: false,
          });
        } catch (err) {
          if (!(err instanceof FilterError)) throw err;
          errors.push({ path: 'filter', code: 'INVALID_VALUE', message: `on ${name}: ${err.message}` });
        }
      }
    }
    throwIfInvalid('webhook', errors);
  }
}

/** `push.*` or one push event (a collection named push still has its own `push.create` etc.). */
const isPushEvent = (event: string): boolean =>
  event === 'push.*' || (PUSH_EVENTS as readonly string[]).includes(event);

const notFound = (id: string) =>
  new AppError('WEBHOOK_NOT_FOUND', `There is no webhook ${id}; list them with GET /api/webhooks.`);
