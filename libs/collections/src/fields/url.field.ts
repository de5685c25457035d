import { show } from '../schema/schema-issue.js';
import type { FieldTypeModule } from './field-type.js';
import { formatOrEmpty, nullable, wrongDefault } from './field-helpers.js';

/** url fields: http(s) only, with a host. */
export const URL_PATTERN = '^https?://[^\\s/?#]+';

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** An http:// or https:// URL. */
export const urlField: FieldTypeModule = {
  type: 'url',
  options: [],
  takesDefault: true,
  emptyStringIsNull: true,
  filterKind: 'text',
  sortable: true,
  multiValued: false,
  zero: '',
  formatError: 'must be a valid http:// or https:// URL',
  defaultProblem(field, value) {
    if (typeof value !== 'string') return wrongDefault(field, value, 'a string');
    return isHttpUrl(value) ? null : `The default ${show(value)} is not an http(s) URL.`;
  },
  columnType: () => 'text',
  writeSchema: (f) => ({ type: nullable(f, 'string'), format: 'uri', pattern: URL_PATTERN }),
  responseSchema: () => formatOrEmpty('uri'),
  describe: () => 'An http:// or https:// URL.',
};
