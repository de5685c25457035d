import { quoteIdent, sql, type Sql } from '@plinth/core';
import type { ColumnKind, FilterCollection, FilterContext, FilterField } from './types.js';

// SQL pieces the filter compiler assembles: fragments in, fragments out, each carrying its values.

export { quoteIdent };

export const TRUE = sql.raw('TRUE');
export const FALSE = sql.raw('FALSE');

/** A collection's table in schema "data" (the name comes from the schema, never from filter text). */
export function tableSql(table: string): Sql {
  return sql.raw(`"data".${quoteIdent(table)}`);
}

/** `alias."column"`; the alias is one the compiler made or checked. */
export function columnRef(alias: string, column: string): Sql {
  return sql.raw(`${alias}.${quoteIdent(column)}`);
}

const rawCache = new Map<string, Sql>();

/** Fixed SQL text from the compiler's own tables (casts such as `::uuid`), one fragment per text. */
export function fixed(text: string): Sql {
  let fragment = rawCache.get(text);
  if (!fragment) {
    fragment = sql.raw(text);
    rawCache.set(text, fragment);
  }
  return fragment;
}

/** The columns every collection has, whether or not its field list names them. */
const SYSTEM_FIELDS: ReadonlyMap<string, FilterField> = new Map<string, FilterField>([
  ['id', { name: 'id', column: 'id', kind: 'uuid', multiple: false, hidden: false }],
  ['created', { name: 'created', column: 'created', kind: 'date', multiple: false, hidden: false }],
  ['updated', { name: 'updated', column: 'updated', kind: 'date', multiple: false, hidden: false }],
]);

/** A field of the collection, or one of id/created/updated; undefined when there is none. */
export function lookupField(collection: FilterCollection, name: string): FilterField | undefined {
  return collection.fields.get(name) ?? SYSTEM_FIELDS.get(name);
}

export const KIND_NOUNS: Record<ColumnKind, string> = {
  text: 'text',
  number: 'numbers',
  bool: 'true or false',
  date: 'dates',
  json: 'JSON',
  uuid: 'record ids',
};

export interface VisibilityGuard {
  /** Column of the bool that makes the value visible to everyone. */
  flagColumn: string;
  idColumn: string;
  /** The caller's own record id when the caller is a record of this collection (it sees its own value). */
  ownId?: string;
}

/**
 * Auth collections show `email` only to admins (and keys that may read the collection), to the record
 * itself, and to everyone when the record's `emailVisibility` is true (DESIGN §10). A client filter or sort of anyone else
 * must not see it either, or `email ~ 'a'` would spell hidden addresses out one letter at a time:
 * on other rows the field reads as empty. Rules are trusted (canSeeHidden) and see it.
 */
export function visibilityGuard(
  collection: FilterCollection,
  field: FilterField,
  ctx: Pick<FilterContext, 'canSeeHidden'> & Partial<Pick<FilterContext, 'isAdmin' | 'auth' | 'mayRead'>>,
): VisibilityGuard | undefined {
  if (ctx.canSeeHidden) return undefined;
  if (ctx.isAdmin && (!ctx.mayRead || ctx.mayRead(collection.name))) return undefined;
  if (field.name !== 'email') return undefined;
  const flag = collection.fields.get('emailVisibility');
  if (!flag || flag.kind !== 'bool' || flag.multiple) return undefined;
  const id = lookupField(collection, 'id')!;
  const auth = ctx.auth;
  // Text ids (PocketBase's) as well as UUIDs: compared as text.
  const ownId =
    auth && auth.collectionName === collection.name && typeof auth.id === 'string' && auth.id !== ''
      ? auth.id
      : undefined;
  return { flagColumn: flag.column, idColumn: id.column, ...(ownId ? { ownId } : {}) };
}

export function asText(col: Sql, kind: ColumnKind): Sql {
  return kind === 'text' ? col : sql`${col}::text`;
}

export function likeEscapeSql(text: Sql): Sql {
  return sql`replace(replace(replace(${text}, '\\', '\\\\'), '%', '\\%'), '_', '\\_')`;
}

export function emptySql(col: Sql, kind: ColumnKind): Sql {
  if (kind === 'text') return sql`(${col} IS NULL OR ${col} = '')`;
  if (kind === 'json') return sql`(${col} IS NULL OR ${col} IN (${JSON_EMPTY}))`;
  return sql`${col} IS NULL`;
}

export function notEmptySql(col: Sql, kind: ColumnKind): Sql {
  if (kind === 'text') return sql`${col} <> ''`;
  if (kind === 'json') return sql`${col} NOT IN (${JSON_EMPTY})`;
  return sql`${col} IS NOT NULL`;
}

const JSON_EMPTY = sql.raw(`'null'::jsonb, '""'::jsonb, '[]'::jsonb, '{}'::jsonb`);

export interface RowSource {
  from: Sql;
  link: Sql[];
  visibility: Sql[];
}

/**
 * Asks `cond` of the rows of `source` (related records or array elements).
 * Single relation: the related record matches; a missing one counts as NULL values.
 * Many, `?` forms: at least one matches. Many, plain forms: all match and there is at least one.
 * When the comparison holds for a missing value (`!=`, `!~`, `= null`), "none" also matches.
 */
export function quantify(source: RowSource, cond: Sql, many: boolean, anyOf: boolean, matchesMissing: boolean): Sql {
  const exists = (extra?: Sql) => {
    const where = [...source.link, ...(extra ? [extra] : []), ...source.visibility];
    return where.length > 0
      ? sql`EXISTS (SELECT 1 FROM ${source.from} WHERE ${sql.join(where, ' AND ')})`
      : sql`EXISTS (SELECT 1 FROM ${source.from})`;
  };
  const some = exists(sql`(${cond})`);
  const noneFail = sql`NOT ${exists(sql`(${cond}) IS NOT TRUE`)}`;
  if (!many) return matchesMissing ? noneFail : some;
  if (anyOf) return matchesMissing ? sql`(NOT ${exists()} OR ${some})` : some;
  return matchesMissing ? noneFail : sql`(${some} AND ${noneFail})`;
}
