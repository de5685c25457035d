import type { FieldTypeModule } from './field-type.js';
import { nullable, wrongDefault } from './field-helpers.js';

/** true or false. */
export const boolField: FieldTypeModule = {
  type: 'bool',
  options: [],
  takesDefault: true,
  emptyStringIsNull: false,
  filterKind: 'bool',
  sortable: true,
  multiValued: false,
  zero: false,
  defaultProblem: (field, value) =>
    typeof value === 'boolean' ? null : wrongDefault(field, value, 'true or false'),
  columnType: () => 'boolean',
  writeSchema: (f) => ({ type: nullable(f, 'boolean') }),
  responseSchema: () => ({ type: 'boolean' }),
  describe: () => 'true or false.',
};
