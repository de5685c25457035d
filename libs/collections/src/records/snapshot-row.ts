import { quoteIdent, sql, type Sql } from '@plinth/core';
import type { CompiledCollection } from '../registry/compiled-collection.js';
import { SEARCH_COLUMN } from '../schema/index.js';

/**
 * `snapshot` (a record as an event or the API shows it) as a one-row table `t` of the collection's
 * shape, for judging a rule or filter on a state that may no longer be stored (a deleted row). The
 * generated search column is not in a snapshot: it is computed here, so `search()` judges it too.
 */
export function snapshotTable(c: CompiledCollection, snapshot: Record<string, unknown>): Sql {
  const row = sql`jsonb_populate_record(NULL::${c.sql.table}, ${JSON.stringify(snapshot)}::jsonb)`;
  if (!c.searchVector) return sql`${row} AS t`;
  const columns = sql.raw(c.columns.map((col) => `s.${quoteIdent(col)}`).join(', '));
  const source = sql`(SELECT r.*, ${sql.raw(c.searchVector('r.'))} AS "_search_now" FROM ${row} AS r) AS s`;
  return sql`(SELECT ${columns}, s."_search_now" AS ${sql.raw(quoteIdent(SEARCH_COLUMN))} FROM ${source}) AS t`;
}
