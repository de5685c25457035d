import { AppError, type FieldProblem } from '@plinth/core';
import type { CompiledCollection } from '../../registry/compiled-collection.js';
import { isMultiple } from '../../schema/collection.types.js';
import { declaredIndexName } from '../../schema/index.js';
import type { Row } from '../record-sql.js';

/** The file names a file field's value holds. */
function fileNames(v: unknown): string[] {
  return Array.isArray(v)
    ? v.filter((n): n is string => typeof n === 'string')
    : typeof v === 'string' && v
      ? [v]
      : [];
}

/**
 * Clients often send a whole record back on update; like PocketBase, its read-only keys are
 * ignored rather than refused. Everything else unknown is still a 400.
 */
const READ_ONLY_KEYS = ['id', 'created', 'updated', 'collectionId', 'collectionName', 'expand'];

export function withoutReadOnlyKeys(body: unknown): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const copy = { ...(body as Record<string, unknown>) };
  for (const k of READ_ONLY_KEYS) delete copy[k];
  return copy;
}

export function hasOwnKey(body: unknown, key: string): boolean {
  return !!body && typeof body === 'object' && !Array.isArray(body) && Object.hasOwn(body, key);
}

/** Whether `value` sets a multi-value relation (its ids are checked in the write's transaction). */
export function hasMultiRelationValues(c: CompiledCollection, value: Record<string, unknown>): boolean {
  return c.fieldColumns.some(
    (col) => col.field!.type === 'relation' && isMultiple(col.field!) && Array.isArray(value[col.name]),
  );
}

export function invalid(errors: FieldProblem[], what: string): AppError {
  return new AppError(
    'VALIDATION_FAILED',
    `${what}: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}.`,
    { errors },
  );
}

/**
 * File fields may only hold this record's stored names or this request's uploads: a JSON body
 * keeps, reorders or removes files, it cannot name new ones. Also returns the names the change drops.
 */
export function fileProblems(
  c: CompiledCollection,
  next: Record<string, unknown>,
  current: Row | undefined,
  uploads: ReadonlySet<string>,
): { problems: FieldProblem[]; removed: string[] } {
  const problems: FieldProblem[] = [];
  const removed: string[] = [];
  for (const col of c.fieldColumns) {
    if (col.field?.type !== 'file' || !(col.name in next)) continue;
    const before = new Set(fileNames(current?.[col.name]));
    const after = fileNames(next[col.name]);
    const unknown = after.find((n) => !before.has(n) && !uploads.has(n));
    if (unknown !== undefined) {
      problems.push({
        path: col.name,
        code: 'INVALID_VALUE',
        message: `"${unknown.slice(0, 100)}" is not a file of this record; upload new files with multipart/form-data`,
      });
    }
    const kept = new Set(after);
    for (const n of before) if (!kept.has(n)) removed.push(n);
  }
  return { problems, removed };
}

/** Maps constraint violations to answers that name the field. */
export function writeError(err: unknown, c: CompiledCollection, op: 'write' | 'delete' = 'write'): unknown {
  const e = err as { code?: string; constraint?: string };
  const fieldById = (name?: string) =>
    c.def.fields.find((f) => name && name.replace(/^(uq|fk|rel)_/, '') === f.id)?.name;
  if (e.code === '23505') {
    if (e.constraint?.startsWith('pk_') || e.constraint?.endsWith('_pkey')) {
      return new AppError('RECORD_ID_TAKEN', `A record with this id exists already in "${c.def.name}".`, {
        errors: [{ path: 'id', code: 'NOT_UNIQUE', message: 'is taken' }],
      });
    }
    const field =
      fieldById(e.constraint) ?? (c.isAuth && e.constraint?.includes('email') ? 'email' : undefined);
    const index = c.def.indexes.find((i) => i.unique && e.constraint === declaredIndexName(c.def, i));
    const path = field ?? index?.fields.join(',') ?? 'record';
    return invalid(
      [{ path, code: 'NOT_UNIQUE', message: 'must be unique: another record has this value' }],
      `The record for "${c.def.name}" is invalid`,
    );
  }
  if (e.code === '23503') {
    const field = op === 'write' ? fieldById(e.constraint) : undefined;
    if (field) {
      return invalid(
        [{ path: field, code: 'RELATION_NOT_FOUND', message: 'refers to a record that does not exist' }],
        `The record for "${c.def.name}" is invalid`,
      );
    }
    return new AppError(
      'RELATION_RESTRICTED',
      `This record is still referenced by another collection's relation (onDelete: restrict). Remove those references first.`,
    );
  }
  if (e.code === '22P02' || e.code === '22007' || e.code === '22008' || e.code === '22003') {
    return new AppError('VALIDATION_FAILED', 'A value has the wrong format for its field.');
  }
  return err;
}
