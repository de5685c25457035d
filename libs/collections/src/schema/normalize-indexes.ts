/** The `indexes` of a collection body, and carrying them over a PATCH that leaves them out. */
import {
  SYSTEM_COLUMNS,
  type CollectionDef,
  type CollectionType,
  type IndexDef,
} from './collection.types.js';
import { at, get, isPlainObject, type Issues, type Json } from '../fields/option-reader.js';
import type { FieldDraft } from './normalize-field.js';
import { jsonTypeOf, show } from './schema-issue.js';

export const MAX_INDEXES = 20;
export const MAX_INDEX_FIELDS = 8;

/** Auth columns a declared index may use besides the fields and id/created/updated. */
const AUTH_INDEXABLE = ['email', 'emailVisibility', 'verified'];

export function normalizeIndexes(
  body: Json,
  existing: CollectionDef | null,
  drafts: readonly FieldDraft[],
  type: CollectionType,
  fieldsKnown: boolean,
  issues: Issues,
): IndexDef[] {
  const system = [...SYSTEM_COLUMNS, ...(type === 'auth' ? AUTH_INDEXABLE : [])];
  const raw = get(body, 'indexes');
  if (raw === undefined) return existing ? carryIndexes(existing, drafts, system) : [];
  if (!Array.isArray(raw)) {
    issues.add('indexes', 'INVALID_TYPE', `"indexes" must be an array, not ${jsonTypeOf(raw)}.`);
    return [];
  }
  if (raw.length > MAX_INDEXES) {
    issues.add(
      'indexes',
      'OUT_OF_RANGE',
      `A collection may declare at most ${MAX_INDEXES} indexes; this one has ${raw.length}.`,
    );
  }
  const usable = new Set([...system, ...drafts.filter((d) => d.usable).map((d) => d.field.name)]);
  // Fields with a bad name are already reported; an index naming them is not blamed again.
  const reported = new Set(drafts.filter((d) => !d.usable && d.rawName !== undefined).map((d) => d.rawName));
  const seen = new Map<string, number>();
  const out: IndexDef[] = [];
  raw.forEach((item: unknown, i) => {
    const path = `indexes.${i}`;
    if (!isPlainObject(item)) {
      issues.add(
        path,
        'INVALID_TYPE',
        `Each index must be an object like {"fields": ["status"]}, not ${jsonTypeOf(item)}.`,
      );
      return;
    }
    issues.unknownKeys(item, path, new Set(['fields', 'unique']), 'An index');
    const unique = issues.bool(item, 'unique', path) ?? false;
    if (get(item, 'fields') === undefined) {
      issues.add(
        at(path, 'fields'),
        'REQUIRED',
        'An index needs "fields": the field names it covers, in order.',
      );
      return;
    }
    const fields = issues.stringList(item, 'fields', path, { min: 1, max: MAX_INDEX_FIELDS }, (name) =>
      usable.has(name) || !fieldsKnown || reported.has(name)
        ? null
        : [
            'UNKNOWN_INDEX_FIELD',
            `The index names ${show(name)}, which is not a field of this collection; use a field name or id, created, updated.`,
          ],
    );
    if (!fields) return;
    const key = JSON.stringify([unique, fields]);
    const first = seen.get(key);
    if (first !== undefined) {
      issues.add(path, 'DUPLICATE_INDEX', `Index ${i} is the same as index ${first}; remove one of them.`);
      return;
    }
    seen.set(key, i);
    out.push({ fields, unique });
  });
  return out;
}

/** PATCH without "indexes": keep the existing ones, following renames; drop those over removed fields. */
function carryIndexes(
  existing: CollectionDef,
  drafts: readonly FieldDraft[],
  system: readonly string[],
): IndexDef[] {
  const nameById = new Map(drafts.filter((d) => d.id !== undefined).map((d) => [d.id!, d.field.name]));
  const idByOldName = new Map(existing.fields.map((f) => [f.name, f.id]));
  const out: IndexDef[] = [];
  for (const index of existing.indexes) {
    const fields = index.fields.map((name) => {
      if (system.includes(name)) return name;
      const id = idByOldName.get(name);
      return id === undefined ? undefined : nameById.get(id);
    });
    if (fields.every((f): f is string => f !== undefined))
      out.push({ fields, unique: index.unique === true });
  }
  return out;
}
