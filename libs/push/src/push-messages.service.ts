import { Injectable, Logger } from '@nestjs/common';
import {
  AuditTrail,
  AppError,
  isAdminLike,
  isUuid,
  isUuidText,
  newId,
  SettingsService,
  type Principal,
  sql,
  type Sql,
  toQuery,
} from '@plinth/core';
import {
  CollectionsRegistry,
  compileFilter,
  FilterError,
  filterProblem,
  keyReads,
  type FilterContext,
} from '@plinth/collections';
import { JobsService } from '@plinth/jobs';
import { checkPayloadSizes } from './payload.js';
import { enqueueDeliveries } from './push-delivery.handler.js';
import { PushEvents } from './push-events.js';
import { PushMetrics } from './push-metrics.js';
import { apnsConfigured, fcmConfigured, type PushSettings } from './push-settings.js';
import {
  PushMessagesRepository,
  type Counts,
  type MessageRow,
  type TargetSql,
} from './push-messages.repository.js';
import {
  PLATFORMS,
  type Platform,
  type PushNotification,
  type PushPayload,
  type PushTargets,
} from './push.types.js';

export interface SendPushBody extends PushPayload {
  targets: PushTargets;
  scheduledAt?: string;
  idempotencyKey?: string;
}

function statusOf(c: Counts, scheduledAt: Date | null): string {
  if (c.pending) return scheduledAt && scheduledAt.getTime() > Date.now() ? 'scheduled' : 'sending';
  if (!c.failed) return 'sent';
  return c.sent ? 'partial' : 'failed';
}

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);

function summary(m: MessageRow, counts: Counts) {
  const scheduledAt = m.scheduled_at ? new Date(m.scheduled_at) : null;
  return {
    id: m.id,
    status: statusOf(counts, scheduledAt),
    counts,
    source: m.source,
    ...(m.payload.notification ? { notification: m.payload.notification } : {}),
    scheduledAt: iso(scheduledAt),
    created: iso(m.created)!,
  };
}

/** Sending pushes: targets → one message and its deliveries in one transaction → jobs. */
@Injectable()
export class PushMessagesService {
  private readonly logger = new Logger('Push');

  constructor(
    private readonly repo: PushMessagesRepository,
    private readonly registry: CollectionsRegistry,
    private readonly jobs: JobsService,
    private readonly metrics: PushMetrics,
    private readonly settings: SettingsService,
    private readonly events: PushEvents,
    private readonly audit: AuditTrail,
  ) {}

  /** Admins and keys with the `push:send` scope send and follow messages. */
  assertMaySend(principal: Principal): string {
    if (isAdminLike(principal))
      return principal.kind === 'admin' ? `admin:${principal.id}` : `key:${(principal as { id: string }).id}`;
    if (principal.kind === 'key' && principal.scopes.has('push:send')) return `key:${principal.id}`;
    if (principal.kind === 'anonymous') {
      throw new AppError(
        'UNAUTHORIZED',
        'Sending pushes needs an admin token or an API key with the push:send scope.',
        {
          headers: { 'www-authenticate': 'Bearer' },
        },
      );
    }
    throw new AppError(
      'SCOPE_REQUIRED',
      'Sending pushes needs an admin or an API key with the push:send scope.',
    );
  }

  async send(principal: Principal, body: SendPushBody): Promise<SendResult> {
    const createdBy = this.assertMaySend(principal);
    const result = await this.create(createdBy, 'api', body, isAdminLike(principal), keyReads(principal));
    const t = body.targets;
    const to = Object.entries({ users: t.users, devices: t.devices, topics: t.topics })
      .filter(([, v]) => v?.length)
      .map(([k, v]) => `${v!.length} ${k}`);
    if (t.filter) to.push('a filter');
    await this.audit.record({
      action: 'push.send',
      targetType: 'push_message',
      targetId: result.id,
      targetName: String(body.notification?.title ?? '').slice(0, 200),
      summary: `sent a push to ${result.recipients} device(s) (targets: ${to.join(', ') || 'none'})`,
    });
    return result;
  }

  /** Shared by the API and record triggers. */
  async create(
    createdBy: string,
    source: string,
    body: SendPushBody,
    canSeeHidden: boolean,
    // A push:send key's target filter sees only what it may read (emails, related records).
    reads: Pick<FilterContext, 'mayRead'> = {},
  ): Promise<SendResult> {
    const t = body.targets;
    this.assertTargets(t);
    if (!hasContent(body.notification) && !(body.data && Object.keys(body.data).length)) {
      throw new AppError('VALIDATION_FAILED', 'A push needs a notification (title or body) or data.', {
        errors: [{ path: 'notification', code: 'REQUIRED', message: 'needs a title or body, or send data' }],
      });
    }
    const payload: PushPayload = {
      ...(body.notification ? { notification: body.notification } : {}),
      ...(body.data ? { data: body.data } : {}),
      ...(body.overrides ? { overrides: body.overrides } : {}),
      ...(body.ttl !== undefined ? { ttl: body.ttl } : {}),
      ...(body.priority ? { priority: body.priority } : {}),
      ...(body.collapseKey ? { collapseKey: body.collapseKey } : {}),
    };
    // Checked for every platform up front, so the answer does not depend on which devices exist.
    checkPayloadSizes(payload, ['fcm', 'apns', 'webpush']);
    const target = this.targetSql(t, canSeeHidden, reads, 2);
    const scheduledAt = body.scheduledAt ? new Date(body.scheduledAt) : null;
    const result = await this.repo.createMessage(
      {
        id: newId(),
        createdBy,
        idempotencyKey: body.idempotencyKey ?? null,
        source,
        targets: t,
        payload,
        scheduledAt,
      },
      target,
    );
    if (!result.existing) this.metrics.messages.inc({ source });
    if (!result.existing && !result.deliveryIds.length) {
      // Completed as it was written (no device to send to): reported here, as the worker would.
      const counts = { total: 0, pending: 0, sent: 0, failed: 0 };
      this.events.emit({ kind: 'message.completed', messageId: result.id, counts });
    }
    const delayMs = scheduledAt ? scheduledAt.getTime() - Date.now() : 0;
    try {
      await enqueueDeliveries(this.jobs, result.id, result.deliveryIds, { delayMs });
    } catch (err) {
      // The rows stay: the same POST with its idempotencyKey enqueues them again.
      this.logger.error(
        `Push message ${result.id} is written but its jobs were not queued: ${(err as Error).message}`,
      );
      throw err;
    }
    const recipients = result.existing
      ? (await this.repo.counts([result.id])).get(result.id)!.total
      : result.deliveryIds.length;
    return { id: result.id, recipients };
  }

  /**
   * What a send to these targets would reach now: active devices per platform, and which providers
   * have their credentials (Web Push's VAPID keys are generated, so it always has).
   */
  /** Some target, and every target user an id some auth collection could hold (UUID or text id). */
  private assertTargets(t: PushTargets): void {
    assertTargets(t);
    const errors = (t.users ?? []).flatMap((u, i) =>
      this.registry.isUserId(u)
        ? []
        : [
            {
              path: `targets.users.${i}`,
              code: 'INVALID_VALUE',
              message: 'is not a user id of any auth collection',
            },
          ],
    );
    if (errors.length)
      throw new AppError('VALIDATION_FAILED', 'Some target users are not user ids.', { errors });
  }

  async recipients(principal: Principal, targets: PushTargets) {
    this.assertMaySend(principal);
    this.assertTargets(targets);
    const counts = await this.repo.countTargets(
      this.targetSql(targets, isAdminLike(principal), keyReads(principal), 0),
    );
    const platforms = Object.fromEntries(PLATFORMS.map((p) => [p, counts.get(p) ?? 0])) as Record<
      Platform,
      number
    >;
    const s = await this.settings.get<PushSettings>('push');
    return {
      devices: PLATFORMS.reduce((n, p) => n + platforms[p], 0),
      platforms,
      providers: { fcm: fcmConfigured(s), apns: apnsConfigured(s), webpush: true },
    };
  }

  async get(principal: Principal, id: string) {
    this.assertMaySend(principal);
    const message = await this.find(id);
    const [counts, deliveries] = await Promise.all([this.repo.counts([id]), this.repo.deliveries(id)]);
    return {
      ...summary(message, counts.get(id)!),
      deliveries: deliveries.map((d) => ({
        deviceId: d.device_id,
        platform: d.platform,
        status: d.status === 'sending' ? 'pending' : d.status,
        attempts: d.attempts,
        ...(d.error && d.status !== 'sent' ? { error: d.error } : {}),
        ...(d.sent_at ? { sentAt: iso(d.sent_at)! } : {}),
        ...(d.status === 'pending' ? { nextAttemptAt: iso(d.next_attempt_at)! } : {}),
      })),
    };
  }

  async list(query: Record<string, unknown>) {
    const page = positive(query.page, 'page', 1);
    const perPage = Math.min(500, positive(query.perPage, 'perPage', 30));
    const { items, total } = await this.repo.listMessages(page, perPage);
    const counts = await this.repo.counts(items.map((m) => m.id));
    return {
      page,
      perPage,
      totalItems: total,
      totalPages: Math.ceil(total / perPage),
      items: items.map((m) => summary(m, counts.get(m.id)!)),
    };
  }

  /** Dead letters back to pending and queued again; deliveries to deactivated devices stay failed. */
  async retry(principal: Principal, id: string): Promise<{ id: string; retried: number }> {
    this.assertMaySend(principal);
    await this.find(id);
    const ids = await this.repo.retryFailed(id);
    if (ids.length) await enqueueDeliveries(this.jobs, id, ids, { tag: `retry${Date.now()}` });
    return { id, retried: ids.length };
  }

  private async find(id: string): Promise<MessageRow> {
    const message = isUuid(id) ? await this.repo.message(id) : undefined;
    if (!message)
      throw new AppError('PUSH_MESSAGE_NOT_FOUND', `There is no push message "${id.slice(0, 80)}".`);
    return message;
  }

  /** The devices targeted, as one condition over push_device `d` (placeholders after the first `slots`). */
  private targetSql(
    t: PushTargets,
    canSeeHidden: boolean,
    reads: Pick<FilterContext, 'mayRead'>,
    slots: number,
  ): TargetSql {
    const parts: Sql[] = [];
    // User ids are UUIDs (stored lower-cased) or text ids (PocketBase's, as they are).
    const users = t.users?.map((u) => (isUuidText(u) ? u.toLowerCase() : u));
    if (users?.length) parts.push(sql`d.user_id = ANY(${users}::text[])`);
    if (t.devices?.length) parts.push(sql`d.id = ANY(${t.devices}::uuid[])`);
    if (t.topics?.length) {
      parts.push(
        sql`d.id IN (SELECT device_id FROM plinth.push_topic WHERE topic = ANY(${t.topics}::text[]))`,
      );
    }
    if (t.filter?.trim()) {
      const name = t.collection ?? 'users';
      const c = this.registry.find(name);
      if (!c || !c.isAuth) {
        throw new AppError(
          'VALIDATION_FAILED',
          `targets.collection: "${name.slice(0, 63)}" is not an auth collection.`,
          {
            errors: [
              { path: 'targets.collection', code: 'INVALID_VALUE', message: 'must name an auth collection' },
            ],
          },
        );
      }
      const ctx: FilterContext = {
        schema: this.registry.filterSchema,
        now: new Date(),
        auth: null,
        isAdmin: true,
        canSeeHidden,
        allowRequestMacros: false,
        ...reads,
      };
      let where: Sql;
      try {
        where = compileFilter(t.filter, c.filter, 't', ctx);
      } catch (err) {
        if (err instanceof FilterError) throw filterProblem(err, 'targets.filter');
        throw err;
      }
      parts.push(
        sql`(d.collection_id = ${c.def.id}::text AND d.user_id IN (SELECT t.id::text FROM ${c.sql.table} t WHERE ${where}))`,
      );
    }
    // Placeholders after the statement's own first `slots` (the INSERT's message id and time).
    const { text, values } = toQuery(sql.join(parts, ' OR '), slots);
    return { sql: text, params: values };
  }
}

export interface SendResult {
  id: string;
  /** Active devices the message was addressed to (0: nobody receives it). */
  recipients: number;
}

function assertTargets(t: PushTargets): void {
  if (!t.users?.length && !t.devices?.length && !t.topics?.length && !t.filter?.trim()) {
    throw new AppError('PUSH_NO_TARGETS', 'Name at least one target: users, devices, topics or a filter.', {
      errors: [{ path: 'targets', code: 'REQUIRED', message: 'needs users, devices, topics or filter' }],
    });
  }
}

const hasContent = (n: PushNotification | undefined): boolean => Boolean(n && (n.title || n.body));

function positive(raw: unknown, path: string, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    throw new AppError('INVALID_QUERY', `${path} must be a whole number of at least 1.`, {
      errors: [{ path, code: 'INVALID_VALUE', message: 'must be a whole number of at least 1' }],
    });
  }
  return n;
}
