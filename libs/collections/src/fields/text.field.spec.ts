import { defineField, filterOperand, schemasOf, written } from './field.fixture.js';
import { MAX_PATTERN_LENGTH, textField } from './text.field.js';

describe('text field', () => {
  it('reads min, max and pattern, and refuses bad ones', () => {
    expect(defineField({ type: 'text', min: 1, max: 5, pattern: '^a' }).field).toMatchObject({
      min: 1,
      max: 5,
      pattern: '^a',
    });
    expect(defineField({ type: 'text', min: 5, max: 1 }).problems).toEqual(['fields.0.max INVALID_RANGE']);
    expect(defineField({ type: 'text', min: -1 }).problems).toEqual(['fields.0.min OUT_OF_RANGE']);
    expect(defineField({ type: 'text', pattern: '(' }).problems).toEqual([
      'fields.0.pattern INVALID_PATTERN',
    ]);
    expect(defineField({ type: 'text', pattern: 'a'.repeat(MAX_PATTERN_LENGTH + 1) }).problems).toEqual([
      'fields.0.pattern OUT_OF_RANGE',
    ]);
    expect(defineField({ type: 'text', values: ['a'] }).problems).toEqual([
      'fields.0.values OPTION_NOT_ALLOWED',
    ]);
  });

  it('keeps a fitting default and refuses one outside the options', () => {
    expect(defineField({ type: 'text', max: 3, default: 'abc' }).field?.default).toBe('abc');
    expect(defineField({ type: 'text', max: 3, default: 'abcd' }).problems).toEqual([
      'fields.0.default INVALID_DEFAULT',
    ]);
    expect(defineField({ type: 'text', default: 1 }).problems).toEqual(['fields.0.default INVALID_DEFAULT']);
  });

  it('checks values at the boundaries (length counts characters, not bytes)', () => {
    const f = { type: 'text', min: 2, max: 3 } as const;
    expect(written(f, 'ab')).toEqual({ value: 'ab' });
    expect(written(f, 'héé')).toEqual({ value: 'héé' });
    expect(written(f, 'abcd')).toEqual({ code: 'TOO_LONG' });
    expect(written(f, 'a')).toEqual({ code: 'TOO_SHORT' });
    // Optional: empty is allowed whatever min says.
    expect(written(f, '')).toEqual({ value: '' });
    expect(written({ type: 'text', required: true }, '')).toEqual({ code: 'REQUIRED' });
    expect(written({ type: 'text', pattern: '^[a-z]+$' }, 'A1')).toEqual({ code: 'PATTERN_MISMATCH' });
    expect(written(f, 5)).toEqual({ code: 'INVALID_TYPE' });
    expect(written(f, 'a\0b')).toEqual({ code: 'INVALID_VALUE' });
  });

  it('compares filter literals as text and sorts', () => {
    expect(filterOperand('text', 7)).toEqual({ ok: true, param: '7' });
    expect(filterOperand('text', { a: 1 })).toEqual({ ok: false });
    expect(textField.sortable).toBe(true);
    expect(textField.columnType({ id: '', name: 'x', type: 'text' })).toBe('text');
  });

  it('documents itself in JSON Schema', () => {
    const s = schemasOf({ type: 'text', min: 2, max: 3, required: true, pattern: '^a' });
    expect(s.create).toMatchObject({ type: 'string', minLength: 2, maxLength: 3, pattern: '^a' });
    expect(s.response).toMatchObject({ type: 'string' });
    expect(schemasOf({ type: 'text', min: 2 }).create).toMatchObject({
      type: ['string', 'null'],
      if: { type: 'string', minLength: 1 },
      then: { minLength: 2 },
    });
  });
});
