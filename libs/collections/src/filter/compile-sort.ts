import { sql, type Sql } from '@plinth/core';
import { guardedSql, lookupField, visibilityGuard } from './compile-filter.js';
import { FilterError, quoteForMessage } from './filter-error.js';
import { columnRef, fixed } from './sql-fragments.js';
import type { FilterCollection, FilterContext, FilterField } from './types.js';

export const MAX_SORT_FIELDS = 8;

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `-views,title` → `t."views" DESC, t."title" ASC, t."id" ASC`. Only direct fields
 * and id/created/updated; `alias."id"` is appended as a tiebreaker (direction of the last
 * item) unless id is already listed. Empty input → the empty fragment: the caller picks the default.
 */
export function compileSort(
  input: string,
  collection: FilterCollection,
  alias: string,
  ctx: Pick<FilterContext, 'canSeeHidden'> & Partial<Pick<FilterContext, 'isAdmin' | 'auth' | 'mayRead'>>,
): Sql {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(alias)) throw new Error(`Invalid SQL alias ${JSON.stringify(alias)}`);
  const items = input
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) return sql.empty;
  if (items.length > MAX_SORT_FIELDS) {
    throw new FilterError('SORT_TOO_MANY_FIELDS', `Sort by at most ${MAX_SORT_FIELDS} fields.`);
  }
  const parts: Sql[] = [];
  const seen = new Set<string>();
  let hasId = false;
  let lastDirection = 'ASC';
  for (const item of items) {
    const descending = item.startsWith('-');
    const name = item.startsWith('-') || item.startsWith('+') ? item.slice(1).trim() : item;
    const field = NAME_RE.test(name) ? lookupField(collection, name) : undefined;
    if (!field) {
      throw new FilterError(
        'SORT_UNKNOWN_FIELD',
        name.includes('.')
          ? `Cannot sort by ${quoteForMessage(name)}: sorting through relations is not supported.`
          : `Unknown sort field ${quoteForMessage(name)}.`,
        undefined,
        name,
      );
    }
    if (field.hidden && !ctx.canSeeHidden) {
      throw new FilterError(
        'SORT_HIDDEN_FIELD',
        `The field "${name}" cannot be used to sort.`,
        undefined,
        name,
      );
    }
    if (field.sortable === false) {
      throw new FilterError(
        'SORT_UNSORTABLE_FIELD',
        `The field "${name}" has no order to sort by; sort by another field.`,
        undefined,
        name,
      );
    }
    if (seen.has(name)) continue;
    seen.add(name);
    lastDirection = descending ? 'DESC' : 'ASC';
    if (name === 'id') hasId = true;
    // PostgreSQL's default NULL placement (last ascending, first descending) is what a plain btree
    // index gives in both scan directions, so `sort=-views` can walk an index on views.
    parts.push(sql`${guarded(collection, field, alias, ctx)} ${fixed(lastDirection)}`);
  }
  if (!hasId) parts.push(sql`${columnRef(alias, lookupField(collection, 'id')!.column)} ${fixed(lastDirection)}`);
  return sql.join(parts);
}

/** The column, or for a value only some callers may see (an auth record's email) what this caller sees of it. */
function guarded(
  collection: FilterCollection,
  field: FilterField,
  alias: string,
  ctx: Parameters<typeof compileSort>[3],
): Sql {
  const col = columnRef(alias, field.column);
  const guard = visibilityGuard(collection, field, ctx);
  return guard ? guardedSql(alias, guard, col) : col;
}
