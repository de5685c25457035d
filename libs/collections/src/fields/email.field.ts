import { show } from '../schema/schema-issue.js';
import type { FieldTypeModule } from './field-type.js';
import { readSearchOptions, SEARCH_OPTIONS } from './search-options.js';
import { formatOrEmpty, nullable, wrongDefault } from './field-helpers.js';

/** What a default must look like; values are checked by ajv's `email` format. */
const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** An email address. */
export const emailField: FieldTypeModule = {
  type: 'email',
  options: [...SEARCH_OPTIONS],
  readOptions: readSearchOptions,
  takesDefault: true,
  emptyStringIsNull: true,
  filterKind: 'text',
  sortable: true,
  multiValued: false,
  zero: '',
  formatError: 'must be a valid email address',
  defaultProblem(field, value) {
    if (typeof value !== 'string') return wrongDefault(field, value, 'a string');
    return EMAIL.test(value) ? null : `The default ${show(value)} is not an email address.`;
  },
  columnType: () => 'text',
  writeSchema: (f) => ({ type: nullable(f, 'string'), format: 'email' }),
  responseSchema: () => formatOrEmpty('email'),
  describe: () => 'An email address.',
};
