/**
 * The one date parser of Plinth: schema defaults, record values and filter literals all go through
 * `dateFromParts`, which refuses what a calendar does not have (2024-02-30, 2023-02-29, 0000-01-01)
 * instead of rolling it over as `Date.parse` does. Two grammars read the text: the strict one of
 * record values (RFC 3339, a bare date, PocketBase's `2024-01-31 10:00:00Z`) and the looser one of
 * filter literals (minutes only, no zone).
 */

/** Record values and defaults: a date, or a full date-time with seconds and a zone. */
const VALUE_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?))?$/;
/** Filter literals: seconds and zone optional (no zone = UTC), a space allowed before the zone. */
const LITERAL_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?)?$/;

/** PostgreSQL's timestamptz as Plinth writes it spans the years 1 to 9999. */
export const MIN_YEAR = 1;
export const MAX_YEAR = 9999;

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** The instant of a regex match of either grammar, or undefined when the calendar has no such date. */
function dateFromParts(m: RegExpExecArray): Date | undefined {
  const [, ys, mos, ds, hs, mis, ss, frac, , sign, ohs, oms] = m;
  const year = Number(ys);
  const month = Number(mos);
  const day = Number(ds);
  const hour = hs === undefined ? 0 : Number(hs);
  const minute = mis === undefined ? 0 : Number(mis);
  const second = ss === undefined ? 0 : Number(ss);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  const offsetHours = ohs === undefined ? 0 : Number(ohs);
  const offsetMinutes = oms === undefined ? 0 : Number(oms);
  if (offsetHours > 23 || offsetMinutes > 59) return undefined;
  const ms = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map the years 0–99 to 1900–1999.
  date.setUTCFullYear(year, month - 1, day);
  // A leap second (:60) is kept as the last millisecond of its minute.
  date.setUTCHours(hour, minute, Math.min(second, 59), second === 60 ? 999 : ms);
  const offset = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const utc = new Date(date.getTime() - offset);
  const utcYear = utc.getUTCFullYear();
  if (Number.isNaN(utc.getTime()) || utcYear < MIN_YEAR || utcYear > MAX_YEAR) return undefined;
  return utc;
}

/** A record value or default (`2024-01-31`, `2024-01-31T10:00:00.123+02:00`, `2024-01-31 10:00:00Z`). */
export function parseDateValue(text: string): Date | undefined {
  const m = VALUE_RE.exec(text);
  return m ? dateFromParts(m) : undefined;
}

/** A filter literal: also `2024-01-31 10:20` and `2024-01-31T10:20:30 +0200`; no zone = UTC. */
export function parseDateLiteral(text: string): Date | undefined {
  const m = LITERAL_RE.exec(text.trim());
  return m ? dateFromParts(m) : undefined;
}

/**
 * `2024-01-31`, `2024-01-31T10:00:00.123+02:00`, `2024-01-31 10:00:00Z` → the UTC ISO string
 * (millisecond precision), or null when it is not a real date between the years 1 and 9999.
 */
export function normalizeDate(text: string): string | null {
  return parseDateValue(text)?.toISOString() ?? null;
}
