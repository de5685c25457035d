import { describe, expect, it } from '@jest/globals';
import { summarizeField } from './field-summary';
import { formatBytes, MIME_PRESETS, sizeIn, toBytes } from './file-sizes';

const images = MIME_PRESETS.find((p) => p.key === 'images')!.types;

describe('file sizes', () => {
  it('stores KB and MB as bytes and shows bytes in the unit that reads best', () => {
    expect(toBytes('5', 'MB')).toBe(5_242_880);
    expect(toBytes('1.5', 'KB')).toBe(1536);
    expect(toBytes('', 'MB')).toBeUndefined();
    expect(toBytes('-1', 'MB')).toBeUndefined();
    expect(sizeIn(5_242_880, 'MB')).toBe('5');
    expect(formatBytes(5_242_880)).toBe('5 MB');
    expect(formatBytes(1536)).toBe('1.5 KB');
  });
});

describe('summarizeField', () => {
  it('says what a file field takes in one line', () => {
    expect(
      summarizeField({
        name: 'cover',
        type: 'file',
        mimeTypes: [...images],
        maxSize: 5_242_880,
        thumbs: ['100x100', '300x0', '0x300'],
      }),
    ).toBe('file · images · max 5 MB · 3 thumbs');
    expect(summarizeField({ name: 'doc', type: 'file', mimeTypes: ['application/pdf'], maxSelect: 3 })).toBe(
      'file · application/pdf · up to 3 files',
    );
  });

  it('summarises other types by their options', () => {
    expect(summarizeField({ name: 't', type: 'text', required: true, max: 200 })).toBe(
      'text · required · max 200 chars',
    );
    expect(summarizeField({ name: 's', type: 'select', values: ['a', 'b'], unique: true })).toBe(
      'select · 2 values · unique',
    );
    expect(summarizeField({ name: 'r', type: 'relation', collection: 'users', maxSelect: 5 })).toBe(
      'relation → users · up to 5',
    );
  });

  it("summarises PocketBase's editor, autodate and geoPoint", () => {
    expect(summarizeField({ name: 'e', type: 'editor', maxSize: 2 * 1024 * 1024 })).toBe('editor · max 2 MB');
    expect(summarizeField({ name: 'a', type: 'autodate', onCreate: true, onUpdate: true })).toBe(
      'autodate · set on create and on update',
    );
    expect(summarizeField({ name: 'g', type: 'geoPoint' })).toBe('geoPoint');
  });
});
