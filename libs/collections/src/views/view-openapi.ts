import type { CollectionDef } from '../schema/collection.types.js';
import type { JSONSchema } from '../validation/record-schemas.js';

/** Rules a view collection never has: its records are read-only. */
export const VIEW_WRITE_RULES = new Set(['createRule', 'updateRule', 'deleteRule']);

/**
 * A view's record schema: its id is any text (a row number, a record id), and `created`/`updated`
 * are there only when its query selects them.
 */
export function viewRecordSchema(def: CollectionDef, schema: JSONSchema): JSONSchema {
  const dates = def.viewDates ?? { created: false, updated: false };
  const properties = { ...(schema.properties ?? {}) };
  properties.id = { type: 'string', description: "The record id: the view query's id column, as text." };
  for (const name of ['created', 'updated'] as const) if (!dates[name]) delete properties[name];
  const required = (schema.required ?? []).filter((k) => k in properties);
  return {
    ...schema,
    description: `Read-only records of the view collection "${def.name}".`,
    properties,
    required,
  };
}
