import { defineField, filterOperand, schemasOf, written } from './field.fixture.js';
import { URL_PATTERN, urlField } from './url.field.js';

describe('url field', () => {
  it('keeps an http(s) default and refuses other schemes', () => {
    expect(defineField({ type: 'url', default: 'https://x.org/a' }).field?.default).toBe('https://x.org/a');
    expect(defineField({ type: 'url', default: 'ftp://x.org' }).problems).toEqual([
      'fields.0.default INVALID_DEFAULT',
    ]);
  });

  it('checks values', () => {
    expect(written({ type: 'url' }, 'http://x.org')).toEqual({ value: 'http://x.org' });
    expect(written({ type: 'url' }, 'javascript:alert(1)')).toEqual({ code: 'INVALID_FORMAT' });
    expect(written({ type: 'url' }, 'x.org')).toEqual({ code: 'INVALID_FORMAT' });
    expect(written({ type: 'url' }, '')).toEqual({ value: null });
  });

  it('compares filter literals as text', () => {
    expect(filterOperand('url', 'http://x.org')).toEqual({ ok: true, param: 'http://x.org' });
    expect(urlField.filterKind).toBe('text');
  });

  it('documents itself in JSON Schema', () => {
    expect(schemasOf({ type: 'url' }).create).toMatchObject({ format: 'uri', pattern: URL_PATTERN });
  });
});
