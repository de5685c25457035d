import { Readable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import sharp from 'sharp';
import { makeThumb, parseThumbSpec } from './thumbs.js';

describe('parseThumbSpec', () => {
  it.each([
    ['100x100', { width: 100, height: 100, mode: 'center' }],
    ['100x50t', { width: 100, height: 50, mode: 'top' }],
    ['100x50b', { width: 100, height: 50, mode: 'bottom' }],
    ['100x50f', { width: 100, height: 50, mode: 'fit' }],
    ['0x50', { width: 0, height: 50, mode: 'scale' }],
    ['50x0', { width: 50, height: 0, mode: 'scale' }],
    ['2000x2000', { width: 2000, height: 2000, mode: 'center' }],
  ])('%s', (text, spec) => {
    expect(parseThumbSpec(text)).toEqual(spec);
  });

  it.each([
    '0x0',
    '0x50t',
    '2001x10',
    '100X100',
    '100x',
    'x100',
    '01x10',
    '100x100z',
    ' 100x100',
    '100x100 ',
    '-1x5',
    '1e2x5',
  ])('refuses %j', (text) => {
    expect(parseThumbSpec(text)).toBeNull();
  });
});

describe('makeThumb', () => {
  const png = () =>
    sharp({ create: { width: 300, height: 200, channels: 3, background: { r: 200, g: 10, b: 10 } } })
      .png()
      .toBuffer();

  it.each([
    ['100x100', 100, 100],
    ['100x50t', 100, 50],
    ['100x100f', 100, 67],
    ['0x50', 75, 50],
    ['60x0', 60, 40],
  ])('%s gives %dx%d', async (text, w, h) => {
    const out = await makeThumb(Readable.from([await png()]), 'image/png', parseThumbSpec(text)!);
    const meta = await sharp(out).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', w, h]);
  });

  it('fails on bytes that are not an image', async () => {
    await expect(
      makeThumb(Readable.from([Buffer.from('not an image at all')]), 'image/png', parseThumbSpec('10x10')!),
    ).rejects.toThrow();
  });
});
