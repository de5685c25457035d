import { describe, expect, it } from '@jest/globals';
import { sql, Sql } from '@plinth/core';
import { compileFilter } from './compile-filter.js';
import { FilterError } from './filter-error.js';
import { useFilterDatabase } from './filter-db.fixture.js';
import { collection, field, rendered } from './filter.fixture.js';

// `strftime(format, time-value, modifiers…)` as PocketBase documents it (SQLite's date functions,
// https://sqlite.org/lang_datefunc.html), computed by PostgreSQL. Each case is the SQLite or
// PocketBase documentation example it reproduces.

// A Wednesday.
const NOW = new Date('2025-03-05T05:06:07.089Z');
const rows = collection('s_rows', [field('at', 'date'), field('n', 'number'), field('title', 'text')], '');

const { context, query } = useFilterDatabase(
  [rows],
  `
    CREATE TABLE data.s_rows (id uuid PRIMARY KEY, at timestamptz, n double precision, title text);
    INSERT INTO data.s_rows VALUES (gen_random_uuid(), '2025-01-31T22:30:00Z', 1092941466, 'x');
  `,
  NOW,
);

/** What `strftime(args)` answers for the one row, as PostgreSQL computes it. */
async function strftime(args: string): Promise<string> {
  // The comparison with '' is only there to have a filter; the value is read from the SELECT list.
  const where = compileFilter(`strftime(${args}) != "-"`, rows, 't', context());
  const { sql: text } = rendered(where);
  if (!/^COALESCE\(.*, ''\) IS DISTINCT FROM \$\d+$/s.test(text)) throw new Error(`unexpected SQL: ${text}`);
  // `<strftime expression> IS DISTINCT FROM <value>`: the expression is the first part.
  const expr = where.values[0];
  if (!(expr instanceof Sql)) throw new Error(`unexpected SQL: ${text}`);
  const out = await query<{ v: string }>(sql`SELECT ${expr} AS v FROM data.s_rows t`);
  return out[0]!.v;
}

function errorOf(args: string): FilterError {
  try {
    compileFilter(`strftime(${args}) = ""`, rows, 't', context());
  } catch (error) {
    if (error instanceof FilterError) return error;
    throw error;
  }
  throw new Error('expected a FilterError');
}

describe('strftime modifiers', () => {
  it.each([
    // SQLite: "Compute the current date." (the request time, UTC)
    ["'%Y-%m-%d'", '2025-03-05'],
    // PocketBase: strftime('%Y-%m', created) = "2026-01"
    ["'%Y-%m', at", '2025-01'],
    // SQLite: "Compute the last day of the current month."
    ["'%Y-%m-%d', @now, 'start of month', '+1 month', '-1 day'", '2025-03-31'],
    // SQLite: "Compute the date and time given a unix timestamp 1092941466."
    ["'%Y-%m-%d %H:%M:%S', 1092941466, 'unixepoch'", '2004-08-19 18:51:06'],
    ["'%Y-%m-%d %H:%M:%S', n, 'unixepoch'", '2004-08-19 18:51:06'],
    // SQLite: "Compute the date of the first Tuesday in October for the current year."
    ["'%Y-%m-%d', @now, 'start of year', '+9 months', 'weekday 2'", '2025-10-07'],
    // 'weekday N' keeps a day that already is weekday N (2025-03-05 is a Wednesday).
    ["'%Y-%m-%d', @now, 'weekday 3'", '2025-03-05'],
    ["'%Y-%m-%d %w', @now, 'weekday 0'", '2025-03-09 0'],
    // SQLite: "Compute the time since the unix epoch in seconds" for a date.
    ["'%s', '2004-08-19 18:51:06'", '1092941466'],
    // A number without modifier is a Julian day number; 'auto' tells Julian days from Unix seconds.
    ["'%Y-%m-%d %H:%M', 2460000", '2023-02-24 12:00'],
    ["'%Y-%m-%d %H:%M', 2460000, 'julianday'", '2023-02-24 12:00'],
    ["'%Y', 1700000000, 'auto'", '2023'],
    ["'%Y-%m-%d', 2460000.5, 'auto'", '2023-02-25'],
    // 'NNN days|hours|minutes|seconds|months|years', with a sign and fractions.
    ["'%Y-%m-%d %H:%M', at, '+1 day', '-3 hours', '+1.5 minutes'", '2025-02-01 19:31'],
    ["'%Y-%m-%d %H:%M:%S', at, '-2 years', '+90 seconds'", '2023-01-31 22:31:30'],
    // '±HH:MM[:SS]' shifts the time.
    ["'%H:%M:%S', at, '+01:30'", '00:00:00'],
    ["'%H:%M:%S', at, '-00:00:30.5'", '22:29:29'],
    ["'%Y-%m-%d %H:%M', at, 'start of day'", '2025-01-31 00:00'],
    ["'%Y-%m-%d', at, 'utc', 'START OF YEAR'", '2025-01-01'],
    // PostgreSQL's month arithmetic: Jan 31 + 1 month is Feb 28 (SQLite: Mar 3).
    ["'%Y-%m-%d', at, '+1 month'", '2025-02-28'],
    // Out of the years 0000–9999: NULL, which strftime answers as '' (PocketBase), never an error.
    ["'%Y', 1000000000000000, 'unixepoch'", ''],
  ])('strftime(%s) = %j', async (args, expected) => {
    expect(await strftime(args)).toBe(expected);
  });

  it.each([
    ["'%Y', at, 'localtime'", /"localtime" is not supported: every time here is UTC/],
    ["'%Y', at, 'subsec'", /"subsec" is not supported/],
    ["'%Y', at, 'ceiling'", /"ceiling" is not supported/],
    ["'%Y', at, 'start of week'", /unknown modifier "start of week"; use/],
    ["'%Y', at, '+0001-02-03'", /unknown modifier "\+0001-02-03"/],
    ["'%Y', at, 'weekday 7'", /"weekday 7": the weekday is 0 \(Sunday\) to 6/],
    ["'%Y', at, 'unixepoch'", /"unixepoch" applies to a number time value/],
    ["'%Y', 1092941466, 'start of day', 'unixepoch'", /"unixepoch" applies to a number time value/],
    ["'%Y', at, 1", /modifier 1 must be a string/],
    ["'%Y', at, title", /modifier 1 must be a string/],
    ["'%Y', at, '+3000 years', '-3000 years'", /more than 4000 years/],
    ["'%Y', at, '+999999999999 days'", /more than 4000 years/],
    ["'%Y', title", /time value must be a date or number/],
  ])('strftime(%s) is a named 400', (args, message) => {
    const error = errorOf(args);
    expect(error.code).toBe('FILTER_SYNTAX');
    expect(error.message).toMatch(/^strftime: /);
    expect(error.message).toMatch(message);
  });

  it('binds every modifier text; none reaches the SQL', () => {
    const compiled = compileFilter("strftime('%Y', at, '+1 day', 'weekday 2') = '2025'", rows, 't', context());
    const { sql: text, params } = rendered(compiled);
    expect(text).not.toMatch(/\+1|weekday/);
    expect(params).toEqual(expect.arrayContaining(['1 days', 2]));
  });
});
