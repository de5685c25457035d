import { FilterError } from './filter-error.js';
import { parseDate, toNumber } from './filter-values.js';
import type { ColumnOperand, Operand } from './operands.js';
import type { ResolveHost } from './resolve-operand.js';
import type { ColumnKind, FilterOperand } from './types.js';

// PocketBase's filter functions (`tools/search/token_functions.go`), as PostgreSQL expressions.

type CallOperand = Extract<FilterOperand, { type: 'call' }>;

/** A function's result, compared like a column of `kind` (its SQL replaces the column). */
function result(sql: string, kind: ColumnKind, label: string, alias: string): ColumnOperand {
  return {
    type: 'column',
    alias,
    hops: [],
    field: { name: label, column: label, kind, multiple: false, hidden: false },
    sql,
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
    const cos = `(cos(radians(${latA})) * cos(radians(${latB})) * cos(radians(${lonB}) - radians(${lonA})) + sin(radians(${latA})) * sin(radians(${latB})))`;
    const clamped = `CASE WHEN ${cos} > 1 THEN 1 WHEN ${cos} < -1 THEN -1 ELSE ${cos} END`;
    return result(`(6371 * acos(${clamped}))`, 'number', 'geoDistance()', alias);
  }
  const [format, time, ...modifiers] = call.args;
  const pattern = format?.type === 'literal' && typeof format.value === 'string' ? format.value : undefined;
  if (pattern === undefined) return fail('the first argument must be a format string.');
  if (modifiers.length > 0) fail('time modifiers ("start of month", "+1 day"…) are not supported.');
  const timeSql =
    time === undefined
      ? `${host.push(host.ctx.now.toISOString())}::timestamptz`
      : timeArg(host, resolve(time), fail);
  const parts = strftimeParts(pattern, `(${timeSql} AT TIME ZONE 'UTC')`, host, fail);
  // PocketBase turns a NULL result into '' (its text fields are never NULL).
  return result(`COALESCE(${parts.join(' || ') || "''"}, '')`, 'text', 'strftime()', alias);
}

function numberArg(host: ResolveHost, arg: Operand, i: number, fail: (m: string) => never): string {
  if (arg.type === 'column' && arg.hops.length === 0 && !arg.field.multiple && arg.field.kind === 'number') {
    return host.columnSql(arg);
  }
  if (arg.type === 'value') {
    const n = toNumber(arg.value);
    if (n !== undefined) return `${host.push(n)}::double precision`;
    // A request value that is not a number makes the distance NULL, as PocketBase.
    if (arg.source === 'request') return 'NULL::double precision';
  }
  return fail(`argument ${i + 1} must be a number or a number field of this collection.`);
}

function timeArg(host: ResolveHost, arg: Operand, fail: (m: string) => never): string {
  if (arg.type === 'column' && arg.hops.length === 0 && !arg.field.multiple && arg.field.kind === 'date') {
    return host.columnSql(arg);
  }
  if (arg.type === 'value') {
    const date = parseDate(arg.value instanceof Date ? arg.value.toISOString() : arg.value);
    if (date) return `${host.push(date.toISOString())}::timestamptz`;
    if (arg.source === 'request') return 'NULL::timestamptz';
  }
  return fail('the time value must be a date, a date field of this collection or a date macro.');
}

/** SQLite's strftime codes as PostgreSQL; the format's own text is bound, never spliced. */
const CODES: Readonly<Record<string, (ts: string) => string>> = {
  d: (ts) => `to_char(${ts}, 'DD')`,
  m: (ts) => `to_char(${ts}, 'MM')`,
  Y: (ts) => `to_char(${ts}, 'YYYY')`,
  H: (ts) => `to_char(${ts}, 'HH24')`,
  M: (ts) => `to_char(${ts}, 'MI')`,
  S: (ts) => `to_char(${ts}, 'SS')`,
  f: (ts) => `to_char(${ts}, 'SS.MS')`,
  j: (ts) => `to_char(${ts}, 'DDD')`,
  u: (ts) => `to_char(${ts}, 'ID')`,
  w: (ts) => `extract(dow from ${ts})::int::text`,
  s: (ts) => `floor(extract(epoch from ${ts}))::bigint::text`,
};

function strftimeParts(format: string, ts: string, host: ResolveHost, fail: (m: string) => never): string[] {
  const parts: string[] = [];
  let text = '';
  const flush = () => {
    if (text) parts.push(`${host.push(text)}::text`);
    text = '';
  };
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c !== '%') {
      text += c;
      continue;
    }
    const code = format[++i];
    if (code === '%') {
      text += '%';
      continue;
    }
    const sql = code === undefined ? undefined : CODES[code];
    if (!sql)
      fail(
        `unsupported format code "%${code ?? ''}"; use one of ${Object.keys(CODES)
          .map((k) => `%${k}`)
          .join(' ')}.`,
      );
    flush();
    parts.push(sql!(ts));
  }
  flush();
  return parts;
}
