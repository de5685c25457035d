/** Schema-as-code helpers of the `plinth schema` commands. Pure: no I/O. */
import type { CollectionModel, SchemaChange } from '../types.js';

/**
 * A collection as a schema file keeps it: everything the import takes, without timestamps. Ids
 * stay, so a renamed field or collection in the file is a rename on the server, not drop + add.
 */
export function toSchemaFile(collections: CollectionModel[]): { collections: CollectionModel[] } {
  return {
    collections: [...collections]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map(({ created: _c, updated: _u, ...rest }) => rest),
  };
}

/** Reads a schema file: `{ collections: [...] }` (what export writes) or a bare array. */
export function parseSchemaFile(
  text: string,
  file: string,
): { collections: CollectionModel[]; deleteMissing?: boolean } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (Array.isArray(parsed)) return { collections: parsed as CollectionModel[] };
  const obj = parsed as { collections?: unknown; deleteMissing?: unknown };
  if (!obj || typeof obj !== 'object' || !Array.isArray(obj.collections)) {
    throw new Error(`${file} must hold {"collections": [...]} as written by \`plinth schema export\`.`);
  }
  return {
    collections: obj.collections as CollectionModel[],
    ...(typeof obj.deleteMissing === 'boolean' ? { deleteMissing: obj.deleteMissing } : {}),
  };
}

/** One readable line per change: `+ create posts (fields: title, views)`. */
export function describeChanges(changes: SchemaChange[]): string[] {
  return changes.map((c) => {
    const fields = c.fields.join(', ');
    switch (c.action) {
      case 'create':
        return `+ create collection ${c.collection}${fields ? ` (fields: ${fields})` : ''}`;
      case 'delete':
        return `- delete collection ${c.collection}${fields ? ` (with fields: ${fields})` : ''}`;
      default:
        return `~ update collection ${c.collection}${fields ? `: fields ${fields}` : ': rules, indexes, options or field order'}`;
    }
  });
}
