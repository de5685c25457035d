import { randomBytes } from 'node:crypto';

/** Longest sanitised base of a stored name (before the random suffix and the extension). */
export const MAX_BASE_LENGTH = 60;
const SUFFIX_LENGTH = 10;
const SUFFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A stored name as the server (or PocketBase, whose random part is mixed-case) makes them: `<base>_<10 random>[.<ext>]`, ASCII only. */
export const STORED_NAME = /^[a-z0-9][a-z0-9_-]{0,59}_[A-Za-z0-9]{10}(?:\.[a-z0-9]{1,10})?$/;

/**
 * The original name reduced to a safe base: the last path segment only, accents folded, anything
 * but ASCII letters, digits, `-` and `_` becomes `_`, lower case, at most 60 characters. Never empty
 * (falls back to `file`), never `.`/`..`, never holds a separator or NUL.
 */
export function sanitizeBaseName(original: string): string {
  const last = original.split(/[/\\]/).pop() ?? '';
  const dot = last.lastIndexOf('.');
  const stem = dot > 0 ? last.slice(0, dot) : last;
  const folded = stem
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^[_-]+|[_-]+$/g, '')
    .slice(0, MAX_BASE_LENGTH)
    .replace(/[_-]+$/g, '');
  return folded || 'file';
}

/** The extension of `original` (lower case, 1-10 letters or digits), or '' when it has none that is safe. */
export function extensionOf(original: string): string {
  const last = original.split(/[/\\]/).pop() ?? '';
  const dot = last.lastIndexOf('.');
  if (dot <= 0) return '';
  const ext = last
    .slice(dot + 1)
    .normalize('NFKD')
    .toLowerCase();
  return /^[a-z0-9]{1,10}$/.test(ext) ? ext : '';
}

function randomSuffix(): string {
  const bytes = randomBytes(SUFFIX_LENGTH);
  let out = '';
  // 256 % 36 bias is irrelevant here: the suffix only has to make names unguessable enough to not collide.
  for (const b of bytes) out += SUFFIX_ALPHABET[b % SUFFIX_ALPHABET.length];
  return out;
}

/** A fresh stored name for an upload: sanitised base + `_` + random suffix + `.ext` (when there is one). */
export function storedName(original: string, ext: string): string {
  const safeExt = /^[a-z0-9]{1,10}$/.test(ext) ? `.${ext}` : '';
  return `${sanitizeBaseName(original)}_${randomSuffix()}${safeExt}`;
}

/** Whether `name` can be a stored name (what the server generates): the download route refuses anything else. */
export const isStoredName = (name: string): boolean => STORED_NAME.test(name);

const MIME_BY_EXT: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  bmp: 'image/bmp',
  ico: 'image/x-icon',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  heic: 'image/heic',
  svg: 'image/svg+xml',
  pdf: 'application/pdf',
  txt: 'text/plain',
  csv: 'text/csv',
  md: 'text/markdown',
  json: 'application/json',
  xml: 'application/xml',
  html: 'text/html',
  htm: 'text/html',
  xhtml: 'application/xhtml+xml',
  js: 'text/javascript',
  mjs: 'text/javascript',
  css: 'text/css',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  m4a: 'audio/mp4',
  flac: 'audio/flac',
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  webm: 'video/webm',
  mov: 'video/quicktime',
  zip: 'application/zip',
  gz: 'application/gzip',
  tar: 'application/x-tar',
  '7z': 'application/x-7z-compressed',
  rar: 'application/vnd.rar',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text',
  woff: 'font/woff',
  woff2: 'font/woff2',
  ttf: 'font/ttf',
  otf: 'font/otf',
  wasm: 'application/wasm',
};

/** The MIME type a stored file is served with, from its (server-chosen) extension. */
export function mimeOfName(name: string): string {
  return MIME_BY_EXT[extensionOf(name)] ?? 'application/octet-stream';
}

/**
 * Text formats that carry no magic bytes, so file-type cannot tell them: for these (and only these)
 * the original name's extension decides the type. Anything binary must prove its type by its bytes.
 */
const TEXT_TYPES = new Set([
  'text/plain',
  'text/csv',
  'text/markdown',
  'application/json',
  'application/xml',
  'image/svg+xml',
  'text/html',
  'application/xhtml+xml',
  'text/javascript',
  'text/css',
]);

/**
 * The type and extension an upload is stored with: what its bytes say when file-type recognises them;
 * otherwise the original name's type when that is a text format; otherwise `application/octet-stream`
 * with no extension. The client's declared Content-Type is never trusted.
 */
export function effectiveType(
  original: string,
  detected: { mime: string; ext: string } | undefined,
): { mime: string; ext: string } {
  if (detected) {
    const ext = detected.ext.toLowerCase();
    return { mime: detected.mime, ext: MIME_BY_EXT[ext] ? ext : '' };
  }
  const ext = extensionOf(original);
  const mime = MIME_BY_EXT[ext];
  if (mime && TEXT_TYPES.has(mime)) return { mime, ext };
  return { mime: 'application/octet-stream', ext: '' };
}

/** Types a browser may render inline without running anything of the file's author. */
const INLINE_SAFE =
  /^(image\/(png|jpeg|gif|webp|avif|bmp|x-icon|tiff|heic)|audio\/.+|video\/.+|text\/plain|text\/csv)$/;

/**
 * No script, plugin, form or same-origin access for whatever a browser renders of a stored file
 * (PocketBase's policy: a top-level image or video document needs its inline styles and its media).
 */
const FILE_CSP = "default-src 'none'; media-src 'self'; style-src 'unsafe-inline'";

/** How a stored file is served: the Content-Disposition kind and the Content-Security-Policy. */
export function servingPolicy(
  mime: string,
  field: { inlinePdf?: boolean },
): { disposition: 'inline' | 'attachment'; csp: string } {
  // Browsers refuse to run their PDF viewer in a sandboxed document, so an inline PDF goes unsandboxed
  // (the viewer runs the PDF's scripts apart from the origin); that is why it is a field's choice.
  if (mime === 'application/pdf' && field.inlinePdf) return { disposition: 'inline', csp: FILE_CSP };
  // HTML, SVG, XML, scripts, PDFs and anything unknown are downloads, never rendered on this origin.
  return { disposition: INLINE_SAFE.test(mime) ? 'inline' : 'attachment', csp: `${FILE_CSP}; sandbox` };
}

/** Images sharp can read and write thumbnails of. */
export const THUMBABLE = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/avif',
  'image/tiff',
]);
