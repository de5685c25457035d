import { defineField, filterOperand, schemasOf, written } from './field.fixture.js';
import { DEFAULT_MAX_FILE_SIZE, fileField, MAX_THUMB_SIDE } from './file.field.js';

describe('file field', () => {
  it('reads its options with defaults; checks MIME types and thumb sizes', () => {
    expect(defineField({ type: 'file' }).field).toMatchObject({
      maxSelect: 1,
      maxSize: DEFAULT_MAX_FILE_SIZE,
      mimeTypes: [],
      thumbs: [],
      protected: false,
    });
    expect(defineField({ type: 'file', mimeTypes: ['png'] }).problems).toEqual([
      'fields.0.mimeTypes.0 INVALID_VALUE',
    ]);
    expect(defineField({ type: 'file', thumbs: [`${MAX_THUMB_SIDE}x0`, '0x0'] }).problems).toEqual([
      'fields.0.thumbs.1 INVALID_VALUE',
    ]);
    expect(defineField({ type: 'file', thumbs: [`${MAX_THUMB_SIDE + 1}x1`] }).problems).toEqual([
      'fields.0.thumbs.0 INVALID_VALUE',
    ]);
  });

  it('takes no default', () => {
    expect(defineField({ type: 'file', default: 'a.png' }).problems).toEqual([
      'fields.0.default OPTION_NOT_ALLOWED',
    ]);
    expect(fileField.takesDefault).toBe(false);
  });

  it('holds file names (the storage lib writes them)', () => {
    expect(written({ type: 'file' }, 'a.png')).toEqual({ value: 'a.png' });
    expect(written({ type: 'file', maxSelect: 2 }, ['a.png', ''])).toEqual({ code: 'TOO_SHORT' });
    expect(written({ type: 'file' }, '')).toEqual({ value: null });
  });

  it('compares filter literals as text', () => {
    expect(filterOperand('file', 'a.png')).toEqual({ ok: true, param: 'a.png' });
  });

  it('documents itself in JSON Schema', () => {
    expect(schemasOf({ type: 'file', maxSelect: 3 }).create).toMatchObject({
      items: { minLength: 1 },
      maxItems: 3,
    });
    expect(schemasOf({ type: 'file' }).response).toMatchObject({ type: 'string' });
  });
});
