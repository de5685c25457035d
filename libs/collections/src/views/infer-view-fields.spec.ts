import { describe, expect, it } from '@jest/globals';
import type { CollectionDef } from '../schema/collection.types.js';
import { backingViewSql, fieldTypeOfPgType, inferViewFields, type ViewColumn } from './infer-view-fields.js';

const base = {
  indexes: [],
  listRule: '',
  viewRule: '',
  createRule: null,
  updateRule: null,
  deleteRule: null,
};
const authors: CollectionDef = {
  ...base,
  id: 'c1',
  name: 'authors',
  type: 'base',
  fields: [{ id: 'a1', name: 'name', type: 'text', required: true, unique: true }],
};
const posts: CollectionDef = {
  ...base,
  id: 'c2',
  name: 'posts',
  type: 'base',
  fields: [
    { id: 'p1', name: 'title', type: 'text', max: 10, required: true },
    { id: 'p2', name: 'tags', type: 'select', values: ['a', 'b'], maxSelect: 2 },
    { id: 'p3', name: 'author', type: 'relation', collection: 'authors', maxSelect: 1, onDelete: 'cascade' },
    { id: 'p4', name: 'secret', type: 'text', hidden: true },
  ],
};
const users: CollectionDef = { ...base, id: 'c3', name: 'users', type: 'auth', fields: [] };
const all = [authors, posts, users];
let n = 0;
const newId = () => `new${++n}`;
const col = (name: string, typeOid: number, origin?: [string, string]): ViewColumn => ({
  name,
  typeOid,
  ...(origin ? { origin: { collection: origin[0], column: origin[1] } } : {}),
});

describe('fieldTypeOfPgType', () => {
  it.each([
    [23, 'number'],
    [20, 'number'],
    [1700, 'number'],
    [25, 'text'],
    [1043, 'text'],
    [2950, 'text'],
    [16, 'bool'],
    [1184, 'date'],
    [1082, 'date'],
    [3802, 'json'],
    [1186, 'json'],
  ])('type %i is a %s field', (oid, type) => expect(fieldTypeOfPgType(oid)).toBe(type));
});

describe('inferViewFields', () => {
  it('copies fields that come straight from a collection, with their read-side options', () => {
    const result = inferViewFields(
      [
        col('id', 2950, ['posts', 'id']),
        col('title', 25, ['posts', 'title']),
        col('labels', 1009, ['posts', 'tags']),
        col('author', 2950, ['posts', 'author']),
        col('secret', 25, ['posts', 'secret']),
        col('writer', 2950, ['authors', 'id']),
        col('email', 25, ['users', 'email']),
        col('total', 20),
        col('created', 1184, ['posts', 'created']),
      ],
      all,
      [],
      newId,
    );
    expect(result).toEqual({
      ok: true,
      dates: { created: true, updated: false },
      fileSources: {},
      fields: [
        { id: expect.any(String), name: 'title', type: 'text', max: 10 },
        { id: expect.any(String), name: 'labels', type: 'select', values: ['a', 'b'], maxSelect: 2 },
        { id: expect.any(String), name: 'author', type: 'relation', collection: 'authors', maxSelect: 1 },
        { id: expect.any(String), name: 'secret', type: 'text', hidden: true },
        { id: expect.any(String), name: 'writer', type: 'relation', collection: 'authors', maxSelect: 1 },
        { id: expect.any(String), name: 'email', type: 'email' },
        { id: expect.any(String), name: 'total', type: 'number' },
      ],
    });
  });

  it("leaves out a searchable collection's search column, which SELECT * reads", () => {
    const result = inferViewFields(
      [
        col('id', 2950, ['posts', 'id']),
        col('title', 25, ['posts', 'title']),
        col('_search', 3614, ['posts', '_search']),
      ],
      all,
      [],
      newId,
    );
    expect(result).toMatchObject({ ok: true, fields: [{ name: 'title', type: 'text' }] });
  });

  it('keeps the ids of fields the view had, by name', () => {
    const result = inferViewFields(
      [col('id', 25), col('title', 25), col('n', 23)],
      all,
      [{ id: 'keep', name: 'title', type: 'text' }],
      newId,
    );
    expect(result.ok && result.fields.map((f) => f.id)).toEqual(['keep', expect.stringMatching(/^new/)]);
  });

  it.each([
    [[col('title', 25)], /needs an "id" column/],
    [[col('id', 25), col('?column?', 23)], /no usable name/],
    [[col('id', 25), col('Title', 25), col('title', 25)], /two columns named "title"/],
    [[col('id', 25), col('expand', 25)], /reserved name/],
    [[col('id', 25), col('password_hash', 25)], /reserved name/],
    [[col('id', 25), col('created', 23)], /"created" must be a date/],
    [[col('id', 25), col('updated', 25)], /"updated" must be a date \(timestamptz\), not text/],
  ])('refuses %j', (columns, message) => {
    const result = inferViewFields(columns, all, [], newId);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.problems.join(' ')).toMatch(message);
  });
});

describe('backingViewSql', () => {
  it('wraps the query, makes the id text and casts each field to its column type', () => {
    const sql = backingViewSql(
      'stats',
      'SELECT id, n, data FROM posts',
      [
        { id: 'f1', name: 'n', type: 'number' },
        { id: 'f2', name: 'data', type: 'json' },
        { id: 'f3', name: 'raw', type: 'json' },
      ],
      { created: false, updated: true },
      new Map([
        ['n', 20],
        ['data', 3802],
        ['raw', 1186],
      ]),
    );
    expect(sql).toBe(
      'CREATE VIEW "data"."stats" AS SELECT q."id"::text AS "id", NULL::timestamptz AS "created", ' +
        'q."updated"::timestamptz AS "updated", q."n"::double precision AS "n", q."data"::jsonb AS "data", ' +
        'to_jsonb(q."raw") AS "raw" FROM (\nSELECT id, n, data FROM posts\n) AS q',
    );
  });
});
