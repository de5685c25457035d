import { sql, type Sql } from '@plinth/core';
import { FilterError } from './filter-error.js';
import { toNumber } from './filter-values.js';
import { strftimeSql } from './strftime.js';
import type { ColumnOperand, Operand } from './operands.js';
import { fixed } from './sql-fragments.js';
import type { ResolveHost } from './resolve-operand.js';
import type { ColumnKind, FilterOperand } from './types.js';

// PocketBase's filter functions (`tools/search/token_functions.go`), as PostgreSQL expressions.

type CallOperand = Extract<FilterOperand, { type: 'call' }>;

/** A function's result, compared like a column of `kind` (its SQL replaces the column). */
function result(expression: Sql, kind: ColumnKind, label: string, alias: string): ColumnOperand {
  return {
    type: 'column',
    alias,
    hops: [],
    field: { name: label, column: label, kind, multiple: false, hidden: false },
    sql: expression,
    label,
  };
}

export function resolveCall(
  host: ResolveHost,
  call: CallOperand,
  alias: string,
  resolve: (arg: FilterOperand) => Operand,
): ColumnOperand {
  const fail = (message: string): never => {
    throw new FilterError('FILTER_SYNTAX', `${call.name}: ${message}`, call.position, call.name);
  };
  if (call.name === 'geoDistance') {
    if (call.args.length !== 4)
      fail(`expected 4 arguments (lonA, latA, lonB, latB), got ${call.args.length}.`);
    const [lonA, latA, lonB, latB] = call.args.map((arg, i) => numberArg(host, resolve(arg), i, fail));
    // Haversine in km, as PocketBase. The cosine is clamped (PostgreSQL's acos refuses 1.0000000001)
    // with CASE, not LEAST/GREATEST, which would turn a NULL coordinate into a distance.
    const cos = sql`(cos(radians(${latA})) * cos(radians(${latB})) * cos(radians(${lonB}) - radians(${lonA})) + sin(radians(${latA})) * sin(radians(${latB})))`;
    const clamped = sql`CASE WHEN ${cos} > 1 THEN 1 WHEN ${cos} < -1 THEN -1 ELSE ${cos} END`;
    return result(sql`(6371 * acos(${clamped}))`, 'number', 'geoDistance()', alias);
  }
  return result(strftimeSql(host, call.args, resolve, fail), 'text', 'strftime()', alias);
}

function numberArg(host: ResolveHost, arg: Operand, i: number, fail: (m: string) => never): Sql {
  if (arg.type === 'column' && arg.hops.length === 0 && !arg.field.multiple && arg.field.kind === 'number') {
    return host.columnSql(arg);
  }
  if (arg.type === 'value') {
    const n = toNumber(arg.value);
    if (n !== undefined) return sql`${n}::double precision`;
    // A request value that is not a number makes the distance NULL, as PocketBase.
    if (arg.source === 'request') return fixed('NULL::double precision');
  }
  return fail(`argument ${i + 1} must be a number or a number field of this collection.`);
}
