import { PassThrough } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import sharp from 'sharp';
import { makeThumb, NotAnImageError, parseThumbSpec, SourceTooLargeError, ThumbRenderer } from './thumbs.js';

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
    const out = await makeThumb(await png(), 'image/png', parseThumbSpec(text)!);
    const meta = await sharp(out).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', w, h]);
  });

  it('fails on bytes that are not an image', async () => {
    await expect(
      makeThumb(Buffer.from('not an image at all'), 'image/png', parseThumbSpec('10x10')!),
    ).rejects.toThrow();
  });
});

describe('ThumbRenderer', () => {
  const png = (width: number, height: number) =>
    sharp({ create: { width, height, channels: 3, background: '#c00' } })
      .png()
      .toBuffer();
  const spec = parseThumbSpec('10x10')!;

  it('opens and decodes at most `concurrency` sources at once', async () => {
    const renderer = new ThumbRenderer({ maxPixels: 1_000_000, concurrency: 2 });
    const sources: PassThrough[] = [];
    const open = async () => {
      const s = new PassThrough();
      sources.push(s);
      return s;
    };
    const renders = Array.from({ length: 5 }, () => renderer.render(open, 'image/png', spec));
    await new Promise((r) => setTimeout(r, 50));
    expect(sources).toHaveLength(2);
    const image = await png(40, 30);
    sources[0]!.end(image);
    await renders[0];
    await new Promise((r) => setTimeout(r, 50));
    expect(sources).toHaveLength(3);
    for (let i = 1; i < 5; i++) {
      while (sources.length <= i) await new Promise((r) => setTimeout(r, 5));
      sources[i]!.end(image);
    }
    const thumbs = await Promise.all(renders);
    expect(await Promise.all(thumbs.map(async (t) => (await sharp(t).metadata()).width))).toEqual([
      10, 10, 10, 10, 10,
    ]);
  });

  it('refuses a source over maxPixels from its header, and names bytes that are no image', async () => {
    const renderer = new ThumbRenderer({ maxPixels: 1000 * 1000, concurrency: 1 });
    const open = (bytes: Buffer) => async () => {
      const s = new PassThrough();
      s.end(bytes);
      return s;
    };
    const over = renderer.render(open(await png(1000, 1001)), 'image/png', spec);
    await expect(over).rejects.toBeInstanceOf(SourceTooLargeError);
    const at = await renderer.render(open(await png(1000, 1000)), 'image/png', spec);
    expect((await sharp(at).metadata()).width).toBe(10);
    await expect(renderer.render(open(Buffer.from('nope')), 'image/png', spec)).rejects.toBeInstanceOf(
      NotAnImageError,
    );
  });
});
