/** What a failed record validation reports, and the context the checks share. */
import type { ValidateFunction } from 'ajv/dist/2020.js';
import type { CollectionDef, FieldDef } from '../schema/collection.types.js';

export const RECORD_ERROR_CODES = [
  'REQUIRED',
  'UNKNOWN_FIELD',
  'INVALID_TYPE',
  'TOO_SHORT',
  'TOO_LONG',
  'TOO_SMALL',
  'TOO_LARGE',
  'PATTERN_MISMATCH',
  'INVALID_FORMAT',
  'INVALID_VALUE',
  'TOO_MANY_ITEMS',
  'NOT_UNIQUE_ITEMS',
  'NOT_AN_INTEGER',
  'PASSWORDS_DONT_MATCH',
] as const;
export type RecordErrorCode = (typeof RECORD_ERROR_CODES)[number];

/** `path` is the field name, or `field.index` / `field.key` inside a value; '' is the body itself. */
export interface RecordFieldError {
  path: string;
  code: RecordErrorCode;
  message: string;
}

/** At most this many errors are reported for one body. */
export const MAX_REPORTED_ERRORS = 100;
const MAX_SHOWN_KEY = 100;

export type Op = 'create' | 'update';

export interface OpContext {
  def: CollectionDef;
  op: Op;
  auth: boolean;
  fields: Map<string, FieldDef>;
  validate: ValidateFunction;
  /** Keys for which null / '' / [] is reported as REQUIRED rather than as a type or length error. */
  nonEmpty: Set<string>;
  knownFieldsText: string;
  /** Whether a relation field's ids (or the record id, for null) are UUIDs, which read lower-cased. */
  uuidIds: (f: FieldDef | null) => boolean;
}

/** Errors by path, the first for each path, at most MAX_REPORTED_ERRORS. */
export class Collector {
  private readonly byPath = new Map<string, RecordFieldError>();
  private readonly tops = new Set<string>();

  add(segments: readonly string[], code: RecordErrorCode, message: string): void {
    const path = segments.join('.');
    if (this.byPath.has(path) || this.byPath.size >= MAX_REPORTED_ERRORS) return;
    this.byPath.set(path, { path, code, message });
    this.tops.add(segments[0] ?? '');
  }

  hasTop(key: string): boolean {
    return this.tops.has(key);
  }

  get size(): number {
    return this.byPath.size;
  }

  list(): RecordFieldError[] {
    return [...this.byPath.values()];
  }
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export const isEmpty = (v: unknown): boolean =>
  v === null || v === '' || (Array.isArray(v) && v.length === 0);

export function shownKey(key: string): string {
  return key.length > MAX_SHOWN_KEY ? `${key.slice(0, MAX_SHOWN_KEY)}…` : key;
}
