import { Injectable, OnModuleInit } from '@nestjs/common';
import { SchemaParts, type PartChange, type SchemaPart } from '@plinth/collections';
import { AppError, type BodySchema, type FieldProblem } from '@plinth/core';
import { createHookSchema } from './hooks/hooks.schemas.js';
import { HooksService, type HookBody } from './hooks/hooks.service.js';
import { createScheduleSchema } from './schedules/schedules.schemas.js';
import { SchedulesService, type ScheduleBody } from './schedules/schedules.service.js';
import { createWebhookSchema } from './webhooks.schemas.js';
import { WebhooksService, type WebhookBody } from './webhooks.service.js';

type Item = Record<string, unknown>;

/** The problems `check` throws, by item; other errors go on. */
function problemsOf(index: number, check: () => void): Array<FieldProblem & { index: number }> {
  try {
    check();
    return [];
  } catch (err) {
    if (err instanceof AppError && err.code === 'VALIDATION_FAILED') {
      return (err.extra.errors ?? []).map((e) => ({ ...e, index }));
    }
    throw err;
  }
}

/** The item schema of a part matched by id: the create body and the id. */
const withId = (schema: BodySchema): BodySchema => ({
  ...schema,
  properties: { ...(schema.properties as object), id: { type: 'string', format: 'uuid' } },
});

/** Create or update by id (an item without a known id is created), and with deleteMissing the rest deleted. */
function planById(existing: () => Promise<Array<{ id: string; name: string }>>) {
  return async (items: Item[], deleteMissing: boolean): Promise<PartChange[]> => {
    const current = await existing();
    const ids = new Set(current.map((w) => w.id));
    const changes: PartChange[] = items.map((i) => ({
      ...(typeof i.id === 'string' ? { id: i.id } : {}),
      name: String(i.name ?? ''),
      action: typeof i.id === 'string' && ids.has(i.id) ? 'update' : 'create',
    }));
    const kept = new Set(items.map((i) => i.id));
    if (deleteMissing) {
      for (const w of current)
        if (!kept.has(w.id)) changes.push({ id: w.id, name: w.name, action: 'delete' });
    }
    return changes;
  };
}

/**
 * Webhooks, blocking hooks and schedules in the schema file (`GET /api/collections/export`, `PUT .../import`):
 * their settings, never their secrets. Webhooks and hooks match by id, schedules by their unique name; one made
 * by an import gets a new secret (rotate it to see it). With deleteMissing the others are deleted.
 */
@Injectable()
export class WebhooksSchemaParts implements OnModuleInit {
  constructor(
    private readonly parts: SchemaParts,
    private readonly webhooks: WebhooksService,
    private readonly schedules: SchedulesService,
    private readonly hooks: HooksService,
  ) {}

  onModuleInit(): void {
    this.parts.use(this.webhookPart());
    this.parts.use(this.hookPart());
    this.parts.use(this.schedulePart());
  }

  private webhookPart(): SchemaPart {
    const service = this.webhooks;
    const body = ({ id: _id, ...rest }: Item) => rest as WebhookBody;
    const plan = planById(async () => (await service.list()).items);
    return {
      key: 'webhooks',
      itemSchema: withId(createWebhookSchema),
      export: async () =>
        (await service.list()).items.map((w) => ({
          id: w.id,
          name: w.name,
          url: w.url,
          events: w.events,
          filter: w.filter,
          includeHidden: w.includeHidden,
          enabled: w.enabled,
        })),
      plan,
      check: async (items) => items.flatMap((i, index) => problemsOf(index, () => service.check(body(i)))),
      apply: async (items, deleteMissing) => {
        const changes = await plan(items, deleteMissing);
        for (const [n, change] of changes.entries()) {
          if (change.action === 'delete') await service.delete(change.id!);
          else if (change.action === 'update') await service.update(change.id!, body(items[n]!));
          else change.id = (await service.create(body(items[n]!), change.id)).id;
        }
        return changes;
      },
    };
  }

  /** Blocking hooks, like webhooks: by id, secrets excluded (one an import makes gets a new secret). */
  private hookPart(): SchemaPart {
    const service = this.hooks;
    const body = ({ id: _id, ...rest }: Item) => rest as HookBody;
    const plan = planById(async () => (await service.list()).items);
    return {
      key: 'hooks',
      itemSchema: withId(createHookSchema),
      export: async () =>
        (await service.list()).items.map((h) => ({
          id: h.id,
          name: h.name,
          url: h.url,
          events: h.events,
          filter: h.filter,
          timeoutMs: h.timeoutMs,
          failurePolicy: h.failurePolicy,
          enabled: h.enabled,
        })),
      plan,
      check: async (items) => items.flatMap((i, index) => problemsOf(index, () => service.check(body(i)))),
      apply: async (items, deleteMissing) => {
        const changes = await plan(items, deleteMissing);
        for (const [n, change] of changes.entries()) {
          if (change.action === 'delete') await service.delete(change.id!);
          else if (change.action === 'update') await service.update(change.id!, body(items[n]!));
          else change.id = (await service.create(body(items[n]!), change.id)).id;
        }
        return changes;
      },
    };
  }

  private schedulePart(): SchemaPart {
    const service = this.schedules;
    const plan = async (items: Item[], deleteMissing: boolean): Promise<PartChange[]> => {
      const existing = (await service.list()).items;
      const byName = new Map(existing.map((s) => [s.name, s.id]));
      const changes: PartChange[] = items.map((i) => {
        const id = byName.get(String(i.name));
        return id
          ? { id, name: String(i.name), action: 'update' }
          : { name: String(i.name), action: 'create' };
      });
      const kept = new Set(items.map((i) => i.name));
      if (deleteMissing) {
        for (const s of existing)
          if (!kept.has(s.name)) changes.push({ id: s.id, name: s.name, action: 'delete' });
      }
      return changes;
    };
    return {
      key: 'schedules',
      itemSchema: createScheduleSchema,
      export: async () =>
        (await service.list()).items.map((s) => ({
          name: s.name,
          cron: s.cron,
          timezone: s.timezone,
          enabled: s.enabled,
          target: s.target,
        })),
      plan,
      check: async (items) =>
        items.flatMap((i, index) =>
          problemsOf(index, () => service.check({ timezone: 'UTC', ...(i as ScheduleBody) })),
        ),
      apply: async (items, deleteMissing) => {
        const changes = await plan(items, deleteMissing);
        for (const [n, change] of changes.entries()) {
          if (change.action === 'delete') await service.delete(change.id!);
          else if (change.action === 'update') await service.update(change.id!, items[n] as ScheduleBody);
          else change.id = (await service.create(items[n] as ScheduleBody)).id;
        }
        return changes;
      },
    };
  }
}
