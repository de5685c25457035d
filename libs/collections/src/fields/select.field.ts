import { isMultiple } from '../schema/collection.types.js';
import { show } from '../schema/schema-issue.js';
import type { FieldTypeModule } from './field-type.js';
import { listDefaultProblem, listable, maxSelectOf, nullable, quoteList } from './field-helpers.js';
import { at, get } from './option-reader.js';

export const MAX_SELECT_VALUES = 100;
export const MAX_SELECT_VALUE_LENGTH = 200;

/** One (or up to maxSelect) of a fixed list of values. */
export const selectField: FieldTypeModule = {
  type: 'select',
  options: ['values', 'maxSelect'],
  takesDefault: true,
  emptyStringIsNull: true,
  filterKind: 'text',
  sortable: true,
  multiValued: true,
  zero: '',

  readOptions(raw, field, { issues, path }) {
    const values = issues.stringList(raw, 'values', path, { min: 1, max: MAX_SELECT_VALUES }, (item) =>
      item.length === 0 || item.length > MAX_SELECT_VALUE_LENGTH
        ? [
            'OUT_OF_RANGE',
            `Each value must be 1 to ${MAX_SELECT_VALUE_LENGTH} characters long; ${show(item)} has ${item.length}.`,
          ]
        : null,
    );
    if (get(raw, 'values') === undefined) {
      issues.add(
        at(path, 'values'),
        'REQUIRED',
        'A select field needs "values": the list of allowed choices.',
      );
    }
    field.values = values ?? [];
    field.maxSelect = issues.int(raw, 'maxSelect', path, 1) ?? 1;
  },

  defaultProblem: (field, value) =>
    listDefaultProblem(field, value, (item) => (field.values ?? []).includes(item), 'one of "values"'),

  columnType: listable('text'),
  itemSchema: (f) => ({ type: 'string', enum: [...(f.values ?? [])] }),
  writeSchema(f) {
    const values: unknown[] = [...(f.values ?? [])];
    return { type: nullable(f, 'string'), enum: f.required ? values : [...values, null] };
  },
  responseSchema: (f) => ({ type: 'string', enum: [...(f.values ?? []), ''] }),
  describe: (f) =>
    isMultiple(f)
      ? `Up to ${maxSelectOf(f)} distinct values out of ${quoteList(f.values ?? [])}.`
      : `One of ${quoteList(f.values ?? [])}.`,
  annotations: (f) => ({ 'x-plinth-max-select': isMultiple(f) ? (f.maxSelect ?? 1) : 1 }),
};
