/** Helpers the field type specs share: a field read as the API reads it, and a value written to it. */
import { coerceForKind, type Coerced } from '../filter/filter-values.js';
import type { CollectionDef, FieldDef, FieldType } from '../schema/collection.types.js';
import { normalizeCollection } from '../schema/normalize-collection.js';
import { sequentialIds, users } from '../schema/schema.fixture.js';
import { buildRecordSchemas, type RecordSchemas } from '../validation/record-schemas.js';
import { compileRecordValidators, type ValidationResult } from '../validation/record-validator.js';
import { fieldTypeOf } from './registry.js';

export type RawField = Record<string, unknown> & { type: FieldType };

/** A field definition as POST /api/collections reads it: the field, or its problems as `path code`. */
export function defineField(raw: RawField): { field?: FieldDef; problems: string[]; messages: string[] } {
  const result = normalizeCollection(
    { name: 'things', fields: [{ name: 'x', ...raw }] },
    null,
    [users],
    sequentialIds(),
  );
  if (result.ok) return { field: result.value.fields[0]!, problems: [], messages: [] };
  return {
    problems: result.errors.map((e) => `${e.path} ${e.code}`),
    messages: result.errors.map((e) => e.message),
  };
}

/** The collection holding one field `x` as defined by `raw` (which must be valid). */
export function collectionWith(raw: RawField): CollectionDef {
  const result = normalizeCollection(
    { name: 'things', fields: [{ name: 'x', ...raw }] },
    null,
    [users],
    sequentialIds(),
  );
  if (!result.ok) throw new Error(`invalid field in a spec: ${JSON.stringify(result.errors)}`);
  return result.value;
}

/** Creates `{ x: value }` (or `{}` when value is undefined) against a field defined by `raw`. */
export function createWith(raw: RawField, value: unknown): ValidationResult {
  const body = value === undefined ? {} : { x: value };
  return compileRecordValidators(collectionWith(raw)).create(body);
}

/** The stored value of a valid create, or the first error's code. */
export function written(raw: RawField, value: unknown): { value: unknown } | { code: string } {
  const r = createWith(raw, value);
  return r.ok ? { value: r.value.x } : { code: r.errors[0]!.code };
}

/** The literal a filter binds next to a column of this type. */
export const filterOperand = (type: FieldType, value: unknown): Coerced =>
  coerceForKind(value, fieldTypeOf(type).filterKind);

/** The JSON Schemas of field `x`. */
export function schemasOf(raw: RawField): { create: unknown; update: unknown; response: unknown } {
  const s: RecordSchemas = buildRecordSchemas(collectionWith(raw));
  return {
    create: s.create.properties!.x,
    update: s.update.properties!.x,
    response: s.response.properties!.x,
  };
}
