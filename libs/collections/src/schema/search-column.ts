/**
 * Full-text search of a collection: its searchable fields feed one generated `tsvector` column,
 * `_search` (no field can take that name: field names start with a letter), with a GIN index.
 * See docs/decisions/search-and-aggregates.md.
 */
import { quoteIdent } from '../filter/index.js';
import type { CollectionDef, FieldDef } from './collection.types.js';
import { quoteLiteral } from './quote-literal.js';

export const SEARCH_COLUMN = '_search';

export const searchFieldsOf = (def: CollectionDef): FieldDef[] =>
  def.type === 'view' ? [] : def.fields.filter((f) => f.searchable === true);

/** The languages of a collection's searchable fields, each once, in field order. */
export const searchLanguagesOf = (def: CollectionDef): string[] => [
  ...new Set(searchFieldsOf(def).map((f) => f.language ?? 'simple')),
];

/**
 * What the generated column is made of, by field ids (a rename changes nothing: PostgreSQL keeps
 * a generated column's expression on the column, whatever its name); null without searchable fields.
 */
export function searchSignature(def: CollectionDef): string | null {
  const fields = searchFieldsOf(def);
  if (fields.length === 0) return null;
  return fields.map((f) => `${f.id}:${f.type}:${f.language ?? 'simple'}`).join(',');
}

/** The text a field contributes: editor HTML without its tags. */
function textOf(f: FieldDef, prefix: string): string {
  const col = `${prefix}${quoteIdent(f.name)}`;
  return f.type === 'editor' ? `regexp_replace(${col}, '<[^>]*>', ' ', 'g')` : col;
}

/**
 * The tsvector of a row: each searchable field in its language, concatenated. `prefix`: the
 * table alias with its dot (`t.`), or '' inside the generated column's own expression.
 */
export function searchVectorSql(def: CollectionDef, prefix = ''): string {
  return searchFieldsOf(def)
    .map(
      (f) =>
        `to_tsvector(${quoteLiteral(f.language ?? 'simple')}::regconfig, coalesce(${textOf(f, prefix)}, ''))`,
    )
    .join(' || ');
}

/** The column definition in CREATE TABLE / ADD COLUMN. */
export const searchColumnDdl = (def: CollectionDef): string =>
  `${quoteIdent(SEARCH_COLUMN)} tsvector GENERATED ALWAYS AS (${searchVectorSql(def)}) STORED`;
