import { FIELD_TYPES, MAX_RELATION_SELECT } from '@plinth/collections';
import type { PbCollection } from './pb-reader.js';

/** One line of the report: what happened to a setting, field, rule or option, and why. */
export interface ImportNote {
  kind: 'mapped' | 'limited' | 'skipped';
  what: string;
  why: string;
}

/** How a PocketBase column's stored value becomes a Plinth column's value. */
export type ValueKind =
  'text' | 'number' | 'bool' | 'date' | 'json' | 'list' | 'relation' | 'relations' | 'geo';

export interface ColumnMap {
  /** The column in PocketBase's table and in Plinth's (field names are kept). */
  name: string;
  kind: ValueKind;
}

/** PocketBase field keys every field has that carry nothing for Plinth. */
const IGNORED_KEYS = new Set(['id', 'name', 'type', 'system', 'help', 'presentable', 'hidden', 'required']);

/** The keys Plinth keeps per PocketBase field type (same name and meaning). */
const KEPT: Record<string, string[]> = {
  text: ['pattern'],
  editor: [],
  number: ['onlyInt'],
  bool: [],
  email: [],
  url: [],
  date: [],
  select: ['values', 'maxSelect'],
  json: [],
  relation: ['maxSelect'],
  file: ['maxSelect', 'maxSize', 'mimeTypes', 'thumbs', 'protected'],
  geoPoint: [],
};

/** A PocketBase option's value that means "not set" (nothing is lost by dropping it). */
function unset(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    value === '' ||
    value === 0 ||
    value === false ||
    (Array.isArray(value) && value.length === 0)
  );
}

export interface FieldMapping {
  field?: Record<string, unknown>;
  column?: ColumnMap;
  notes: ImportNote[];
}

/**
 * One PocketBase field as a Plinth field definition (options flat on it), the column its values
 * are copied from, and a note for every option Plinth cannot keep.
 */
export function mapField(
  pbField: Record<string, unknown>,
  byId: Map<string, PbCollection>,
  uniqueColumns: Set<string>,
): FieldMapping {
  let raw = pbField;
  const name = String(raw.name);
  const type = String(raw.type);
  const notes: ImportNote[] = [];
  const limited = (what: string, why: string) =>
    notes.push({ kind: 'limited', what: `${name}.${what}`, why });
  const field: Record<string, unknown> = { name, type };
  if (raw.required === true) field.required = true;
  if (raw.hidden === true) field.hidden = true;
  const multiple = (Number(raw.maxSelect) || 1) > 1;
  if (uniqueColumns.has(name) && multiple)
    limited('unique', 'Plinth has no unique index over a field of several values.');
  else if (uniqueColumns.has(name)) field.unique = true;
  let kind: ValueKind = 'text';

  switch (type) {
    case 'text':
    case 'editor':
      field.type = 'text';
      if (type === 'editor') limited('type', 'editor is stored as a text field (the HTML is kept as it is).');
      if (typeof raw.min === 'number' && raw.min > 0) field.min = raw.min;
      if (typeof raw.max === 'number' && raw.max > 0) field.max = raw.max;
      if (!unset(raw.autogeneratePattern))
        limited('autogeneratePattern', 'Plinth does not generate text values; new records must send one.');
      break;
    case 'number':
      kind = 'number';
      if (typeof raw.min === 'number') field.min = raw.min;
      if (typeof raw.max === 'number') field.max = raw.max;
      break;
    case 'bool':
      kind = 'bool';
      break;
    case 'email':
    case 'url':
      for (const k of ['onlyDomains', 'exceptDomains'])
        if (!unset(raw[k])) limited(k, 'Plinth has no domain allow or deny lists.');
      break;
    case 'date':
      kind = 'date';
      for (const k of ['min', 'max']) if (!unset(raw[k])) limited(k, 'Plinth has no date bounds.');
      break;
    case 'autodate':
      // created/updated are every record's own columns; another autodate keeps its values as a date.
      field.type = 'date';
      kind = 'date';
      limited(
        'onCreate/onUpdate',
        'Plinth does not set extra date fields by itself; the stored dates are kept.',
      );
      break;
    case 'select':
      kind = (Number(raw.maxSelect) || 1) > 1 ? 'list' : 'text';
      break;
    case 'json':
      kind = 'json';
      if (!unset(raw.maxSize)) limited('maxSize', 'json values are limited by the request size instead.');
      break;
    case 'geoPoint':
      kind = 'geo';
      // Plinth versions with the geoPoint type keep it; older ones store the {lon, lat} object as json.
      if (!(FIELD_TYPES as readonly string[]).includes('geoPoint')) {
        field.type = 'json';
        limited(
          'type',
          'geoPoint is stored as a json field ({"lon", "lat"}); geo filters are not available.',
        );
      }
      break;
    case 'relation': {
      const target = byId.get(String(raw.collectionId));
      if (!target) {
        notes.push({
          kind: 'skipped',
          what: name,
          why: `it relates to a collection that does not exist (${String(raw.collectionId)}).`,
        });
        return { notes };
      }
      field.collection = target.name;
      // PocketBase refuses to delete a record a required relation points to, and clears optional ones.
      field.onDelete =
        raw.cascadeDelete === true ? 'cascade' : raw.required === true ? 'restrict' : 'set-null';
      if (Number(raw.maxSelect) > MAX_RELATION_SELECT) {
        limited(
          'maxSelect',
          `Plinth allows at most ${MAX_RELATION_SELECT} related records per field (PocketBase had ${String(raw.maxSelect)}).`,
        );
        raw = { ...raw, maxSelect: MAX_RELATION_SELECT };
      }
      kind = (Number(raw.maxSelect) || 1) > 1 ? 'relations' : 'relation';
      if (!unset(raw.minSelect)) limited('minSelect', 'Plinth has no minimum number of related records.');
      break;
    }
    case 'file':
      kind = (Number(raw.maxSelect) || 1) > 1 ? 'list' : 'text';
      if (Array.isArray(raw.thumbs)) field.thumbs = raw.thumbs;
      break;
    default:
      notes.push({
        kind: 'skipped',
        what: name,
        why: `Plinth has no "${type}" field type; its values are not imported.`,
      });
      return { notes };
  }
  for (const key of KEPT[type] ?? []) if (!unset(raw[key]) && !(key in field)) field[key] = raw[key];
  if (field.type === 'select' || field.type === 'relation' || field.type === 'file')
    field.maxSelect = Math.max(1, Number(raw.maxSelect) || 1);
  if (field.type === 'file' && typeof field.maxSize === 'number' && field.maxSize <= 0) delete field.maxSize;
  const handled = new Set([
    ...IGNORED_KEYS,
    ...(KEPT[type] ?? []),
    'min',
    'max',
    'autogeneratePattern',
    'onlyDomains',
    'exceptDomains',
    'maxSize',
    'collectionId',
    'cascadeDelete',
    'minSelect',
    'onCreate',
    'onUpdate',
    'primaryKey',
    'thumbs',
    'convertURLs',
  ]);
  for (const [key, value] of Object.entries(raw)) {
    if (!handled.has(key) && !unset(value)) limited(key, `Plinth has no "${key}" option for ${type} fields.`);
  }
  if (raw.presentable === true)
    limited('presentable', 'Plinth has no presentable flag (the console shows the id).');
  return { field, column: { name, kind }, notes };
}
