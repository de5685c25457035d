import { EventEmitter } from 'node:events';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  AppError,
  AuditTrail,
  diffValues,
  newId,
  PLINTH_CONFIG,
  type FieldProblem,
  type ResolvedConfig,
  SecretBox,
} from '@plinth/core';
import type { EntityManager } from 'typeorm';
import type { CollectionDef } from '../schema/collection.types.js';
import { normalizeCollection, planSchemaChange, type SchemaChange } from '../schema/index.js';
import { ViewSync } from '../views/view-sync.js';
import { ddlFailure, newFieldId, normalizeAny, refuse, type ViewOutcome } from './collection-changes.js';
import { createCollectionsWithIds, importCollections, type SchemaWriter } from './collections-import.js';
import { CollectionsRegistry } from './collections.registry.js';
import { CollectionsRepository } from './collections.repository.js';
import { refusePrivateOptionEndpoints } from './option-endpoints.js';
import { presentCollection, sealOptionSecrets } from './option-secrets.js';

export type { SchemaChange } from '../schema/index.js';
export type { ViewOutcome } from './collection-changes.js';

/**
 * Stored files a committed schema change left without a field: a deleted collection (`all`: every
 * object under `<collectionId>/`) or removed file fields (their names per record, read before the drop).
 */
export interface DroppedFiles {
  collectionId: string;
  all: boolean;
  records: Array<{ recordId: string; names: string[] }>;
}

@Injectable()
export class CollectionsService {
  private readonly logger = new Logger('Collections');
  /** Provider client secrets in options are stored sealed and answered blank (DESIGN §10). */
  private readonly box: SecretBox;
  private readonly allowPrivateEndpoints: boolean;
  /** The storage lib listens here (libs/collections knows nothing of storage). */
  private readonly dropped = new EventEmitter().setMaxListeners(20);
  private readonly droppedIn = new WeakMap<EntityManager, DroppedFiles[]>();
  /** The write steps the schema import runs (collections-import.ts). */
  private readonly writer: SchemaWriter = {
    apply: (tx, prev, next, after) => this.apply(tx, prev, next, after),
    audited: (tx, prev, next, via) => this.audited(tx, prev, next, via),
    change: (work) => this.change(work),
    pick: (all, idOrName) => this.pick(all, idOrName),
    renameRelationTargets: (tx, all, from, to) => this.renameRelationTargets(tx, all, from, to),
    sealOptions: (next, existing, input) => this.sealOptions(next, existing, input),
  };

  constructor(
    private readonly repository: CollectionsRepository,
    private readonly registry: CollectionsRegistry,
    private readonly views: ViewSync,
    @Inject(PLINTH_CONFIG) config: ResolvedConfig,
    private readonly audit: AuditTrail,
  ) {
    this.box = new SecretBox(config.secret);
    this.allowPrivateEndpoints = config.allowPrivateEndpoints;
  }

  /** Provider options about to be saved: new endpoints checked (issue 16), secrets sealed or kept. */
  private sealOptions(next: CollectionDef, existing: CollectionDef | null, input: unknown): CollectionDef {
    if (!this.allowPrivateEndpoints) refusePrivateOptionEndpoints(next, existing, input);
    return sealOptionSecrets(next, existing, input, this.box);
  }

  list(): CollectionDef[] {
    return this.registry.all().map(presentCollection);
  }

  get(idOrName: string): CollectionDef {
    return presentCollection(this.registry.get(idOrName).def);
  }

  async create(input: unknown): Promise<CollectionDef> {
    return this.fresh(
      await this.change(async (tx, all) => {
        const result = normalizeAny(input, null, all);
        if (!result.ok) refuse(result.errors, 'The collection cannot be created');
        const value = this.sealOptions(result.value, null, input);
        await this.apply(tx, null, value, [...all, value]);
        await this.audited(tx, null, value);
        return value;
      }),
    );
  }

  /** The definition as stored (with its timestamps), after the registry reloaded. */
  private fresh(def: CollectionDef): CollectionDef {
    return presentCollection(this.registry.find(def.id)?.def ?? def);
  }

  async update(idOrName: string, input: unknown): Promise<CollectionDef> {
    return this.fresh(
      await this.change(async (tx, all) => {
        const existing = this.pick(all, idOrName);
        const result = normalizeAny(input, existing, all);
        if (!result.ok) refuse(result.errors, `The collection "${existing.name}" cannot be changed`);
        const next = this.sealOptions(result.value, existing, input);
        const after = all.map((c) => (c.id === next.id ? next : c));
        await this.apply(tx, existing, next, after);
        if (existing.name !== next.name)
          await this.renameRelationTargets(tx, after, existing.name, next.name);
        await this.audited(tx, existing, next);
        return next;
      }),
    );
  }

  async delete(idOrName: string): Promise<void> {
    await this.change(async (tx, all) => {
      const existing = this.pick(all, idOrName);
      await this.apply(
        tx,
        existing,
        null,
        all.filter((c) => c.id !== existing.id),
      );
      await this.audited(tx, existing, null);
    });
  }

  /** See `importCollections` (collections-import.ts). */
  import(
    input: { collections: unknown[]; deleteMissing?: boolean },
    dryRun: boolean,
  ): Promise<{ changes: SchemaChange[] }> {
    return importCollections(this.writer, input, dryRun);
  }

  /** See `createCollectionsWithIds` (collections-import.ts). */
  createWithIds(
    ...args: Parameters<typeof createCollectionsWithIds> extends [unknown, ...infer A] ? A : never
  ): Promise<{ created: CollectionDef[]; views: ViewOutcome[] }> {
    return createCollectionsWithIds(this.writer, ...args);
  }

  /**
   * Builds the record table of every collection in plinth.collection from nothing, in the caller's
   * transaction (a restore, with the "data" schema empty): tables and indexes, then `load` fills them,
   * then foreign keys (so rows load in any order), then the views. The caller reloads the registry.
   */
  async rebuildTables(tx: EntityManager, load: (all: CollectionDef[]) => Promise<void>): Promise<void> {
    await this.repository.lockSchema(tx);
    const all = await this.repository.all(tx);
    const foreignKeys: string[] = [];
    for (const def of all) {
      if (def.type === 'view') continue;
      const plan = planSchemaChange(null, def, all);
      if (!plan.ok) refuse(plan.errors, `The collection "${def.name}" cannot be rebuilt`);
      const later = plan.statements.filter((s) => / FOREIGN KEY /.test(s));
      foreignKeys.push(...later);
      await this.repository.runDdl(
        tx,
        plan.statements.filter((s) => !later.includes(s)),
      );
    }
    await load(all);
    await this.repository.runDdl(tx, foreignKeys);
    await this.views.rebuild(tx, all, null);
  }

  /** Creates the default `users` auth collection once per database. */
  async seedDefaults(): Promise<void> {
    await this.change(async (tx, all) => {
      if (await this.repository.getSetting(tx, 'defaults_seeded')) return;
      if (!all.some((c) => c.name === 'users')) {
        const result = normalizeCollection(
          {
            name: 'users',
            type: 'auth',
            fields: [{ name: 'name', type: 'text', max: 200 }],
            listRule: 'id = @request.auth.id',
            viewRule: 'id = @request.auth.id',
            createRule: '',
            updateRule: 'id = @request.auth.id',
            deleteRule: 'id = @request.auth.id',
          },
          null,
          all,
          { newId, newFieldId },
        );
        if (!result.ok)
          throw new Error(`Default users collection is invalid: ${JSON.stringify(result.errors)}`);
        await this.apply(tx, null, result.value, [...all, result.value]);
        this.logger.log('Created the default "users" auth collection');
      }
      await this.repository.setSetting(tx, 'defaults_seeded', true);
    });
  }

  /**
   * Called after each committed change that dropped file fields or a collection; the change waits for the
   * listener's promise (which must not reject), so stored objects are gone when the answer is sent.
   */
  onFilesDropped(listener: (dropped: DroppedFiles) => Promise<void>): () => void {
    this.dropped.on('files', listener);
    return () => this.dropped.off('files', listener);
  }

  /** The file names of `prev`'s file fields that `next` no longer has (all of them when it is deleted). */
  private async filesToDrop(
    tx: EntityManager,
    prev: CollectionDef | null,
    next: CollectionDef | null,
  ): Promise<DroppedFiles | undefined> {
    if (!prev) return undefined;
    if (!next) return { collectionId: prev.id, all: true, records: [] };
    const gone = prev.fields.filter((f) => f.type === 'file' && !next.fields.some((n) => n.id === f.id));
    if (!gone.length) return undefined;
    const rows = await this.repository.storedFiles(
      tx,
      prev.name,
      gone.map((f) => f.name),
    );
    const records = rows
      .map((r) => ({
        recordId: r._id as string,
        names: gone.flatMap((f) => r[f.name] ?? []).filter((n): n is string => typeof n === 'string' && !!n),
      }))
      .filter((r) => r.names.length);
    return records.length ? { collectionId: prev.id, all: false, records } : undefined;
  }

  /**
   * The audit entry of one collection change, in its transaction (a dry run or a failed change leaves
   * none). Rules are named in the summary; provider secrets show only that they changed.
   */
  private async audited(
    tx: EntityManager,
    prev: CollectionDef | null,
    next: CollectionDef | null,
    via?: string,
  ): Promise<void> {
    const def = (next ?? prev)!;
    const changes = diffValues(prev ?? {}, next ?? {}, { ignore: ['created', 'updated'] });
    const rules = [
      ...new Set(changes.map((c) => c.path.split('.').at(-1)!).filter((k) => k.endsWith('Rule'))),
    ];
    const fields = [
      ...new Set(
        changes.filter((c) => c.path.startsWith('fields[')).map((c) => c.path.slice(7, c.path.indexOf(']'))),
      ),
    ];
    const verb = !prev ? 'create' : !next ? 'delete' : 'update';
    const parts = [
      verb === 'update' && rules.length ? `rules: ${rules.join(', ')}` : '',
      verb === 'update' && fields.length ? `fields: ${fields.join(', ')}` : '',
      verb === 'create' ? `${def.type}, ${def.fields.length} field(s)` : '',
      via ? `by ${via}` : '',
    ].filter(Boolean);
    await this.audit.record(
      {
        action: `collection.${verb}`,
        targetType: 'collection',
        targetId: def.id,
        targetName: def.name,
        summary: `${verb}d collection "${def.name}"${parts.length ? ` (${parts.join('; ')})` : ''}`,
        changes: next ? changes : [],
      },
      tx,
    );
  }

  private pick(all: CollectionDef[], idOrName: string): CollectionDef {
    const found = all.find((c) => c.id === idOrName) ?? all.find((c) => c.name === idOrName);
    if (!found)
      throw new AppError(
        'COLLECTION_NOT_FOUND',
        `There is no collection "${String(idOrName).slice(0, 80)}".`,
      );
    return found;
  }

  /** DDL and metadata of one change, in the caller's transaction. */
  private async apply(
    tx: EntityManager,
    prev: CollectionDef | null,
    next: CollectionDef | null,
    after: CollectionDef[],
  ) {
    const isView = (next ?? prev)!.type === 'view';
    // Views are dropped before any change and rebuilt after it, so they follow their sources.
    const views = [
      ...after.filter((c) => c.type === 'view' && c.id !== next?.id),
      ...(prev?.type === 'view' ? [prev] : []),
    ];
    await this.views.drop(
      tx,
      views.map((c) => c.name),
    );
    if (!isView) {
      if (next) await this.checkDatabaseFeatures(tx, prev, next);
      const plan = planSchemaChange(prev, next, after);
      if (!plan.ok) refuse(plan.errors, `The change to "${(next ?? prev)!.name}" cannot be applied`);
      const drop = await this.filesToDrop(tx, prev, next);
      try {
        await this.repository.runDdl(tx, plan.statements);
      } catch (err) {
        throw ddlFailure(err, next ?? prev);
      }
      if (drop) this.droppedIn.get(tx)?.push(drop);
    }
    if (next) await this.repository.upsert(tx, next);
    else await this.repository.delete(tx, prev!.id);
    await this.views.rebuild(tx, after, next);
  }

  /**
   * What the search options need from the database: each `language` a text search configuration
   * (pg_ts_config), and pg_trgm for a new `trigram` index (created when this role may).
   */
  private async checkDatabaseFeatures(tx: EntityManager, prev: CollectionDef | null, next: CollectionDef) {
    const issues: FieldProblem[] = [];
    const languages = [
      ...new Set(next.fields.flatMap((f) => (f.searchable && f.language ? [f.language] : []))),
    ];
    if (languages.length > 0) {
      const known = await this.repository.textSearchConfigs(tx, languages);
      next.fields.forEach((f, i) => {
        if (!f.searchable || !f.language || known.has(f.language)) return;
        issues.push({
          path: `fields.${i}.language`,
          code: 'INVALID_VALUE',
          message: `"${f.language}" is not a text search configuration of this database; use one of pg_ts_config's, e.g. "simple", "english" or "german".`,
        });
      });
    }
    const hadTrigram = new Set(prev?.fields.filter((f) => f.trigram).map((f) => f.id));
    const newTrigram = next.fields.findIndex((f) => f.trigram && !hadTrigram.has(f.id));
    if (newTrigram >= 0 && !(await this.repository.ensureTrigram(tx))) {
      issues.push({
        path: `fields.${newTrigram}.trigram`,
        code: 'EXTENSION_UNAVAILABLE',
        message:
          'A trigram index needs the pg_trgm extension, which is not installed and which this database role may not create. Ask the database administrator to run CREATE EXTENSION pg_trgm, or remove "trigram".',
      });
    }
    if (issues.length > 0) refuse(issues, `The change to "${next.name}" cannot be applied`);
  }

  private async renameRelationTargets(tx: EntityManager, all: CollectionDef[], from: string, to: string) {
    for (const c of all) {
      if (!c.fields.some((f) => f.type === 'relation' && f.collection === from)) continue;
      const fields = c.fields.map((f) =>
        f.type === 'relation' && f.collection === from ? { ...f, collection: to } : f,
      );
      await this.repository.upsert(tx, { ...c, fields });
    }
  }

  /** One schema change: locked across replicas, in one transaction, caches refreshed after commit. */
  private async change<T>(work: (tx: EntityManager, all: CollectionDef[]) => Promise<T>): Promise<T> {
    const dropped: DroppedFiles[] = [];
    const result = await this.repository.schemaChange(async (tx) => {
      this.droppedIn.set(tx, dropped);
      return work(tx, await this.repository.all(tx));
    });
    await this.registry.changed();
    for (const d of dropped) {
      const listeners = this.dropped.listeners('files') as Array<(d: DroppedFiles) => Promise<void>>;
      await Promise.all(listeners.map((l) => l(d).catch(() => undefined)));
    }
    return result;
  }
}
