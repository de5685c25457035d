import sanitizeHtml from 'sanitize-html';
import type { FieldTypeModule } from './field-type.js';
import { nullable, wrongDefault } from './field-helpers.js';
import type { JSONSchema } from './json-schema.js';
import { readSearchOptions, SEARCH_OPTIONS } from './search-options.js';

/** PocketBase's default limit of an editor value (5 MiB). */
export const DEFAULT_EDITOR_MAX_SIZE = 5 * 1024 * 1024;

/**
 * Rich text as its editors write it: the library's safe defaults (no script, style, iframe,
 * event handlers or javascript: links) plus images and a few layout tags.
 */
const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [...sanitizeHtml.defaults.allowedTags, 'img', 'figure', 'figcaption', 'span', 'del', 'ins'],
  allowedAttributes: {
    ...sanitizeHtml.defaults.allowedAttributes,
    img: ['src', 'srcset', 'alt', 'title', 'width', 'height', 'loading'],
    '*': ['class', 'title', 'lang', 'dir'],
  },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesByTag: { img: ['http', 'https', 'data'] },
};

/** Stored HTML: what a browser may render without running anything a client sent. */
export const sanitizeEditorHtml = (html: string): string => sanitizeHtml(html, SANITIZE);

const sizeOf = (text: string): number => Buffer.byteLength(text, 'utf8');
const maxSizeOf = (f: { maxSize?: number }): number => f.maxSize ?? DEFAULT_EDITOR_MAX_SIZE;

/** PocketBase's `editor`: HTML from a rich text editor, sanitised on every write. */
export const editorField: FieldTypeModule = {
  type: 'editor',
  options: ['maxSize', 'convertURLs', ...SEARCH_OPTIONS],
  takesDefault: true,
  emptyStringIsNull: false,
  filterKind: 'text',
  sortable: true,
  multiValued: false,
  zero: '',

  readOptions(raw, field, ctx) {
    const { issues, path } = ctx;
    readSearchOptions(raw, field, ctx);
    field.maxSize = issues.int(raw, 'maxSize', path, 1) ?? DEFAULT_EDITOR_MAX_SIZE;
    // Kept for PocketBase's dashboard editor (relative or absolute links); the server does not use it.
    field.convertURLs = issues.bool(raw, 'convertURLs', path) ?? false;
  },

  defaultProblem(field, value) {
    if (typeof value !== 'string') return wrongDefault(field, value, 'a string of HTML');
    const size = sizeOf(value);
    return size > maxSizeOf(field)
      ? `The default is ${size} bytes, more than "maxSize" (${maxSizeOf(field)}).`
      : null;
  },

  columnType: () => 'text',
  writeSchema(f) {
    const s: JSONSchema = { type: nullable(f, 'string'), contentMediaType: 'text/html' };
    if (f.required) s.minLength = 1;
    return s;
  },
  responseSchema: () => ({ type: 'string', contentMediaType: 'text/html' }),
  describe: (f, mode) =>
    mode === 'write'
      ? `HTML, at most ${maxSizeOf(f)} bytes; sanitised on write (scripts, styles, frames, event handlers and javascript: links are removed).`
      : 'Sanitised HTML.',

  checkValue(f, value) {
    if (typeof value !== 'string' || sizeOf(value) <= maxSizeOf(f)) return null;
    return { code: 'TOO_LONG', message: `must be at most ${maxSizeOf(f)} bytes` };
  },
  coerceValue: (_f, value) => (typeof value === 'string' ? sanitizeEditorHtml(value) : value),
};
