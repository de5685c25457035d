import { sql, type Sql } from '@plinth/core';
import {
  checkSearchText,
  compileSort,
  FilterError,
  type FilterContext,
  quoteIdent,
  searchMatchSql,
  searchOf,
  searchQuerySql,
  searchRankSql,
} from '../../filter/index.js';
import type { CompiledCollection } from '../../registry/compiled-collection.js';
import type { Row } from '../record-sql.js';

// `?search=`, `sort=@rank` and `highlight=` of record lists (docs/decisions/search-and-aggregates.md).

/** At most this many fields may be highlighted in one list. */
export const MAX_HIGHLIGHT_FIELDS = 5;

const RANK = '_rank';
const HIGHLIGHT = (i: number) => `_hl_${i}`;

/**
 * Matches come back as `<mark>…</mark>` around the words, in text whose own `&`, `<` and `>` are
 * escaped (editor HTML has its tags removed first): a snippet is safe to insert as HTML.
 */
const HEADLINE_OPTIONS =
  'StartSel=<mark>, StopSel=</mark>, MaxWords=30, MinWords=10, MaxFragments=2, FragmentDelimiter=" … "';

export interface SearchPlan {
  /** The row matches the words. */
  where: Sql;
  /** Relevance, higher first. */
  rank: Sql;
  /** The output columns of the rank and the highlights. */
  extra: Sql;
  highlight: readonly string[];
}

/** The search of a list; bad words and highlights throw their FilterError (400). */
export function planSearch(
  c: CompiledCollection,
  text: string,
  highlight: readonly string[] | undefined,
  canSeeHidden: boolean,
): SearchPlan {
  const search = searchOf(c.filter);
  const query = searchQuerySql(search, checkSearchText(text));
  const rank = searchRankSql(search, 't', query);
  const columns = [sql`${rank} AS ${sql.raw(RANK)}`];
  const names = highlight ?? [];
  if (names.length > MAX_HIGHLIGHT_FIELDS) {
    throw new FilterError('SEARCH_INVALID', `Highlight at most ${MAX_HIGHLIGHT_FIELDS} fields.`);
  }
  names.forEach((name, i) => {
    const field = c.def.fields.find((f) => f.name === name);
    const textual = field && (field.type === 'text' || field.type === 'editor' || field.type === 'email');
    if (!field || (field.hidden && !canSeeHidden) || !textual) {
      throw new FilterError(
        'SEARCH_INVALID',
        `Cannot highlight ${JSON.stringify(name.slice(0, 40))}: name a text, editor or email field of "${c.def.name}".`,
        undefined,
        name,
      );
    }
    const language = field.language ?? search.languages[0]!;
    let body = `coalesce(t.${quoteIdent(field.name)}, '')`;
    if (field.type === 'editor') body = `regexp_replace(${body}, '<[^>]*>', ' ', 'g')`;
    body = `replace(replace(replace(${body}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')`;
    columns.push(
      sql`ts_headline(${sql.raw(`'${language}'::regconfig`)}, ${sql.raw(body)}, ${query}, ${HEADLINE_OPTIONS}::text) AS ${sql.raw(HIGHLIGHT(i))}`,
    );
  });
  return { where: searchMatchSql(search, 't', query), rank, extra: sql.join(columns), highlight: names };
}

const DEFAULT_ORDER = sql.raw('t."created" DESC, t."id" DESC');

/**
 * The ORDER BY of a list: `@rank` (best match first; the default with a search) may come first,
 * the rest is compiled as any sort. Throws FilterError.
 */
export function listOrder(
  c: CompiledCollection,
  sortText: string | undefined,
  ctx: FilterContext,
  search: SearchPlan | undefined,
): Sql {
  const items = (sortText ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const isRank = (item: string) => item.replace(/^[-+]/, '') === '@rank';
  const rankAt = items.findIndex(isRank);
  if (rankAt > 0 || items.filter(isRank).length > 1) {
    throw new FilterError('SORT_UNKNOWN_FIELD', '@rank must be the first sort item, and be given once.');
  }
  if (rankAt === 0 && !search) {
    throw new FilterError('SORT_UNKNOWN_FIELD', 'Sorting by @rank needs a search: add search=<words>.');
  }
  const rest = rankAt === 0 ? items.slice(1) : items;
  const restSql = rest.length ? compileSort(rest.join(','), c.filter, 't', ctx) : undefined;
  if (search && (rankAt === 0 || items.length === 0)) {
    return sql`${search.rank} DESC, ${restSql ?? DEFAULT_ORDER}`;
  }
  return restSql && !restSql.is('') ? restSql : DEFAULT_ORDER;
}

/** What an item of a search carries besides the record: its rank and highlighted snippets. */
export function searchMeta(row: Row, plan: SearchPlan): Record<string, unknown> {
  const meta: Record<string, unknown> = { rank: Number(row[RANK]) };
  if (plan.highlight.length > 0) {
    const highlight: Record<string, string> = {};
    plan.highlight.forEach((name, i) => (highlight[name] = String(row[HIGHLIGHT(i)] ?? '')));
    meta.highlight = highlight;
  }
  return meta;
}
