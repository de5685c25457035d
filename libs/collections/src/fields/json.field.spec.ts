import { defineField, filterOperand, schemasOf, written } from './field.fixture.js';
import { jsonField, MAX_JSON_DEPTH } from './json.field.js';

const nested = (depth: number): unknown => (depth === 0 ? 1 : [nested(depth - 1)]);

describe('json field', () => {
  it('takes any default, cannot be unique', () => {
    expect(defineField({ type: 'json', default: { a: [1] } }).field?.default).toEqual({ a: [1] });
    expect(defineField({ type: 'json', unique: true }).problems).toEqual([
      'fields.0.unique OPTION_NOT_ALLOWED',
    ]);
  });

  it('takes any JSON value up to the nesting limit, without NUL', () => {
    expect(written({ type: 'json' }, { a: [1, 'x'] })).toEqual({ value: { a: [1, 'x'] } });
    expect(written({ type: 'json' }, nested(MAX_JSON_DEPTH - 1))).toEqual({
      value: nested(MAX_JSON_DEPTH - 1),
    });
    expect(written({ type: 'json' }, nested(MAX_JSON_DEPTH + 1))).toEqual({ code: 'INVALID_VALUE' });
    expect(written({ type: 'json' }, { 'a\0': 1 })).toEqual({ code: 'INVALID_VALUE' });
    expect(written({ type: 'json', required: true }, null)).toEqual({ code: 'REQUIRED' });
  });

  it('binds filter literals as jsonb', () => {
    expect(filterOperand('json', { a: 1 })).toEqual({ ok: true, param: '{"a":1}' });
    expect(filterOperand('json', 'a\0')).toEqual({ ok: false });
    expect(jsonField.zero).toBeNull();
  });

  it('documents itself in JSON Schema', () => {
    expect(schemasOf({ type: 'json', required: true }).create).toMatchObject({ not: { type: 'null' } });
    expect(schemasOf({ type: 'json' }).response).toMatchObject({ description: 'Any JSON value.' });
  });
});
