import type { FilterCollection, FilterField, FilterSchema } from '../filter/index.js';
import { AUTH_FILTER_FIELDS } from '../fields/auth-fields.js';
import { fieldModule } from '../fields/registry.js';
import { type CollectionDef, type FieldDef, isMultiple } from './collection.types.js';

export function toFilterField(field: FieldDef): FilterField {
  const module = fieldModule(field);
  const out: FilterField = {
    name: field.name,
    column: field.name,
    kind: module.filterKind,
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
export function toFilterCollection(def: CollectionDef): FilterCollection {
  const fields = new Map<string, FilterField>();
  if (def.type === 'auth') for (const f of AUTH_FILTER_FIELDS) fields.set(f.name, { ...f });
  for (const field of def.fields) fields.set(field.name, toFilterField(field));
  return { name: def.name, table: def.name, fields, viewRule: def.viewRule };
}

/** Looks collections up by name, as relation fields name their targets. */
export function toFilterSchema(defs: readonly CollectionDef[]): FilterSchema {
  const byName = new Map<string, FilterCollection>();
  for (const def of defs) byName.set(def.name, toFilterCollection(def));
  return { collection: (name) => byName.get(name) };
}
