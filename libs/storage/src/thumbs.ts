import type { Readable } from 'node:stream';

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

/** Makes the thumbnail of an image stream in the original's format (first frame of animations). */
export async function makeThumb(source: Readable, mime: string, spec: ThumbSpec): Promise<Buffer> {
  // Loaded on first use: libvips costs ~30 MB of RSS that a server without thumbnails need not pay.
  const { default: sharp } = await import('sharp');
  const image = sharp({ failOn: 'error', limitInputPixels: 100_000_000 }).rotate();
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
  image.toFormat(OUTPUT[mime] ?? 'png');
  const done = image.toBuffer();
  source.on('error', (err) => image.destroy(err));
  source.pipe(image);
  return done;
}
