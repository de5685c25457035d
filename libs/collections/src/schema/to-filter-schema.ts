import type { FilterCollection, FilterField, FilterSchema } from '../filter/index.js';
import { AUTH_FILTER_FIELDS } from '../fields/auth-fields.js';
import { ALL_UUID, idTypesIn, type IdTypes } from '../fields/id-field.js';
import { fieldModule } from '../fields/registry.js';
import { SEARCH_COLUMN, searchLanguagesOf } from './search-column.js';
import { type CollectionDef, type FieldDef, isMultiple } from './collection.types.js';

/** `idTypes` says which relation targets have text ids (their relation columns are text). */
export function toFilterField(field: FieldDef, idTypes: IdTypes = ALL_UUID): FilterField {
  const module = fieldModule(field);
  const out: FilterField = {
    name: field.name,
    column: field.name,
    kind:
      field.type === 'relation' && idTypes(field.collection ?? '') === 'text' ? 'text' : module.filterKind,
    multiple: isMultiple(field),
    hidden: field.hidden === true,
  };
  if (field.type === 'relation' && field.collection !== undefined) out.relationTo = field.collection;
  if (module.multiValued) out.multiValued = true;
  if (!module.sortable) out.sortable = false;
  if (module.filterParts) out.parts = module.filterParts;
  return out;
}

/** The filter language's view of a collection (id/created/updated are implied by the filter lib). */
export function toFilterCollection(def: CollectionDef, idTypes: IdTypes = ALL_UUID): FilterCollection {
  const fields = new Map<string, FilterField>();
  // A text id shadows the filter lib's built-in (uuid) id column.
  if (def.idField)
    fields.set('id', { name: 'id', column: 'id', kind: 'text', multiple: false, hidden: false });
  if (def.type === 'auth') for (const f of AUTH_FILTER_FIELDS) fields.set(f.name, { ...f });
  const own: IdTypes = (name) => (name === def.name ? (def.idField ? 'text' : 'uuid') : idTypes(name));
  for (const field of def.fields) fields.set(field.name, toFilterField(field, own));
  const out: FilterCollection = { name: def.name, table: def.name, fields, viewRule: def.viewRule };
  const languages = searchLanguagesOf(def);
  if (languages.length > 0) out.search = { column: SEARCH_COLUMN, languages };
  return out;
}

/** Looks collections up by name, as relation fields name their targets. */
export function toFilterSchema(defs: readonly CollectionDef[]): FilterSchema {
  const byName = new Map<string, FilterCollection>();
  const idTypes = idTypesIn(defs);
  for (const def of defs) byName.set(def.name, toFilterCollection(def, idTypes));
  return { collection: (name) => byName.get(name) };
}
