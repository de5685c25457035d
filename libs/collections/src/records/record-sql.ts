import pg from 'pg';
import { quoteIdent } from '../filter/index.js';
import type { CompiledCollection, ColumnCast } from '../registry/compiled-collection.js';

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
  return record;
}

/** A JS value ready to bind for a column of this cast. */
export function bindValue(value: unknown, cast: ColumnCast): unknown {
  if (value === undefined || value === null) return cast.endsWith('[]') ? [] : null;
  if (cast === 'jsonb') return JSON.stringify(value);
  return value;
}

export function placeholder(params: unknown[], value: unknown, cast: ColumnCast): string {
  params.push(bindValue(value, cast));
  return `$${params.length}::${cast}`;
}

/** INSERT … RETURNING the record's columns. `values` holds column name → value. */
export function insertSql(c: CompiledCollection, values: Map<string, { value: unknown; cast: ColumnCast }>) {
  const params: unknown[] = [];
  const cols: string[] = [];
  const vals: string[] = [];
  for (const [name, { value, cast }] of values) {
    cols.push(quoteIdent(name));
    vals.push(placeholder(params, value, cast));
  }
  return {
    text: `INSERT INTO ${c.table} AS t (${cols.join(', ')}) VALUES (${vals.join(', ')}) RETURNING ${c.selectList}`,
    params,
  };
}

export function updateSql(
  c: CompiledCollection,
  id: string,
  values: Map<string, { value: unknown; cast: ColumnCast } | { sql: (p: unknown[]) => string }>,
  /** Compiles a condition on the current row into the same parameter list (a rule). */
  where?: (params: unknown[]) => string,
  /** Also return the row as it was before (`splitPrevious`), in the same statement. */
  withPrevious = false,
) {
  const params: unknown[] = [id];
  const sets = ['"updated" = now()'];
  for (const [name, v] of values) {
    sets.push(`${quoteIdent(name)} = ${'sql' in v ? v.sql(params) : placeholder(params, v.value, v.cast)}`);
  }
  const condition = where ? ` AND (${where(params)})` : '';
  if (!withPrevious) {
    return {
      text: `UPDATE ${c.table} AS t SET ${sets.join(', ')} WHERE t."id" = $1::${c.idType}${condition} RETURNING ${c.selectList}`,
      params,
    };
  }
  // The row is read and locked in a subquery (a concurrent update is waited for, not missed); its
  // columns come back as `previous.<column>`, parsed as any record column.
  const old = `(SELECT ${c.selectList} FROM ${c.table} AS t WHERE t."id" = $1::${c.idType} FOR UPDATE OF t) AS "previous"`;
  const before = c.columns.map((col) => `"previous".${quoteIdent(col)} AS ${quoteIdent(PREVIOUS + col)}`);
  return {
    text: `UPDATE ${c.table} AS t SET ${sets.join(', ')} FROM ${old} WHERE t."id" = "previous"."id"${condition} RETURNING ${c.selectList}, ${before.join(', ')}`,
    params,
  };
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

/** Column name → the value to bind and its cast, for INSERT and UPDATE. */
export type ColumnValues = Map<string, { value: unknown; cast: ColumnCast }>;

/**
 * The row a create would store, as a one-row subquery aliased `t` with every column a rule may name
 * (omitted fields NULL, timestamps now(), auth flags false): create rules are judged on it, so
 * nothing is written, and no constraint answers, before the rule allowed the record.
 */
function newRow(c: CompiledCollection, values: ColumnValues, params: unknown[]): string {
  const cols: string[] = [];
  for (const [name, { value, cast }] of values)
    cols.push(`${placeholder(params, value, cast)} AS ${quoteIdent(name)}`);
  const missing = (name: string, sql: string) => {
    if (!values.has(name)) cols.push(`${sql} AS ${quoteIdent(name)}`);
  };
  missing('created', 'now()');
  missing('updated', 'now()');
  if (c.isAuth) {
    missing('email', 'NULL::text');
    missing('emailVisibility', 'false');
    missing('verified', 'false');
  }
  for (const col of c.fieldColumns) missing(col.name, `NULL::${col.cast}`);
  return `(SELECT ${cols.join(', ')}) AS t`;
}

/** INSERT of `values` only if `where` (a rule, compiled into the same parameters) holds for the new row. */
export function insertIfSql(
  c: CompiledCollection,
  values: ColumnValues,
  where: (params: unknown[]) => string,
) {
  const params: unknown[] = [];
  const from = newRow(c, values, params);
  const cols = [...values.keys()].map(quoteIdent);
  return {
    text: `INSERT INTO ${c.table} AS t (${cols.join(', ')}) SELECT ${cols.map((q) => `t.${q}`).join(', ')} FROM ${from} WHERE ${where(params)} RETURNING ${c.selectList}`,
    params,
  };
}

/** One row of booleans: whether each condition holds for the row `values` would create. */
export function judgeNewSql(
  c: CompiledCollection,
  values: ColumnValues,
  conditions: Array<(params: unknown[]) => string>,
) {
  const params: unknown[] = [];
  const from = newRow(c, values, params);
  const judged = conditions.map((where, i) => `(${where(params)}) AS "j${i}"`);
  return { text: `SELECT ${judged.join(', ')} FROM ${from}`, params };
}
