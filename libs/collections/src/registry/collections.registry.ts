import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AppError, createRedis, PLINTH_CONFIG, type ResolvedConfig } from '@plinth/core';
import type { Redis } from 'ioredis';
import type { FilterSchema } from '../filter/index.js';
import type { CollectionDef } from '../schema/collection.types.js';
import { CollectionsRepository } from './collections.repository.js';
import { compileCollection, type CompiledCollection } from './compiled-collection.js';

/**
 * The in-memory schema every request reads: collections by name and id, compiled once per
 * change. Refreshed after each change on this replica and, through Redis pub/sub, on all others.
 */
@Injectable()
export class CollectionsRegistry implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Collections');
  private byName = new Map<string, CompiledCollection>();
  private byId = new Map<string, CompiledCollection>();
  private subscriber?: Redis;
  private publisher?: Redis;
  private readonly channel: string;
  private loading?: Promise<void>;
  /** Grows on every reload: a cheap key for caches derived from the whole schema (the OpenAPI document). */
  generation = 0;
  private next?: Promise<void>;
  readonly filterSchema: FilterSchema = { collection: (name) => this.byName.get(name)?.filter };

  constructor(
    private readonly repository: CollectionsRepository,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
  ) {
    this.channel = `${config.redis.prefix}:schema-changed`;
  }

  async onModuleInit(): Promise<void> {
    await this.reload();
    this.publisher = createRedis(this.config.redis.url);
    this.subscriber = createRedis(this.config.redis.url, {
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
    });
    await Promise.all([this.publisher.connect(), this.subscriber.connect()]);
    this.subscriber.on('message', () => {
      void this.reload().catch((err: Error) =>
        this.logger.error(`Reloading the schema failed: ${err.message}`),
      );
    });
    // After a Redis outage, changes may have been missed: reload on every reconnect.
    this.subscriber.on('ready', () => void this.reload().catch(() => undefined));
    await this.subscriber.subscribe(this.channel);
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscriber?.disconnect();
    this.publisher?.disconnect();
  }

  /**
   * Reloads from PostgreSQL. The answer reflects every change committed before the call: a load
   * already running may have read before it, so the call waits for one more load after it (one
   * shared by every call made meanwhile).
   */
  reload(): Promise<void> {
    if (!this.loading) {
      this.loading = this.load().finally(() => {
        this.loading = undefined;
      });
      return this.loading;
    }
    this.next ??= this.loading
      .catch(() => undefined)
      .then(() => {
        this.next = undefined;
        return this.reload();
      });
    return this.next;
  }

  private async load(): Promise<void> {
    const defs = await this.repository.all();
    const previous = this.byId;
    const byName = new Map<string, CompiledCollection>();
    const byId = new Map<string, CompiledCollection>();
    for (const def of defs) {
      const old = previous.get(def.id);
      // Unchanged collections keep their compiled validators and SQL. `updated` has millisecond
      // precision only, so the whole definition is compared.
      const compiled = old && JSON.stringify(old.def) === JSON.stringify(def) ? old : compileCollection(def);
      byName.set(def.name, compiled);
      byId.set(def.id, compiled);
    }
    this.byName = byName;
    this.byId = byId;
    this.generation++;
  }

  /** Reloads here and tells every other replica to reload. */
  async changed(): Promise<void> {
    await this.reload();
    await this.publisher
      ?.publish(this.channel, String(Date.now()))
      .catch((err: Error) =>
        this.logger.warn(
          `Could not tell other replicas about a schema change (they reload on reconnect): ${err.message}`,
        ),
      );
  }

  all(): CollectionDef[] {
    return [...this.byId.values()].map((c) => c.def);
  }

  find(idOrName: string): CompiledCollection | undefined {
    return this.byName.get(idOrName) ?? this.byId.get(idOrName);
  }

  findById(id: string): CompiledCollection | undefined {
    return this.byId.get(id);
  }

  get(idOrName: string): CompiledCollection {
    const found = this.find(idOrName);
    if (!found) {
      throw new AppError(
        'COLLECTION_NOT_FOUND',
        `There is no collection "${String(idOrName).slice(0, 80)}".`,
      );
    }
    return found;
  }
}
