import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { adminToken, api } from './support/auth.js';
import { expectApiProblem } from './support/problem.js';
import {
  createCollection,
  createRecord,
  createUser,
  ids,
  listRecords,
  type TestUser,
} from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';

describe('list queries: filter, sort, pages, fields and hostile input', () => {
  let t: Awaited<ReturnType<typeof startIsolatedApp>>;
  let admin: string;
  let alice: TestUser;
  let bob: TestUser;
  const id = {} as Record<string, string>;

  /** Titles of the items a filter finds, sorted; as anonymous unless a token is given. */
  async function titles(filter: string, token?: string): Promise<string[]> {
    const res = await listRecords(t, token, 'items', { filter, perPage: '500' });
    if (res.status !== 200) throw new Error(`${filter}: ${res.status} ${JSON.stringify(res.body)}`);
    return (res.body.items as Array<{ title: string }>).map((i) => i.title).sort();
  }

  beforeAll(async () => {
    t = await startIsolatedApp();
    admin = await adminToken(t);
    alice = await createUser(t, 'Alice');
    bob = await createUser(t, 'Bob');
    await createCollection(t, admin, {
      name: 'items',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'n', type: 'number' },
        { name: 'flag', type: 'bool' },
        { name: 'at', type: 'date' },
        { name: 'cats', type: 'select', values: ['x', 'y', 'z'], maxSelect: 3 },
        { name: 'kind', type: 'select', values: ['k1', 'k2'] },
        { name: 'owner', type: 'relation', collection: 'users', maxSelect: 1 },
        { name: 'data', type: 'json' },
        { name: 'secret', type: 'text', hidden: true },
      ],
      listRule: '',
      viewRule: '',
      createRule: '',
    });
    const rows: Array<Record<string, unknown>> = [
      {
        title: 'alpha',
        n: 1,
        flag: true,
        at: '2024-01-01T00:00:00Z',
        cats: ['x'],
        kind: 'k1',
        owner: alice.id,
      },
      {
        title: 'beta',
        n: 2,
        flag: false,
        at: '2024-02-01T00:00:00Z',
        cats: ['x', 'y'],
        kind: 'k2',
        owner: bob.id,
      },
      { title: 'gamma', n: 3, flag: true, at: '2024-03-01T00:00:00Z', cats: ['z'], kind: 'k1' },
      { title: '100% sure', n: 4, flag: false, cats: [], owner: alice.id },
      { title: 'under_score', n: 5, at: '2024-05-01T00:00:00Z' },
      { title: 'it\'s "quoted"', n: 6 },
      { title: 'Ünïcødé 🚀 日本', n: 7 },
      { title: 'empty' },
    ];
    for (const row of rows) {
      id[row.title as string] = (await createRecord(t, admin, 'items', { ...row, secret: 'hush' })).id;
    }
  });
  afterAll(async () => {
    await t?.stop();
  });

  describe('filters', () => {
    it('compares text with = != ~ !~ (case-insensitive contains)', async () => {
      expect(await titles('title = "alpha"')).toEqual(['alpha']);
      expect(await titles("title = 'alpha'")).toEqual(['alpha']);
      expect(await titles('title != "alpha"')).toHaveLength(7);
      expect(await titles('title ~ "AMM"')).toEqual(['gamma']);
      expect(await titles('title !~ "A"')).toEqual(
        ['100% sure', 'empty', 'it\'s "quoted"', 'under_score', 'Ünïcødé 🚀 日本'].sort(),
      );
      expect(await titles('title > "f" && title < "h"')).toEqual(['gamma']);
    });

    it('treats % and _ in a ~ value as literal characters', async () => {
      expect(await titles('title ~ "%"')).toEqual(['100% sure']);
      expect(await titles('title ~ "_"')).toEqual(['under_score']);
      expect(await titles('title ~ "r_s"')).toEqual(['under_score']);
      expect(await titles('title ~ "0%"')).toEqual(['100% sure']);
      expect(await titles('title ~ "a%a"')).toEqual([]);
    });

    it('compares numbers with every operator', async () => {
      expect(await titles('n = 2')).toEqual(['beta']);
      expect(await titles('n != 2 && n <= 3')).toEqual(['alpha', 'gamma']);
      expect(await titles('n > 6')).toEqual(['Ünïcødé 🚀 日本']);
      expect(await titles('n >= 6')).toEqual(['Ünïcødé 🚀 日本', 'it\'s "quoted"'].sort());
      expect(await titles('n < 2')).toEqual(['alpha']);
      expect(await titles('n = 1.0')).toEqual(['alpha']);
      expect(await titles('n > -1 && n < 1.5')).toEqual(['alpha']);
    });

    it('compares bools, dates and @now', async () => {
      expect(await titles('flag = true')).toEqual(['alpha', 'gamma']);
      expect(await titles('flag = false')).toEqual(['100% sure', 'beta']);
      expect(await titles('flag != true')).toHaveLength(6);
      expect(await titles('at >= "2024-02-01" && at < "2024-03-01 00:00:01"')).toEqual(['beta', 'gamma']);
      expect(await titles('at = "2024-01-01T00:00:00Z"')).toEqual(['alpha']);
      // Offsets count: 01:00+02:00 is 23:00 UTC the day before; 23:00-02:00 is 01:00 UTC the day after.
      expect(await titles('at > "2024-05-01T01:00:00+02:00"')).toEqual(['under_score']);
      expect(await titles('at > "2024-04-30T23:00:00-02:00"')).toEqual([]);
      expect(await titles('at < @now')).toEqual(['alpha', 'beta', 'gamma', 'under_score']);
      expect(await titles('created <= @now')).toHaveLength(8);
      expect(await titles('created > @now')).toEqual([]);
    });

    it('matches empty values with = null and = ""', async () => {
      expect(await titles('at = null')).toEqual(
        ['100% sure', 'empty', 'it\'s "quoted"', 'Ünïcødé 🚀 日本'].sort(),
      );
      expect(await titles('n = null')).toEqual(['empty']);
      expect(await titles('n != null')).toHaveLength(7);
      expect(await titles('kind = ""')).toHaveLength(5);
      expect(await titles('owner = null')).toEqual(
        ['empty', 'gamma', 'it\'s "quoted"', 'under_score', 'Ünïcødé 🚀 日本'].sort(),
      );
      expect(await titles('cats = null && n < 8')).toEqual(
        ['100% sure', 'it\'s "quoted"', 'under_score', 'Ünïcødé 🚀 日本'].sort(),
      );
      expect(await titles('data = null')).toHaveLength(8);
    });

    it('asks multi-value fields with ?= (any) and = (all)', async () => {
      expect(await titles('cats ?= "x"')).toEqual(['alpha', 'beta']);
      expect(await titles('cats ?= "y"')).toEqual(['beta']);
      expect(await titles('cats = "x"')).toEqual(['alpha']);
      expect(await titles('cats ?!= "x"')).toEqual(
        ['100% sure', 'beta', 'empty', 'gamma', 'it\'s "quoted"', 'under_score', 'Ünïcødé 🚀 日本'].sort(),
      );
      expect(await titles('cats ?~ "z"')).toEqual(['gamma']);
    });

    it('combines with && and || and parentheses, && binding tighter', async () => {
      expect(await titles('n = 1 || n = 2 && flag = true')).toEqual(['alpha']);
      expect(await titles('(n = 1 || n = 2) && flag = false')).toEqual(['beta']);
      expect(await titles('((((n = 3))))')).toEqual(['gamma']);
      expect(await titles('(title = "alpha" || title = "beta") && (n > 1 || flag = true)')).toEqual([
        'alpha',
        'beta',
      ]);
    });

    it('finds quotes, unicode and SQL-looking strings as the plain text they are', async () => {
      expect(await titles(`title = "it's \\"quoted\\""`)).toEqual(['it\'s "quoted"']);
      expect(await titles(`title = 'it\\'s "quoted"'`)).toEqual(['it\'s "quoted"']);
      expect(await titles('title = "Ünïcødé 🚀 日本"')).toEqual(['Ünïcødé 🚀 日本']);
      expect(await titles('title ~ "🚀"')).toEqual(['Ünïcødé 🚀 日本']);
      expect(await titles(`title = "x' OR 1=1 --"`)).toEqual([]);
      expect(await titles(`title = 'x" OR "1"="1'`)).toEqual([]);
      expect(await titles(`title ~ "'; DROP TABLE data.items; --"`)).toEqual([]);
      expect(await titles('title = "alpha\\"); DELETE FROM items; --"')).toEqual([]);
      expect(await titles('n > 0')).toHaveLength(7);
    });

    it('follows a relation with a dot path, seeing only related records the caller may view', async () => {
      // users: view rule `id = @request.auth.id`, so each user sees their own record only.
      expect(await titles('owner.name = "Alice"', admin)).toEqual(['100% sure', 'alpha']);
      expect(await titles('owner.name = "Alice"', alice.token)).toEqual(['100% sure', 'alpha']);
      expect(await titles('owner.name = "Alice"', bob.token)).toEqual([]);
      expect(await titles('owner.name = "Alice"')).toEqual([]);
      expect(await titles('owner.name ~ "o"', bob.token)).toEqual(['beta']);
      expect(await titles(`owner.email = "${alice.email}"`)).toEqual([]);
      expect(await titles(`owner.email = "${alice.email}"`, bob.token)).toEqual([]);
      expect(await titles(`owner.id = "${alice.id}"`)).toEqual([]);
      // The relation column itself is the record's own field: its id is visible.
      expect(await titles(`owner = "${alice.id}"`)).toEqual(['100% sure', 'alpha']);
    });

    it('refuses @request.* and @collection.* in client filters with 403, as PocketBase', async () => {
      for (const filter of [
        'owner = @request.auth.id',
        '@request.auth.id != ""',
        'title = @request.body.title',
        '@collection.items.title ?= title',
      ]) {
        const res = await listRecords(t, alice.token, 'items', { filter });
        const problem = expectApiProblem(res, 403, 'FILTER_FORBIDDEN_MACRO');
        expect(problem.errors).toEqual([expect.objectContaining({ path: 'filter' })]);
      }
    });

    it('refuses unknown fields, hidden fields and wrong types with 400', async () => {
      const cases: Array<[string, string]> = [
        ['nope = 1', 'FILTER_UNKNOWN_FIELD'],
        ['owner.nope = 1', 'FILTER_UNKNOWN_FIELD'],
        ['title.name = 1', 'FILTER_UNKNOWN_FIELD'],
        ['owner.tokenKey = "x"', 'FILTER_UNKNOWN_FIELD'],
        ['owner.password_hash ~ "$"', 'FILTER_UNKNOWN_FIELD'],
        ['owner.token_key != ""', 'FILTER_UNKNOWN_FIELD'],
        ['secret = "hush"', 'FILTER_HIDDEN_FIELD'],
        ['n = "abc"', 'FILTER_TYPE_MISMATCH'],
        ['flag = 3', 'FILTER_TYPE_MISMATCH'],
        ['at > "yesterday"', 'FILTER_TYPE_MISMATCH'],
        ['@nope = 1', 'FILTER_UNKNOWN_FIELD'],
      ];
      for (const [filter, code] of cases) {
        expectApiProblem(await listRecords(t, undefined, 'items', { filter }), 400, code);
      }
    });
  });

  describe('sort, pages, fields', () => {
    it('sorts on several fields, - for descending', async () => {
      const byKind = await listRecords(t, undefined, 'items', { sort: '-kind,n', filter: 'kind != ""' });
      expect(byKind.body.items.map((i: { title: string }) => i.title)).toEqual(['beta', 'alpha', 'gamma']);
      const byN = await listRecords(t, undefined, 'items', { sort: '-n', filter: 'n != null' });
      expect(byN.body.items.map((i: { n: number }) => i.n)).toEqual([7, 6, 5, 4, 3, 2, 1]);
      const byFlag = await listRecords(t, undefined, 'items', {
        sort: 'flag,-title',
        filter: 'flag != null',
      });
      expect(byFlag.body.items.map((i: { title: string }) => i.title)).toEqual([
        'beta',
        '100% sure',
        'gamma',
        'alpha',
      ]);
      const byCreated = await listRecords(t, undefined, 'items', { sort: 'created' });
      expect(ids(byCreated)[0]).toBe(id.alpha);
    });

    it('pages through results, clamps perPage to 500 and skips totals on request', async () => {
      const p1 = await listRecords(t, undefined, 'items', {
        sort: 'n',
        perPage: '3',
        page: '1',
        filter: 'n > 0',
      });
      const p3 = await listRecords(t, undefined, 'items', {
        sort: 'n',
        perPage: '3',
        page: '3',
        filter: 'n > 0',
      });
      const p9 = await listRecords(t, undefined, 'items', {
        sort: 'n',
        perPage: '3',
        page: '9',
        filter: 'n > 0',
      });
      expect(p1.body).toMatchObject({ page: 1, perPage: 3, totalItems: 7, totalPages: 3 });
      expect(p1.body.items.map((i: { n: number }) => i.n)).toEqual([1, 2, 3]);
      expect(p3.body.items.map((i: { n: number }) => i.n)).toEqual([7]);
      expect(p9.body).toMatchObject({ page: 9, totalItems: 7, items: [] });

      const big = await listRecords(t, undefined, 'items', { perPage: '1000' });
      expect(big.status).toBe(200);
      expect(big.body.perPage).toBe(500);
      expect(big.body.items).toHaveLength(8);

      const skip = await listRecords(t, undefined, 'items', { skipTotal: 'true', perPage: '2' });
      expect(skip.body).toMatchObject({ page: 1, perPage: 2, totalItems: -1, totalPages: -1 });
      expect(skip.body.items).toHaveLength(2);
    });

    it('answers only the requested fields', async () => {
      const res = await listRecords(t, undefined, 'items', { fields: 'id,title', filter: 'n = 1' });
      expect(res.body.items).toEqual([{ id: id.alpha, title: 'alpha' }]);
      const one = await api(t)('GET', `/api/collections/items/records/${id.alpha}?fields=n, flag`);
      expect(one.body).toEqual({ n: 1, flag: true });
      const hidden = await listRecords(t, undefined, 'items', { fields: 'secret,title', filter: 'n = 1' });
      expect(hidden.body.items).toEqual([{ title: 'alpha' }]);
    });
  });

  describe('hostile input is a 400 problem, never a 500', () => {
    it('refuses over-long and over-deep filters', async () => {
      const long = `title = "${'a'.repeat(5_000)}"`;
      const problem = expectApiProblem(
        await listRecords(t, undefined, 'items', { filter: long }),
        400,
        'FILTER_TOO_LONG',
      );
      expect(problem.errors).toEqual([expect.objectContaining({ path: 'filter', code: 'FILTER_TOO_LONG' })]);
      // 100 kB does not fit in a request line: the HTTP server refuses it before the filter is read.
      const huge = await listRecords(t, undefined, 'items', { filter: `title = "${'a'.repeat(100_000)}"` });
      expect(huge.status).toBeGreaterThanOrEqual(400);
      expect(huge.status).toBeLessThan(500);
      expect(JSON.stringify(huge.body ?? null)).not.toContain('alpha');
      const deep = `${'('.repeat(40)}n = 1${')'.repeat(40)}`;
      expectApiProblem(await listRecords(t, undefined, 'items', { filter: deep }), 400, 'FILTER_TOO_DEEP');
      const many = Array.from({ length: 201 }, (_, i) => `n = ${i}`).join(' || ');
      expectApiProblem(await listRecords(t, undefined, 'items', { filter: many }), 400, 'FILTER_TOO_COMPLEX');
      const ok32 = `${'('.repeat(32)}n = 1${')'.repeat(32)}`;
      expect(await titles(ok32)).toEqual(['alpha']);
    });

    it('refuses malformed filters', async () => {
      for (const filter of [
        'title =',
        '= 1',
        'title = "unterminated',
        '(n = 1',
        'n = 1)',
        'n == 1',
        'n = 1 &&',
        'n = 1 AND n = 2',
        "title = 'x'; DROP TABLE items",
        'title = "x" -- comment',
        '1',
        '@',
        'title = "a\u0000b"',
        'n = 1e999',
        'owner..name = 1',
        'a.b.c.d.e = 1',
      ]) {
        const res = await listRecords(t, undefined, 'items', { filter });
        expect({ filter, status: res.status }).toEqual({ filter, status: 400 });
        expect(res.headers.get('content-type')).toContain('application/problem+json');
        expect(res.body.code).toMatch(/^FILTER_/);
      }
      expect(await titles('n > 0')).toHaveLength(7);
    });

    it('refuses bad sort, expand, page and perPage values', async () => {
      const cases: Array<[Record<string, string>, string]> = [
        [{ sort: ';DROP TABLE items' }, 'SORT_UNKNOWN_FIELD'],
        [{ sort: 'title; DROP TABLE items' }, 'SORT_UNKNOWN_FIELD'],
        [{ sort: 'nope' }, 'SORT_UNKNOWN_FIELD'],
        [{ sort: 'owner.name' }, 'SORT_UNKNOWN_FIELD'],
        [{ sort: 'secret' }, 'SORT_HIDDEN_FIELD'],
        [{ sort: 'a,b,c,d,e,f,g,h,i' }, 'SORT_TOO_MANY_FIELDS'],
        [{ page: '-1' }, 'INVALID_QUERY'],
        [{ page: 'abc' }, 'INVALID_QUERY'],
        [{ page: '1.5' }, 'INVALID_QUERY'],
        [{ perPage: 'abc' }, 'INVALID_QUERY'],
        [{ perPage: '-5' }, 'INVALID_QUERY'],
        [{ perPage: '99999999999999999999' }, 'INVALID_QUERY'],
      ];
      for (const [params, code] of cases) {
        const res = await listRecords(t, undefined, 'items', params);
        expect({ params, status: res.status, code: res.body.code }).toEqual({ params, status: 400, code });
      }
      // Paths that name no relation are ignored, as PocketBase does.
      for (const expand of ['nope', 'title', "owner'); DROP TABLE items; --"]) {
        expect((await listRecords(t, undefined, 'items', { expand })).status).toBe(200);
      }
      const twice = await api(t)('GET', '/api/collections/items/records?filter=n%3D1&filter=n%3D2');
      expectApiProblem(twice, 400, 'INVALID_QUERY');
      expect(await titles('n > 0')).toHaveLength(7);
    });

    it('does not let a filter reach into a collection the caller may not view', async () => {
      await createCollection(t, admin, {
        name: 'vault',
        fields: [{ name: 'code', type: 'text' }],
        listRule: null,
        viewRule: null,
      });
      const gem = await createRecord(t, admin, 'vault', { code: 'ruby' });
      await createCollection(t, admin, {
        name: 'pointers',
        fields: [
          { name: 'label', type: 'text' },
          { name: 'target', type: 'relation', collection: 'vault', maxSelect: 1 },
          { name: 'targets', type: 'relation', collection: 'vault', maxSelect: 3 },
        ],
        listRule: '',
        viewRule: '',
        createRule: '',
      });
      await createRecord(t, admin, 'pointers', { label: 'p', target: gem.id, targets: [gem.id] });
      const probe = async (filter: string, token?: string) =>
        ids(await listRecords(t, token, 'pointers', { filter }));
      for (const token of [undefined, alice.token]) {
        expect(await probe('target.code = "ruby"', token)).toEqual([]);
        expect(await probe('target.code ~ "r"', token)).toEqual([]);
        expect(await probe('targets.code ?= "ruby"', token)).toEqual([]);
        // "No visible related record" answers the same whatever the hidden value is.
        expect(await probe('target.code != "ruby"', token)).toEqual(
          await probe('target.code != "emerald"', token),
        );
        expect(await probe('target.code = null', token)).toHaveLength(1);
        const expanded = await listRecords(t, token, 'pointers', { expand: 'target,targets' });
        expect(JSON.stringify(expanded.body)).not.toContain('ruby');
      }
      expect(await probe('target.code = "ruby"', admin)).toHaveLength(1);
      expect(await probe('targets.code ?= "ruby"', admin)).toHaveLength(1);
    });

    it('answers unknown collections and odd path segments with 4xx problems', async () => {
      for (const path of [
        '/api/collections/%27%3BDROP%20TABLE%20items/records',
        '/api/collections/items%00/records',
        '/api/collections/ITEMS/records',
        "/api/collections/items/records/1'%20OR%20'1'='1",
      ]) {
        const res = await api(t)('GET', path);
        expect({ path, status: res.status }).toEqual({ path, status: 404 });
        expect(res.headers.get('content-type')).toContain('application/problem+json');
      }
      const longId = await api(t)('GET', `/api/collections/items/records/${'9'.repeat(300)}`);
      expect(longId.status).toBeGreaterThanOrEqual(400);
      expect(longId.status).toBeLessThan(500);
    });
  });
});
