import { quoteIdent, sql, type Sql } from '@plinth/core';
import pg from 'pg';
import type { CompiledCollection, ColumnCast } from '../registry/compiled-collection.js';
import { SEARCH_COLUMN } from '../schema/index.js';

export type Row = Record<string, unknown>;

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v);

const TIMESTAMPTZ = 1184;
const parseTimestamptz = pg.types.getTypeParser(TIMESTAMPTZ, 'text');

/**
 * A timestamptz column as the API writes it (ISO 8601 in UTC with milliseconds). PostgreSQL's
 * text in a UTC session (`2026-11-26 02:33:57.123456+00`) is rewritten as it is, without a Date
 * in between (parsing and formatting one cost more than the rest of a row); any other form goes
 * through pg's own parser.
 */
export function timestamptzToIso(text: string): unknown {
  const n = text.length;
  if (n >= 22 && n <= 29 && text[4] === '-' && text[10] === ' ' && text.endsWith('+00')) {
    const fraction = n > 22 ? text.slice(20, n - 3) : '';
    return `${text.slice(0, 10)}T${text.slice(11, 19)}.${`${fraction}000`.slice(0, 3)}Z`;
  }
  return iso(parseTimestamptz(text));
}

/** Type parsers for record queries: timestamps arrive as the API's strings. */
export const RECORD_TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === TIMESTAMPTZ && format !== 'binary'
      ? timestamptzToIso
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** What of a record a viewer gets: hidden fields and the auth email may be left out. */
export interface RecordView {
  /** Hidden fields too (admins, and internal uses such as events). Default true. */
  hidden?: boolean;
  /** The email of an auth record. Default true. */
  email?: boolean;
  /** Empty values as their type's zero value ('', 0, false, []), as PocketBase answers. Default true. */
  zeroValues?: boolean;
}

/**
 * A database row as the API shows a record, built in one pass (the hot path of every answer):
 * with `view`, hidden fields and the email are left out as a non-admin must not see them.
 */
export function rowToRecord(row: Row, c: CompiledCollection, view?: RecordView): Row {
  const record: Row = {
    id: row.id,
    collectionId: c.def.id,
    collectionName: c.def.name,
    created: iso(row.created),
    updated: iso(row.updated),
  };
  if (c.isAuth) {
    if (view?.email !== false) record.email = row.email;
    record.emailVisibility = row.emailVisibility;
    record.verified = row.verified;
  }
  const columns = view?.hidden === false ? c.visibleColumns : c.fieldColumns;
  const zeroValues = view?.zeroValues !== false;
  for (const col of columns) {
    const v = row[col.name];
    const empty = col.cast.endsWith('[]') ? [] : zeroValues ? col.zero : null;
    record[col.name] = col.cast === 'timestamptz' ? (iso(v) ?? empty) : (v ?? empty);
  }
  // A view's records have the timestamps its query selects, and only those.
  const dates = c.def.viewDates;
  if (dates && !dates.created) delete record.created;
  if (dates && !dates.updated) delete record.updated;
  return record;
}

/** A JS value ready to bind for a column of this cast. */
export function bindValue(value: unknown, cast: ColumnCast): unknown {
  if (value === undefined || value === null) return cast.endsWith('[]') ? [] : null;
  if (cast === 'jsonb') return JSON.stringify(value);
  return value;
}

const CASTS = new Map<string, Sql>();

/** `::text`, `::uuid[]`…: one fragment per cast, made once. */
function castSql(cast: ColumnCast): Sql {
  let fragment = CASTS.get(cast);
  if (!fragment) {
    fragment = sql.raw(`::${cast}`);
    CASTS.set(cast, fragment);
  }
  return fragment;
}

/** A value bound for a column of this cast: `$n::cast`. */
export function typedValue(value: unknown, cast: ColumnCast): Sql {
  return sql`${bindValue(value, cast)}${castSql(cast)}`;
}

/** Column name → the value to bind and its cast, for INSERT and UPDATE. */
export type ColumnValues = Map<string, { value: unknown; cast: ColumnCast }>;

/** Column name → a value, or SQL computed in the statement (e.g. from the current row). */
export type UpdateValues = Map<string, { value: unknown; cast: ColumnCast } | { sql: Sql }>;

const columnList = (names: Iterable<string>) => sql.raw([...names].map(quoteIdent).join(', '));

/** INSERT … RETURNING the record's columns. `values` holds column name → value. */
export function insertSql(c: CompiledCollection, values: ColumnValues): Sql {
  const { table, select } = c.sql;
  const vals = [...values.values()].map(({ value, cast }) => typedValue(value, cast));
  return sql`INSERT INTO ${table} AS t (${columnList(values.keys())}) VALUES (${sql.join(vals)}) RETURNING ${select}`;
}

export function updateSql(
  c: CompiledCollection,
  id: string,
  values: UpdateValues,
  /** A condition on the current row (a rule). */
  where?: Sql,
  /** Also return the row as it was before (`splitPrevious`), in the same statement. */
  withPrevious = false,
): Sql {
  const { table, select } = c.sql;
  const sets = [sql`"updated" = now()`];
  for (const [name, v] of values) {
    sets.push(sql`${sql.raw(quoteIdent(name))} = ${'sql' in v ? v.sql : typedValue(v.value, v.cast)}`);
  }
  const condition = where ? sql` AND (${where})` : sql.empty;
  const key = sql`${id}${c.sql.idCast}`;
  if (!withPrevious) {
    return sql`UPDATE ${table} AS t SET ${sql.join(sets)} WHERE t."id" = ${key}${condition} RETURNING ${select}`;
  }
  // The row is read and locked in a subquery (a concurrent update is waited for, not missed); its
  // columns come back as `previous.<column>`, parsed as any record column.
  const before = sql.raw(
    c.columns.map((col) => `"previous".${quoteIdent(col)} AS ${quoteIdent(PREVIOUS + col)}`).join(', '),
  );
  const old = sql`(SELECT ${select} FROM ${table} AS t WHERE t."id" = ${key} FOR UPDATE OF t) AS "previous"`;
  return sql`UPDATE ${table} AS t SET ${sql.join(sets)} FROM ${old} WHERE t."id" = "previous"."id"${condition} RETURNING ${select}, ${before}`;
}

/** Prefix of the columns of the row before an update (`updateSql` with `withPrevious`). */
const PREVIOUS = 'previous.';

/** A row of `updateSql` with `withPrevious` as the row after and the row before. */
export function splitPrevious(row: Row): { row: Row; previous: Row } {
  const after: Row = {};
  const previous: Row = {};
  for (const [key, value] of Object.entries(row)) {
    if (key.startsWith(PREVIOUS)) previous[key.slice(PREVIOUS.length)] = value;
    else after[key] = value;
  }
  return { row: after, previous };
}

/**
 * The row a create would store, as a one-row subquery aliased `t` with every column a rule may name
 * (omitted fields NULL, timestamps now(), auth flags false): create rules are judged on it, so
 * nothing is written, and no constraint answers, before the rule allowed the record.
 */
function newRow(c: CompiledCollection, values: ColumnValues): Sql {
  const cols: Sql[] = [];
  for (const [name, { value, cast }] of values) {
    cols.push(sql`${typedValue(value, cast)} AS ${sql.raw(quoteIdent(name))}`);
  }
  const missing = (name: string, text: string) => {
    if (!values.has(name)) cols.push(sql.raw(`${text} AS ${quoteIdent(name)}`));
  };
  missing('created', 'now()');
  missing('updated', 'now()');
  if (c.isAuth) {
    missing('email', 'NULL::text');
    missing('emailVisibility', 'false');
    missing('verified', 'false');
  }
  for (const col of c.fieldColumns) missing(col.name, `NULL::${col.cast}`);
  const row = sql`(SELECT ${sql.join(cols)})`;
  if (!c.searchVector) return sql`${row} AS t`;
  // The generated search column, as the insert would compute it, for rules that use search().
  return sql`(SELECT v.*, ${sql.raw(c.searchVector('v.'))} AS ${sql.raw(quoteIdent(SEARCH_COLUMN))} FROM ${row} AS v) AS t`;
}

/** INSERT of `values` only if `where` (a rule) holds for the new row. */
export function insertIfSql(c: CompiledCollection, values: ColumnValues, where: Sql): Sql {
  const { table, select } = c.sql;
  const names = [...values.keys()].map(quoteIdent);
  const picked = sql.raw(names.map((q) => `t.${q}`).join(', '));
  return sql`INSERT INTO ${table} AS t (${sql.raw(names.join(', '))}) SELECT ${picked} FROM ${newRow(c, values)} WHERE ${where} RETURNING ${select}`;
}

/** One row of booleans: whether each condition holds for the row `values` would create. */
export function judgeNewSql(c: CompiledCollection, values: ColumnValues, conditions: Sql[]): Sql {
  const judged = conditions.map((where, i) => sql`(${where}) AS ${sql.raw(`"j${i}"`)}`);
  return sql`SELECT ${sql.join(judged)} FROM ${newRow(c, values)}`;
}
