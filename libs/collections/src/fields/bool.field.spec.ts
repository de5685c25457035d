import { boolField } from './bool.field.js';
import { defineField, filterOperand, schemasOf, written } from './field.fixture.js';

describe('bool field', () => {
  it('has no options of its own', () => {
    expect(defineField({ type: 'bool' }).field).toMatchObject({ type: 'bool' });
    expect(defineField({ type: 'bool', max: 1 }).problems).toEqual(['fields.0.max OPTION_NOT_ALLOWED']);
  });

  it('keeps a boolean default only', () => {
    expect(defineField({ type: 'bool', default: false }).field?.default).toBe(false);
    expect(defineField({ type: 'bool', default: 'true' }).problems).toEqual([
      'fields.0.default INVALID_DEFAULT',
    ]);
  });

  it('takes true, false and null', () => {
    expect(written({ type: 'bool' }, true)).toEqual({ value: true });
    expect(written({ type: 'bool' }, null)).toEqual({ value: null });
    expect(written({ type: 'bool' }, 'true')).toEqual({ code: 'INVALID_TYPE' });
    expect(written({ type: 'bool' }, 1)).toEqual({ code: 'INVALID_TYPE' });
  });

  it('reads filter literals "true"/"false"', () => {
    expect(filterOperand('bool', 'true')).toEqual({ ok: true, param: true });
    expect(filterOperand('bool', 'yes')).toEqual({ ok: false });
    expect(boolField.zero).toBe(false);
  });

  it('documents itself in JSON Schema', () => {
    expect(schemasOf({ type: 'bool', required: true }).create).toMatchObject({ type: 'boolean' });
    expect(schemasOf({ type: 'bool' }).response).toMatchObject({ type: 'boolean' });
  });
});
