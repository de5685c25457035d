import { show } from '../schema/schema-issue.js';
import type { FieldTypeModule } from './field-type.js';
import { formatOrEmpty, nullable, wrongDefault } from './field-helpers.js';
import { normalizeDate, parseDateValue } from './parse-date.js';

/** PocketBase's date forms besides RFC 3339: `2024-01-31` and `2024-01-31 10:00:00(.123)Z`. */
export const DATE_PATTERN = '^\\d{4}-\\d{2}-\\d{2}(?: \\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?Z)?$';

export const DATE_FORMAT_ERROR = 'must be a date-time like 2024-01-31T10:00:00Z, or a date like 2024-01-31';

/** A point in time, stored as timestamptz and answered in UTC. */
export const dateField: FieldTypeModule = {
  type: 'date',
  options: [],
  takesDefault: true,
  emptyStringIsNull: true,
  filterKind: 'date',
  sortable: true,
  multiValued: false,
  zero: '',
  formatError: DATE_FORMAT_ERROR,

  // The default goes through the parser record values go through: a default that exists only by
  // rolling over (2024-02-30) would make every create that omits the field fail.
  defaultProblem(field, value) {
    if (typeof value !== 'string') return wrongDefault(field, value, 'an ISO 8601 date string');
    return parseDateValue(value)
      ? null
      : `The default ${show(value)} is not an ISO 8601 date such as "2025-01-31T12:00:00Z".`;
  },

  columnType: () => 'timestamptz',
  writeSchema: (f) => ({
    type: nullable(f, 'string'),
    anyOf: [{ format: 'date-time' }, { pattern: DATE_PATTERN }],
  }),
  responseSchema: () => formatOrEmpty('date-time'),
  describe: (_f, mode) =>
    mode === 'write'
      ? 'A date-time (RFC 3339, e.g. 2024-01-31T10:00:00Z), or 2024-01-31, or 2024-01-31 10:00:00Z; stored in UTC.'
      : 'A date-time in UTC (RFC 3339).',

  checkValue: (_f, value) =>
    typeof value === 'string' && normalizeDate(value) === null
      ? { code: 'INVALID_FORMAT', message: 'must be a real date between the years 0001 and 9999' }
      : null,
  coerceValue: (_f, value) => (typeof value === 'string' ? normalizeDate(value) : value),
};
