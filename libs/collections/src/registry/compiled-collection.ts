import { quoteIdent, sql, type Sql } from '@plinth/core';
import type { FilterCollection } from '../filter/index.js';
import type { CollectionDef, FieldDef } from '../schema/collection.types.js';
import {
  columnType,
  searchSignature,
  searchVectorSql,
  toFilterCollection,
  type ColumnCast,
} from '../schema/index.js';
import type { ZeroValue } from '../fields/field-type.js';
import { fieldModule } from '../fields/registry.js';
import { compileRecordValidators, type RecordValidators } from '../validation/index.js';
import { newId } from '@plinth/core';
import {
  ALL_UUID,
  generateTextId,
  idTypeOf,
  isRecordIdOf,
  type IdTypes,
  type RecordIdType,
} from '../fields/id-field.js';

export type { ColumnCast };

export interface ColumnInfo {
  /** Field (and column) name. */
  name: string;
  field?: FieldDef;
  cast: ColumnCast;
  /** What an empty value reads as (PocketBase's zero values): '', 0, false, null for json; arrays [] . */
  zero: ZeroValue;
}

/**
 * Everything the hot path needs about one collection version, built once when the schema
 * changes: SQL fragments, validators, the filter view.
 */
export interface CompiledCollection {
  def: CollectionDef;
  /** `"data"."posts"` */
  table: string;
  filter: FilterCollection;
  validators: RecordValidators;
  /** Writable field columns (auth system columns are handled apart). */
  fieldColumns: ColumnInfo[];
  /** The field columns a non-admin may see (without hidden fields). */
  visibleColumns: ColumnInfo[];
  /** `t."id", t."created", ...` with every column a record answer needs. */
  selectList: string;
  /** The names in `selectList`, in its order. */
  columns: string[];
  /** `table` and `selectList` as SQL fragments, made once. */
  /** `idCast`: `::uuid` or `::text`, what a bound record id of this collection is cast to. */
  sql: { table: Sql; select: Sql; idCast: Sql; idArrayCast: Sql };
  isAuth: boolean;
  /**
   * Set when the collection has searchable fields: the SQL of a row's search vector, its columns
   * prefixed with `prefix` (`r.`), for rows that are not read from the table (snapshots, new rows).
   */
  searchVector?: (prefix: string) => string;
  /** UUIDv7 ids, or PocketBase's text ids (docs/decisions/text-ids.md). */
  idType: RecordIdType;
  /** Whether `value` can be a record id here (its form only): lookups of anything else find nothing. */
  isId(value: unknown): value is string;
  /**
   * The id of a new record: a well-formed `given` one (UUIDs lower-cased), else a new one; undefined
   * for a text-id collection without an autogenerate pattern when none is given.
   */
  newRecordId(given?: unknown): string | undefined;
}

/** `idTypes` gives the id type of the collections its relations point to. */
export function compileCollection(def: CollectionDef, idTypes: IdTypes = ALL_UUID): CompiledCollection {
  const isAuth = def.type === 'auth';
  const idType = idTypeOf(def);
  const own: IdTypes = (name) => (name === def.name ? idType : idTypes(name));
  const fieldColumns = def.fields.map((field) => {
    const cast = columnType(field, field.type === 'relation' ? own(field.collection ?? '') : 'uuid');
    return { name: field.name, field, cast, zero: fieldModule(field).zero };
  });
  const system = ['id', 'created', 'updated', ...(isAuth ? ['email', 'emailVisibility', 'verified'] : [])];
  const columns = [...system, ...fieldColumns.map((c) => c.name)];
  const selectList = columns.map((c) => `t.${quoteIdent(c)}`).join(', ');
  const table = `"data".${quoteIdent(def.name)}`;
  return {
    def,
    table,
    filter: toFilterCollection(def, own),
    validators: compileRecordValidators(def, own),
    fieldColumns,
    visibleColumns: fieldColumns.filter((col) => !col.field?.hidden),
    selectList,
    columns,
    sql: {
      table: sql.raw(table),
      select: sql.raw(selectList),
      idCast: sql.raw(`::${idType}`),
      idArrayCast: sql.raw(`::${idType}[]`),
    },
    isAuth,
    ...(searchSignature(def) !== null
      ? { searchVector: (prefix: string) => searchVectorSql(def, prefix) }
      : {}),
    idType,
    isId: (value): value is string => isRecordIdOf(idType, value),
    newRecordId: (given) => {
      if (!isRecordIdOf(idType, given)) return def.idField ? generateTextId(def.idField) : newId();
      return idType === 'uuid' ? given.toLowerCase() : given;
    },
  };
}
