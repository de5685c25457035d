import { quoteIdent } from '../filter/index.js';
import {
  type CollectionDef,
  FIELD_NAME_PATTERN,
  type FieldDef,
  type FieldType,
  type ViewFileSource,
} from '../schema/collection.types.js';
import { idTypeOf } from '../fields/id-field.js';
import { columnType } from '../schema/index.js';
import { SEARCH_COLUMN } from '../schema/search-column.js';
import { SECRET_COLUMNS } from './view-query.js';

/** One result column of a view query, as PostgreSQL describes it (RowDescription). */
export interface ViewColumn {
  name: string;
  /** The column's type oid (pg_type). */
  typeOid: number;
  /** Set when the column is a plain column of a collection (`p.title`), not an expression. */
  origin?: { collection: string; column: string };
}

/** Which record timestamps the view has: a view's records may lack `created` and `updated`. */
export interface ViewDates {
  created: boolean;
  updated: boolean;
}

export type InferResult =
  | { ok: true; fields: FieldDef[]; dates: ViewDates; fileSources: Record<string, ViewFileSource> }
  | { ok: false; problems: string[] };

const NUMBER_TYPES = new Set([20, 21, 23, 26, 700, 701, 1700]);
const TEXT_TYPES = new Set([18, 19, 25, 1042, 1043, 2950]);
const DATE_TYPES = new Set([1082, 1114, 1184]);
const JSON_TYPES = new Set([114, 3802]);
const BOOL = 16;

/** The field type of a computed column (PocketBase falls back to json where it cannot tell). */
export function fieldTypeOfPgType(oid: number): FieldType {
  if (NUMBER_TYPES.has(oid)) return 'number';
  if (TEXT_TYPES.has(oid)) return 'text';
  if (DATE_TYPES.has(oid)) return 'date';
  if (oid === BOOL) return 'bool';
  return 'json';
}

/** Names a view column may not take: they mean something else in a record answer. */
const RESERVED_VIEW_NAMES = new Set(
  [
    'collectionId',
    'collectionName',
    'expand',
    'password',
    'passwordConfirm',
    'oldPassword',
    'tokenKey',
    ...SECRET_COLUMNS,
  ].map((n) => n.toLowerCase()),
);

/** A field of a source collection as the view shows it: its type and options, under the view's name. */
function fromSource(source: CollectionDef, column: string, name: string): Omit<FieldDef, 'id'> | undefined {
  if (column === 'id' && source.type !== 'view')
    return { name, type: 'relation', collection: source.name, maxSelect: 1 };
  if (column === 'created' || column === 'updated') return { name, type: 'date' };
  if (source.type === 'auth') {
    if (column === 'email') return { name, type: 'email' };
    if (column === 'verified' || column === 'emailVisibility') return { name, type: 'bool' };
  }
  const field = source.fields.find((f) => f.name === column);
  if (!field) return undefined;
  // Write-side options mean nothing on a read-only view; type, choices, targets and `hidden` stay.
  const { id: _id, unique: _u, required: _r, default: _d, onDelete: _o, ...rest } = field;
  return { ...rest, name };
}

/**
 * The fields of a view from its result columns. Ids of fields the view had are kept by name, so
 * rules and clients see the same field after the query changes.
 */
export function inferViewFields(
  columns: readonly ViewColumn[],
  all: readonly CollectionDef[],
  existing: readonly FieldDef[],
  newFieldId: () => string,
): InferResult {
  const problems: string[] = [];
  const seen = new Set<string>();
  const fields: FieldDef[] = [];
  const dates: ViewDates = { created: false, updated: false };
  const fileSources: Record<string, ViewFileSource> = {};
  let hasId = false;
  for (const col of columns) {
    const lower = col.name.toLowerCase();
    if (seen.has(lower)) {
      problems.push(
        `The view query has two columns named "${col.name}" (names are compared ignoring case); rename one with AS.`,
      );
      continue;
    }
    seen.add(lower);
    // A searchable collection's search column (`SELECT *`) is the collection's index, not a field.
    if (col.origin?.column === SEARCH_COLUMN) continue;
    if (col.name === 'id') {
      hasId = true;
      continue;
    }
    if (col.name === 'created' || col.name === 'updated') {
      // A text column could hold a non-date and fail every read later: a date type is required now.
      if (!DATE_TYPES.has(col.typeOid))
        problems.push(
          `The view column "${col.name}" must be a date (timestamptz), not ${col.typeOid === 25 ? 'text' : 'another type'}; cast it (e.g. "created::timestamptz AS created") or rename it.`,
        );
      dates[col.name] = true;
      continue;
    }
    if (!FIELD_NAME_PATTERN.test(col.name)) {
      problems.push(
        `The view column ${JSON.stringify(col.name.slice(0, 63))} has no usable name; name it with AS using letters, digits and underscores (e.g. "count(*) AS total").`,
      );
      continue;
    }
    if (RESERVED_VIEW_NAMES.has(lower)) {
      problems.push(`The view column "${col.name}" has a reserved name; rename it with AS.`);
      continue;
    }
    const source = col.origin && all.find((c) => c.name === col.origin!.collection);
    const inferred = (source && fromSource(source, col.origin!.column, col.name)) ?? {
      name: col.name,
      type: fieldTypeOfPgType(col.typeOid),
    };
    const id = existing.find((f) => f.name === col.name)?.id ?? newFieldId();
    fields.push({ id, ...inferred });
    // A file column straight from a collection's file field: its files are that collection's records'.
    if (source && inferred.type === 'file')
      fileSources[col.name] = { collection: source.name, field: col.origin!.column };
  }
  if (!hasId)
    problems.push(
      'The view query needs an "id" column; use a unique column, or "(ROW_NUMBER() OVER ())::text AS id" if you have none.',
    );
  return problems.length ? { ok: false, problems } : { ok: true, fields, dates, fileSources };
}

/** The value expression of a view column: cast to the column type the records code reads it as. */
function columnExpr(field: FieldDef, typeOid: number | undefined, all: readonly CollectionDef[]): string {
  const col = `q.${quoteIdent(field.name)}`;
  const target = field.type === 'relation' ? all.find((c) => c.name === field.collection) : undefined;
  const cast = columnType(field, target ? idTypeOf(target) : 'uuid');
  if (cast === 'jsonb' && typeOid !== undefined && !JSON_TYPES.has(typeOid)) return `to_jsonb(${col})`;
  return `${col}::${cast}`;
}

/**
 * The backing view: the user's query as a subquery, its `id` as text, `created`/`updated` as
 * timestamps (NULL when it has none), each field cast to its column type.
 */
export function backingViewSql(
  view: string,
  query: string,
  fields: readonly FieldDef[],
  dates: ViewDates,
  types: ReadonlyMap<string, number>,
  all: readonly CollectionDef[] = [],
): string {
  const date = (name: 'created' | 'updated') =>
    `${dates[name] ? `q.${quoteIdent(name)}::timestamptz` : 'NULL::timestamptz'} AS ${quoteIdent(name)}`;
  const columns = [
    `q."id"::text AS "id"`,
    date('created'),
    date('updated'),
    ...fields.map((f) => `${columnExpr(f, types.get(f.name), all)} AS ${quoteIdent(f.name)}`),
  ];
  return `CREATE VIEW "data".${quoteIdent(view)} AS SELECT ${columns.join(', ')} FROM (\n${query}\n) AS q`;
}
