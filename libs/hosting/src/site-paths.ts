/**
 * Paths of a site: the checks a deploy manifest's paths pass, the decoding of request paths, content
 * types and cache lifetimes. Plain functions, no Nest, no I/O.
 */

/** Longest path a manifest may name, and longest segment (most file systems' name limit). */
export const MAX_PATH_LENGTH = 1024;
export const MAX_SEGMENT_LENGTH = 255;

/**
 * Why a manifest path cannot be part of a site (undefined when it can). A path is relative and
 * `/`-separated; no `.`/`..`/empty segments, backslashes, NUL or other control characters.
 */
export function manifestPathProblem(path: string): string | undefined {
  if (path.length === 0) return 'is empty';
  if (path.length > MAX_PATH_LENGTH) return `is longer than ${MAX_PATH_LENGTH} characters`;
  if (path.startsWith('/')) return 'must be relative to the deploy root (no leading "/")';
  if (/^[A-Za-z]:/.test(path)) return 'must be relative to the deploy root (no drive letter)';
  if (path.includes('\\')) return 'must use "/" between folders, not "\\"';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'must not contain NUL or other control characters';
  for (const segment of path.split('/')) {
    if (segment === '') return 'must not contain empty segments ("//" or a trailing "/")';
    if (segment === '.' || segment === '..') return 'must not contain "." or ".." segments';
    if (Buffer.byteLength(segment) > MAX_SEGMENT_LENGTH)
      return `has a name longer than ${MAX_SEGMENT_LENGTH} bytes`;
  }
  return undefined;
}

/**
 * The site path a request URL names, decoded (`/a%20b/` → `a b/`), or undefined when it cannot name
 * a file of a site: malformed percent-encoding, encoded slashes or backslashes, NUL, `.`/`..`
 * segments (raw or encoded), or longer than any manifest path. The leading `/` is removed; a trailing
 * `/` is kept (a folder).
 */
export function decodeRequestPath(rawPath: string): string | undefined {
  if (rawPath.length > MAX_PATH_LENGTH * 3 + 1 || !rawPath.startsWith('/')) return undefined;
  const segments = rawPath.slice(1).split('/');
  const out: string[] = [];
  for (const [i, raw] of segments.entries()) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    // eslint-disable-next-line no-control-regex
    if (/[/\\\u0000-\u001f\u007f]/.test(segment)) return undefined;
    if (segment === '.' || segment === '..') return undefined;
    if (segment === '' && i !== segments.length - 1) return undefined;
    out.push(segment);
  }
  const path = out.join('/');
  return path.length > MAX_PATH_LENGTH ? undefined : path;
}

/** The extension of a path's last segment, lower case, with its dot ('' when none). */
export function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot).toLowerCase() : '';
}

const TEXT = '; charset=utf-8';
const TYPES: Record<string, string> = {
  '.html': 'text/html' + TEXT,
  '.htm': 'text/html' + TEXT,
  '.css': 'text/css' + TEXT,
  '.js': 'text/javascript' + TEXT,
  '.mjs': 'text/javascript' + TEXT,
  '.cjs': 'text/javascript' + TEXT,
  '.json': 'application/json' + TEXT,
  '.map': 'application/json' + TEXT,
  '.webmanifest': 'application/manifest+json' + TEXT,
  '.txt': 'text/plain' + TEXT,
  '.md': 'text/markdown' + TEXT,
  '.csv': 'text/csv' + TEXT,
  '.xml': 'application/xml' + TEXT,
  '.rss': 'application/rss+xml' + TEXT,
  '.atom': 'application/atom+xml' + TEXT,
  '.svg': 'image/svg+xml' + TEXT,
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.bmp': 'image/bmp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.eot': 'application/vnd.ms-fontobject',
  '.wasm': 'application/wasm',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.ogg': 'audio/ogg',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
  '.m4a': 'audio/mp4',
  '.vtt': 'text/vtt' + TEXT,
};

export function contentTypeOf(path: string): string {
  return TYPES[extensionOf(path)] ?? 'application/octet-stream';
}

/** Types worth compressing on the fly (text, scripts, JSON, SVG, WebAssembly). */
export function isCompressible(path: string): boolean {
  const type = contentTypeOf(path);
  return /^text\/|javascript|json|xml|svg|wasm/.test(type);
}

export const isHtml = (path: string): boolean => /\.html?$/i.test(path);

/**
 * Whether a file name carries a content hash (bundlers' `index-BXk2f9aQ.js`, `main.3f2a9c1b.css`,
 * `chunk.5d41402abc4b2a76.js`): a `.`/`-` separated token of 8+ letters and digits that mixes digits
 * or cases, right before the extension. Such a file never changes under its name: cached for a year.
 */
export function isHashedName(path: string): boolean {
  if (isHtml(path)) return false;
  const name = path.slice(path.lastIndexOf('/') + 1);
  const m = /[.-]([A-Za-z0-9_]{8,64})\.[A-Za-z0-9]+(?:\.map)?$/.exec(name);
  if (!m) return false;
  const token = m[1]!;
  return /\d/.test(token) || (/[a-z]/.test(token) && /[A-Z]/.test(token));
}

export const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Cache-Control of a site file: hashed names for a year, everything else revalidated (ETag) each time. */
export function cacheControlOf(path: string): string {
  return isHashedName(path) ? IMMUTABLE : 'no-cache';
}
