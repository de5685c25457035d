import type { Sql } from '@plinth/core';

/** How a column is stored; decides casts and how literals are checked. */
export type ColumnKind = 'text' | 'number' | 'bool' | 'date' | 'json' | 'uuid';

export interface FilterField {
  name: string;
  column: string;
  kind: ColumnKind;
  /** true for PostgreSQL array columns (multi select, multi relation, multi file). */
  multiple: boolean;
  /** Select, relation or file, also when single: PocketBase's `:length` and `:each` accept them. */
  multiValued?: boolean;
  /** false when `?sort=` may not name the field (its type has no order). */
  sortable?: boolean;
  /** Named numeric parts a filter may reach as `field.part` (a geoPoint's lon and lat): SQL from the column's. */
  parts?: Readonly<Record<string, (sql: Sql) => Sql>>;
  hidden: boolean;
  /** Target collection name when the field is a relation. */
  relationTo?: string;
}

export interface FilterCollection {
  name: string;
  /** Unquoted table name in schema "data". */
  table: string;
  fields: ReadonlyMap<string, FilterField>;
  viewRule: string | null;
  /** Set when the collection has searchable fields: its tsvector column and their languages. */
  search?: { column: string; languages: readonly string[] };
}

export interface FilterSchema {
  collection(name: string): FilterCollection | undefined;
}

export interface FilterContext {
  schema: FilterSchema;
  now: Date;
  /** The signed-in app user's record fields incl. id, collectionName; null when anonymous. */
  auth: Record<string, unknown> | null;
  body?: Record<string, unknown>;
  /** Admins bypass rules on related collections. */
  isAdmin: boolean;
  /**
   * Set for API keys (isAdmin, since keys bypass rules): whether the key may read a collection. Related
   * records of a collection it may not read are invisible to its filters, and an auth collection's
   * email there is guarded as for app users.
   */
  mayRead?: (collectionName: string) => boolean;
  canSeeHidden: boolean;
  /** false for client filters of non-admins, true for rules and admins' filters. */
  allowRequestMacros: boolean;
  /** `@request.query.*`, `@request.headers.*`, `@request.method`, `@request.context`; absent → empty. */
  request?: RequestInfo;
}

/** The parts of the HTTP request a rule may read besides auth and body. */
export interface RequestInfo {
  /** First value of each query parameter. */
  query?: Readonly<Record<string, string>>;
  /** Header names lower-cased with `-` as `_` (PocketBase: `@request.headers.x_token`). */
  headers?: Readonly<Record<string, string>>;
  /** `GET`, `POST`… */
  method?: string;
  /** `default`, `realtime`, `protectedFile`, `oauth2` or `batch` (PocketBase's names). */
  context?: string;
}

/** PocketBase's modifiers: `tags:each`, `tags:length`, `title:lower`, `@request.body.x:isset`, `…:changed`. */
export type FilterFunction = 'geoDistance' | 'strftime' | 'search';

/** `search("words")` (also written `@search("words")`) is a condition on its own: see search-sql.ts. */
export const FILTER_FUNCTIONS: readonly FilterFunction[] = ['geoDistance', 'strftime', 'search'];

export type FilterModifier = 'isset' | 'changed' | 'length' | 'each' | 'lower';

export const FILTER_MODIFIERS: readonly FilterModifier[] = ['isset', 'changed', 'length', 'each', 'lower'];

export type FilterOperator =
  | '='
  | '!='
  | '>'
  | '>='
  | '<'
  | '<='
  | '~'
  | '!~'
  | '?='
  | '?!='
  | '?>'
  | '?>='
  | '?<'
  | '?<='
  | '?~'
  | '?!~';

export type FilterLiteralValue = string | number | boolean | null;

/** One side of a comparison. `position` is the 0-based index in the filter text. */
export type FilterOperand =
  | { type: 'literal'; value: FilterLiteralValue; position: number }
  /** A field or a dot path through relation fields: `author.name` → ['author', 'name']. */
  | { type: 'field'; path: string[]; modifier?: FilterModifier; position: number }
  /**
   * `@now`, `@request.auth.id` → name '@request.auth.id', path ['request', 'auth', 'id'];
   * `@collection.posts:p.title` → path ['collection', 'posts', 'title'], alias 'p'.
   */
  /** `geoDistance(lonA, latA, lonB, latB)`, `strftime(format, time)`. */
  | { type: 'call'; name: FilterFunction; args: FilterOperand[]; position: number }
  | {
      type: 'macro';
      name: string;
      path: string[];
      modifier?: FilterModifier;
      alias?: string;
      position: number;
    };

export interface FilterComparison {
  type: 'comparison';
  op: FilterOperator;
  left: FilterOperand;
  right: FilterOperand;
  position: number;
}

export interface FilterGroup {
  type: 'and' | 'or';
  /** Two or more children; `a && b && c` is one group. */
  children: FilterNode[];
}

export type FilterNode = FilterComparison | FilterGroup;
