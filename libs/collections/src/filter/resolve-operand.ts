import { dateMacro } from './date-macros.js';
import { FilterError, quoteForMessage } from './filter-error.js';
import { resolveCall } from './filter-functions.js';
import { castFor, coerceForKind, isEmptyValue } from './filter-values.js';
import type {
  ColumnOperand,
  Hop,
  ItemsOperand,
  Operand,
  PredicateOperand,
  ValueOperand,
} from './operands.js';
import { asItems, isRequestScope, requestValue, scopeTakesName } from './request-values.js';
import { asText, lookupField, notEmptySql, visibilityGuard } from './sql-fragments.js';
import type { FilterCollection, FilterContext, FilterField, FilterModifier, FilterOperand } from './types.js';

/** `@request.body.tags:each` compiles one comparison per item; more than this is refused. */
export const MAX_EACH_ITEMS = 100;

/** What the resolver needs from the compiler: bound values, column SQL and `@collection` joins. */
export interface ResolveHost {
  readonly ctx: FilterContext;
  push(value: unknown): string;
  columnSql(column: ColumnOperand): string;
  /** The SQL alias of `@collection.<name>[:alias]`, joined once per filter or rule. */
  joinCollection(key: string, target: FilterCollection, position: number): string;
}

type MacroOperand = Extract<FilterOperand, { type: 'macro' }>;
type FieldOperand = Extract<FilterOperand, { type: 'field' }>;

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
      return resolveCall(host, operand, alias, (arg) => resolveOperand(host, arg, collection, alias));
  }
}

function resolveField(
  host: ResolveHost,
  operand: Pick<FieldOperand, 'path' | 'position'>,
  collection: FilterCollection,
  alias: string,
  label = operand.path.join('.'),
): ColumnOperand {
  const hops: Hop[] = [];
  let current = collection;
  for (let i = 0; ; i++) {
    const field = lookupField(current, operand.path[i]!);
    if (!field) {
      throw new FilterError('FILTER_UNKNOWN_FIELD', `Unknown field "${label}".`, operand.position, label);
    }
    if (field.hidden && !host.ctx.canSeeHidden) {
      throw new FilterError(
        'FILTER_HIDDEN_FIELD',
        `The field "${label}" cannot be used in a filter.`,
        operand.position,
        label,
      );
    }
    if (i === operand.path.length - 1) {
      const guard = visibilityGuard(current, field, host.ctx);
      return { type: 'column', alias, hops, field, label, ...(guard ? { guard } : {}) };
    }
    const target = field.relationTo === undefined ? undefined : host.ctx.schema.collection(field.relationTo);
    if (!target) {
      throw new FilterError('FILTER_UNKNOWN_FIELD', `Unknown field "${label}".`, operand.position, label);
    }
    hops.push({ field, target });
    current = target;
  }
}

/** `:each`, `:length`, `:lower` on a record field; the others only apply to `@request.*` values. */
function withModifier(
  column: ColumnOperand,
  modifier: FilterModifier | undefined,
  position: number,
): ColumnOperand {
  if (modifier === undefined) return column;
  const label = `${column.label}:${modifier}`;
  const field = column.field;
  switch (modifier) {
    case 'each':
      // Plain operators on a multi-value field already ask every item (and `?` forms any item);
      // on a single select/relation/file the one value is compared, as PocketBase.
      requireMultiValued(field, column.label, modifier, position);
      return { ...column, label };
    case 'length':
      requireMultiValued(field, column.label, modifier, position);
      return {
        ...column,
        label,
        field: { ...field, kind: 'number', multiple: false },
        wrap: (sql) => (field.multiple ? `COALESCE(cardinality(${sql}), 0)` : singleLength(sql, field)),
      };
    case 'lower':
      if (field.multiple || (field.kind !== 'text' && field.kind !== 'uuid')) {
        throw new FilterError(
          'FILTER_TYPE_MISMATCH',
          `":lower" applies to single text fields; "${column.label}" is not one.`,
          position,
          column.label,
        );
      }
      return {
        ...column,
        label,
        field: { ...field, kind: 'text' },
        wrap: (sql) => `LOWER(${asText(sql, field.kind)})`,
      };
    default:
      throw new FilterError(
        'FILTER_SYNTAX',
        `":${modifier}" applies to @request.body.* values only, not to the field "${column.label}".`,
        position,
        column.label,
      );
  }
}

/** PocketBase's MultiValuer: select, relation and file fields, single ones too. */
function isMultiValued(field: FilterField): boolean {
  return field.multiple || field.multiValued === true || field.relationTo !== undefined;
}

function requireMultiValued(field: FilterField, label: string, modifier: string, position: number): void {
  if (isMultiValued(field)) return;
  throw new FilterError(
    'FILTER_TYPE_MISMATCH',
    `":${modifier}" applies to fields that can hold several values (select, relation or file); "${label}" is none.`,
    position,
    label,
  );
}

/** A single value has 0 items when empty, else 1 (PocketBase's json_array_length of it). */
function singleLength(sql: string, field: FilterField): string {
  const empty = field.kind === 'text' ? `COALESCE(${sql}, '') = ''` : `${sql} IS NULL`;
  return `(CASE WHEN ${empty} THEN 0 ELSE 1 END)`;
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
  if (!isset) return { type: 'predicate', sql: 'FALSE', label };
  const col = host.columnSql(column);
  const kind = column.field.kind;
  if (column.field.multiple) {
    const items = asItems(value).map((item) => coerceForKind(item, kind));
    if (items.some((item) => !item.ok)) return { type: 'predicate', sql: 'TRUE', label };
    const param = host.push(items.map((item) => (item as { param: unknown }).param));
    const sql = `COALESCE(${col}, '{}') IS DISTINCT FROM ${param}${ARRAY_CASTS[kind]}`;
    return { type: 'predicate', sql, label };
  }
  if (isEmptyValue(value)) return { type: 'predicate', sql: notEmptySql(col, kind), label };
  const coerced = coerceForKind(value, kind);
  // A value that cannot be stored in the field differs from what is stored.
  if (!coerced.ok) return { type: 'predicate', sql: 'TRUE', label };
  const param = host.push(coerced.param) + castFor(kind);
  return { type: 'predicate', sql: `${col} IS DISTINCT FROM ${param}`, label };
}

const ARRAY_CASTS = {
  text: '::text[]',
  number: '::double precision[]',
  bool: '::boolean[]',
  date: '::timestamptz[]',
  uuid: '::uuid[]',
  json: '::jsonb[]',
} as const;

function noModifier(operand: MacroOperand): never {
  throw new FilterError(
    'FILTER_SYNTAX',
    `":${operand.modifier}" cannot be used on ${operand.name}.`,
    operand.position,
    operand.name,
  );
}
