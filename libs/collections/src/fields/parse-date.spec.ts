import { normalizeDate, parseDateLiteral, parseDateValue } from './parse-date.js';

describe('parse-date: one calendar for defaults, record values and filter literals', () => {
  it.each([
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['2000-02-29T12:00:00Z', '2000-02-29T12:00:00.000Z'],
    ['0001-01-01', '0001-01-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
    ['2024-01-31 10:00:00Z', '2024-01-31T10:00:00.000Z'],
    ['2024-01-31T10:00:00+0530', '2024-01-31T04:30:00.000Z'],
    ['2016-12-31T23:59:60Z', '2016-12-31T23:59:59.999Z'],
  ])('reads the value %s as %s', (text, iso) => {
    expect(normalizeDate(text)).toBe(iso);
    expect(parseDateLiteral(text)?.toISOString()).toBe(iso);
  });

  it.each([
    '2024-02-30',
    '2023-02-29',
    '1900-02-29',
    '0000-01-01',
    '2024-04-31',
    '2024-13-01',
    '2024-00-10',
    '2024-01-00',
    '2024-01-31T24:00:00Z',
    '2024-01-31T10:60:00Z',
    '2024-01-31T10:00:00+24:00',
    '0001-01-01T00:00:00+01:00',
    '9999-12-31T23:59:59-01:00',
    '2024-1-1',
    'now',
    '',
  ])('refuses %s everywhere', (text) => {
    expect(parseDateValue(text)).toBeUndefined();
    expect(parseDateLiteral(text)).toBeUndefined();
    expect(normalizeDate(text)).toBeNull();
  });

  it('record values need seconds and a zone with a time; filter literals do not', () => {
    expect(parseDateValue('2024-01-31T10:20')).toBeUndefined();
    expect(parseDateValue('2024-01-31T10:20:30')).toBeUndefined();
    expect(parseDateLiteral('2024-01-31T10:20')?.toISOString()).toBe('2024-01-31T10:20:00.000Z');
    expect(parseDateLiteral(' 2024-01-31 10:20:30 +02:00 ')?.toISOString()).toBe('2024-01-31T08:20:30.000Z');
  });
});
