import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AppError, isTextId, isUuidText, PLINTH_CONFIG, ReloadChannel, type ResolvedConfig } from '@plinth/core';
import { CollectionsRegistry, RecordEvents, type RecordChange } from '@plinth/collections';
import { PushMessagesService } from './push-messages.service.js';
import { PushRepository } from './push.repository.js';
import type { PushNotification } from './push.types.js';

type Action = RecordChange['action'];

/** "On create/update/delete of a record, send this template to these users / this topic." */
export interface PushTrigger {
  on: Action[];
  userField?: string;
  topic?: string;
  notification: Pick<PushNotification, 'title' | 'body' | 'image' | 'sound' | 'clickUrl'>;
  data?: Record<string, string>;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** `{{field}}` → the record's value (JSON for objects, '' when absent); `{{action}}`, `{{collection}}` too. */
export function renderTemplate(
  template: string,
  change: Pick<RecordChange, 'action' | 'collectionName' | 'record'>,
): string {
  return template.replace(PLACEHOLDER, (_, name: string) => {
    const value =
      name === 'action' ? change.action : name === 'collection' ? change.collectionName : change.record[name];
    if (value === undefined || value === null) return '';
    return typeof value === 'object' && !(value instanceof Date)
      ? JSON.stringify(value)
      : String(value instanceof Date ? value.toISOString() : value);
  });
}

/**
 * Push on record events without code. Triggers live in `plinth.push_trigger` keyed by collection
 * id; each replica keeps them in memory, reloaded when any replica changes them (Redis pub/sub).
 */
@Injectable()
export class PushTriggersService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('PushTriggers');
  private byCollection = new Map<string, PushTrigger[]>();
  private unsubscribe?: () => void;
  private readonly channel: ReloadChannel;

  constructor(
    private readonly repo: PushRepository,
    private readonly registry: CollectionsRegistry,
    private readonly events: RecordEvents,
    private readonly messages: PushMessagesService,
    @Inject(PLINTH_CONFIG) config: ResolvedConfig,
  ) {
    this.channel = new ReloadChannel(
      config.redis.url,
      `${config.redis.prefix}:push-triggers-changed`,
      () => this.reload(),
      'PushTriggers',
    );
  }

  async onModuleInit(): Promise<void> {
    await this.channel.start();
    this.unsubscribe = this.events.subscribe((change) => this.onChange(change));
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
    this.channel.stop();
  }

  get(collection: string): { collection: string; triggers: PushTrigger[] } {
    const c = this.registry.get(collection);
    return { collection: c.def.name, triggers: this.byCollection.get(c.def.id) ?? [] };
  }

  async set(
    collection: string,
    triggers: PushTrigger[],
  ): Promise<{ collection: string; triggers: PushTrigger[] }> {
    const c = this.registry.get(collection);
    const errors: Array<{ path: string; code: string; message: string }> = [];
    triggers.forEach((t, i) => {
      if (!t.userField && !t.topic) {
        errors.push({ path: `triggers.${i}`, code: 'REQUIRED', message: 'needs userField or topic' });
      }
      if (!t.notification.title && !t.notification.body) {
        errors.push({
          path: `triggers.${i}.notification`,
          code: 'REQUIRED',
          message: 'needs a title or body',
        });
      }
      if (t.userField) {
        const field = c.def.fields.find((f) => f.name === t.userField);
        const ok =
          (t.userField === 'id' && c.isAuth) ||
          (field?.type === 'relation' && this.registry.find(field.collection ?? '')?.isAuth === true);
        if (!ok) {
          errors.push({
            path: `triggers.${i}.userField`,
            code: 'INVALID_VALUE',
            message: `must be a relation field to an auth collection${c.isAuth ? ' or "id"' : ''}`,
          });
        }
      }
      for (const [path, template] of Object.entries({
        ...t.notification,
        ...(t.data ?? {}),
        ...(t.topic ? { topic: t.topic } : {}),
      })) {
        for (const [, name] of template.matchAll(PLACEHOLDER)) {
          const known =
            ['action', 'collection', 'id', 'created', 'updated', ...(c.isAuth ? ['email'] : [])].includes(
              name!,
            ) || c.def.fields.some((f) => f.name === name);
          if (!known) {
            errors.push({
              path: `triggers.${i}.${path}`,
              code: 'UNKNOWN_FIELD',
              message: `{{${name}}} is not a field of ${c.def.name}`,
            });
          }
        }
      }
    });
    if (errors.length) {
      throw new AppError(
        'VALIDATION_FAILED',
        `The push triggers have ${errors.length} problem(s): ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}.`,
        { errors },
      );
    }
    await this.repo.saveTriggers(c.def.id, triggers);
    await this.channel.changed();
    return { collection: c.def.name, triggers };
  }

  private async reload(): Promise<void> {
    const rows = await this.repo.allTriggers();
    this.byCollection = new Map(rows.map((r) => [r.collection_id, r.triggers as PushTrigger[]]));
  }

  private onChange(change: RecordChange): void {
    if (change.action === 'delete' && this.registry.findById(change.collectionId)?.isAuth) {
      // A deleted user's devices go with them (their topic subscriptions cascade).
      void this.repo
        .deleteUserDevices(change.collectionId, String(change.record.id))
        .catch((err: Error) =>
          this.logger.error(`Removing the devices of a deleted user failed: ${err.message}`),
        );
    }
    const triggers = this.byCollection.get(change.collectionId);
    if (!triggers) return;
    for (const trigger of triggers) {
      if (!trigger.on.includes(change.action)) continue;
      void this.fire(trigger, change).catch((err: Error) =>
        this.logger.error(
          `Push trigger on ${change.action} ${change.collectionName}/${String(change.record.id)} failed: ${err.message}`,
        ),
      );
    }
  }

  private async fire(trigger: PushTrigger, change: RecordChange): Promise<void> {
    const users = trigger.userField ? idsOf(change.record[trigger.userField]) : [];
    const topic = trigger.topic ? renderTemplate(trigger.topic, change) : '';
    const topics = /^[A-Za-z0-9_.~-]{1,100}$/.test(topic) ? [topic] : [];
    if (!users.length && !topics.length) return;
    const render = (o: Record<string, string | undefined>) =>
      Object.fromEntries(
        Object.entries(o).flatMap(([k, v]) =>
          v === undefined ? [] : [[k, renderTemplate(v, change).slice(0, 4000)]],
        ),
      );
    const data = {
      ...render(trigger.data ?? {}),
      collection: change.collectionName,
      recordId: String(change.record.id),
      action: change.action,
    };
    await this.messages.create(
      `trigger:${change.collectionId}`,
      'trigger',
      { targets: { users, topics }, notification: render(trigger.notification), data },
      true,
    );
  }
}

const idsOf = (v: unknown): string[] =>
  (Array.isArray(v) ? v : [v]).filter((x): x is string => isUuidText(x) || isTextId(x)).slice(0, 1000);
