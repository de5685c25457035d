import { isUuidText } from '@plinth/core';
import { isMultiple, type OnDelete } from '../schema/collection.types.js';
import { show } from '../schema/schema-issue.js';
import type { FieldTypeModule } from './field-type.js';
import { isRecordIdOf } from './id-field.js';
import { formatOrEmpty, listDefaultProblem, listable, maxSelectOf, nullable } from './field-helpers.js';
import { at, get } from './option-reader.js';

/** Ids a multi relation may hold: bounds what one record expands to and what filters through it read (issue 16). */
export const MAX_RELATION_SELECT = 1000;
const ON_DELETE: readonly OnDelete[] = ['cascade', 'restrict', 'set-null'];

const lower = (v: unknown): unknown => (typeof v === 'string' ? v.toLowerCase() : v);

/** One (or up to maxSelect) record ids of another collection (or this one). */
export const relationField: FieldTypeModule = {
  type: 'relation',
  options: ['collection', 'maxSelect', 'onDelete'],
  takesDefault: true,
  emptyStringIsNull: true,
  filterKind: 'uuid',
  sortable: true,
  multiValued: true,
  zero: '',
  formatError: 'must be a record id (a UUID)',

  readOptions(raw, field, { issues, path, resolveTarget }) {
    const target = issues.string(raw, 'collection', path);
    if (get(raw, 'collection') === undefined) {
      issues.add(
        at(path, 'collection'),
        'REQUIRED',
        'A relation field needs "collection": the name of the collection it points to.',
      );
    } else if (target !== undefined) {
      const resolved = resolveTarget(target);
      if (resolved === undefined) {
        issues.add(
          at(path, 'collection'),
          'RELATION_TARGET_NOT_FOUND',
          `There is no collection ${show(target)} to relate to; create it first or correct the name.`,
        );
      }
      field.collection = resolved ?? target;
    }
    field.maxSelect = issues.int(raw, 'maxSelect', path, 1, MAX_RELATION_SELECT) ?? 1;

    const onDelete = issues.string(raw, 'onDelete', path);
    if (onDelete !== undefined && !(ON_DELETE as readonly string[]).includes(onDelete)) {
      issues.add(
        at(path, 'onDelete'),
        'INVALID_VALUE',
        `Unknown onDelete ${show(onDelete)}; use "cascade", "restrict" or "set-null".`,
      );
      return;
    }
    if (onDelete === 'set-null' && field.required) {
      issues.add(
        at(path, 'onDelete'),
        'ON_DELETE_CONFLICT',
        'A required relation cannot be cleared when its target is deleted; use "cascade" or "restrict", or make the field optional.',
      );
    }
    // Without a choice, a required relation blocks the delete (PocketBase's behaviour) rather than breaking "required".
    field.onDelete = (onDelete as OnDelete | undefined) ?? (field.required ? 'restrict' : 'set-null');
  },

  // A default holds ids of the target collection: UUIDs, or text ids when the target has them.
  defaultProblem(field, value, ctx) {
    const idType = field.collection && ctx ? ctx.idTypeOf(field.collection) : 'uuid';
    return idType === 'text'
      ? listDefaultProblem(
          field,
          value,
          (item) => isRecordIdOf('text', item),
          'a record id of the related collection',
        )
      : listDefaultProblem(field, value, (item) => isUuidText(item), 'a record id (a UUID)');
  },

  columnType: listable('uuid'),
  itemSchema: () => ({ type: 'string', format: 'uuid' }),
  writeSchema: (f) => ({ type: nullable(f, 'string'), format: 'uuid' }),
  responseSchema: () => formatOrEmpty('uuid'),
  describe(f) {
    const target = f.collection ? ` of the "${f.collection}" collection` : '';
    return isMultiple(f) ? `Up to ${maxSelectOf(f)} distinct record ids${target}.` : `A record id${target}.`;
  },
  annotations: (f) => ({
    ...(f.collection ? { 'x-plinth-collection': f.collection } : {}),
    'x-plinth-max-select': isMultiple(f) ? (f.maxSelect ?? 1) : 1,
  }),

  // Ids are compared as uuids; the lower-case text is what answers show.
  coerceValue: (_f, value) => lower(value),
};
