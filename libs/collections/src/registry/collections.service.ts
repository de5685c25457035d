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
import {
  describeSchemaChange,
  normalizeCollection,
  planSchemaChange,
  type SchemaChange,
} from '../schema/index.js';
import { normalizeViewCollection } from '../views/normalize-view.js';
import { ViewSync } from '../views/view-sync.js';
import {
  ddlFailure,
  isObject,
  newFieldId,
  NO_RULES,
  normalizeAny,
  refuse,
  keepMissingFields,
  remapFieldIds,
  type ViewOutcome,
} from './collection-changes.js';
import { CollectionsRegistry } from './collections.registry.js';
import { CollectionsRepository } from './collections.repository.js';
import { refusePrivateOptionEndpoints } from './option-endpoints.js';
import { blankOptionSecrets, presentCollection, sealOptionSecrets } from './option-secrets.js';

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

  /**
   * Applies a whole schema: creates and updates the given collections (matched by id, else by
   * name) and, with deleteMissing, deletes the others. A new collection keeps the id the file gives
   * it (PocketBase's `collections.import` does); one matched by name keeps its own id. With dryRun
   * nothing is written.
   */
  async import(
    input: { collections: unknown[]; deleteMissing?: boolean },
    dryRun: boolean,
  ): Promise<{ changes: SchemaChange[] }> {
    const changes: SchemaChange[] = [];
    const ids = { newId, newFieldId };
    const entries = input.collections.map((raw) => {
      // An exported schema carries ids and timestamps: match by id, else by name; a new collection
      // keeps its id (below), timestamps are never written.
      const { id, created: _c, updated: _u, ...body } = isObject(raw) ? raw : ({} as Record<string, unknown>);
      return { id, body: isObject(raw) ? body : raw };
    });
    /** The file's id, when it may be given to a new collection (else the normaliser names the problem). */
    const givenId = (e: (typeof entries)[number]) => (e.id === undefined || e.id === '' ? {} : { id: e.id });
    const match = (all: CollectionDef[], e: (typeof entries)[number]) =>
      all.find((c) => c.id === e.id) ?? all.find((c) => isObject(e.body) && c.name === e.body.name) ?? null;
    const run = async (tx: EntityManager, start: CollectionDef[]) => {
      let all = start;
      const seen = new Set<string>();
      const errors: FieldProblem[] = [];
      const at = (i: number, problems: FieldProblem[]) =>
        problems.map((e) => ({ ...e, path: e.path ? `collections.${i}.${e.path}` : `collections.${i}` }));

      // 1. New collections first, without relations, rules and indexes, so that relations between
      //    collections of the file resolve whatever their order (even in a cycle). Step 2 completes them.
      const createdHere = new Set<string>();
      for (const e of entries) {
        if (!isObject(e.body) || match(all, e) || !Array.isArray(e.body.fields)) continue;
        // Views are created in step 2, once the collections they read exist.
        if (e.body.type === 'view') continue;
        const { name, type, options, oauth2, passwordAuth, authToken } = e.body;
        const fields = e.body.fields.filter((f) => !(isObject(f) && f.type === 'relation'));
        const settings = Object.fromEntries(
          Object.entries({ options, oauth2, passwordAuth, authToken }).filter(([, v]) => v !== undefined),
        );
        const stub = normalizeCollection({ ...givenId(e), name, type, fields, ...settings }, null, all, ids);
        // An invalid one is reported by step 2 with the file's own definition.
        if (!stub.ok) continue;
        const value = this.sealOptions(stub.value, null, e.body);
        try {
          await this.apply(tx, null, value, [...all, value]);
        } catch (err) {
          if (err instanceof AppError && err.extra.errors) continue;
          throw err;
        }
        all = [...all, value];
        createdHere.add(value.id);
      }

      // 2. Every collection of the file as it is written; views last (as PocketBase does), once the
      //    collections they read are complete, wherever the file puts them.
      const isView = (e: (typeof entries)[number]) => isObject(e.body) && e.body.type === 'view';
      const ordered = [...entries.entries()].sort(([, a], [, b]) => Number(isView(a)) - Number(isView(b)));
      for (const [i, e] of ordered) {
        const existing = match(all, e);
        // A new collection brings its id; a matched one keeps its own (by name: another install's id).
        const body = isObject(e.body) && !existing ? { ...givenId(e), ...e.body } : e.body;
        if (existing && isObject(body) && Array.isArray(body.fields)) {
          const fields = remapFieldIds(body.fields, existing);
          body.fields = input.deleteMissing ? fields : keepMissingFields(fields, existing);
        }
        const result = normalizeAny(body, existing, all);
        if (!result.ok) {
          errors.push(...at(i, result.errors));
          continue;
        }
        const next = this.sealOptions(result.value, existing, body);
        seen.add(next.id);
        const after = existing ? all.map((c) => (c.id === next.id ? next : c)) : [...all, next];
        const isNew = existing !== null && createdHere.has(existing.id);
        const change = describeSchemaChange(existing, next, blankOptionSecrets);
        if (change) {
          try {
            await this.apply(tx, existing, next, after);
          } catch (err) {
            if (err instanceof AppError && err.extra.errors) {
              errors.push(...at(i, err.extra.errors));
              continue;
            }
            throw err;
          }
          if (existing && existing.name !== next.name)
            await this.renameRelationTargets(tx, after, existing.name, next.name);
        }
        if (isNew) changes.push(describeSchemaChange(null, next)!);
        else if (change) changes.push(change);
        if (isNew || change) await this.audited(tx, isNew ? null : existing, next, 'schema import');
        all = after;
      }

      // 3. With deleteMissing, the collections the file leaves out. Relations between them go
      //    first, so that they can go in any order; a relation from a kept collection refuses.
      if (input.deleteMissing && !errors.length) {
        // Views go first: a view reading a doomed collection would refuse its deletion.
        const doomed = all
          .filter((c) => !seen.has(c.id))
          .sort((a, b) => Number(b.type === 'view') - Number(a.type === 'view'));
        const doomedNames = new Set(doomed.map((c) => c.name));
        for (const c of doomed) {
          const fields = c.fields.filter(
            (f) => !(f.type === 'relation' && f.collection !== c.name && doomedNames.has(f.collection!)),
          );
          if (fields.length === c.fields.length) continue;
          const gone = new Set(c.fields.filter((f) => !fields.includes(f)).map((f) => f.name));
          const indexes = c.indexes.filter((ix) => !ix.fields.some((name) => gone.has(name)));
          const next = { ...c, fields, indexes };
          const after = all.map((x) => (x.id === c.id ? next : x));
          await this.apply(tx, c, next, after);
          all = after;
        }
        for (const d of doomed) {
          const c = all.find((x) => x.id === d.id)!;
          const after = all.filter((x) => x.id !== c.id);
          await this.apply(tx, c, null, after);
          changes.push(describeSchemaChange(d, null)!);
          await this.audited(tx, d, null, 'schema import');
          all = after;
        }
      }
      if (errors.length) refuse(errors, 'The schema cannot be imported');
    };
    await this.change(async (tx, all) => {
      await run(tx, all);
      if (dryRun) throw new DryRunDone();
    }).catch((err) => {
      if (!(err instanceof DryRunDone)) throw err;
    });
    return { changes };
  }

  /**
   * A whole app's collections into this install, keeping their ids (the PocketBase import): `check`
   * runs first under the schema lock, `replace` names collections deleted first (the default, empty
   * `users`), then the collections are created (relations, rules and indexes once all exist) and `then`
   * runs in the same transaction. With dryRun everything is rolled back.
   */
  async createWithIds(
    entries: Array<{ id: string; body: Record<string, unknown> }>,
    opts: {
      replace: string[];
      dryRun: boolean;
      views?: Array<{ id: string; body: Record<string, unknown> }>;
    },
    hooks: {
      check(tx: EntityManager, all: CollectionDef[]): Promise<void>;
      then(tx: EntityManager, created: CollectionDef[]): Promise<void>;
    },
  ): Promise<{ created: CollectionDef[]; views: ViewOutcome[] }> {
    let created: CollectionDef[] = [];
    const views: ViewOutcome[] = [];
    await this.change(async (tx, start) => {
      await hooks.check(tx, start);
      let all = start;
      for (const idOrName of opts.replace) {
        const gone = this.pick(all, idOrName);
        all = all.filter((c) => c.id !== gone.id);
        await this.apply(tx, gone, null, all);
      }
      for (const e of entries) {
        const fields = (e.body.fields as unknown[]).filter((f) => !(isObject(f) && f.type === 'relation'));
        const { name, type } = e.body;
        const stub = normalizeCollection({ name, type, fields }, null, all, {
          newId: () => e.id,
          newFieldId,
        });
        if (!stub.ok) refuse(stub.errors, `The collection "${String(name)}" cannot be created`);
        await this.apply(tx, null, stub.value, [...all, stub.value]);
        all = [...all, stub.value];
      }
      // Relations once every collection exists; then rules, which may reach through any relation.
      const noRules = (body: Record<string, unknown>) => ({ ...body, ...NO_RULES });
      for (const shape of [noRules, (body: Record<string, unknown>) => body]) {
        for (const e of entries) {
          const existing = all.find((c) => c.id === e.id)!;
          const body = shape({ ...e.body, fields: remapFieldIds(e.body.fields as unknown[], existing) });
          const result = normalizeCollection(body, existing, all, { newId, newFieldId });
          if (!result.ok) refuse(result.errors, `The collection "${existing.name}" cannot be created`);
          const next = this.sealOptions(result.value, null, e.body);
          const after = all.map((c) => (c.id === next.id ? next : c));
          await this.apply(tx, existing, next, after);
          all = after;
        }
      }
      for (const v of opts.views ?? []) {
        const outcome = await this.createView(tx, all, v);
        views.push(outcome);
        if (outcome.def) all = [...all, outcome.def];
      }
      created = entries.map((e) => all.find((c) => c.id === e.id)!);
      await hooks.then(tx, created);
      if (opts.dryRun) throw new DryRunDone();
    }).catch((err) => {
      if (!(err instanceof DryRunDone)) throw err;
    });
    return { created, views };
  }

  /**
   * One view collection of an import, in a savepoint: a rule PostgreSQL's inferred fields cannot
   * compile becomes null (admins only) and is named; a query that does not run skips the view.
   */
  private async createView(
    tx: EntityManager,
    all: CollectionDef[],
    v: { id: string; body: Record<string, unknown> },
  ): Promise<ViewOutcome> {
    const body = { ...v.body };
    const nulled: ViewOutcome['nulled'] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      await tx.query('SAVEPOINT plinth_import_view');
      try {
        const result = normalizeViewCollection(body, null, all, () => v.id);
        if (!result.ok) refuse(result.errors, `The view "${String(body.name)}" cannot be created`);
        await this.apply(tx, null, result.value, [...all, result.value]);
        await tx.query('RELEASE SAVEPOINT plinth_import_view');
        return { id: v.id, def: result.value, nulled };
      } catch (err) {
        await tx.query('ROLLBACK TO SAVEPOINT plinth_import_view');
        const problems = err instanceof AppError ? (err.extra.errors ?? []) : [];
        const rules = problems.filter(
          (p) => /^(listRule|viewRule)\b/.test(p.path) && body[p.path.split('.')[0]!] !== null,
        );
        if (!rules.length)
          return { id: v.id, nulled, reason: err instanceof AppError ? err.detail : String(err) };
        for (const p of rules) {
          const key = p.path.split('.')[0]!;
          nulled.push({ rule: key, text: String(body[key]), message: p.message });
          body[key] = null;
        }
      }
    }
    return { id: v.id, nulled, reason: 'its rules could not be compiled' };
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

class DryRunDone extends Error {}
