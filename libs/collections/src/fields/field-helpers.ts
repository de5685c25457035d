/** Small pieces several field types share: JSON Schema bits, list defaults, the `min`/`max` check. */
import { isMultiple } from '../schema/collection.types.js';
import type { FieldDef } from '../schema/collection.types.js';
import { jsonTypeOf, show } from '../schema/schema-issue.js';
import type { FieldDraft } from './field-type.js';
import type { JSONSchema, JSONType } from './json-schema.js';
import { at, type Issues } from './option-reader.js';

/** A count option (min/max length, maxSelect) as a whole number ≥ 0, or undefined. */
export const count = (n: number | undefined): number | undefined =>
  typeof n === 'number' && Number.isFinite(n) && n >= 0 ? Math.floor(n) : undefined;
/** A finite bound, or undefined. */
export const bound = (n: number | undefined): number | undefined =>
  typeof n === 'number' && Number.isFinite(n) ? n : undefined;

export const maxSelectOf = (f: FieldDef): number => count(f.maxSelect) ?? 1;

/** The JSON type, with null allowed unless the field is required. */
export function nullable(f: FieldDef, t: JSONType): JSONType | JSONType[] {
  return f.required ? t : [t, 'null'];
}

/** A string in `format`, or '' (the zero value an empty field reads as). */
export const formatOrEmpty = (format: string): JSONSchema => ({
  type: 'string',
  anyOf: [{ format }, { enum: [''] }],
});

export const quoteList = (values: readonly string[]): string =>
  values.map((v) => JSON.stringify(v)).join(', ');

export const asField = (draft: FieldDraft): FieldDef => ({ id: '', ...draft });

/** "The default of a date field must be …, not a number." */
export function wrongDefault(field: FieldDraft, value: unknown, expected: string): string {
  const multiple = isMultiple(asField(field));
  const kind = `a ${field.type} field${multiple ? ' holding several values' : ''}`;
  return `The default of ${kind} must be ${expected}, not ${jsonTypeOf(value)}.`;
}

/** The default of a select or relation field: one item, or a list of distinct items within maxSelect. */
export function listDefaultProblem(
  field: FieldDraft,
  value: unknown,
  ok: (item: string) => boolean,
  what: string,
): string | null {
  if (!isMultiple(asField(field))) {
    if (typeof value !== 'string') return wrongDefault(field, value, 'a string');
    return ok(value) ? null : `The default ${show(value)} is not ${what}.`;
  }
  const maxSelect = field.maxSelect ?? 1;
  if (!Array.isArray(value)) return wrongDefault(field, value, 'an array');
  if (value.length > maxSelect)
    return `The default lists ${value.length} values; "maxSelect" allows ${maxSelect}.`;
  const seen = new Set<string>();
  for (const item of value as unknown[]) {
    if (typeof item !== 'string' || !ok(item)) {
      return `The default's entry ${typeof item === 'string' ? show(item) : jsonTypeOf(item)} is not ${what}.`;
    }
    if (seen.has(item)) return `The default lists ${show(item)} twice.`;
    seen.add(item);
  }
  return null;
}

/** Reports `max` below `min`. */
export function checkRange(
  min: number | undefined,
  max: number | undefined,
  path: string,
  issues: Issues,
): void {
  if (min !== undefined && max !== undefined && min > max) {
    issues.add(
      at(path, 'max'),
      'INVALID_RANGE',
      `"max" (${max}) is smaller than "min" (${min}); make max at least min.`,
    );
  }
}

export function range(min: number | undefined, max: number | undefined, unit: string): string | undefined {
  if (min !== undefined && max !== undefined) return `${min} to ${max}${unit}`;
  if (min !== undefined) return `at least ${min}${unit}`;
  if (max !== undefined) return `at most ${max}${unit}`;
  return undefined;
}

/** Single-or-list column types: `text` / `text[]`. */
export const listable =
  <T extends string>(single: T) =>
  (f: FieldDef): T | `${T}[]` =>
    isMultiple(f) ? `${single}[]` : single;
