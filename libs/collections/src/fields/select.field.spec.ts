import { defineField, filterOperand, schemasOf, written } from './field.fixture.js';
import { MAX_SELECT_VALUE_LENGTH, MAX_SELECT_VALUES, selectField } from './select.field.js';

describe('select field', () => {
  it('needs values; bounds their number and length', () => {
    expect(defineField({ type: 'select', values: ['a', 'b'] }).field).toMatchObject({
      values: ['a', 'b'],
      maxSelect: 1,
    });
    expect(defineField({ type: 'select' }).problems).toEqual(['fields.0.values REQUIRED']);
    expect(defineField({ type: 'select', values: ['a', 'a'] }).problems).toEqual([
      'fields.0.values.1 DUPLICATE_VALUE',
    ]);
    expect(
      defineField({
        type: 'select',
        values: Array.from({ length: MAX_SELECT_VALUES + 1 }, (_, i) => `v${i}`),
      }).problems,
    ).toEqual(['fields.0.values OUT_OF_RANGE']);
    expect(
      defineField({ type: 'select', values: ['x'.repeat(MAX_SELECT_VALUE_LENGTH + 1)] }).problems,
    ).toEqual(['fields.0.values.0 OUT_OF_RANGE']);
    expect(defineField({ type: 'select', values: ['a'], maxSelect: 2, unique: true }).problems).toEqual([
      'fields.0.unique OPTION_NOT_ALLOWED',
    ]);
  });

  it('keeps a default among the values (a list when multiple)', () => {
    expect(defineField({ type: 'select', values: ['a'], default: 'a' }).field?.default).toBe('a');
    expect(defineField({ type: 'select', values: ['a'], default: 'z' }).problems).toEqual([
      'fields.0.default INVALID_DEFAULT',
    ]);
    expect(
      defineField({ type: 'select', values: ['a', 'b'], maxSelect: 2, default: ['a', 'b'] }).field?.default,
    ).toEqual(['a', 'b']);
  });

  it('checks values: single, multiple up to maxSelect, no duplicates', () => {
    expect(written({ type: 'select', values: ['a', 'b'] }, 'a')).toEqual({ value: 'a' });
    expect(written({ type: 'select', values: ['a', 'b'] }, 'c')).toEqual({ code: 'INVALID_VALUE' });
    expect(written({ type: 'select', values: ['a', 'b'] }, '')).toEqual({ value: null });
    const multi = { type: 'select', values: ['a', 'b', 'c'], maxSelect: 2 } as const;
    expect(written(multi, ['a', 'b'])).toEqual({ value: ['a', 'b'] });
    expect(written(multi, ['a', 'b', 'c'])).toEqual({ code: 'TOO_MANY_ITEMS' });
    expect(written(multi, ['a', 'a'])).toEqual({ code: 'NOT_UNIQUE_ITEMS' });
    expect(written(multi, null)).toEqual({ value: [] });
  });

  it('compares filter literals as text; :each and :length apply', () => {
    expect(filterOperand('select', 'a')).toEqual({ ok: true, param: 'a' });
    expect(selectField.multiValued).toBe(true);
    expect(selectField.columnType({ id: '', name: 'x', type: 'select', maxSelect: 3 })).toBe('text[]');
  });

  it('documents itself in JSON Schema', () => {
    expect(schemasOf({ type: 'select', values: ['a'] }).create).toMatchObject({ enum: ['a', null] });
    expect(schemasOf({ type: 'select', values: ['a'], maxSelect: 2 }).create).toMatchObject({
      type: ['array', 'null'],
      items: { enum: ['a'] },
      maxItems: 2,
      uniqueItems: true,
    });
    expect(schemasOf({ type: 'select', values: ['a'] }).response).toMatchObject({ enum: ['a', ''] });
  });
});
