import { AppError, newId, type FieldProblem } from '@plinth/core';
import type { EntityManager } from 'typeorm';
import type { CollectionDef } from '../schema/collection.types.js';
import { describeSchemaChange, normalizeCollection, type SchemaChange } from '../schema/index.js';
import { normalizeViewCollection } from '../views/normalize-view.js';
import { blankOptionSecrets } from './option-secrets.js';
import {
  isObject,
  keepMissingFields,
  newFieldId,
  NO_RULES,
  normalizeAny,
  refuse,
  remapFieldIds,
  type ViewOutcome,
} from './collection-changes.js';

/**
 * The write steps of CollectionsService that a schema import runs: each change applied (DDL, stored
 * definition, registry) inside `change`'s transaction under the schema lock, and audited.
 */
export interface SchemaWriter {
  apply(
    tx: EntityManager,
    prev: CollectionDef | null,
    next: CollectionDef | null,
    after: CollectionDef[],
  ): Promise<void>;
  audited(
    tx: EntityManager,
    prev: CollectionDef | null,
    next: CollectionDef | null,
    via?: string,
  ): Promise<void>;
  change<T>(work: (tx: EntityManager, all: CollectionDef[]) => Promise<T>): Promise<T>;
  pick(all: CollectionDef[], idOrName: string): CollectionDef;
  renameRelationTargets(tx: EntityManager, all: CollectionDef[], from: string, to: string): Promise<void>;
  sealOptions(next: CollectionDef, existing: CollectionDef | null, input: unknown): CollectionDef;
}

class DryRunDone extends Error {}

/**
 * Applies a whole schema: creates and updates the given collections (matched by id, else by
 * name) and, with deleteMissing, deletes the others. A new collection keeps the id the file gives
 * it (PocketBase's `collections.import` does); one matched by name keeps its own id. With dryRun
 * nothing is written.
 */
export async function importCollections(
  w: SchemaWriter,
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
      const value = w.sealOptions(stub.value, null, e.body);
      try {
        await w.apply(tx, null, value, [...all, value]);
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
      const next = w.sealOptions(result.value, existing, body);
      seen.add(next.id);
      const after = existing ? all.map((c) => (c.id === next.id ? next : c)) : [...all, next];
      const isNew = existing !== null && createdHere.has(existing.id);
      const change = describeSchemaChange(existing, next, blankOptionSecrets);
      if (change) {
        try {
          await w.apply(tx, existing, next, after);
        } catch (err) {
          if (err instanceof AppError && err.extra.errors) {
            errors.push(...at(i, err.extra.errors));
            continue;
          }
          throw err;
        }
        if (existing && existing.name !== next.name)
          await w.renameRelationTargets(tx, after, existing.name, next.name);
      }
      if (isNew) changes.push(describeSchemaChange(null, next)!);
      else if (change) changes.push(change);
      if (isNew || change) await w.audited(tx, isNew ? null : existing, next, 'schema import');
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
        await w.apply(tx, c, next, after);
        all = after;
      }
      for (const d of doomed) {
        const c = all.find((x) => x.id === d.id)!;
        const after = all.filter((x) => x.id !== c.id);
        await w.apply(tx, c, null, after);
        changes.push(describeSchemaChange(d, null)!);
        await w.audited(tx, d, null, 'schema import');
        all = after;
      }
    }
    if (errors.length) refuse(errors, 'The schema cannot be imported');
  };
  await w
    .change(async (tx, all) => {
      await run(tx, all);
      if (dryRun) throw new DryRunDone();
    })
    .catch((err) => {
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
export async function createCollectionsWithIds(
  w: SchemaWriter,
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
  await w
    .change(async (tx, start) => {
      await hooks.check(tx, start);
      let all = start;
      for (const idOrName of opts.replace) {
        const gone = w.pick(all, idOrName);
        all = all.filter((c) => c.id !== gone.id);
        await w.apply(tx, gone, null, all);
      }
      for (const e of entries) {
        const fields = (e.body.fields as unknown[]).filter((f) => !(isObject(f) && f.type === 'relation'));
        const { name, type } = e.body;
        const stub = normalizeCollection({ name, type, fields }, null, all, {
          newId: () => e.id,
          newFieldId,
        });
        if (!stub.ok) refuse(stub.errors, `The collection "${String(name)}" cannot be created`);
        await w.apply(tx, null, stub.value, [...all, stub.value]);
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
          const next = w.sealOptions(result.value, null, e.body);
          const after = all.map((c) => (c.id === next.id ? next : c));
          await w.apply(tx, existing, next, after);
          all = after;
        }
      }
      for (const v of opts.views ?? []) {
        const outcome = await createView(w, tx, all, v);
        views.push(outcome);
        if (outcome.def) all = [...all, outcome.def];
      }
      created = entries.map((e) => all.find((c) => c.id === e.id)!);
      await hooks.then(tx, created);
      if (opts.dryRun) throw new DryRunDone();
    })
    .catch((err) => {
      if (!(err instanceof DryRunDone)) throw err;
    });
  return { created, views };
}

/**
 * One view collection of an import, in a savepoint: a rule PostgreSQL's inferred fields cannot
 * compile becomes null (admins only) and is named; a query that does not run skips the view.
 */
async function createView(
  w: SchemaWriter,
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
      await w.apply(tx, null, result.value, [...all, result.value]);
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
