import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { compileFilter, CollectionsRegistry, RecordsService } from '@plinth/collections';
import { ANONYMOUS, toQuery } from '@plinth/core';
import pg from 'pg';
import { adminToken, api, type ApiAnswer } from './support/auth.js';
import { expectApiProblem } from './support/problem.js';
import { createCollection, createRecord, createUser, ok, type TestUser } from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';

// Full-text search, trigram indexes and aggregates (issue 25; docs/decisions/search-and-aggregates.md).

type Article = { id: string; title: string };

describe('search and aggregates', () => {
  let t: Awaited<ReturnType<typeof startIsolatedApp>>;
  let admin: string;
  let alice: TestUser;
  let bob: TestUser;
  let db: pg.Client;
  const as = (token?: string) => api(t, token);
  const get = (token: string | undefined, path: string, params: Record<string, string>) =>
    as(token)('GET', `${path}?${new URLSearchParams(params).toString()}`);
  const titles = (res: ApiAnswer): string[] => {
    if (res.status !== 200) throw new Error(`list failed: ${res.status} ${JSON.stringify(res.body)}`);
    return (res.body.items as Article[]).map((i) => i.title);
  };
  const search = (token: string | undefined, params: Record<string, string>) =>
    get(token, '/api/collections/articles/records', params);

  beforeAll(async () => {
    t = await startIsolatedApp();
    db = new pg.Client({ connectionString: t.db.url });
    await db.connect();
    admin = await adminToken(t);
    alice = await createUser(t, 'Alice');
    bob = await createUser(t, 'Bob');
    await createCollection(t, admin, {
      name: 'articles',
      fields: [
        { name: 'title', type: 'text', searchable: true, language: 'english' },
        { name: 'body', type: 'editor', searchable: true, language: 'english' },
        { name: 'owner', type: 'relation', collection: 'users', maxSelect: 1 },
        { name: 'total', type: 'number' },
        { name: 'secret', type: 'text', hidden: true },
      ],
      listRule: 'owner = @request.auth.id',
    });
    const articles: Array<[string, string, TestUser, number]> = [
      ['Running shoes for runners', '<p>The best <b>running</b> shoes</p>', alice, 5],
      ["A runner's guide", '<p>How to run a marathon</p>', alice, 20],
      ['Cooking pasta sauce at home', '<p>Tomatoes and basil</p>', alice, 30],
      ['Sauce on the side', '<p>A sauce for the pasta</p>', alice, 40],
      ['Pasta salad', '<p>Cold and quick</p>', alice, 50],
      ['<script>x</script> running late', '<p>Nothing else</p>', alice, 60],
      ['Running with Bob', '<p>running running running</p>', bob, 70],
    ];
    for (const [title, body, owner, total] of articles) {
      await createRecord(t, admin, 'articles', { title, body, owner: owner.id, total, secret: 'pasta' });
    }
  });
  afterAll(async () => {
    await db?.end();
    await t?.stop();
  });

  describe('search', () => {
    it('stems English words, ranks the best match first and applies the list rule', async () => {
      // "runs" is stemmed to "run", as are running and run; Bob's article is hidden from Alice by the rule.
      const found = titles(await search(alice.token, { search: 'runs' }));
      expect(found[0]).toBe('Running shoes for runners');
      expect(new Set(found)).toEqual(
        new Set(['Running shoes for runners', "A runner's guide", '<script>x</script> running late']),
      );
      expect(titles(await search(bob.token, { search: 'runs' }))).toEqual(['Running with Bob']);
      const res = await search(alice.token, { search: 'runs' });
      const ranks = (res.body.items as Array<{ meta: { rank: number } }>).map((i) => i.meta.rank);
      expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
      expect(res.body.totalItems).toBe(3);
    });

    it('reads quoted phrases, exclusions and "or"', async () => {
      expect(titles(await search(alice.token, { search: '"pasta sauce"' }))).toEqual([
        'Cooking pasta sauce at home',
      ]);
      expect(titles(await search(alice.token, { search: 'pasta -sauce' }))).toEqual(['Pasta salad']);
      expect(new Set(titles(await search(alice.token, { search: 'salad or marathon' })))).toEqual(
        new Set(['Pasta salad', "A runner's guide"]),
      );
    });

    it('combines with a filter and a sort, and is a filter function too', async () => {
      expect(
        titles(await search(alice.token, { search: 'pasta', filter: 'total >= 40', sort: '-total' })),
      ).toEqual(['Pasta salad', 'Sauce on the side']);
      const viaFilter = titles(
        await search(alice.token, { filter: '@search("pasta") && total < 45', sort: 'total' }),
      );
      expect(viaFilter).toEqual(['Cooking pasta sauce at home', 'Sauce on the side']);
      expect(titles(await search(alice.token, { filter: 'search("pasta") = false', sort: 'total' }))).toEqual(
        ['Running shoes for runners', "A runner's guide", '<script>x</script> running late'],
      );
      // A hidden field is never searched: "pasta" is in every secret.
      expect(titles(await search(alice.token, { search: 'pasta', filter: 'total < 10' }))).toEqual([]);
    });

    it('highlights matches as safe HTML in meta', async () => {
      const res = ok(await search(alice.token, { search: 'running', highlight: 'title,body' }));
      const items = res.body.items as Array<Article & { meta: { highlight: Record<string, string> } }>;
      const shoes = items.find((i) => i.title.startsWith('Running shoes'))!;
      expect(shoes.meta.highlight.title).toContain('<mark>Running</mark>');
      expect(shoes.meta.highlight.body).toContain('<mark>running</mark>');
      expect(shoes.meta.highlight.body).not.toContain('<b>');
      const script = items.find((i) => i.title.startsWith('<script>'))!;
      expect(script.meta.highlight.title).toContain('<mark>running</mark>');
      expect(script.meta.highlight.title).not.toMatch(/<(?!\/?mark>)/);
      // fields= keeps meta.
      const slim = ok(await search(alice.token, { search: 'running', fields: 'id', highlight: 'title' }));
      expect(Object.keys(slim.body.items[0]).sort()).toEqual(['id', 'meta']);
    });

    it('refuses bad search input with a 400 naming the problem, and takes odd text', async () => {
      for (const words of [
        '"unbalanced',
        '!!&|:*()<-> ::',
        'ñandú 日本語 🏃',
        'or -',
        "'; DROP TABLE x; --",
      ]) {
        const res = await search(alice.token, { search: words });
        expect({ words, status: res.status }).toEqual({ words, status: 200 });
      }
      const long = expectApiProblem(
        await search(alice.token, { search: 'word '.repeat(2100) }),
        400,
        'SEARCH_INVALID',
      );
      expect(long.errors[0].path).toBe('search');
      expectApiProblem(await search(alice.token, { search: 'a\u0000b' }), 400, 'SEARCH_INVALID');
      expectApiProblem(await search(alice.token, { sort: '@rank' }), 400, 'SORT_UNKNOWN_FIELD');
      expectApiProblem(
        await search(alice.token, { search: 'x', sort: 'title,@rank' }),
        400,
        'SORT_UNKNOWN_FIELD',
      );
      expectApiProblem(
        await search(alice.token, { search: 'x', highlight: 'secret' }),
        400,
        'SEARCH_INVALID',
      );
      expectApiProblem(await search(alice.token, { highlight: 'title' }), 400, 'SEARCH_INVALID');
      expectApiProblem(
        await get(alice.token, '/api/collections/users/records', { search: 'x' }),
        400,
        'SEARCH_NOT_AVAILABLE',
      );
    });

    it('keeps the search column in step with the options', async () => {
      const c = await createCollection(t, admin, {
        name: 'notes',
        fields: [{ name: 'text', type: 'text', searchable: true, language: 'english' }],
        listRule: '',
      });
      await createRecord(t, admin, 'notes', { text: 'running' });
      const notes = (q: string) => get(undefined, '/api/collections/notes/records', { search: q });
      expect((await notes('runs')).body.items).toHaveLength(1);
      const patch = (field: Record<string, unknown>) =>
        as(admin)('PATCH', `/api/collections/${c.id}`, {
          fields: [{ id: (c.fields as Array<{ id: string }>)[0]!.id, name: 'text', type: 'text', ...field }],
        });
      ok(await patch({ searchable: true, language: 'simple' }));
      expect((await notes('runs')).body.items).toHaveLength(0);
      expect((await notes('running')).body.items).toHaveLength(1);
      ok(await patch({}));
      expectApiProblem(await notes('running'), 400, 'SEARCH_NOT_AVAILABLE');
      const { rows } = await db.query(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'data' AND table_name = 'notes'",
      );
      expect(rows.map((r) => r.column_name)).not.toContain('_search');
      // Bad options: an unknown language, a hidden searchable field, trigram on an editor.
      const bad = async (field: Record<string, unknown>, path: string) => {
        const res = await as(admin)('POST', '/api/collections', {
          name: 'bad',
          fields: [{ name: 'x', ...field }],
        });
        expect(
          expectApiProblem(res, 400, 'VALIDATION_FAILED').errors.map((e: { path: string }) => e.path),
        ).toEqual([path]);
      };
      await bad({ type: 'text', searchable: true, language: 'klingon' }, 'fields.0.language');
      await bad({ type: 'text', searchable: true, hidden: true }, 'fields.0.searchable');
      await bad({ type: 'editor', trigram: true }, 'fields.0.trigram');
      await bad({ type: 'text', language: 'english' }, 'fields.0.language');
    });

    it('judges search() in rules, also on records that are being created', async () => {
      await createCollection(t, admin, {
        name: 'tips',
        fields: [{ name: 'text', type: 'text', searchable: true }],
        listRule: 'search("public")',
        createRule: 'search("public")',
      });
      ok(await as()('POST', '/api/collections/tips/records', { text: 'a public tip' }));
      expectApiProblem(
        await as()('POST', '/api/collections/tips/records', { text: 'a private tip' }),
        403,
        'RULE_REFUSED',
      );
      const hidden = await createRecord(t, admin, 'tips', { text: 'a private tip' });
      const res = ok(await get(undefined, '/api/collections/tips/records', {}));
      expect(res.body.items.map((i: { text: string }) => i.text)).toEqual(['a public tip']);
      // Realtime judges a change's snapshot (not the table): the vector is computed from it.
      const records = t.app.get(RecordsService);
      const snapshot = (text: string) => ({ ...hidden, text });
      expect(await records.viewSnapshot('tips', 'list', {}, ANONYMOUS, snapshot('now public'))).toMatchObject(
        {
          text: 'now public',
        },
      );
      expect(
        await records.viewSnapshot('tips', 'list', {}, ANONYMOUS, snapshot('still private')),
      ).toBeUndefined();
    });
  });

  describe('trigram index', () => {
    it('serves ~ from the pg_trgm index', async () => {
      const c = await createCollection(t, admin, {
        name: 'codes',
        fields: [{ name: 'code', type: 'text', trigram: true }],
        listRule: '',
      });
      await db.query(
        `INSERT INTO data.codes (id, code) SELECT gen_random_uuid(), 'item-' || md5(g::text) FROM generate_series(1, 3000) g`,
      );
      await db.query('ANALYZE data.codes');
      const needle = (await db.query('SELECT code FROM data.codes LIMIT 1')).rows[0].code.slice(5, 14);
      const registry = t.app.get(CollectionsRegistry);
      const where = compileFilter(`code ~ "${needle}"`, registry.get('codes').filter, 't', {
        schema: registry.filterSchema,
        now: new Date(),
        auth: null,
        isAdmin: false,
        canSeeHidden: false,
        allowRequestMacros: false,
      });
      const { text, values } = toQuery(where);
      await db.query('BEGIN');
      await db.query('SET LOCAL enable_seqscan = off');
      const plan = await db.query(
        `EXPLAIN (FORMAT JSON) SELECT t.id FROM data.codes AS t WHERE ${text}`,
        values,
      );
      await db.query('COMMIT');
      const fieldId = (c.fields as Array<{ id: string }>)[0]!.id;
      expect(JSON.stringify(plan.rows[0]['QUERY PLAN'])).toContain(`trg_${fieldId}`);
      const res = ok(
        await get(undefined, '/api/collections/codes/records', { filter: `code ~ "${needle}"` }),
      );
      expect(res.body.totalItems).toBeGreaterThanOrEqual(1);
    });
  });

  describe('aggregates', () => {
    type Order = { owner: string; status: string; total: number; placed: string };
    const orders: Order[] = [];
    const aggregate = (token: string | undefined, params: Record<string, string>) =>
      get(token, '/api/collections/orders/aggregate', params);

    beforeAll(async () => {
      await createCollection(t, admin, {
        name: 'orders',
        fields: [
          { name: 'owner', type: 'relation', collection: 'users', maxSelect: 1 },
          { name: 'status', type: 'text' },
          { name: 'total', type: 'number' },
          { name: 'placed', type: 'date' },
          { name: 'note', type: 'text', hidden: true },
        ],
        listRule: 'owner = @request.auth.id',
      });
      const statuses = ['new', 'paid', 'shipped'];
      for (let i = 0; i < 30; i++) {
        orders.push({
          owner: i % 3 === 0 ? bob.id : alice.id,
          status: statuses[(i * 7) % 3]!,
          total: (i * 37) % 100,
          placed: `2026-11-${String(1 + (i % 5)).padStart(2, '0')}T${String((i * 5) % 24).padStart(2, '0')}:00:00.000Z`,
        });
      }
      ok(
        await as(admin)('POST', '/api/batch', {
          requests: orders.map((o) => ({ method: 'POST', url: '/api/collections/orders/records', body: o })),
        }),
      );
    });

    /** The reference: groups of `rows` by `key`, with count, sum, avg, min and max of placed. */
    function reference(rows: Order[], key: (o: Order) => string) {
      const groups = new Map<string, Order[]>();
      for (const o of rows) groups.set(key(o), [...(groups.get(key(o)) ?? []), o]);
      return [...groups.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, g]) => ({
          key: k,
          count: g.length,
          sum: g.reduce((s, o) => s + o.total, 0),
          min: g.map((o) => o.placed).sort()[0],
          max: g
            .map((o) => o.placed)
            .sort()
            .at(-1),
          owners: new Set(g.map((o) => o.owner)).size,
        }));
    }

    it('groups by a field with the list rule applied first', async () => {
      const fields = 'count(),sum(total),avg(total),min(placed),max(placed),count_distinct(owner)';
      for (const [who, token, rows] of [
        ['alice', alice.token, orders.filter((o) => o.owner === alice.id)],
        ['admin', admin, orders],
      ] as const) {
        const res = ok(await aggregate(token, { groupBy: 'status', fields }));
        const expected = reference(rows, (o) => o.status);
        expect({ who, total: res.body.totalGroups }).toEqual({ who, total: expected.length });
        expect(res.body.items).toEqual(
          expected.map((g) => ({
            status: g.key,
            count: g.count,
            sum_total: g.sum,
            avg_total: expect.closeTo(g.sum / g.count, 6),
            min_placed: g.min,
            max_placed: g.max,
            count_distinct_owner: g.owners,
          })),
        );
      }
      const anonymous = ok(await aggregate(undefined, { groupBy: 'status' }));
      expect(anonymous.body).toMatchObject({ totalGroups: 0, items: [] });
    });

    it('buckets dates by day, filters, sorts, pages and keeps groups by having', async () => {
      const mine = orders.filter((o) => o.owner === alice.id);
      const byDay = reference(mine, (o) => `${o.placed.slice(0, 10)}T00:00:00.000Z`);
      const res = ok(await aggregate(alice.token, { groupBy: 'placed:day', fields: 'count(),sum(total)' }));
      expect(res.body.items).toEqual(byDay.map((g) => ({ placed: g.key, count: g.count, sum_total: g.sum })));

      const big = mine.filter((o) => o.total >= 20);
      const filtered = reference(big, (o) => o.status).filter((g) => g.count >= 3);
      const sorted = [...filtered].sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1));
      const page = ok(
        await aggregate(alice.token, {
          groupBy: 'status',
          filter: 'total >= 20',
          having: 'count >= 3',
          sort: '-count,status',
          perPage: '1',
          page: '2',
        }),
      );
      expect(page.body).toMatchObject({ page: 2, perPage: 1, totalGroups: sorted.length });
      expect(page.body.items).toEqual(sorted.slice(1, 2).map((g) => ({ status: g.key, count: g.count })));

      const all = ok(await aggregate(alice.token, { fields: 'count()' }));
      expect(all.body.items).toEqual([{ count: mine.length }]);
      const byCreated = ok(await aggregate(admin, { groupBy: 'created:month' }));
      expect(byCreated.body.items).toHaveLength(1);
      expect(byCreated.body.items[0].count).toBe(orders.length);
    });

    it('refuses bad expressions with a 400 naming them, hidden fields as unknown', async () => {
      const cases: Array<[Record<string, string>, string, string]> = [
        [{ groupBy: 'nope' }, 'AGGREGATE_INVALID', 'groupBy'],
        [{ groupBy: 'note' }, 'AGGREGATE_INVALID', 'groupBy'],
        [{ fields: 'sum(note)' }, 'AGGREGATE_INVALID', 'fields'],
        [{ fields: 'sum(avg(total))' }, 'AGGREGATE_INVALID', 'fields'],
        [{ fields: 'median(total)' }, 'AGGREGATE_INVALID', 'fields'],
        [{ fields: 'sum(status)' }, 'AGGREGATE_INVALID', 'fields'],
        [{ fields: 'total' }, 'AGGREGATE_INVALID', 'fields'],
        [{ fields: Array.from({ length: 11 }, () => 'count()').join(',') }, 'AGGREGATE_INVALID', 'fields'],
        [{ fields: 'count(),count()' }, 'AGGREGATE_INVALID', 'fields'],
        [{ groupBy: 'status:day' }, 'AGGREGATE_INVALID', 'groupBy'],
        [{ groupBy: 'placed:fortnight' }, 'AGGREGATE_INVALID', 'groupBy'],
        [{ groupBy: 'a,b,c,d' }, 'AGGREGATE_INVALID', 'groupBy'],
        [{ groupBy: 'status', perPage: '5000' }, 'AGGREGATE_INVALID', 'perPage'],
        [{ groupBy: 'status', having: 'total > 3' }, 'FILTER_UNKNOWN_FIELD', 'having'],
        [{ groupBy: 'status', having: 'id != ""' }, 'FILTER_HIDDEN_FIELD', 'having'],
        [{ groupBy: 'status', sort: 'total' }, 'SORT_UNKNOWN_FIELD', 'sort'],
        [{ filter: 'note = "x"' }, 'FILTER_HIDDEN_FIELD', 'filter'],
      ];
      for (const [params, code, path] of cases) {
        const res = await aggregate(alice.token, params);
        expect({
          params,
          status: res.status,
          code: res.body?.code,
          path: res.body?.errors?.[0]?.path,
        }).toEqual({
          params,
          status: 400,
          code,
          path,
        });
      }
      // An admin may group by a hidden field.
      ok(await aggregate(admin, { groupBy: 'note' }));
    });
  });
});
