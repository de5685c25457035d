import { randomBytes } from 'node:crypto';
import { AppError, newId, type FieldProblem } from '@plinth/core';
import type { CollectionDef } from '../schema/collection.types.js';
import { normalizeCollection } from '../schema/index.js';
import { isViewInput, normalizeViewCollection } from '../views/normalize-view.js';

/** The pure helpers of CollectionsService: checking a body, refusing a change, explaining a DDL failure. */

export const newFieldId = () => 'f' + randomBytes(6).toString('hex');

const CONFLICT_CODES = new Set([
  'COLLECTION_NAME_TAKEN',
  'COLLECTION_REFERENCED',
  'FIELD_TYPE_CHANGE_UNSUPPORTED',
]);

export function refuse(errors: FieldProblem[], what: string): never {
  const conflict = errors.find((e) => CONFLICT_CODES.has(e.code));
  // A problem of the whole collection has no path: its message stands alone (no "applied: : ...").
  const summary = errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; ');
  if (conflict)
    throw new AppError(conflict.code as 'COLLECTION_NAME_TAKEN', `${what}: ${summary}`, { errors });
  throw new AppError('VALIDATION_FAILED', `${what}: ${summary}`, { errors });
}

/** Explains a failure PostgreSQL reported while applying DDL to existing data. */
export function ddlFailure(err: unknown, def: CollectionDef | null): AppError {
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

/** What became of one view collection of an import. */
export interface ViewOutcome {
  id: string;
  def?: CollectionDef;
  /** Why it was not created (its query does not run on PostgreSQL, ...). */
  reason?: string;
  /** Rules set to null because they do not compile against the view's fields. */
  nulled: Array<{ rule: string; text: string; message: string }>;
}

export const NO_RULES = {
  listRule: null,
  viewRule: null,
  createRule: null,
  updateRule: null,
  deleteRule: null,
  authRule: undefined,
  manageRule: undefined,
};

/** A collection body checked as what it is: a view (fields inferred later) or a base/auth collection. */
export function normalizeAny(input: unknown, existing: CollectionDef | null, all: CollectionDef[]) {
  return isViewInput(input, existing)
    ? normalizeViewCollection(input, existing, all, newId)
    : normalizeCollection(input, existing, all, { newId, newFieldId });
}

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A schema file from another server carries other field ids: keep ids this collection knows,
 * take over the id of a same-named field, and treat the rest as new fields.
 */
export function remapFieldIds(fields: unknown[], existing: CollectionDef): unknown[] {
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

/**
 * PocketBase's import without `deleteMissing`: the fields of an existing collection that the file leaves
 * out (by id, after `remapFieldIds`, or by name) are kept — a text id field first, as it must be, the
 * others after the file's. With `deleteMissing` the file's fields are the whole list.
 */
export function keepMissingFields(fields: unknown[], existing: CollectionDef): unknown[] {
  const given = fields.filter((f): f is Record<string, unknown> => !!f && typeof f === 'object');
  const missing = existing.fields.filter((e) => !given.some((f) => f.id === e.id || f.name === e.name));
  const idField = missing.filter((e) => e.name === 'id');
  return [...idField, ...fields, ...missing.filter((e) => e.name !== 'id')];
}
