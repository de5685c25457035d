/**
 * What a field type is, in one place (PocketBase keeps one file per type, `core/field_*.go`): its
 * options, default, column, value checks and coercion, JSON Schema, filter operand and how an
 * empty value reads. One module per type implements this; `registry.ts` maps names to modules.
 */
import type { Sql } from '@plinth/core';
import type { ColumnKind } from '../filter/types.js';
import type { FieldDef, FieldType } from '../schema/collection.types.js';
import type { RecordIdType } from './id-field.js';
import type { JSONSchema } from './json-schema.js';
import type { Issues, Json } from './option-reader.js';

/** The PostgreSQL type of a field's column; records bind values with the same cast. */
export type ColumnCast =
  'text' | 'text[]' | 'double precision' | 'boolean' | 'timestamptz' | 'jsonb' | 'uuid' | 'uuid[]';

/** A field while its definition is being read (the id comes last). */
export type FieldDraft = Omit<FieldDef, 'id'>;

export interface OptionsContext {
  issues: Issues;
  /** The field's path in the collection body, e.g. `fields.2`. */
  path: string;
  /** A relation target's name as it will be, or undefined when no such collection exists. */
  resolveTarget(name: string): string | undefined;
}

/** What a default's check may ask of the schema around the field. */
export interface DefaultContext {
  /** The id type of a relation target (by its resolved name): its ids decide what a default may hold. */
  idTypeOf(collectionName: string): RecordIdType;
}

/** A problem with one record value found after the JSON Schema passed. */
export interface ValueProblem {
  code: 'INVALID_VALUE' | 'INVALID_FORMAT' | 'TOO_LONG';
  message: string;
}

/** An empty value as answers show it. */
export type ZeroValue = '' | 0 | false | null | Readonly<Record<string, number>>;

export type DescribeMode = 'write' | 'response';

export interface FieldTypeModule {
  readonly type: FieldType;
  /** Option keys of this type besides id, name, type, required, unique, hidden and default. */
  readonly options: readonly string[];
  /** false when the type takes no `default` (file). */
  readonly takesDefault: boolean;
  /** A not-required single value of `""` is stored as null (empty). */
  readonly emptyStringIsNull: boolean;
  /** How filters compare the column and coerce literals next to it. */
  readonly filterKind: ColumnKind;
  /** Whether `?sort=` may name the field. */
  readonly sortable: boolean;
  /** Numeric parts filters may name as `field.part`, as SQL from the column's (geoPoint: lon, lat). */
  readonly filterParts?: Readonly<Record<string, (sql: Sql) => Sql>>;
  /** Holds a list when `maxSelect` > 1 (select, relation, file); `:each` and `:length` apply. */
  readonly multiValued: boolean;
  /** json: how deep a value may nest. */
  readonly maxDepth?: number;
  /** The message of a format (or format-like pattern) error on a value of this type. */
  readonly formatError?: string;

  /** Reads the type's options from `raw` onto `field`, reporting problems to `ctx.issues`. */
  readOptions?(raw: Json, field: FieldDraft, ctx: OptionsContext): void;
  /** Why `unique` cannot be set on this field, or null. */
  uniqueProblem?(field: FieldDraft): string | null;
  /** Why `value` cannot be the default of `field` (options already valid), or null. */
  defaultProblem(field: FieldDraft, value: unknown, ctx?: DefaultContext): string | null;

  columnType(field: FieldDef): ColumnCast;
  /** What an empty single value reads as in answers (PocketBase's zero values; frozen when an object). */
  readonly zero: ZeroValue;

  /** The JSON Schema of a single value in create/update bodies. */
  writeSchema(field: FieldDef): JSONSchema;
  /** The JSON Schema of one element of a multi-value field. */
  itemSchema?(field: FieldDef): JSONSchema;
  /** The JSON Schema of a single value in answers. */
  responseSchema(field: FieldDef): JSONSchema;
  /** The type's sentence(s) in the OpenAPI description. */
  describe(field: FieldDef, mode: DescribeMode): string;
  /** `x-plinth-*` annotations typegen reads. */
  annotations?(field: FieldDef): Record<string, unknown>;

  /** Checks JSON Schema cannot express, on a value the schema accepted. */
  checkValue?(field: FieldDef, value: unknown): ValueProblem | null;
  /** The value as stored, from a valid single value (or one element of a multi-value field). */
  coerceValue?(field: FieldDef, value: unknown): unknown;
  /**
   * Set for values only the server writes (autodate): what it stores on this operation, or
   * undefined to leave the column as it is. Clients' values for such fields are ignored, as
   * PocketBase ignores them, and write schemas leave the field out.
   */
  serverValue?(field: FieldDef, op: 'create' | 'update', now: Date): unknown;
}
