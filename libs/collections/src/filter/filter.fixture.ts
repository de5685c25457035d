import { toQuery, type Sql } from '@plinth/core';
import { compileFilter, compileRule } from './compile-filter.js';
import { FilterError } from './filter-error.js';
import type { ColumnKind, FilterCollection, FilterContext, FilterField, FilterSchema } from './types.js';

// Test schema shared by the filter specs (kept out of the specs so each file stays about behaviour).

export function field(name: string, kind: ColumnKind, extra: Partial<FilterField> = {}): FilterField {
  return { name, column: name, kind, multiple: false, hidden: false, ...extra };
}

export function collection(
  name: string,
  fields: FilterField[],
  viewRule: string | null,
  table = name,
): FilterCollection {
  return { name, table, viewRule, fields: new Map(fields.map((f) => [f.name, f])) };
}

export const users = collection(
  'users',
  [
    field('name', 'text'),
    field('email', 'text'),
    field('tokenKey', 'text', { hidden: true }),
    field('verified', 'bool'),
    field('age', 'number'),
    field('team', 'uuid', { relationTo: 'teams' }),
  ],
  'id = @request.auth.id || verified = true',
);

export const teams = collection(
  'teams',
  [field('name', 'text'), field('owner', 'uuid', { relationTo: 'users' })],
  '',
);

export const categories = collection('categories', [field('name', 'text')], null);

export const posts = collection(
  'posts',
  [
    field('title', 'text'),
    field('views', 'number'),
    field('published', 'bool'),
    field('publishAt', 'date'),
    field('author', 'uuid', { relationTo: 'users' }),
    field('tags', 'text', { multiple: true }),
    field('scores', 'number', { multiple: true }),
    field('editors', 'uuid', { multiple: true, relationTo: 'users' }),
    field('meta', 'json'),
    field('secret', 'text', { hidden: true }),
    field('category', 'uuid', { relationTo: 'categories' }),
    field('parent', 'uuid', { relationTo: 'posts' }),
    field('subtitle', 'text'),
  ],
  'published = true',
);

/** Each node's view rule looks through its parent, so rules nest without end. */
export const nodes = collection(
  'nodes',
  [field('name', 'text'), field('up', 'uuid', { relationTo: 'nodes' })],
  "up.name != 'hidden'",
);

export const broken = collection('broken', [field('name', 'text')], 'missing = 1');

export const linksToBroken = collection('links', [field('target', 'uuid', { relationTo: 'broken' })], '');

/** Schema-side identifiers with quotes in them (never reachable from filter text). */
export const odd = collection('odd', [field('x', 'text', { column: 'x"y' })], '', 'od"d');

export const oddLinks = collection('oddlinks', [field('o', 'uuid', { relationTo: 'odd' })], '');

const all = [users, teams, categories, posts, nodes, broken, linksToBroken, odd, oddLinks];

export const schema: FilterSchema = {
  collection: (name) => all.find((c) => c.name === name),
};

export const NOW = new Date('2025-03-04T05:06:07.089Z');
export const USER_ID = '0190b6a1-7c2e-7a3b-9f00-0123456789ab';

/** A client filter's context: anonymous, not admin, no hidden fields, no `@request.*`. */
export function makeCtx(overrides: Partial<FilterContext> = {}): FilterContext {
  return {
    schema,
    now: NOW,
    auth: null,
    isAdmin: false,
    canSeeHidden: false,
    allowRequestMacros: false,
    ...overrides,
  };
}

export const signedIn = { id: USER_ID, collectionName: 'users', verified: true, name: 'Ada' };

/** A fragment as the statement text it becomes on its own (`$1..$n`) and its bound values. */
export function rendered(fragment: Sql): { sql: string; params: unknown[] } {
  const { text, values } = toQuery(fragment);
  return { sql: text, params: values };
}

/** Compiles a client filter on posts (or `on`) and returns the SQL with its bound values. */
export function compilePosts(
  filter: string,
  overrides: Partial<FilterContext> = {},
  on: FilterCollection = posts,
): { sql: string; params: unknown[] } {
  return rendered(compileFilter(filter, on, 't', makeCtx(overrides)));
}

/** Compiles a rule on posts (or `on`) and returns the SQL with its bound values. */
export function compilePostsRule(
  rule: string | null,
  overrides: Partial<FilterContext> = {},
  on: FilterCollection = posts,
): { sql: string; params: unknown[] } {
  return rendered(compileRule(rule, on, 't', makeCtx(overrides)));
}

/** Runs `fn` and returns the FilterError it throws (fails the test when it throws nothing else). */
export function filterErrorOf(fn: () => unknown): FilterError {
  try {
    fn();
  } catch (error) {
    if (error instanceof FilterError) return error;
    throw error;
  }
  throw new Error('expected a FilterError, nothing was thrown');
}
