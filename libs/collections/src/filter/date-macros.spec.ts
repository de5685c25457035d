import { describe, expect, it } from '@jest/globals';
import { DATE_MACRO_NAMES, dateMacro } from './date-macros.js';

// PocketBase `tools/search/identifier_macros.go`: every macro in UTC from the request time.
describe('dateMacro', () => {
  const iso = (name: string, now: string) => (dateMacro(name, new Date(now)) as Date).toISOString();

  it("knows PocketBase's 16 macros and nothing else", () => {
    expect([...DATE_MACRO_NAMES].sort()).toEqual(
      [
        'now',
        'second',
        'minute',
        'hour',
        'weekday',
        'day',
        'month',
        'year',
        'yesterday',
        'tomorrow',
        'todayStart',
        'todayEnd',
        'monthStart',
        'monthEnd',
        'yearStart',
        'yearEnd',
      ].sort(),
    );
    expect(dateMacro('toString', new Date())).toBeUndefined();
    expect(dateMacro('constructor', new Date())).toBeUndefined();
  });

  it('ends months and years on their last millisecond, leap days included', () => {
    expect(iso('monthEnd', '2024-02-10T12:00:00Z')).toBe('2024-02-29T23:59:59.999Z');
    expect(iso('monthEnd', '2025-12-31T23:59:59Z')).toBe('2025-12-31T23:59:59.999Z');
    expect(iso('monthStart', '2025-12-31T23:59:59Z')).toBe('2025-12-01T00:00:00.000Z');
    expect(iso('yearEnd', '2025-06-01T00:00:00Z')).toBe('2025-12-31T23:59:59.999Z');
    expect(iso('yearStart', '2025-06-01T00:00:00Z')).toBe('2025-01-01T00:00:00.000Z');
    expect(iso('todayEnd', '2025-03-01T00:00:00Z')).toBe('2025-03-01T23:59:59.999Z');
    expect(iso('yesterday', '2025-03-01T10:00:00Z')).toBe('2025-02-28T10:00:00.000Z');
    expect(iso('tomorrow', '2024-12-31T10:00:00Z')).toBe('2025-01-01T10:00:00.000Z');
  });

  it('reads the parts in UTC whatever the server zone', () => {
    const now = new Date('2025-01-05T23:30:15Z'); // a Sunday
    expect([dateMacro('weekday', now), dateMacro('day', now), dateMacro('hour', now)]).toEqual([0, 5, 23]);
    expect([
      dateMacro('month', now),
      dateMacro('year', now),
      dateMacro('minute', now),
      dateMacro('second', now),
    ]).toEqual([1, 2025, 30, 15]);
  });
});
