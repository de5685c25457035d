import { AppError, sql, type Sql } from '@plinth/core';
import {
  compileFilter,
  FilterError,
  type FilterCollection,
  type FilterContext,
  type FilterField,
  quoteIdent,
} from '../../filter/index.js';
import { guardedSql, lookupField, visibilityGuard } from '../../filter/compile-filter.js';
import type { CompiledCollection } from '../../registry/compiled-collection.js';
import { filterProblem } from '../rules/record-rules.js';

// GET /api/collections/{c}/aggregate (docs/decisions/search-and-aggregates.md): the query string
// read into groups and aggregates of known fields, then one SELECT … GROUP BY built with the `sql`
// template; `having` and `sort` go through the filter compiler over the grouped rows.

export const MAX_GROUP_FIELDS = 3;
export const MAX_AGGREGATES = 10;
export const MAX_GROUPS_PER_PAGE = 1000;
export const DEFAULT_GROUPS_PER_PAGE = 100;

export const BUCKETS = ['hour', 'day', 'week', 'month', 'year'] as const;
export type Bucket = (typeof BUCKETS)[number];

export const AGGREGATE_FUNCTIONS = ['count', 'count_distinct', 'sum', 'avg', 'min', 'max'] as const;
export type AggregateFunction = (typeof AGGREGATE_FUNCTIONS)[number];

export interface GroupItem {
  field: string;
  bucket?: Bucket;
}

export interface AggregateItem {
  fn: AggregateFunction;
  /** Absent for `count()`. */
  field?: string;
  /** The key of the value in each group: `count`, `sum_total`, `count_distinct_owner`. */
  key: string;
}

export interface AggregateQuery {
  groupBy: GroupItem[];
  aggregates: AggregateItem[];
  filter?: string;
  having?: string;
  sort?: string;
  page: number;
  perPage: number;
}

function invalid(param: string, message: string): never {
  throw new AppError('AGGREGATE_INVALID', `${param}: ${message}`, {
    errors: [{ path: param, code: 'AGGREGATE_INVALID', message }],
  });
}

function text(q: Record<string, unknown>, name: string): string | undefined {
  const raw = q[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') invalid(name, 'must be given once, as text.');
  if (raw.length > 4096) invalid(name, `is ${raw.length} characters long; at most 4096 are allowed.`);
  return raw;
}

function wholeNumber(q: Record<string, unknown>, name: string, fallback: number): number {
  const raw = text(q, name);
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,9}$/.test(raw)) invalid(name, 'must be a whole number.');
  return Number(raw);
}

const show = (s: string) => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
const NAME = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;

/** Reads the query string; names are checked against the collection later (compileAggregate). */
export function parseAggregateQuery(q: Record<string, unknown>): AggregateQuery {
  const groupBy = (text(q, 'groupBy') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item): GroupItem => {
      const [field = '', bucket, more] = item.split(':');
      if (!NAME.test(field) || more !== undefined)
        invalid('groupBy', `${show(item)} is not a field name, or a date field with a bucket (created:day).`);
      if (bucket === undefined) return { field };
      if (!(BUCKETS as readonly string[]).includes(bucket))
        invalid(
          'groupBy',
          `Unknown bucket ${show(bucket)} in ${show(item)}; use one of ${BUCKETS.join(', ')}.`,
        );
      return { field, bucket: bucket as Bucket };
    });
  if (groupBy.length > MAX_GROUP_FIELDS) invalid('groupBy', `Group by at most ${MAX_GROUP_FIELDS} fields.`);

  const fieldsText = text(q, 'fields') ?? 'count()';
  const aggregates = fieldsText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item): AggregateItem => {
      const m = /^([a-z_]+)\(\s*([A-Za-z0-9_]*)\s*\)$/.exec(item);
      if (!m) {
        const nested = /\(.*\(/.test(item);
        invalid(
          'fields',
          nested
            ? `${show(item)} nests functions; each aggregate applies one function to one field, e.g. sum(total).`
            : `${show(item)} is not an aggregate; write count(), count_distinct(field), sum(field), avg(field), min(field) or max(field).`,
        );
      }
      const [, fn, field] = m;
      if (!(AGGREGATE_FUNCTIONS as readonly string[]).includes(fn!))
        invalid('fields', `Unknown function ${show(fn!)}; use one of ${AGGREGATE_FUNCTIONS.join(', ')}.`);
      if (field !== '' && !NAME.test(field!)) invalid('fields', `${show(field!)} is not a field name.`);
      if (field === '' && fn !== 'count') invalid('fields', `${fn}() needs a field, e.g. ${fn}(total).`);
      return field
        ? { fn: fn as AggregateFunction, field, key: `${fn}_${field}` }
        : { fn: 'count', key: 'count' };
    });
  if (aggregates.length === 0) invalid('fields', 'Name at least one aggregate, e.g. count().');
  if (aggregates.length > MAX_AGGREGATES)
    invalid('fields', `At most ${MAX_AGGREGATES} aggregates are allowed.`);

  const perPage = wholeNumber(q, 'perPage', DEFAULT_GROUPS_PER_PAGE);
  if (perPage < 1 || perPage > MAX_GROUPS_PER_PAGE)
    invalid('perPage', `must be from 1 to ${MAX_GROUPS_PER_PAGE} groups; use page to read further.`);
  const page = Math.max(1, wholeNumber(q, 'page', 1));
  return {
    groupBy,
    aggregates,
    filter: text(q, 'filter'),
    having: text(q, 'having'),
    sort: text(q, 'sort'),
    page,
    perPage,
  };
}

/** A field a caller may group by or aggregate, or the 400 (hidden fields read as unknown). */
function fieldFor(c: CompiledCollection, name: string, param: string, ctx: FilterContext): FilterField {
  const field = lookupField(c.filter, name);
  if (!field || (field.hidden && !ctx.canSeeHidden))
    invalid(param, `Collection "${c.def.name}" has no field ${show(name)}.`);
  if (field.multiple || field.kind === 'json')
    invalid(
      param,
      `Field ${show(name)} holds ${field.multiple ? 'several values' : 'JSON'}; group and aggregate single values.`,
    );
  return field;
}

/** What the caller sees of a field (an auth record's email only where it is visible). */
function valueSql(c: CompiledCollection, field: FilterField, ctx: FilterContext): Sql {
  const col = sql.raw(`t.${quoteIdent(field.column)}`);
  const guard = visibilityGuard(c.filter, field, ctx);
  return guard ? guardedSql('t', guard, col) : col;
}

export interface CompiledAggregate {
  /** The full statement: groups, aggregates and `_total` (the number of groups). */
  statement: Sql;
  /** Output keys in order: the group fields, then the aggregates. */
  keys: string[];
}

/** The SELECT of an aggregate; `where` is the caller's list rule (TRUE when it does not apply). */
export function compileAggregate(
  c: CompiledCollection,
  q: AggregateQuery,
  where: Sql,
  ctx: FilterContext,
): CompiledAggregate {
  const output = new Map<string, FilterField>();
  const add = (key: string, field: FilterField, param: string) => {
    if (output.has(key)) invalid(param, `${show(key)} is asked for twice.`);
    output.set(key, { ...field, name: key, column: key, hidden: false, sortable: true });
  };
  const groups = q.groupBy.map((g) => {
    const field = fieldFor(c, g.field, 'groupBy', ctx);
    let value = valueSql(c, field, ctx);
    if (g.bucket) {
      if (field.kind !== 'date')
        invalid('groupBy', `${show(g.field)} is not a date; only dates take a bucket.`);
      value = sql`date_trunc(${g.bucket}::text, ${value}, 'UTC')`;
    }
    add(g.field, field, 'groupBy');
    return sql`${value} AS ${sql.raw(quoteIdent(g.field))}`;
  });
  const aggregates = q.aggregates.map((a) => {
    const key = sql.raw(quoteIdent(a.key));
    if (!a.field) {
      add(a.key, { name: a.key, column: a.key, kind: 'number', multiple: false, hidden: false }, 'fields');
      return sql`count(*)::double precision AS ${key}`;
    }
    const field = fieldFor(c, a.field, 'fields', ctx);
    const value = valueSql(c, field, ctx);
    const number = { name: a.key, column: a.key, kind: 'number' as const, multiple: false, hidden: false };
    switch (a.fn) {
      case 'count':
        add(a.key, number, 'fields');
        return sql`count(${value})::double precision AS ${key}`;
      case 'count_distinct':
        add(a.key, number, 'fields');
        return sql`count(DISTINCT ${value})::double precision AS ${key}`;
      case 'sum':
      case 'avg':
        if (field.kind !== 'number')
          invalid('fields', `${a.fn}(${a.field}): ${show(a.field)} is not a number field.`);
        add(a.key, number, 'fields');
        return sql`${sql.raw(a.fn)}(${value})::double precision AS ${key}`;
      case 'min':
      case 'max':
        if (field.kind !== 'number' && field.kind !== 'date' && field.kind !== 'text')
          invalid(
            'fields',
            `${a.fn}(${a.field}): ${show(a.field)} has no order; use a number, date or text field.`,
          );
        add(a.key, field, 'fields');
        return sql`${sql.raw(a.fn)}(${value}) AS ${key}`;
    }
  });

  const conditions = [sql`(${where})`];
  try {
    if (q.filter?.trim()) conditions.push(sql`(${compileFilter(q.filter, c.filter, 't', ctx)})`);
  } catch (err) {
    if (err instanceof FilterError) throw filterProblem(err, 'filter');
    throw err;
  }
  const grouped = groups.length
    ? sql` GROUP BY ${sql.raw(groups.map((_, i) => String(i + 1)).join(', '))}`
    : sql.empty;
  const inner = sql`SELECT ${sql.join([...groups, ...aggregates])} FROM ${c.sql.table} AS t WHERE ${sql.join(conditions, ' AND ')}${grouped}`;

  // having and sort name the output keys; id, created and updated are there only when grouped by.
  const view: FilterCollection = { name: c.def.name, table: c.def.name, fields: output, viewRule: null };
  for (const name of ['id', 'created', 'updated'])
    if (!output.has(name))
      output.set(name, { name, column: name, kind: 'text', multiple: false, hidden: true });
  const outCtx: FilterContext = { ...ctx, canSeeHidden: false, allowRequestMacros: false, isAdmin: false };
  let having: Sql = sql.raw('TRUE');
  let order: Sql = groups.length
    ? sql.raw(q.groupBy.map((g) => `g.${quoteIdent(g.field)}`).join(', '))
    : sql.raw('1');
  let param = 'having';
  try {
    if (q.having?.trim()) having = compileFilter(q.having, view, 'g', outCtx);
    param = 'sort';
    if (q.sort?.trim()) order = sortOverKeys(q.sort, view) ?? order;
  } catch (err) {
    if (err instanceof FilterError) throw filterProblem(err, param);
    throw err;
  }
  const page = sql.raw(`LIMIT ${q.perPage} OFFSET ${(q.page - 1) * q.perPage}`);
  const statement = sql`SELECT g.*, count(*) OVER () AS "_total" FROM (${inner}) AS g WHERE ${having} ORDER BY ${order} ${page}`;
  return { statement, keys: [...output.keys()].filter((k) => !output.get(k)!.hidden) };
}

/** `-count,status` over the output keys (checked names, so quoted identifiers are safe). */
function sortOverKeys(input: string, view: FilterCollection): Sql | undefined {
  const items = input
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) return undefined;
  for (const item of items) {
    const name = item.replace(/^[-+]/, '');
    const field = view.fields.get(name);
    if (!field || field.hidden) {
      throw new FilterError(
        'SORT_UNKNOWN_FIELD',
        `Sort by a group field or an aggregate of this request (${[...view.fields.values()]
          .filter((f) => !f.hidden)
          .map((f) => f.name)
          .join(', ')}), not ${show(name)}.`,
        undefined,
        name,
      );
    }
  }
  return sql.raw(
    items
      .map((item) => `g.${quoteIdent(item.replace(/^[-+]/, ''))} ${item.startsWith('-') ? 'DESC' : 'ASC'}`)
      .join(', '),
  );
}
