import { Injectable, OnModuleInit } from '@nestjs/common';
import { SchemaParts, type PartChange, type SchemaPart } from '@plinth/collections';
import { AppError, type FieldProblem } from '@plinth/core';
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

/**
 * Webhooks and schedules in the schema file (`GET /api/collections/export`, `PUT .../import`):
 * their settings, never their secrets. Webhooks match by id, schedules by their unique name; one made
 * by an import gets a new secret (rotate it to see it). With deleteMissing the others are deleted.
 */
@Injectable()
export class WebhooksSchemaParts implements OnModuleInit {
  constructor(
    private readonly parts: SchemaParts,
    private readonly webhooks: WebhooksService,
    private readonly schedules: SchedulesService,
  ) {}

  onModuleInit(): void {
    this.parts.use(this.webhookPart());
    this.parts.use(this.schedulePart());
  }

  private webhookPart(): SchemaPart {
    const service = this.webhooks;
    const body = ({ id: _id, ...rest }: Item) => rest as WebhookBody;
    const plan = async (items: Item[], deleteMissing: boolean): Promise<PartChange[]> => {
      const existing = (await service.list()).items;
      const ids = new Set(existing.map((w) => w.id));
      const changes: PartChange[] = items.map((i) => ({
        ...(typeof i.id === 'string' ? { id: i.id } : {}),
        name: String(i.name ?? ''),
        action: typeof i.id === 'string' && ids.has(i.id) ? 'update' : 'create',
      }));
      const kept = new Set(items.map((i) => i.id));
      if (deleteMissing) {
        for (const w of existing)
          if (!kept.has(w.id)) changes.push({ id: w.id, name: w.name, action: 'delete' });
      }
      return changes;
    };
    return {
      key: 'webhooks',
      itemSchema: {
        ...createWebhookSchema,
        properties: {
          ...(createWebhookSchema.properties as object),
          id: { type: 'string', format: 'uuid' },
        },
      },
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
