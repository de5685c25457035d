import { sql, type Sql } from '@plinth/core';
import { dateMacro } from './date-macros.js';
import { FilterError, quoteForMessage } from './filter-error.js';
import { resolveCall } from './filter-functions.js';
import { arrayCastFor, castFor, coerceForKind, isEmptyValue } from './filter-values.js';
import type { ColumnOperand, ItemsOperand, Operand, PredicateOperand, ValueOperand } from './operands.js';
import { followRequestRelation } from './request-relations.js';
import { checkSearchText, searchMatchSql, searchOf, searchQuerySql } from './search-sql.js';
import { asItems, isRequestScope, requestValue, scopeTakesName } from './request-values.js';
import { requireMultiValued, resolveField, withModifier } from './resolve-field.js';
import { FALSE, fixed, notEmptySql, TRUE } from './sql-fragments.js';
import type { FilterCollection, FilterContext, FilterOperand } from './types.js';

/** `@request.body.tags:each` compiles one comparison per item; more than this is refused. */
export const MAX_EACH_ITEMS = 100;

/** What the resolver needs from the compiler: column SQL and `@collection` joins. */
export interface ResolveHost {
  readonly ctx: FilterContext;
  columnSql(column: ColumnOperand): Sql;
  /** The SQL alias of `@collection.<name>[:alias]`, joined once per filter or rule. */
  joinCollection(key: string, target: FilterCollection, position: number): string;
}

type MacroOperand = Extract<FilterOperand, { type: 'macro' }>;

/** Resolves one side of a comparison through the schema whitelist; every value stays a value. */
export function resolveOperand(
  host: ResolveHost,
  operand: FilterOperand,
  collection: FilterCollection,
  alias: string,
): Operand {
  switch (operand.type) {
    case 'literal':
      return {
        type: 'value',
        value: operand.value,
        source: 'literal',
        label: typeof operand.value === 'string' ? quoteForMessage(operand.value) : String(operand.value),
      };
    case 'field':
      return withModifier(resolveField(host, operand, collection, alias), operand.modifier, operand.position);
    case 'macro':
      return resolveMacro(host, operand, collection, alias);
    case 'call':
      if (operand.name === 'search') return resolveSearch(host, operand, collection, alias);
      return resolveCall(host, operand, alias, (arg) => resolveOperand(host, arg, collection, alias));
  }
}

function resolveMacro(
  host: ResolveHost,
  operand: MacroOperand,
  collection: FilterCollection,
  alias: string,
): Operand {
  const [root] = operand.path;
  if (root === 'collection') return resolveCollectionField(host, operand);
  if (root === 'request') return resolveRequest(host, operand, collection, alias);
  const value = operand.path.length === 1 ? dateMacro(root!, host.ctx.now) : undefined;
  if (value === undefined) {
    throw new FilterError(
      'FILTER_UNKNOWN_FIELD',
      `Unknown macro ${operand.name}.`,
      operand.position,
      operand.name,
    );
  }
  if (operand.modifier) noModifier(operand);
  return { type: 'value', value, source: 'macro', label: operand.name };
}

function forbidUnlessTrusted(host: ResolveHost, operand: MacroOperand): void {
  if (host.ctx.allowRequestMacros) return;
  const what = operand.path[0] === 'collection' ? '@collection.*' : '@request.*';
  throw new FilterError(
    'FILTER_FORBIDDEN_MACRO',
    `${what} (${operand.name}) can only be used in access rules and by admins, not in filters.`,
    operand.position,
    operand.name,
  );
}

/** `@collection.<name>[:alias].<field path>`: another collection's rows, joined (no rules: trusted callers only). */
function resolveCollectionField(host: ResolveHost, operand: MacroOperand): ColumnOperand {
  forbidUnlessTrusted(host, operand);
  const [, name, ...path] = operand.path;
  if (path.length === 0) {
    throw new FilterError(
      'FILTER_SYNTAX',
      `${operand.name} must name a field: @collection.<collection>.<field>.`,
      operand.position,
      operand.name,
    );
  }
  const target = host.ctx.schema.collection(name!);
  if (!target) {
    throw new FilterError(
      'FILTER_UNKNOWN_FIELD',
      `Unknown collection "${name}" in ${operand.name}.`,
      operand.position,
      operand.name,
    );
  }
  if (host.ctx.mayRead && !host.ctx.mayRead(target.name)) {
    throw new FilterError(
      'FILTER_FORBIDDEN_MACRO',
      `This API key may not read "${target.name}", so it cannot filter by ${operand.name}.`,
      operand.position,
      operand.name,
    );
  }
  const key = operand.alias === undefined ? `collection:${target.name}` : `alias:${operand.alias}`;
  const joinAlias = host.joinCollection(key, target, operand.position);
  const column = resolveField(host, { path, position: operand.position }, target, joinAlias, operand.name);
  return { ...withModifier(column, operand.modifier, operand.position), joined: target };
}

function resolveRequest(
  host: ResolveHost,
  operand: MacroOperand,
  collection: FilterCollection,
  alias: string,
): Operand {
  forbidUnlessTrusted(host, operand);
  const [, scope, name, ...rest] = operand.path;
  if ((scope === 'auth' || scope === 'body') && name !== undefined && rest.length > 0) {
    return followRequestRelation(host, operand, collection, alias);
  }
  const shapeOk =
    isRequestScope(scope) && rest.length === 0 && scopeTakesName(scope) === (name !== undefined);
  if (!shapeOk) {
    throw new FilterError(
      'FILTER_UNKNOWN_FIELD',
      `Unknown macro ${operand.name}; use @request.auth.*, @request.body.*, @request.query.*, @request.headers.*, @request.method or @request.context.`,
      operand.position,
      operand.name,
    );
  }
  const { value, isset } = requestValue(host.ctx, scope, name);
  const label = operand.modifier ? `${operand.name}:${operand.modifier}` : operand.name;
  switch (operand.modifier) {
    case undefined:
      return { type: 'value', value, source: 'request', label };
    case 'isset':
      return { type: 'value', value: isset, source: 'macro', label };
    case 'lower':
      // PocketBase casts to text first: a missing value reads as ''.
      return { type: 'value', value: lowerText(value), source: 'request', label };
    default: {
      if (scope !== 'body') noModifier(operand);
      const column = resolveField(host, { path: [name!], position: operand.position }, collection, alias);
      if (operand.modifier === 'changed') return changed(host, column, value, isset, label);
      requireMultiValued(column.field, operand.name, operand.modifier, operand.position);
      // A single field's empty value counts 0 items (PocketBase counts a submitted '' as 1).
      const items = column.field.multiple || !isEmptyValue(value) ? asItems(value) : [];
      if (operand.modifier === 'length')
        return { type: 'value', value: items.length, source: 'macro', label };
      return eachItem(items, label, operand.position);
    }
  }
}

function lowerText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return (typeof value === 'object' ? JSON.stringify(value) : String(value)).toLowerCase();
}

function eachItem(items: unknown[], label: string, position: number): ItemsOperand {
  if (items.length > MAX_EACH_ITEMS) {
    throw new FilterError(
      'FILTER_TOO_COMPLEX',
      `${label} has ${items.length} items; rules compare at most ${MAX_EACH_ITEMS}.`,
      position,
      label,
    );
  }
  const values: ValueOperand[] = items.map((value) => ({ type: 'value', value, source: 'request', label }));
  return { type: 'items', items: values, label };
}

/** PocketBase: `@request.body.x:changed` = `@request.body.x:isset = true && @request.body.x != x`. */
function changed(
  host: ResolveHost,
  column: ColumnOperand,
  value: unknown,
  isset: boolean,
  label: string,
): PredicateOperand {
  if (!isset) return { type: 'predicate', sql: FALSE, label };
  const col = host.columnSql(column);
  const kind = column.field.kind;
  if (column.field.multiple) {
    const items = asItems(value).map((item) => coerceForKind(item, kind));
    if (items.some((item) => !item.ok)) return { type: 'predicate', sql: TRUE, label };
    const param = items.map((item) => (item as { param: unknown }).param);
    const cond = sql`COALESCE(${col}, '{}') IS DISTINCT FROM ${param}${fixed(arrayCastFor(kind))}`;
    return { type: 'predicate', sql: cond, label };
  }
  if (isEmptyValue(value)) return { type: 'predicate', sql: notEmptySql(col, kind), label };
  const coerced = coerceForKind(value, kind);
  // A value that cannot be stored in the field differs from what is stored.
  if (!coerced.ok) return { type: 'predicate', sql: TRUE, label };
  const cond = sql`${col} IS DISTINCT FROM ${coerced.param}${fixed(castFor(kind))}`;
  return { type: 'predicate', sql: cond, label };
}

function noModifier(operand: MacroOperand): never {
  throw new FilterError(
    'FILTER_SYNTAX',
    `":${operand.modifier}" cannot be used on ${operand.name}.`,
    operand.position,
    operand.name,
  );
}

/**
 * `search("words")`: whether the row's search vector matches the words (websearch_to_tsquery), a
 * condition of its own; the argument is a text literal or a request value (`@request.query.q`).
 */
function resolveSearch(
  host: ResolveHost,
  operand: Extract<FilterOperand, { type: 'call' }>,
  collection: FilterCollection,
  alias: string,
): PredicateOperand {
  const search = searchOf(collection);
  const arg =
    operand.args.length === 1 ? resolveOperand(host, operand.args[0]!, collection, alias) : undefined;
  if (!arg || arg.type !== 'value' || (typeof arg.value !== 'string' && arg.source !== 'request')) {
    throw new FilterError(
      'FILTER_SYNTAX',
      'search takes one argument, the words to look for as text: search("quick fox").',
      operand.position,
      'search',
    );
  }
  // A request value that is not text (absent, a number) matches nothing, as a comparison with it would.
  if (typeof arg.value !== 'string') return { type: 'predicate', sql: FALSE, label: 'search()' };
  const query = searchQuerySql(search, checkSearchText(arg.value));
  return { type: 'predicate', sql: searchMatchSql(search, alias, query), label: 'search()' };
}
