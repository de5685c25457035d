import { DATE_PATTERN, dateField } from './date.field.js';
import { createWith, defineField, filterOperand, schemasOf, written } from './field.fixture.js';

const IMPOSSIBLE = ['2024-02-30', '2023-02-29', '0000-01-01', '2024-04-31T10:00:00Z', '2024-02-30 10:00:00Z'];

describe('date field', () => {
  it.each(IMPOSSIBLE)('refuses the impossible default %s, naming the field', (day) => {
    const { problems, messages } = defineField({ type: 'date', default: day });
    expect(problems).toEqual(['fields.0.default INVALID_DEFAULT']);
    expect(messages[0]).toContain(JSON.stringify(day));
  });

  it('keeps real dates as defaults, and a create that omits the field gets them', () => {
    for (const day of ['2024-02-29', '2000-02-29T00:00:00Z', '0001-01-01', '9999-12-31 23:59:59Z']) {
      expect(defineField({ type: 'date', default: day }).field?.default).toBe(day);
    }
    const created = createWith({ type: 'date', default: '2024-02-29' }, undefined);
    expect(created).toEqual({ ok: true, value: { x: '2024-02-29T00:00:00.000Z' } });
  });

  it('refuses a default a record value could not take (no seconds or no zone)', () => {
    expect(defineField({ type: 'date', default: '2024-01-31T10:00' }).problems).toEqual([
      'fields.0.default INVALID_DEFAULT',
    ]);
    expect(defineField({ type: 'date', default: 20240131 }).problems).toEqual([
      'fields.0.default INVALID_DEFAULT',
    ]);
  });

  it.each(IMPOSSIBLE)('refuses the impossible value %s', (day) => {
    expect(written({ type: 'date' }, day)).toEqual({ code: 'INVALID_FORMAT' });
  });

  it('stores values in UTC with milliseconds; boundaries of the years 1 and 9999', () => {
    expect(written({ type: 'date' }, '2024-01-31T10:00:00+02:00')).toEqual({
      value: '2024-01-31T08:00:00.000Z',
    });
    expect(written({ type: 'date' }, '0001-01-01')).toEqual({ value: '0001-01-01T00:00:00.000Z' });
    expect(written({ type: 'date' }, '9999-12-31T23:59:59.999Z')).toEqual({
      value: '9999-12-31T23:59:59.999Z',
    });
    expect(written({ type: 'date' }, '9999-12-31T23:59:59-01:00')).toEqual({ code: 'INVALID_FORMAT' });
    expect(written({ type: 'date' }, '')).toEqual({ value: null });
    expect(written({ type: 'date' }, 5)).toEqual({ code: 'INVALID_TYPE' });
  });

  it('reads filter literals with the same calendar', () => {
    expect(filterOperand('date', '2024-02-29')).toEqual({ ok: true, param: '2024-02-29T00:00:00.000Z' });
    for (const day of IMPOSSIBLE) expect(filterOperand('date', day)).toEqual({ ok: false });
    expect(dateField.sortable).toBe(true);
    expect(dateField.columnType({ id: '', name: 'x', type: 'date' })).toBe('timestamptz');
  });

  it('documents itself in JSON Schema', () => {
    expect(schemasOf({ type: 'date' }).create).toMatchObject({
      anyOf: [{ format: 'date-time' }, { pattern: DATE_PATTERN }],
    });
    expect(schemasOf({ type: 'date' }).response).toMatchObject({
      anyOf: [{ format: 'date-time' }, { enum: [''] }],
    });
  });
});
