import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AppError, PLINTH_CONFIG, ReloadChannel, type ResolvedConfig } from '@plinth/core';
import type { FilterSchema } from '../filter/index.js';
import type { CollectionDef } from '../schema/collection.types.js';
import { idTypesIn, type IdTypes } from '../fields/id-field.js';
import { CollectionsRepository } from './collections.repository.js';
import { compileCollection, type CompiledCollection } from './compiled-collection.js';

/**
 * The in-memory schema every request reads: collections by name and id, compiled once per
 * change. Refreshed after each change on this replica and, through Redis pub/sub, on all others.
 */
@Injectable()
export class CollectionsRegistry implements OnModuleInit, OnApplicationShutdown {
  private byName = new Map<string, CompiledCollection>();
  private byId = new Map<string, CompiledCollection>();
  private readonly channel: ReloadChannel;
  private loading?: Promise<void>;
  /** Grows on every reload: a cheap key for caches derived from the whole schema (the OpenAPI document). */
  generation = 0;
  private next?: Promise<void>;
  /** The record id type of each collection, by name (relations to text-id collections hold text). */
  idTypes: IdTypes = () => 'uuid';
  readonly filterSchema: FilterSchema = { collection: (name) => this.byName.get(name)?.filter };

  constructor(
    private readonly repository: CollectionsRepository,
    @Inject(PLINTH_CONFIG) config: ResolvedConfig,
  ) {
    this.channel = new ReloadChannel(
      config.redis.url,
      `${config.redis.prefix}:schema-changed`,
      () => this.reload(),
      'Collections',
    );
  }

  async onModuleInit(): Promise<void> {
    await this.channel.start();
  }

  onApplicationShutdown(): void {
    this.channel.stop();
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
    const idTypes = idTypesIn(defs);
    for (const def of defs) {
      const old = previous.get(def.id);
      // Unchanged collections keep their compiled validators and SQL. `updated` has millisecond
      // precision only, so the whole definition is compared.
      const compiled =
        old && JSON.stringify(old.def) === JSON.stringify(def) ? old : compileCollection(def, idTypes);
      byName.set(def.name, compiled);
      byId.set(def.id, compiled);
    }
    this.byName = byName;
    this.byId = byId;
    this.idTypes = idTypes;
    this.generation++;
  }

  /** Reloads here and tells every other replica to reload. */
  changed(): Promise<void> {
    return this.channel.changed();
  }

  all(): CollectionDef[] {
    return [...this.byId.values()].map((c) => c.def);
  }

  find(idOrName: string): CompiledCollection | undefined {
    return this.byName.get(idOrName) ?? this.byId.get(idOrName);
  }

  /** Whether `value` can be the id of a record of some auth collection (push user ids, device filters). */
  isUserId(value: unknown): value is string {
    for (const c of this.byId.values()) if (c.isAuth && c.isId(value)) return true;
    return false;
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
