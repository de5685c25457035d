import type { ColumnKind, FilterCollection, FilterField, FilterSchema } from '../filter/index.js';
import { ALL_UUID, idTypesIn, type IdTypes } from '../fields/id-field.js';
import { type CollectionDef, type FieldDef, type FieldType, isMultiple } from './collection.types.js';

const KIND: Record<FieldType, ColumnKind> = {
  text: 'text',
  email: 'text',
  url: 'text',
  select: 'text',
  file: 'text',
  number: 'number',
  bool: 'bool',
  date: 'date',
  json: 'json',
  relation: 'uuid',
};

/** Auth columns rules and filters may use; password_hash and token_key are never exposed. */
const AUTH_FILTER_FIELDS: readonly FilterField[] = [
  { name: 'email', column: 'email', kind: 'text', multiple: false, hidden: false },
  { name: 'emailVisibility', column: 'emailVisibility', kind: 'bool', multiple: false, hidden: false },
  { name: 'verified', column: 'verified', kind: 'bool', multiple: false, hidden: false },
];

/** `idTypes` says which relation targets have text ids (their relation columns are text). */
export function toFilterField(field: FieldDef, idTypes: IdTypes = ALL_UUID): FilterField {
  const out: FilterField = {
    name: field.name,
    column: field.name,
    kind: field.type === 'relation' && idTypes(field.collection ?? '') === 'text' ? 'text' : KIND[field.type],
    multiple: isMultiple(field),
    hidden: field.hidden === true,
  };
  if (field.type === 'relation' && field.collection !== undefined) out.relationTo = field.collection;
  if (field.type === 'select' || field.type === 'relation' || field.type === 'file') out.multiValued = true;
  return out;
}

/** The filter language's view of a collection (id/created/updated are implied by the filter lib). */
export function toFilterCollection(def: CollectionDef, idTypes: IdTypes = ALL_UUID): FilterCollection {
  const fields = new Map<string, FilterField>();
  // A text id shadows the filter lib's built-in (uuid) id column.
  if (def.idField) fields.set('id', { name: 'id', column: 'id', kind: 'text', multiple: false, hidden: false });
  if (def.type === 'auth') for (const f of AUTH_FILTER_FIELDS) fields.set(f.name, { ...f });
  const own: IdTypes = (name) => (name === def.name ? (def.idField ? 'text' : 'uuid') : idTypes(name));
  for (const field of def.fields) fields.set(field.name, toFilterField(field, own));
  return { name: def.name, table: def.name, fields, viewRule: def.viewRule };
}

/** Looks collections up by name, as relation fields name their targets. */
export function toFilterSchema(defs: readonly CollectionDef[]): FilterSchema {
  const byName = new Map<string, FilterCollection>();
  const idTypes = idTypesIn(defs);
  for (const def of defs) byName.set(def.name, toFilterCollection(def, idTypes));
  return { collection: (name) => byName.get(name) };
}
