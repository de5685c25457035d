import { defineField, filterOperand, schemasOf, written } from './field.fixture.js';
import { numberField } from './number.field.js';

describe('number field', () => {
  it('reads min, max and onlyInt', () => {
    expect(defineField({ type: 'number', min: -1.5, max: 2, onlyInt: true }).field).toMatchObject({
      min: -1.5,
      max: 2,
      onlyInt: true,
    });
    expect(defineField({ type: 'number', min: 3, max: 2 }).problems).toEqual(['fields.0.max INVALID_RANGE']);
    expect(defineField({ type: 'number', min: '1' }).problems).toEqual(['fields.0.min INVALID_TYPE']);
  });

  it('keeps a fitting default and refuses one outside the options', () => {
    expect(defineField({ type: 'number', min: 0, default: 0 }).field?.default).toBe(0);
    expect(defineField({ type: 'number', min: 0, default: -1 }).problems).toEqual([
      'fields.0.default INVALID_DEFAULT',
    ]);
    expect(defineField({ type: 'number', onlyInt: true, default: 0.5 }).problems).toEqual([
      'fields.0.default INVALID_DEFAULT',
    ]);
  });

  it('checks values at the boundaries', () => {
    const f = { type: 'number', min: 0, max: 10 } as const;
    expect(written(f, 0)).toEqual({ value: 0 });
    expect(written(f, 10)).toEqual({ value: 10 });
    expect(written(f, -0.001)).toEqual({ code: 'TOO_SMALL' });
    expect(written(f, 10.001)).toEqual({ code: 'TOO_LARGE' });
    expect(written({ type: 'number', onlyInt: true }, 1.5)).toEqual({ code: 'NOT_AN_INTEGER' });
    expect(written(f, '5')).toEqual({ code: 'INVALID_TYPE' });
    expect(written(f, null)).toEqual({ value: null });
  });

  it('reads filter literals as numbers', () => {
    expect(filterOperand('number', '2.5')).toEqual({ ok: true, param: 2.5 });
    expect(filterOperand('number', 'Infinity')).toEqual({ ok: false });
    expect(numberField.zero).toBe(0);
    expect(numberField.columnType({ id: '', name: 'x', type: 'number' })).toBe('double precision');
  });

  it('documents itself in JSON Schema', () => {
    expect(schemasOf({ type: 'number', min: 1, max: 2, onlyInt: true }).create).toMatchObject({
      type: ['integer', 'null'],
      minimum: 1,
      maximum: 2,
    });
    expect(schemasOf({ type: 'number' }).response).toMatchObject({ type: 'number' });
  });
});
