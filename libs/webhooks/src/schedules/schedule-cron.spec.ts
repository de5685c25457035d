import { describe, expect, it } from '@jest/globals';
import { cronProblems, isTimeZone, nextTick } from './schedule-cron.js';

describe('schedule cron checks', () => {
  it('accepts 5 fields, or 6 with seconds first, in an IANA zone', () => {
    expect(cronProblems('0 3 * * *', 'UTC')).toEqual([]);
    expect(cronProblems('*/10 * * * * *', 'Europe/Paris')).toEqual([]);
    expect(cronProblems(' 30 3 * * 1-5 ', 'America/New_York')).toEqual([]);
  });

  it('names the field of each problem', () => {
    expect(cronProblems('* * * *', 'UTC')).toEqual([
      expect.objectContaining({ path: 'cron', message: expect.stringMatching(/has 4 field\(s\); write 5/) }),
    ]);
    expect(cronProblems('61 * * * *', 'UTC').map((p) => p.path)).toEqual(['cron']);
    expect(cronProblems('0 3 * * *', 'Mars/Olympus').map((p) => p.path)).toEqual(['timezone']);
    expect(cronProblems('x y z w v', 'Nowhere').map((p) => p.path)).toEqual(['timezone', 'cron']);
    expect(isTimeZone('Asia/Tokyo')).toBe(true);
  });

  it('reads the expression in the time zone', () => {
    const from = new Date('2026-07-01T12:00:00Z');
    expect(nextTick('0 3 * * *', 'UTC', from)?.toISOString()).toBe('2026-07-02T03:00:00.000Z');
    // 03:00 in Paris is 01:00 UTC in summer.
    expect(nextTick('0 3 * * *', 'Europe/Paris', from)?.toISOString()).toBe('2026-07-02T01:00:00.000Z');
    expect(nextTick('61 * * * *', 'UTC', from)).toBeNull();
  });
});
