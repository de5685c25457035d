import type { FieldTypeModule } from './field-type.js';

/** json fields may nest at most this deep (PostgreSQL's jsonb parser recurses). */
export const MAX_JSON_DEPTH = 64;

/** Any JSON value, stored as jsonb; the only type whose empty value reads as null. */
export const jsonField: FieldTypeModule = {
  type: 'json',
  options: [],
  takesDefault: true,
  emptyStringIsNull: false,
  filterKind: 'json',
  sortable: true,
  multiValued: false,
  maxDepth: MAX_JSON_DEPTH,
  zero: null,
  uniqueProblem: () => 'json fields cannot be unique; remove "unique".',
  defaultProblem: () => null,
  columnType: () => 'jsonb',
  writeSchema: (f) => (f.required ? { not: { type: 'null' } } : {}),
  responseSchema: () => ({}),
  describe: () => 'Any JSON value.',
};
