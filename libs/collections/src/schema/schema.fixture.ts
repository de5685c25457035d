import type { CollectionDef } from './collection.types.js';
import { normalizeCollection, type NormalizeOptions } from './normalize-collection.js';
import type { SchemaIssue } from './schema-issue.js';

// Shared by the schema specs: predictable ids and a small existing schema.

export const USERS_ID = '0190b6a1-0000-7000-8000-000000000001';
export const POSTS_ID = '0190b6a1-0000-7000-8000-000000000002';
export const USERS_TAG = USERS_ID.replace(/-/g, '');
export const POSTS_TAG = POSTS_ID.replace(/-/g, '');

/** Ids from counters: collections `0190b6a1-0000-7000-8000-0000000001NN`, fields `fNNN`. */
export function sequentialIds(): NormalizeOptions & { used: { collections: number; fields: number } } {
  const used = { collections: 0, fields: 0 };
  return {
    used,
    newId: () => `0190b6a1-0000-7000-8000-${String(100 + ++used.collections).padStart(12, '0')}`,
    newFieldId: () => `f${String(++used.fields).padStart(3, '0')}`,
  };
}

export const users: CollectionDef = {
  id: USERS_ID,
  name: 'users',
  type: 'auth',
  fields: [
    { id: 'fu1', name: 'name', type: 'text', required: false, unique: false, hidden: false, max: 200 },
    { id: 'fu2', name: 'secretNote', type: 'text', required: false, unique: false, hidden: true },
  ],
  indexes: [],
  listRule: 'id = @request.auth.id',
  viewRule: 'id = @request.auth.id',
  createRule: '',
  updateRule: 'id = @request.auth.id',
  deleteRule: null,
  oauth2: { enabled: false },
  created: '2025-01-01T00:00:00.000Z',
  updated: '2025-01-02T00:00:00.000Z',
};

export const posts: CollectionDef = {
  id: POSTS_ID,
  name: 'posts',
  type: 'base',
  fields: [
    { id: 'fp1', name: 'title', type: 'text', required: true, unique: false, hidden: false, max: 200 },
    {
      id: 'fp2',
      name: 'views',
      type: 'number',
      required: false,
      unique: false,
      hidden: false,
      onlyInt: true,
    },
    {
      id: 'fp3',
      name: 'status',
      type: 'select',
      required: false,
      unique: false,
      hidden: false,
      values: ['draft', 'live'],
      maxSelect: 1,
    },
    {
      id: 'fp4',
      name: 'author',
      type: 'relation',
      required: false,
      unique: false,
      hidden: false,
      collection: 'users',
      maxSelect: 1,
      onDelete: 'cascade',
    },
    {
      id: 'fp5',
      name: 'parent',
      type: 'relation',
      required: false,
      unique: false,
      hidden: false,
      collection: 'posts',
      maxSelect: 1,
      onDelete: 'set-null',
    },
  ],
  indexes: [{ fields: ['status', 'views'], unique: false }],
  listRule: "status = 'live' || author = @request.auth.id",
  viewRule: '',
  createRule: "@request.auth.id != ''",
  updateRule: 'author = @request.auth.id',
  deleteRule: null,
  created: '2025-02-01T00:00:00.000Z',
  updated: '2025-02-02T00:00:00.000Z',
};

export const schema: readonly CollectionDef[] = [users, posts];

/** Normalizes and fails the test with the problems when the input is refused. */
export function normalizeOk(
  input: unknown,
  existing: CollectionDef | null = null,
  all: readonly CollectionDef[] = schema,
  ids: NormalizeOptions = sequentialIds(),
): CollectionDef {
  const result = normalizeCollection(input, existing, all, ids);
  if (!result.ok)
    throw new Error(`expected the input to be accepted:\n${JSON.stringify(result.errors, null, 2)}`);
  return result.value;
}

/** Normalizes and returns the problems; fails the test when the input is accepted. */
export function problemsOf(
  input: unknown,
  existing: CollectionDef | null = null,
  all: readonly CollectionDef[] = schema,
): SchemaIssue[] {
  const result = normalizeCollection(input, existing, all, sequentialIds());
  if (result.ok) throw new Error(`expected problems, got:\n${JSON.stringify(result.value, null, 2)}`);
  return result.errors;
}

/** `[path, code]` pairs, the usual thing to compare. */
export function codesOf(
  input: unknown,
  existing: CollectionDef | null = null,
  all: readonly CollectionDef[] = schema,
): Array<[string, string]> {
  return problemsOf(input, existing, all).map((e) => [e.path, e.code]);
}
