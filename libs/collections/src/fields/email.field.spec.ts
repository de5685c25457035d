import { emailField } from './email.field.js';
import { defineField, filterOperand, schemasOf, written } from './field.fixture.js';

describe('email field', () => {
  it('keeps an address as default and refuses anything else', () => {
    expect(defineField({ type: 'email', default: 'a@b.c' }).field?.default).toBe('a@b.c');
    expect(defineField({ type: 'email', default: 'nobody' }).problems).toEqual([
      'fields.0.default INVALID_DEFAULT',
    ]);
  });

  it('checks values; an optional "" is empty', () => {
    expect(written({ type: 'email' }, 'ann@example.com')).toEqual({ value: 'ann@example.com' });
    expect(written({ type: 'email' }, 'ann@')).toEqual({ code: 'INVALID_FORMAT' });
    expect(written({ type: 'email' }, '')).toEqual({ value: null });
    expect(written({ type: 'email', required: true }, '')).toEqual({ code: 'REQUIRED' });
  });

  it('compares filter literals as text', () => {
    expect(filterOperand('email', 'a@b.c')).toEqual({ ok: true, param: 'a@b.c' });
    expect(emailField.emptyStringIsNull).toBe(true);
  });

  it('documents itself in JSON Schema', () => {
    expect(schemasOf({ type: 'email' }).create).toMatchObject({ type: ['string', 'null'], format: 'email' });
    expect(schemasOf({ type: 'email' }).response).toMatchObject({
      anyOf: [{ format: 'email' }, { enum: [''] }],
    });
  });
});
