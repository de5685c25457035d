import type { Readable } from 'node:stream';
import { Semaphore } from '@plinth/core';

/** The largest side of a thumbnail (the collection model's limit). */
export const MAX_THUMB_SIDE = 2000;

/**
 * A thumbnail size as PocketBase writes them: `WxH` crops from the centre to exactly W×H, `WxHt`
 * from the top, `WxHb` from the bottom, `WxHf` fits inside W×H without cropping, `0xH` / `Wx0`
 * scale to that height / width keeping the aspect ratio.
 */
export interface ThumbSpec {
  width: number;
  height: number;
  mode: 'center' | 'top' | 'bottom' | 'fit' | 'scale';
}

const SPEC = /^(0|[1-9][0-9]{0,3})x(0|[1-9][0-9]{0,3})([tbf]?)$/;

/** Parses a thumbnail size; null for anything that is not one (or is out of range). */
export function parseThumbSpec(text: string): ThumbSpec | null {
  const m = SPEC.exec(text);
  if (!m) return null;
  const width = Number(m[1]);
  const height = Number(m[2]);
  const suffix = m[3];
  if (width > MAX_THUMB_SIDE || height > MAX_THUMB_SIDE) return null;
  if (width === 0 && height === 0) return null;
  if (width === 0 || height === 0) return suffix ? null : { width, height, mode: 'scale' };
  const mode = suffix === 't' ? 'top' : suffix === 'b' ? 'bottom' : suffix === 'f' ? 'fit' : 'center';
  return { width, height, mode };
}

const OUTPUT: Record<string, 'png' | 'jpeg' | 'gif' | 'webp' | 'avif' | 'tiff'> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/avif': 'avif',
  'image/tiff': 'tiff',
};

/** The source has more pixels than a thumbnail may decode: the original is served instead. */
export class SourceTooLargeError extends Error {
  constructor(readonly pixels: number) {
    super(`The image has ${pixels} pixels, more than thumbnails are made of`);
  }
}

/** sharp could not read the source as an image (or not make its thumbnail). */
export class NotAnImageError extends Error {}

/**
 * Makes thumbnails with bounded memory: a source is decoded only when its header says it has at most
 * `maxPixels` (a 10,000 × 10,000 PNG of a few KB would take ~400 MB), and at most `concurrency` at once.
 */
export class ThumbRenderer {
  private readonly slots: Semaphore;

  constructor(private readonly opts: { maxPixels: number; concurrency: number }) {
    this.slots = new Semaphore(opts.concurrency);
  }

  /** Opens the source only once a slot is free, so waiting requests hold no stream of the store. */
  render(open: () => Promise<Readable>, mime: string, spec: ThumbSpec): Promise<Buffer> {
    return this.slots.run(async () => {
      // Errors of the store (opening, reading) pass through as they are; sharp's become NotAnImageError.
      const source = await readAll(await open());
      // Loaded on first use: libvips costs ~30 MB of RSS that a server without thumbnails need not pay.
      const { default: sharp } = await import('sharp');
      try {
        // The header alone: metadata() decodes no pixels. Animations are decoded one frame (page) only.
        const meta = await sharp(source).metadata();
        const pixels = (meta.width ?? 0) * (meta.pageHeight ?? meta.height ?? 0);
        if (pixels > this.opts.maxPixels) throw new SourceTooLargeError(pixels);
        return await makeThumb(source, mime, spec, this.opts.maxPixels);
      } catch (err) {
        if (err instanceof SourceTooLargeError) throw err;
        throw new NotAnImageError((err as Error).message);
      }
    });
  }
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Makes the thumbnail of an image in the original's format (first frame of animations). */
export async function makeThumb(
  source: Buffer,
  mime: string,
  spec: ThumbSpec,
  maxPixels = 25_000_000,
): Promise<Buffer> {
  const { default: sharp } = await import('sharp');
  const image = sharp(source, { failOn: 'error', limitInputPixels: maxPixels }).rotate();
  if (spec.mode === 'scale') {
    image.resize(spec.width || null, spec.height || null);
  } else if (spec.mode === 'fit') {
    image.resize(spec.width, spec.height, { fit: 'inside' });
  } else {
    image.resize(spec.width, spec.height, {
      fit: 'cover',
      position: spec.mode === 'top' ? 'top' : spec.mode === 'bottom' ? 'bottom' : 'centre',
    });
  }
  return image.toFormat(OUTPUT[mime] ?? 'png').toBuffer();
}
