import type { Sql } from '@plinth/core';
import type { VisibilityGuard } from './sql-fragments.js';
import type { FilterCollection, FilterField } from './types.js';

// What each side of a comparison resolves to, between parsing and SQL.

/** literal: written in the filter; macro: computed here (`@now`, `:isset`…); request: sent by the caller. */
export type ValueSource = 'literal' | 'macro' | 'request';

export interface ValueOperand {
  type: 'value';
  value: unknown;
  source: ValueSource;
  /** How the user wrote it, for messages. */
  label: string;
}

export interface Hop {
  field: FilterField;
  target: FilterCollection;
  /** `@request.auth.rel.*`, `@request.body.rel.*`: follow these ids (bound) instead of the column. */
  ids?: unknown[];
}

export interface ColumnOperand {
  type: 'column';
  /** Alias of the table the first hop (or the field itself) belongs to. */
  alias: string;
  /** Relations still to walk before `field`. */
  hops: Hop[];
  field: FilterField;
  /** Replaces `alias."column"`; used for array elements. */
  sql?: Sql;
  /** Wraps the column's SQL: `LOWER(…)` for `:lower`, `cardinality(…)` for `:length`. */
  wrap?: (sql: Sql) => Sql;
  /** Set when the value is only visible on some rows (see `visibilityGuard`). */
  guard?: VisibilityGuard;
  /** Set for `@collection.x.*`: the joined collection, whose every row a plain operator asks about. */
  joined?: FilterCollection;
  label: string;
}

/** A boolean computed in SQL (`@request.body.x:changed`); compared only with true or false. */
export interface PredicateOperand {
  type: 'predicate';
  sql: Sql;
  label: string;
}

/** `@request.body.tags:each`: the comparison is asked of every submitted item. */
export interface ItemsOperand {
  type: 'items';
  items: ValueOperand[];
  label: string;
}

export type Operand = ValueOperand | ColumnOperand | PredicateOperand | ItemsOperand;
