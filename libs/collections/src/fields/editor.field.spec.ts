import { DEFAULT_EDITOR_MAX_SIZE, editorField } from './editor.field.js';
import { defineField, filterOperand, schemasOf, written } from './field.fixture.js';

describe('editor field', () => {
  it("keeps PocketBase's options maxSize and convertURLs", () => {
    expect(defineField({ type: 'editor' }).field).toMatchObject({
      maxSize: DEFAULT_EDITOR_MAX_SIZE,
      convertURLs: false,
    });
    expect(defineField({ type: 'editor', maxSize: 10, convertURLs: true }).field).toMatchObject({
      maxSize: 10,
      convertURLs: true,
    });
    expect(defineField({ type: 'editor', maxSize: 0 }).problems).toEqual(['fields.0.maxSize OUT_OF_RANGE']);
    expect(defineField({ type: 'editor', pattern: 'x' }).problems).toEqual([
      'fields.0.pattern OPTION_NOT_ALLOWED',
    ]);
  });

  it('checks the default against maxSize', () => {
    expect(defineField({ type: 'editor', default: '<p>hi</p>' }).field?.default).toBe('<p>hi</p>');
    expect(defineField({ type: 'editor', maxSize: 4, default: '<p>hi</p>' }).problems).toEqual([
      'fields.0.default INVALID_DEFAULT',
    ]);
  });

  it('sanitises on write: scripts, handlers and javascript: links go, formatting stays', () => {
    const f = { type: 'editor' } as const;
    expect(written(f, '<p onclick="x()">Hi <b>there</b><script>alert(1)</script></p>')).toEqual({
      value: '<p>Hi <b>there</b></p>',
    });
    expect(
      written(f, '<a href="javascript:alert(1)">x</a><img src="https://e.org/a.png" onerror="x()">'),
    ).toEqual({
      value: '<a>x</a><img src="https://e.org/a.png" />',
    });
    expect(written(f, '<iframe src="https://e.org"></iframe><style>*{}</style>ok')).toEqual({ value: 'ok' });
  });

  it('counts maxSize in bytes (the boundary included)', () => {
    const f = { type: 'editor', maxSize: 4 } as const;
    expect(written(f, 'éé')).toEqual({ value: 'éé' });
    expect(written(f, 'ééé')).toEqual({ code: 'TOO_LONG' });
    expect(written({ type: 'editor', required: true }, '')).toEqual({ code: 'REQUIRED' });
  });

  it('compares filter literals as text', () => {
    expect(filterOperand('editor', 'hi')).toEqual({ ok: true, param: 'hi' });
    expect(editorField.columnType({ id: '', name: 'x', type: 'editor' })).toBe('text');
  });

  it('documents itself in JSON Schema as HTML', () => {
    expect(schemasOf({ type: 'editor' }).create).toMatchObject({
      type: ['string', 'null'],
      contentMediaType: 'text/html',
    });
    expect(schemasOf({ type: 'editor' }).response).toMatchObject({
      type: 'string',
      contentMediaType: 'text/html',
    });
  });
});
