import { at } from './option-reader.js';
import type { FieldTypeModule } from './field-type.js';
import { formatOrEmpty } from './field-helpers.js';

/**
 * PocketBase's `autodate`: a date the server sets when the record is created (`onCreate`) and/or
 * updated (`onUpdate`). Clients cannot write it; values they send are ignored, as PocketBase does.
 */
export const autodateField: FieldTypeModule = {
  type: 'autodate',
  options: ['onCreate', 'onUpdate'],
  takesDefault: false,
  emptyStringIsNull: true,
  filterKind: 'date',
  sortable: true,
  multiValued: false,
  zero: '',

  readOptions(raw, field, { issues, path }) {
    field.onCreate = issues.bool(raw, 'onCreate', path) ?? true;
    field.onUpdate = issues.bool(raw, 'onUpdate', path) ?? false;
    if (!field.onCreate && !field.onUpdate) {
      issues.add(
        at(path, 'onCreate'),
        'INVALID_VALUE',
        'An autodate field must be set on create, on update, or both; set "onCreate" or "onUpdate" to true.',
      );
    }
    if (field.required) {
      issues.add(
        at(path, 'required'),
        'OPTION_NOT_ALLOWED',
        'An autodate field is set by the server, so it cannot be required; remove "required".',
      );
    }
  },
  defaultProblem: () => 'autodate fields cannot have a default value.',

  columnType: () => 'timestamptz',
  writeSchema: () => ({}),
  responseSchema: () => ({ ...formatOrEmpty('date-time'), readOnly: true }),
  describe(f) {
    const when = [f.onCreate ? 'created' : '', f.onUpdate ? 'updated' : ''].filter(Boolean).join(' and ');
    return `A date-time in UTC set by the server when the record is ${when}; values sent by clients are ignored.`;
  },

  serverValue(f, op, now) {
    const set = op === 'create' ? f.onCreate : f.onUpdate;
    return set ? now.toISOString() : undefined;
  },
};
