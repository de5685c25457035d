/**
 * PocketBase's date macros, computed from the request time in UTC (`tools/search/token_functions.go`
 * and the "API rules and filters" docs). Dates are bound as timestamps, the parts as numbers.
 */
const DAY_MS = 24 * 60 * 60 * 1000;

const MACROS: Readonly<Record<string, (now: Date) => Date | number>> = {
  now: (now) => now,
  second: (now) => now.getUTCSeconds(),
  minute: (now) => now.getUTCMinutes(),
  hour: (now) => now.getUTCHours(),
  // 0 = Sunday, as PocketBase (Go's time.Weekday).
  weekday: (now) => now.getUTCDay(),
  day: (now) => now.getUTCDate(),
  month: (now) => now.getUTCMonth() + 1,
  year: (now) => now.getUTCFullYear(),
  yesterday: (now) => new Date(now.getTime() - DAY_MS),
  tomorrow: (now) => new Date(now.getTime() + DAY_MS),
  todayStart: (now) => utc(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()),
  todayEnd: (now) => endOf(utc(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1)),
  monthStart: (now) => utc(now.getUTCFullYear(), now.getUTCMonth(), 1),
  monthEnd: (now) => endOf(utc(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)),
  yearStart: (now) => utc(now.getUTCFullYear(), 0, 1),
  yearEnd: (now) => endOf(utc(now.getUTCFullYear() + 1, 0, 1)),
};

export const DATE_MACRO_NAMES: readonly string[] = Object.keys(MACROS);

/** The value of `@name` at `now`; undefined when `name` is not a date macro. */
export function dateMacro(name: string, now: Date): Date | number | undefined {
  return Object.hasOwn(MACROS, name) ? MACROS[name]!(now) : undefined;
}

function utc(year: number, month: number, day: number): Date {
  return new Date(Date.UTC(year, month, day));
}

/** The last millisecond before `next` (PocketBase's `…End` macros end at 23:59:59.999). */
function endOf(next: Date): Date {
  return new Date(next.getTime() - 1);
}
