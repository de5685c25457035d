import { quoteIdent, sql, type Sql } from '@plinth/core';
import type { FilterCollection } from '../filter/index.js';
import type { CollectionDef, FieldDef } from '../schema/collection.types.js';
import { columnType, toFilterCollection, type ColumnCast } from '../schema/index.js';
import type { ZeroValue } from '../fields/field-type.js';
import { fieldModule } from '../fields/registry.js';
import { compileRecordValidators, type RecordValidators } from '../validation/index.js';

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
  sql: { table: Sql; select: Sql };
  isAuth: boolean;
}

export function compileCollection(def: CollectionDef): CompiledCollection {
  const isAuth = def.type === 'auth';
  const fieldColumns = def.fields.map((field) => {
    const cast = columnType(field);
    return { name: field.name, field, cast, zero: fieldModule(field).zero };
  });
  const system = ['id', 'created', 'updated', ...(isAuth ? ['email', 'emailVisibility', 'verified'] : [])];
  const columns = [...system, ...fieldColumns.map((c) => c.name)];
  const selectList = columns.map((c) => `t.${quoteIdent(c)}`).join(', ');
  const table = `"data".${quoteIdent(def.name)}`;
  return {
    def,
    table,
    filter: toFilterCollection(def),
    validators: compileRecordValidators(def),
    fieldColumns,
    visibleColumns: fieldColumns.filter((col) => !col.field?.hidden),
    selectList,
    columns,
    sql: { table: sql.raw(table), select: sql.raw(selectList) },
    isAuth,
  };
}
