import { CronExpressionParser } from 'cron-parser';
import type { FieldProblem } from '@plinth/core';

/** Whether `tz` is an IANA time zone this runtime knows. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * The problems of a cron expression and time zone, by field: 5 fields (minute hour day-of-month month
 * day-of-week) or 6 with a leading seconds field, as BullMQ's cron-parser reads them.
 */
export function cronProblems(cron: string, timezone: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const zoneOk = isTimeZone(timezone);
  if (!zoneOk) {
    problems.push({
      path: 'timezone',
      code: 'INVALID_VALUE',
      message: `"${timezone}" is not an IANA time zone (e.g. UTC, Europe/Paris, America/New_York)`,
    });
  }
  const fields = cron.trim().split(/\s+/).length;
  if (fields !== 5 && fields !== 6) {
    problems.push({
      path: 'cron',
      code: 'INVALID_VALUE',
      message: `has ${fields} field(s); write 5 (minute hour day-of-month month day-of-week, e.g. "0 3 * * *") or 6 with seconds first`,
    });
    return problems;
  }
  try {
    CronExpressionParser.parse(cron, { tz: zoneOk ? timezone : 'UTC' }).next();
  } catch (err) {
    problems.push({
      path: 'cron',
      code: 'INVALID_VALUE',
      message: `is not a valid cron expression: ${(err as Error).message}`,
    });
  }
  return problems;
}

/** When the schedule fires next after `from`, or null when the expression cannot be read. */
export function nextTick(cron: string, timezone: string, from = new Date()): Date | null {
  try {
    return CronExpressionParser.parse(cron, { tz: timezone, currentDate: from }).next().toDate();
  } catch {
    return null;
  }
}
