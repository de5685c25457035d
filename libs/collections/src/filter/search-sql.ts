import { sql, type Sql } from '@plinth/core';
import { FilterError } from './filter-error.js';
import { columnRef } from './sql-fragments.js';
import type { FilterCollection } from './types.js';

// Full-text search (docs/decisions/search-and-aggregates.md): `?search=` on lists and the
// `search("words")` / `@search("words")` condition of filters and rules, both over the collection's
// generated tsvector column with PostgreSQL's websearch_to_tsquery (quoted phrases, -exclusions, or).

/** Longer search text is refused: nobody types more, and each word is work for the query. */
export const MAX_SEARCH_LENGTH = 1000;

const LANGUAGE = /^[a-z_][a-z0-9_]{0,62}$/;

/** The collection's search column and languages, or the 400 saying it has none. */
export function searchOf(collection: FilterCollection): NonNullable<FilterCollection['search']> {
  if (collection.search) return collection.search;
  throw new FilterError(
    'SEARCH_NOT_AVAILABLE',
    `Collection "${collection.name}" has no searchable fields; mark a text, editor or email field "searchable" first.`,
  );
}

/** The words as given, or the 400 saying what is wrong with them. */
export function checkSearchText(text: string): string {
  if (text.length > MAX_SEARCH_LENGTH) {
    throw new FilterError(
      'SEARCH_INVALID',
      `The search text is ${text.length} characters long; at most ${MAX_SEARCH_LENGTH} are allowed. Search for fewer words.`,
    );
  }
  // PostgreSQL text cannot hold NUL; other control characters are separators to the parser.
  if (text.includes('\0')) {
    throw new FilterError('SEARCH_INVALID', 'The search text contains a NUL character; remove it.');
  }
  return text;
}

/**
 * The query of `text` in each language of the collection, OR-ed: a word matches whichever field
 * language indexed it. websearch_to_tsquery never fails on user text (unbalanced quotes, stray
 * operators are read as words or ignored).
 */
export function searchQuerySql(search: NonNullable<FilterCollection['search']>, text: string): Sql {
  const parts = search.languages.map((language) => {
    if (!LANGUAGE.test(language)) throw new Error(`Invalid text search configuration ${language}`);
    return sql`websearch_to_tsquery(${sql.raw(`'${language}'::regconfig`)}, ${text}::text)`;
  });
  return sql`(${sql.join(parts, ' || ')})`;
}

/** Whether the row aliased `alias` matches `query` (a searchQuerySql): served by the GIN index. */
export const searchMatchSql = (
  search: NonNullable<FilterCollection['search']>,
  alias: string,
  query: Sql,
): Sql => sql`${columnRef(alias, search.column)} @@ ${query}`;

/** The relevance of the row aliased `alias` for `query`, higher is better. */
export const searchRankSql = (
  search: NonNullable<FilterCollection['search']>,
  alias: string,
  query: Sql,
): Sql => sql`ts_rank(${columnRef(alias, search.column)}, ${query})`;
