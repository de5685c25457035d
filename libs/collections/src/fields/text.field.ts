import type { FieldDef } from '../schema/collection.types.js';
import type { FieldTypeModule } from './field-type.js';
import { checkRange, count, nullable, range, wrongDefault } from './field-helpers.js';
import type { JSONSchema } from './json-schema.js';
import { at } from './option-reader.js';
import { readSearchOptions, readTrigramOption, SEARCH_OPTIONS } from './search-options.js';

export const MAX_PATTERN_LENGTH = 512;

function writeSchema(f: FieldDef): JSONSchema {
  const min = count(f.min) ?? 0;
  const max = count(f.max);
  const s: JSONSchema = { type: nullable(f, 'string') };
  if (max !== undefined) s.maxLength = max;
  if (f.required) {
    s.minLength = Math.max(1, min);
    if (f.pattern) s.pattern = f.pattern;
  } else if (min > 0 || f.pattern) {
    // An optional text may always be empty ('' or null); min and pattern apply to non-empty values.
    const then: JSONSchema = {};
    if (min > 0) then.minLength = min;
    if (f.pattern) then.pattern = f.pattern;
    s.if = { type: 'string', minLength: 1 };
    s.then = then;
  }
  return s;
}

/** Plain text with optional length limits and a pattern. */
export const textField: FieldTypeModule = {
  type: 'text',
  options: ['min', 'max', 'pattern', ...SEARCH_OPTIONS, 'trigram'],
  takesDefault: true,
  emptyStringIsNull: false,
  filterKind: 'text',
  sortable: true,
  multiValued: false,
  zero: '',

  readOptions(raw, field, ctx) {
    const { issues, path } = ctx;
    readSearchOptions(raw, field, ctx);
    readTrigramOption(raw, field, ctx);
    const min = issues.int(raw, 'min', path, 0);
    const max = issues.int(raw, 'max', path, 0);
    checkRange(min, max, path, issues);
    if (min !== undefined) field.min = min;
    if (max !== undefined) field.max = max;
    const pattern = issues.string(raw, 'pattern', path);
    if (pattern === undefined || pattern === '') return;
    if (pattern.length > MAX_PATTERN_LENGTH) {
      issues.add(
        at(path, 'pattern'),
        'OUT_OF_RANGE',
        `"pattern" is ${pattern.length} characters long; at most ${MAX_PATTERN_LENGTH} are allowed.`,
      );
      return;
    }
    // Record validation may compile it in unicode mode (as ajv does), so it must compile both ways.
    for (const flags of ['', 'u']) {
      try {
        new RegExp(pattern, flags);
      } catch (error) {
        const reason = String((error as Error).message).replace(/^.*: /, '');
        issues.add(
          at(path, 'pattern'),
          'INVALID_PATTERN',
          `"pattern" is not a valid JavaScript regular expression${flags ? ' in unicode mode' : ''} (${reason}); correct it or remove it.`,
        );
        return;
      }
    }
    field.pattern = pattern;
  },

  defaultProblem(field, value) {
    if (typeof value !== 'string') return wrongDefault(field, value, 'a string');
    const length = [...value].length;
    if (field.min !== undefined && length < field.min)
      return `The default is ${length} characters long, shorter than "min" (${field.min}).`;
    if (field.max !== undefined && length > field.max)
      return `The default is ${length} characters long, longer than "max" (${field.max}).`;
    if (field.pattern !== undefined && !new RegExp(field.pattern, 'u').test(value))
      return 'The default does not match "pattern".';
    return null;
  },

  columnType: () => 'text',
  writeSchema,
  responseSchema: () => ({ type: 'string' }),

  describe(f, mode) {
    const parts = ['Text.'];
    if (mode === 'write') {
      const min = count(f.min);
      const r = range(f.required ? Math.max(1, min ?? 0) : min, count(f.max), ' characters');
      if (r) parts.push(`${r[0]!.toUpperCase()}${r.slice(1)}${f.required ? '' : ' when not empty'}.`);
      if (f.pattern)
        parts.push(`Must match the regular expression /${f.pattern}/${f.required ? '' : ' when not empty'}.`);
    }
    return parts.join(' ');
  },
};
