import { isMultiple } from '../schema/collection.types.js';
import { show } from '../schema/schema-issue.js';
import type { FieldTypeModule } from './field-type.js';
import { listable, maxSelectOf, nullable } from './field-helpers.js';

export const MAX_THUMB_SIDE = 2000;
/** Longest mimeTypes / thumbs list. */
export const MAX_FILE_OPTION_ITEMS = 100;
export const DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024;

const MIME_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;
/** PocketBase's thumbnail sizes: `WxH` (centre crop), `WxHt`/`WxHb` (top/bottom crop), `WxHf` (fit), `0xH`/`Wx0` (scale). */
const THUMB = /^(0|[1-9][0-9]{0,3})x(0|[1-9][0-9]{0,3})([tbf]?)$/;

/** One (or up to maxSelect) stored file names; the bytes live in the storage lib. */
export const fileField: FieldTypeModule = {
  type: 'file',
  options: ['maxSelect', 'maxSize', 'mimeTypes', 'thumbs', 'protected', 'inlinePdf'],
  takesDefault: false,
  emptyStringIsNull: true,
  filterKind: 'text',
  sortable: true,
  multiValued: true,
  zero: '',

  readOptions(raw, field, { issues, path }) {
    field.maxSelect = issues.int(raw, 'maxSelect', path, 1) ?? 1;
    field.maxSize = issues.int(raw, 'maxSize', path, 1) ?? DEFAULT_MAX_FILE_SIZE;
    const limits = { min: 0, max: MAX_FILE_OPTION_ITEMS };
    field.mimeTypes =
      issues.stringList(raw, 'mimeTypes', path, limits, (item) =>
        MIME_TYPE.test(item)
          ? null
          : [
              'INVALID_VALUE',
              `${show(item)} is not a MIME type; write it as type/subtype, e.g. "image/png".`,
            ],
      ) ?? [];
    field.thumbs =
      issues.stringList(raw, 'thumbs', path, limits, (item) => {
        const m = THUMB.exec(item);
        const [w, h] = [Number(m?.[1]), Number(m?.[2])];
        const zero = w === 0 || h === 0;
        if (m && w <= MAX_THUMB_SIDE && h <= MAX_THUMB_SIDE && !(w === 0 && h === 0) && !(zero && m[3]))
          return null;
        return [
          'INVALID_VALUE',
          `${show(item)} is not a thumbnail size; write WIDTHxHEIGHT with each side from 1 to ${MAX_THUMB_SIDE}, e.g. "100x100" (a t, b or f suffix crops from the top, the bottom or fits inside; 0 for one side keeps the aspect ratio).`,
        ];
      }) ?? [];
    field.protected = issues.bool(raw, 'protected', path) ?? false;
    field.inlinePdf = issues.bool(raw, 'inlinePdf', path) ?? false;
  },

  defaultProblem: () => 'file fields cannot have a default value.',

  columnType: listable('text'),
  itemSchema: () => ({ type: 'string', minLength: 1 }),
  writeSchema: (f) => ({ type: nullable(f, 'string') }),
  responseSchema: () => ({ type: 'string' }),
  describe: (f) =>
    isMultiple(f)
      ? `Up to ${maxSelectOf(f)} file names (upload files with multipart/form-data).`
      : 'A file name (upload files with multipart/form-data).',
  annotations: (f) => ({ 'x-plinth-max-select': isMultiple(f) ? (f.maxSelect ?? 1) : 1 }),
};
