import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { AppError, newId, type FieldProblem } from '@plinth/core';
import { DataSource, EntityManager } from 'typeorm';
import type { CollectionDef } from '../schema/collection.types.js';
import { normalizeCollection, planSchemaChange } from '../schema/index.js';
import { CollectionsRegistry } from './collections.registry.js';
import { CollectionsRepository } from './collections.repository.js';

/** Serialises schema changes across replicas (transaction-scoped advisory lock). */
const SCHEMA_LOCK = 0x706c7363; // "plsc"

export interface SchemaChange {
  collection: string;
  action: 'create' | 'update' | 'delete';
  fields: string[];
}

const newFieldId = () => 'f' + randomBytes(6).toString('hex');

const CONFLICT_CODES = new Set([
  'COLLECTION_NAME_TAKEN',
  'COLLECTION_REFERENCED',
  'FIELD_TYPE_CHANGE_UNSUPPORTED',
]);

function refuse(errors: FieldProblem[], what: string): never {
  const conflict = errors.find((e) => CONFLICT_CODES.has(e.code));
  const summary = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
  if (conflict)
    throw new AppError(conflict.code as 'COLLECTION_NAME_TAKEN', `${what}: ${summary}`, { errors });
  throw new AppError('VALIDATION_FAILED', `${what}: ${summary}`, { errors });
}

/** Explains a failure PostgreSQL reported while applying DDL to existing data. */
function ddlFailure(err: unknown, def: CollectionDef | null): AppError {
  const e = err as { code?: string; constraint?: string; message?: string };
  const fieldOf = (name?: string) => {
    const id = name?.replace(/^(uq|fk|rel)_/, '');
    return def?.fields.find((f) => f.id === id)?.name;
  };
  if (e.code === '23505') {
    const field = fieldOf(e.constraint);
    return new AppError(
      'SCHEMA_CHANGE_FAILED',
      `The change cannot be applied: ${field ? `field "${field}"` : 'an index'} has duplicate values in existing records. ` +
        'Make the values unique first, or leave the field/index non-unique.',
    );
  }
  if (e.code === '23503') {
    return new AppError(
      'SCHEMA_CHANGE_FAILED',
      `The change cannot be applied: ${fieldOf(e.constraint) ? `field "${fieldOf(e.constraint)}"` : 'a relation'} holds ids ` +
        'that do not exist in the target collection. Clear them first.',
    );
  }
  if (typeof e.code === 'string' && /^(22|23|42)/.test(e.code)) {
    return new AppError(
      'SCHEMA_CHANGE_FAILED',
      'The change cannot be applied to the existing records; nothing was changed.',
    );
  }
  return err as AppError;
}

@Injectable()
export class CollectionsService {
  private readonly logger = new Logger('Collections');

  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: CollectionsRepository,
    private readonly registry: CollectionsRegistry,
  ) {}

  list(): CollectionDef[] {
    return this.registry.all();
  }

  get(idOrName: string): CollectionDef {
    return this.registry.get(idOrName).def;
  }

  async create(input: unknown): Promise<CollectionDef> {
    return this.fresh(
      await this.change(async (tx, all) => {
        const result = normalizeCollection(input, null, all, { newId, newFieldId });
        if (!result.ok) refuse(result.errors, 'The collection cannot be created');
        await this.apply(tx, null, result.value, [...all, result.value]);
        return result.value;
      }),
    );
  }

  /** The definition as stored (with its timestamps), after the registry reloaded. */
  private fresh(def: CollectionDef): CollectionDef {
    return this.registry.find(def.id)?.def ?? def;
  }

  async update(idOrName: string, input: unknown): Promise<CollectionDef> {
    return this.fresh(
      await this.change(async (tx, all) => {
        const existing = this.pick(all, idOrName);
        const result = normalizeCollection(input, existing, all, { newId, newFieldId });
        if (!result.ok) refuse(result.errors, `The collection "${existing.name}" cannot be changed`);
        const next = result.value;
        const after = all.map((c) => (c.id === next.id ? next : c));
        await this.apply(tx, existing, next, after);
        if (existing.name !== next.name)
          await this.renameRelationTargets(tx, after, existing.name, next.name);
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
    });
  }

  /**
   * Applies a whole schema: creates and updates the given collections (matched by id, else by
   * name) and, with deleteMissing, deletes the others. With dryRun nothing is written.
   */
  async import(
    input: { collections: unknown[]; deleteMissing?: boolean },
    dryRun: boolean,
  ): Promise<{ changes: SchemaChange[] }> {
    const changes: SchemaChange[] = [];
    const run = async (tx: EntityManager, start: CollectionDef[]) => {
      let all = start;
      const seen = new Set<string>();
      const errors: FieldProblem[] = [];
      for (const [i, raw] of input.collections.entries()) {
        // An exported schema carries ids and timestamps: match by id, else by name; never write them.
        const { id, created: _c, updated: _u, ...body } = (raw ?? {}) as Record<string, unknown>;
        const existing = all.find((c) => c.id === id) ?? all.find((c) => c.name === body.name) ?? null;
        if (existing && Array.isArray(body.fields)) body.fields = remapFieldIds(body.fields, existing);
        const result = normalizeCollection(body, existing, all, { newId, newFieldId });
        if (!result.ok) {
          errors.push(...result.errors.map((e) => ({ ...e, path: `collections.${i}.${e.path}` })));
          continue;
        }
        const next = result.value;
        seen.add(next.id);
        const after = existing ? all.map((c) => (c.id === next.id ? next : c)) : [...all, next];
        const change = describe(existing, next);
        if (change) {
          try {
            await this.apply(tx, existing, next, after);
          } catch (err) {
            if (err instanceof AppError && err.extra.errors) {
              errors.push(...err.extra.errors.map((e) => ({ ...e, path: `collections.${i}.${e.path}` })));
              continue;
            }
            throw err;
          }
          if (existing && existing.name !== next.name)
            await this.renameRelationTargets(tx, after, existing.name, next.name);
          changes.push(change);
        }
        all = after;
      }
      if (input.deleteMissing) {
        for (const c of all.filter((c) => !seen.has(c.id))) {
          const after = all.filter((x) => x.id !== c.id);
          await this.apply(tx, c, null, after);
          changes.push({ collection: c.name, action: 'delete', fields: c.fields.map((f) => f.name) });
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
    const plan = planSchemaChange(prev, next, after);
    if (!plan.ok) refuse(plan.errors, `The change to "${(next ?? prev)!.name}" cannot be applied`);
    try {
      for (const statement of plan.statements) await tx.query(statement);
    } catch (err) {
      throw ddlFailure(err, next ?? prev);
    }
    if (next) await this.repository.upsert(tx, next);
    else await this.repository.delete(tx, prev!.id);
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
    const result = await this.dataSource.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
      return work(tx, await this.repository.all(tx));
    });
    await this.registry.changed();
    return result;
  }
}

class DryRunDone extends Error {}

/**
 * A schema file from another server carries other field ids: keep ids this collection knows,
 * take over the id of a same-named field, and treat the rest as new fields.
 */
function remapFieldIds(fields: unknown[], existing: CollectionDef): unknown[] {
  return fields.map((raw) => {
    if (!raw || typeof raw !== 'object') return raw;
    const f = { ...(raw as Record<string, unknown>) };
    if (existing.fields.some((e) => e.id === f.id)) return f;
    const byName = existing.fields.find((e) => e.name === f.name);
    if (byName) f.id = byName.id;
    else delete f.id;
    return f;
  });
}

function describe(prev: CollectionDef | null, next: CollectionDef): SchemaChange | null {
  if (!prev) return { collection: next.name, action: 'create', fields: next.fields.map((f) => f.name) };
  const changedFields = [
    ...next.fields
      .filter((f) => JSON.stringify(prev.fields.find((p) => p.id === f.id)) !== JSON.stringify(f))
      .map((f) => f.name),
    ...prev.fields.filter((p) => !next.fields.some((f) => f.id === p.id)).map((p) => p.name),
  ];
  const { created: _c, updated: _u, fields: _f, ...restPrev } = prev;
  const { created: _c2, updated: _u2, fields: _f2, ...restNext } = next;
  if (!changedFields.length && JSON.stringify(restPrev) === JSON.stringify(restNext)) return null;
  return { collection: next.name, action: 'update', fields: changedFields };
}
