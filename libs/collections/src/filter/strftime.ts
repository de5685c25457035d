import { sql, type Sql } from '@plinth/core';
import { parseDate, toNumber } from './filter-values.js';
import type { Operand } from './operands.js';
import type { ResolveHost } from './resolve-operand.js';
import { fixed } from './sql-fragments.js';
import type { FilterOperand } from './types.js';

// PocketBase's `strftime(format, [time-value, modifiers…])` (SQLite's date functions) on PostgreSQL,
// in UTC. Every piece of the user's text is bound; SQL here comes from fixed tables.

type Fail = (message: string) => never;

/** SQLite's strftime codes as PostgreSQL; the format's own text is bound, never spliced. */
const CODES: Readonly<Record<string, (ts: Sql) => Sql>> = {
  d: (ts) => sql`to_char(${ts}, 'DD')`,
  m: (ts) => sql`to_char(${ts}, 'MM')`,
  Y: (ts) => sql`to_char(${ts}, 'YYYY')`,
  H: (ts) => sql`to_char(${ts}, 'HH24')`,
  M: (ts) => sql`to_char(${ts}, 'MI')`,
  S: (ts) => sql`to_char(${ts}, 'SS')`,
  f: (ts) => sql`to_char(${ts}, 'SS.MS')`,
  j: (ts) => sql`to_char(${ts}, 'DDD')`,
  u: (ts) => sql`to_char(${ts}, 'ID')`,
  w: (ts) => sql`extract(dow from ${ts})::int::text`,
  s: (ts) => sql`floor(extract(epoch from ${ts}))::bigint::text`,
};

/** Seconds since 1970 that PostgreSQL (and SQLite) can hold as dates: years 0000–9999. */
const EPOCH_MIN = -62167219200;
const EPOCH_MAX = 253402300799;
/** Shifts of all modifiers together, in seconds (4,000 years): no stored date leaves PostgreSQL's range. */
const MAX_SHIFT_SECONDS = 4000 * 366 * 86400;

const UNIT_SECONDS: Readonly<Record<string, number>> = {
  second: 1,
  minute: 60,
  hour: 3600,
  day: 86400,
  month: 31 * 86400,
  year: 366 * 86400,
};

const SHIFT_RE = /^([+-]?)(\d{1,12}(?:\.\d{0,9})?|\.\d{1,9})\s+(second|minute|hour|day|month|year)s?$/i;
const CLOCK_RE = /^([+-])(\d{2}):(\d{2})(?::(\d{2}(?:\.\d{1,3})?))?$/;
const START_RE = /^start\s+of\s+(day|month|year)$/;
/** SQL text from this table only, never from the filter. */
const TRUNC_UNITS: Readonly<Record<string, Sql>> = {
  day: sql.raw("'day'"),
  month: sql.raw("'month'"),
  year: sql.raw("'year'"),
};
const WEEKDAY_RE = /^weekday\s+(\d+)$/i;
const NUMERIC_MODIFIERS = ['unixepoch', 'julianday', 'auto'];
const UNSUPPORTED: Readonly<Record<string, string>> = {
  localtime: 'every time here is UTC',
  subsec: 'times keep their milliseconds; use %f',
  subsecond: 'times keep their milliseconds; use %f',
  ceiling: "month arithmetic follows PostgreSQL's (Jan 31 + 1 month = Feb 28)",
  floor: "month arithmetic follows PostgreSQL's (Jan 31 + 1 month = Feb 28)",
};

/** `strftime(format[, time, modifiers…])` as a text expression; NULL reads '' (PocketBase). */
export function strftimeSql(
  host: ResolveHost,
  args: readonly FilterOperand[],
  resolve: (arg: FilterOperand) => Operand,
  fail: Fail,
): Sql {
  const [format, time, ...modifiers] = args;
  const pattern = format?.type === 'literal' && typeof format.value === 'string' ? format.value : undefined;
  if (pattern === undefined) return fail('the first argument must be a format string.');
  const ts =
    time === undefined
      ? sql`(${host.ctx.now.toISOString()}::timestamptz AT TIME ZONE 'UTC')`
      : applyModifiers(timeValue(host, resolve(time), fail), modifiers, fail);
  const parts = formatParts(pattern, ts, fail);
  return sql`COALESCE(${parts.length ? sql.join(parts, ' || ') : sql`''`}, '')`;
}

/** The time value: a timestamptz, or a number (SQLite: a Julian day, or with `unixepoch` seconds). */
type TimeValue = { sql: Sql; numeric: boolean };

function timeValue(host: ResolveHost, arg: Operand, fail: Fail): TimeValue {
  if (arg.type === 'column' && arg.hops.length === 0 && !arg.field.multiple) {
    if (arg.field.kind === 'date') return { sql: host.columnSql(arg), numeric: false };
    if (arg.field.kind === 'number') return { sql: host.columnSql(arg), numeric: true };
  }
  if (arg.type === 'value') {
    if (typeof arg.value === 'number') {
      return { sql: sql`${arg.value}::double precision`, numeric: true };
    }
    const date = parseDate(arg.value instanceof Date ? arg.value.toISOString() : arg.value);
    if (date) return { sql: sql`${date.toISOString()}::timestamptz`, numeric: false };
    if (arg.source === 'request') {
      const n = toNumber(arg.value);
      if (n !== undefined) return { sql: sql`${n}::double precision`, numeric: true };
      return { sql: fixed('NULL::timestamptz'), numeric: false };
    }
  }
  return fail(
    'the time value must be a date or number, a date or number field of this collection, or a date macro.',
  );
}

/** Seconds since 1970 as a UTC timestamp; out of range → NULL (never a PostgreSQL error). */
function fromEpoch(seconds: Sql): Sql {
  return sql`(CASE WHEN ${seconds} BETWEEN ${EPOCH_RANGE} THEN to_timestamp(${seconds}) AT TIME ZONE 'UTC' END)`;
}

const EPOCH_RANGE = sql.raw(`${EPOCH_MIN} AND ${EPOCH_MAX}`);

const julianSeconds = (n: Sql) => sql`((${n} - 2440587.5) * 86400)`;

/** SQLite's modifiers, applied left to right to a UTC timestamp (without zone). */
function applyModifiers(time: TimeValue, modifiers: readonly FilterOperand[], fail: Fail): Sql {
  const texts = modifiers.map((m, i) => {
    if (m.type === 'literal' && typeof m.value === 'string') return m.value.trim().toLowerCase();
    return fail(`modifier ${i + 1} must be a string such as 'start of day', '+1 day' or 'weekday 0'.`);
  });
  let ts: Sql;
  const first = texts[0];
  if (time.numeric) {
    const n = time.sql;
    if (first === 'unixepoch') ts = fromEpoch(n);
    else if (first === 'auto') {
      // SQLite: 0 to 5373484.5 is a Julian day number, anything else Unix seconds.
      ts = sql`(CASE WHEN ${n} BETWEEN 0 AND 5373484.499999 THEN ${fromEpoch(julianSeconds(n))} ELSE ${fromEpoch(n)} END)`;
    } else ts = fromEpoch(julianSeconds(n));
    if (first !== undefined && NUMERIC_MODIFIERS.includes(first)) texts.shift();
  } else {
    ts = sql`(${time.sql} AT TIME ZONE 'UTC')`;
  }
  let shifted = 0;
  for (const text of texts) {
    if (NUMERIC_MODIFIERS.includes(text)) {
      fail(`"${text}" applies to a number time value, as the first modifier; the time value here is a date.`);
    }
    const start = START_RE.exec(text);
    if (start) {
      ts = sql`date_trunc(${TRUNC_UNITS[start[1]!]!}, ${ts})`;
      continue;
    }
    const weekday = WEEKDAY_RE.exec(text);
    if (weekday) {
      const n = Number(weekday[1]);
      if (n > 6) fail(`"${text}": the weekday is 0 (Sunday) to 6 (Saturday).`);
      // The next day (or this one) whose weekday is n; the timestamp is named once.
      ts = sql`(SELECT v + ((${n}::int - extract(dow from v)::int + 7) % 7) * interval '1 day' FROM (SELECT ${ts} AS v) AS w)`;
      continue;
    }
    const shift = SHIFT_RE.exec(text);
    const clock = shift ? null : CLOCK_RE.exec(text);
    if (shift || clock) {
      const [interval, seconds] = shift ? shiftInterval(shift) : clockInterval(clock!);
      shifted += seconds;
      if (shifted > MAX_SHIFT_SECONDS) fail(`the modifiers shift the time by more than 4000 years.`);
      ts = sql`(${ts} + ${interval}::interval)`;
      continue;
    }
    if (text === 'utc') continue; // Every time here is already UTC.
    const why = UNSUPPORTED[text];
    fail(
      why
        ? `the modifier "${text}" is not supported: ${why}.`
        : `unknown modifier "${text.slice(0, 40)}"; use '±N days|hours|minutes|seconds|months|years', '±HH:MM[:SS]', 'start of day|month|year', 'weekday N', 'unixepoch', 'julianday', 'auto' or 'utc'.`,
    );
  }
  return ts;
}

function shiftInterval(m: RegExpExecArray): [string, number] {
  const [, sign, amount, unit] = m as unknown as [string, string, string, string];
  const n = Number(amount);
  return [`${sign === '-' ? '-' : ''}${n} ${unit.toLowerCase()}s`, n * UNIT_SECONDS[unit.toLowerCase()]!];
}

function clockInterval(m: RegExpExecArray): [string, number] {
  const [, sign, hh, mm, ss = '00'] = m as unknown as [string, string, string, string, string?];
  return [`${sign}${hh}:${mm}:${ss}`, Number(hh) * 3600 + Number(mm) * 60 + Number(ss)];
}

function formatParts(format: string, ts: Sql, fail: Fail): Sql[] {
  const parts: Sql[] = [];
  let text = '';
  const flush = () => {
    if (text) parts.push(sql`${text}::text`);
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
