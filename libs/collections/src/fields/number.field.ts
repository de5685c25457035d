import type { FieldTypeModule } from './field-type.js';
import { bound, checkRange, nullable, range, wrongDefault } from './field-helpers.js';
import type { JSONSchema } from './json-schema.js';

/** A double-precision number, optionally whole and within min/max. */
export const numberField: FieldTypeModule = {
  type: 'number',
  options: ['min', 'max', 'onlyInt'],
  takesDefault: true,
  emptyStringIsNull: false,
  filterKind: 'number',
  sortable: true,
  multiValued: false,
  zero: 0,

  readOptions(raw, field, { issues, path }) {
    const min = issues.number(raw, 'min', path);
    const max = issues.number(raw, 'max', path);
    checkRange(min, max, path, issues);
    if (min !== undefined) field.min = min;
    if (max !== undefined) field.max = max;
    field.onlyInt = issues.bool(raw, 'onlyInt', path) ?? false;
  },

  defaultProblem(field, value) {
    if (typeof value !== 'number') return wrongDefault(field, value, 'a number');
    if (field.onlyInt && !Number.isInteger(value))
      return `The default ${value} is not a whole number ("onlyInt").`;
    if (field.min !== undefined && value < field.min)
      return `The default ${value} is below "min" (${field.min}).`;
    if (field.max !== undefined && value > field.max)
      return `The default ${value} is above "max" (${field.max}).`;
    return null;
  },

  columnType: () => 'double precision',

  writeSchema(f) {
    const s: JSONSchema = { type: nullable(f, f.onlyInt ? 'integer' : 'number') };
    const min = bound(f.min);
    const max = bound(f.max);
    if (min !== undefined) s.minimum = min;
    if (max !== undefined) s.maximum = max;
    return s;
  },
  responseSchema: (f) => ({ type: f.onlyInt ? 'integer' : 'number' }),

  describe(f, mode) {
    const parts = [f.onlyInt ? 'An integer.' : 'A number.'];
    const r = range(bound(f.min), bound(f.max), '');
    if (mode === 'write' && r) parts.push(`Range: ${r}.`);
    return parts.join(' ');
  },

  checkValue: (_f, value) =>
    typeof value === 'number' && !Number.isFinite(value)
      ? { code: 'INVALID_VALUE', message: 'must be a finite number' }
      : null,
};
