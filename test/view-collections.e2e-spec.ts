/**
 * Issue 19, view collections: read-only collections whose records come from a SELECT, with fields
 * inferred from it, rules, filters, sort and expand, rebuilt when a collection they read changes,
 * and hostile queries refused with a 400.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Validator } from '@seriousme/openapi-schema-validator';
import PocketBase, { ClientResponseError } from 'pocketbase';
import { generateTypes } from '../sdk/src/cli/typegen.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, adminToken, api } from './support/auth.js';
import { expectApiProblem } from './support/problem.js';
import { createCollection, createRecord, createUser, ok } from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

describe('view collections (issue 19)', () => {
  let t: App;
  let dataDir: string;
  let admin: string;
  let as: ReturnType<typeof api>;
  const authors: Record<string, string> = {};
  const posts: Record<string, string> = {};

  const fieldsOf = (def: { fields: Array<Record<string, unknown>> }) =>
    Object.fromEntries(def.fields.map((f) => [f.name, f]));

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'plinth-views-'));
    t = await startIsolatedApp({ env: { PLINTH_DATA_DIR: dataDir } });
    admin = await adminToken(t);
    as = api(t, admin);
    await createCollection(t, admin, {
      name: 'authors',
      fields: [
        { name: 'name', type: 'text', required: true },
        { name: 'secret', type: 'text', hidden: true },
      ],
      listRule: '',
      viewRule: '',
    });
    await createCollection(t, admin, {
      name: 'posts',
      fields: [
        { name: 'title', type: 'text', required: true },
        { name: 'views', type: 'number' },
        { name: 'tags', type: 'select', values: ['a', 'b'], maxSelect: 2 },
        { name: 'author', type: 'relation', collection: 'authors', maxSelect: 1 },
      ],
      listRule: '',
      viewRule: '',
    });
    for (const name of ['Ann', 'Bob'])
      authors[name] = (await createRecord(t, admin, 'authors', { name, secret: `s-${name}` })).id;
    const rows: Array<[string, number, string]> = [
      ['alpha', 5, 'Ann'],
      ['beta', 50, 'Ann'],
      ['gamma', 500, 'Bob'],
    ];
    for (const [title, views, author] of rows)
      posts[title] = (
        await createRecord(t, admin, 'posts', { title, views, tags: ['a'], author: authors[author] })
      ).id;
  });
  afterAll(async () => {
    await t?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('creates a view over two collections with fields inferred from its columns', async () => {
    const def = ok(
      await as('POST', '/api/collections', {
        name: 'post_stats',
        type: 'view',
        viewQuery:
          'SELECT p.id, p.title, p.views, p.tags, p.author, a.name AS author_name, a.secret, upper(p.title) AS shout, p.views > 100 AS popular, p.created\n' +
          'FROM posts p JOIN authors a ON a.id = p.author;',
        listRule: 'views >= 10',
        viewRule: '',
      }),
    ).body;
    expect(def).toMatchObject({
      type: 'view',
      createRule: null,
      updateRule: null,
      deleteRule: null,
      indexes: [],
    });
    expect(def.viewQuery).not.toMatch(/;$/);
    const f = fieldsOf(def);
    // PocketBase's shape: the text id field first.
    expect(f.id).toMatchObject({ type: 'text', primaryKey: true });
    expect(Object.keys(f)).toEqual([
      'id',
      'title',
      'views',
      'tags',
      'author',
      'author_name',
      'secret',
      'shout',
      'popular',
    ]);
    expect(f.title).toMatchObject({ type: 'text' });
    expect(f.views).toMatchObject({ type: 'number' });
    expect(f.tags).toMatchObject({ type: 'select', values: ['a', 'b'], maxSelect: 2 });
    expect(f.author).toMatchObject({ type: 'relation', collection: 'authors', maxSelect: 1 });
    expect(f.author_name).toMatchObject({ type: 'text' });
    expect(f.secret).toMatchObject({ type: 'text', hidden: true });
    expect(f.shout).toMatchObject({ type: 'text' });
    expect(f.popular).toMatchObject({ type: 'bool' });
    expect(def.viewDates).toEqual({ created: true, updated: false });

    ok(
      await as('POST', '/api/collections', {
        name: 'author_counts',
        type: 'view',
        viewQuery:
          'SELECT (ROW_NUMBER() OVER (ORDER BY a.name)) AS id, a.name, count(p.id) AS total, max(p.created) AS latest\n' +
          'FROM authors a LEFT JOIN posts p ON p.author = a.id GROUP BY a.name',
        listRule: '',
        viewRule: "@request.auth.id != ''",
      }),
    );
  });

  it('lists, filters, sorts and expands through REST with the list rule applied', async () => {
    const guest = api(t);
    const all = ok(await guest('GET', '/api/collections/post_stats/records?sort=-views')).body;
    expect(all.items.map((r: { title: string }) => r.title)).toEqual(['gamma', 'beta']);
    const first = all.items[0];
    expect(first).toMatchObject({
      id: posts.gamma,
      collectionName: 'post_stats',
      author_name: 'Bob',
      shout: 'GAMMA',
      popular: true,
    });
    expect(first).toHaveProperty('created');
    expect(first).not.toHaveProperty('updated');
    expect(first).not.toHaveProperty('secret');

    const filtered = ok(
      await guest(
        'GET',
        `/api/collections/post_stats/records?filter=${encodeURIComponent("author_name = 'Ann'")}`,
      ),
    ).body;
    expect(filtered.items.map((r: { title: string }) => r.title)).toEqual(['beta']);

    const expanded = ok(
      await guest('GET', `/api/collections/post_stats/records?sort=title&expand=author`),
    ).body;
    expect(expanded.items[0].expand.author).toMatchObject({ id: authors.Ann, name: 'Ann' });

    const byAdmin = ok(await as('GET', '/api/collections/post_stats/records?sort=title')).body;
    expect(byAdmin.items.map((r: { title: string }) => r.title)).toEqual(['alpha', 'beta', 'gamma']);
    expect(byAdmin.items[0].secret).toBe('s-Ann');

    const counts = ok(await guest('GET', '/api/collections/author_counts/records?sort=id')).body;
    expect(counts.items).toEqual([
      expect.objectContaining({ id: '1', name: 'Ann', total: 2 }),
      expect.objectContaining({ id: '2', name: 'Bob', total: 1 }),
    ]);
    expect(counts.items[0]).not.toHaveProperty('created');
  });

  it('views one record by its text id with the view rule applied', async () => {
    const guest = api(t);
    expectApiProblem(await guest('GET', '/api/collections/author_counts/records/1'), 404, 'RECORD_NOT_FOUND');
    const user = await createUser(t, 'Viewer');
    const one = ok(await api(t, user.token)('GET', '/api/collections/author_counts/records/2')).body;
    expect(one).toMatchObject({ id: '2', name: 'Bob', total: 1 });
    expect(ok(await guest('GET', `/api/collections/post_stats/records/${posts.alpha}`)).body.title).toBe(
      'alpha',
    );
  });

  it('serves the unchanged pocketbase SDK', async () => {
    const pb = new PocketBase(t.url);
    pb.autoCancellation(false);
    const list = await pb
      .collection('post_stats')
      .getList(1, 10, { filter: 'views > 10', sort: 'title', expand: 'author' });
    expect(list.items.map((r) => r.title)).toEqual(['beta', 'gamma']);
    expect(list.items[1]!.expand?.author).toMatchObject({ name: 'Bob' });
    const one = await pb.collection('post_stats').getOne(posts.beta!);
    expect(one).toMatchObject({ title: 'beta', author_name: 'Ann' });
    const refused = await pb
      .collection('post_stats')
      .create({ title: 'x' })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(refused).toBeInstanceOf(ClientResponseError);
    expect((refused as ClientResponseError).status).toBe(405);
  });

  it('documents views as read-only in OpenAPI and the SDK typegen', async () => {
    const doc = ok(await as('GET', '/api/openapi.json')).body;
    expect(await new Validator().validate(doc)).toEqual({ valid: true });
    expect(Object.keys(doc.paths['/api/collections/post_stats/records'])).toEqual(['get']);
    expect(Object.keys(doc.paths['/api/collections/post_stats/records/{id}'])).toEqual(['get']);
    const record = doc.components.schemas['post_stats.record'];
    expect(record['x-plinth-collection-type']).toBe('view');
    expect(record.properties.id).toEqual({ type: 'string', description: expect.any(String) });
    expect(record.properties).toHaveProperty('created');
    expect(record.properties).not.toHaveProperty('updated');
    expect(record.properties.author['x-plinth-collection']).toBe('authors');
    expect(doc.components.schemas).not.toHaveProperty('post_stats.create');
    const types = generateTypes(doc);
    expect(types).toMatch(
      /post_stats: \{ type: "view"; record: PostStatsRecord; create: never; update: never;/,
    );
    expect(types).toMatch(/export interface AuthorCountsRecord \{[^}]* total: number;/s);
  });

  it('round-trips through the schema export and import', async () => {
    const exported = ok(await as('GET', '/api/collections/export')).body;
    const view = exported.collections.find((c: { name: string }) => c.name === 'post_stats');
    expect(view).toMatchObject({
      type: 'view',
      viewQuery: expect.stringContaining('FROM posts p JOIN authors a'),
    });
    const plan = ok(await as('PUT', '/api/collections/import?dryRun=true', exported)).body;
    expect(plan.changes).toEqual([]);
    // A view in a file for a fresh install is created after the collections it reads.
    const renamed = { ...view, id: undefined, name: 'post_stats_copy', fields: [] };
    const applied = ok(
      await as('PUT', '/api/collections/import?dryRun=true', { collections: [renamed] }),
    ).body;
    expect(applied.changes).toEqual([
      expect.objectContaining({ collection: 'post_stats_copy', action: 'create' }),
    ]);
  });

  it('refuses writes, even an admin’s, and write rules', async () => {
    for (const [method, path] of [
      ['POST', '/api/collections/post_stats/records'],
      ['PATCH', `/api/collections/post_stats/records/${posts.alpha}`],
      ['DELETE', `/api/collections/post_stats/records/${posts.alpha}`],
    ] as const) {
      const p = expectApiProblem(
        await as(method, path, method === 'DELETE' ? undefined : { title: 'x' }),
        405,
        'VIEW_READ_ONLY',
      );
      expect(p.detail).toMatch(/post_stats" is a view collection/);
    }
    const batch = await as('POST', '/api/batch', {
      requests: [{ method: 'POST', url: '/api/collections/post_stats/records', body: { title: 'x' } }],
    });
    expect(batch.status).toBeGreaterThanOrEqual(400);
    expect(batch.status).toBeLessThan(500);
    const rule = expectApiProblem(
      await as('PATCH', '/api/collections/post_stats', { createRule: '' }),
      400,
      'VALIDATION_FAILED',
    );
    expect(rule.errors).toEqual([expect.objectContaining({ path: 'createRule' })]);
    expectApiProblem(
      await as('PATCH', '/api/collections/post_stats', { listRule: 'nope > 1' }),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('rebuilds a view when a collection it reads changes, and refuses changes that break it', async () => {
    const postsDef = ok(await as('GET', '/api/collections/posts')).body;
    const views = postsDef.fields.find((f: { name: string }) => f.name === 'views');
    const fields = postsDef.fields.map((f: { name: string }) =>
      f.name === 'views' ? { id: views.id, name: 'views', type: 'text' } : f,
    );
    // The view compares views with a number: as text, its query would fail, so the change is refused.
    const broken = expectApiProblem(
      await as('PATCH', '/api/collections/posts', { fields }),
      409,
      'COLLECTION_REFERENCED',
    );
    expect(broken.detail).toMatch(/view collection "post_stats" .*operator does not exist: text > integer/);
    ok(
      await as('PATCH', '/api/collections/post_stats', {
        viewQuery:
          'SELECT p.id, p.title, p.views, p.author, a.name AS author_name FROM posts p JOIN authors a ON a.id = p.author',
      }),
    );
    // PostgreSQL alone refuses to change the type of a column a view reads: the view is rebuilt around it.
    ok(await as('PATCH', '/api/collections/posts', { fields: [...fields, { name: 'extra', type: 'text' }] }));
    const stats = ok(await as('GET', '/api/collections/post_stats')).body;
    expect(fieldsOf(stats).views).toMatchObject({ type: 'text' });
    const listed = ok(await as('GET', '/api/collections/post_stats/records?sort=title')).body;
    expect(listed.items[0].views).toBe('5');

    const renamed = fields.map((f: { name: string }) =>
      f.name === 'title' ? { ...f, name: 'headline' } : f,
    );
    const refused = expectApiProblem(
      await as('PATCH', '/api/collections/posts', { fields: renamed }),
      409,
      'COLLECTION_REFERENCED',
    );
    expect(refused.detail).toMatch(/view collection "post_stats"/);
    expect(refused.detail).toMatch(/title/);
    expectApiProblem(
      await as('PATCH', '/api/collections/authors', { name: 'writers' }),
      409,
      'COLLECTION_REFERENCED',
    );
    const del = expectApiProblem(
      await as('DELETE', '/api/collections/authors'),
      409,
      'COLLECTION_REFERENCED',
    );
    expect(del.detail).toMatch(/authors/);
    // Nothing half-done: the source and the view still answer.
    expect(ok(await as('GET', '/api/collections/post_stats/records')).body.totalItems).toBe(3);
  });

  it('refuses hostile and broken queries with a 400 naming the problem', async () => {
    const cases: Array<[string, RegExp]> = [
      ['DELETE FROM posts', /must be a SELECT/],
      ['WITH d AS (DELETE FROM posts RETURNING id) SELECT id FROM d', /only read|INSERT, UPDATE and DELETE/],
      ['SELECT id FROM posts; DROP TABLE data.posts', /one SELECT statement/],
      ['SELECT id, title FROM posts; SELECT 1', /one SELECT statement/],
      ['SELECT id::text AS id, email FROM plinth.admin', /"plinth.admin", which is not a collection/],
      ['SELECT oid::text AS id, relname FROM pg_class', /"pg_catalog.pg_class", which is not a collection/],
      ['SELECT usename AS id FROM pg_user', /not a collection/],
      ['SELECT id, password_hash FROM users', /password_hash/],
      ['SELECT u.id, to_jsonb(u) AS data FROM users u', /whole rows/],
      ['SELECT u.id, to_jsonb(row(u.*)) AS data FROM users u', /alias\.\*/],
      ['SELECT * FROM users', /password_hash|reserved/],
      ['SELECT id, pg_sleep(1)::text AS s FROM posts', /pg_sleep\(\)/],
      [
        "SELECT id, query_to_xml('select * from plinth.admin', true, true, '') AS x FROM posts",
        /query_to_xml\(\)/,
      ],
      ["SELECT id, current_setting('data_directory') AS d FROM posts", /current_setting\(\)/],
      ["SELECT id, nextval('x') AS n FROM posts", /nextval\(\)|does not run/],
      ['SELECT id FROM posts FOR UPDATE', /locks rows/],
      ['SELECT id FROM posts WHERE', /does not run on PostgreSQL: syntax error/],
      ['SELECT title FROM posts', /needs an "id" column/],
      ['SELECT id FROM nope', /relation "nope" does not exist/],
      ['SELECT id, 1 + 1 FROM posts', /no usable name/],
      ['SELECT id, title AS "collectionName" FROM posts', /reserved name/],
      ['', /empty/],
    ];
    for (const [viewQuery, message] of cases) {
      const res = await as('POST', '/api/collections', {
        name: 'hostile',
        type: 'view',
        viewQuery,
        listRule: '',
      });
      const p = expectApiProblem(res, 400, 'VALIDATION_FAILED');
      expect({ viewQuery, detail: p.detail }).toEqual({ viewQuery, detail: expect.stringMatching(message) });
      expect(p.errors[0].path).toBe('viewQuery');
    }
    const names = ok(await as('GET', '/api/collections?perPage=100')).body.items.map(
      (c: { name: string }) => c.name,
    );
    expect(names).not.toContain('hostile');
    expect(ok(await as('GET', '/api/collections/posts/records')).body.totalItems).toBe(3);
  });

  it('lets a view be changed and deleted, then its sources too', async () => {
    const def = ok(
      await as('PATCH', '/api/collections/post_stats', {
        viewQuery: 'SELECT id, title AS name FROM posts',
        listRule: '',
      }),
    ).body;
    expect(def.fields.map((f: { name: string }) => f.name)).toEqual(['id', 'name']);
    expect(ok(await api(t)('GET', '/api/collections/post_stats/records?sort=name')).body.items[0].name).toBe(
      'alpha',
    );
    ok(await as('DELETE', '/api/collections/author_counts'), 204);
    ok(await as('DELETE', '/api/collections/post_stats'), 204);
    ok(await as('DELETE', '/api/collections/posts'), 204);
    ok(await as('DELETE', '/api/collections/authors'), 204);
  });

  it("serves a view's files from the source record, thumbs too, with the view's rule; 404 for a computed column", async () => {
    const pb = new PocketBase(t.url);
    pb.autoCancellation(false);
    await pb.collection('_superusers').authWithPassword(ADMIN_EMAIL, ADMIN_PASSWORD);
    await createCollection(t, admin, {
      name: 'docs',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'file', type: 'file', maxSelect: 1, thumbs: ['2x2'] },
        { name: 'attachments', type: 'file', maxSelect: 3 },
      ],
      listRule: '',
      viewRule: '',
    });
    const png = (name: string) => new File([PNG_1X1], name, { type: 'image/png' });
    const shown = await pb
      .collection('docs')
      .create({ title: 'shown', file: png('one.png'), attachments: [png('a.png'), png('b.png')] });
    const hidden = await pb.collection('docs').create({ title: 'hidden', file: png('two.png') });
    for (const [name, query] of [
      ['doc_view', 'SELECT d.id, d.title, d.file, d.attachments FROM docs d'],
      ['doc_copies', 'SELECT v.id, v.title, v.file FROM doc_view v'],
      ['doc_names', "SELECT d.id, d.title, d.file || '' AS file FROM docs d"],
    ])
      ok(
        await as('POST', '/api/collections', {
          name,
          type: 'view',
          viewQuery: query,
          listRule: '',
          viewRule: "title != 'hidden'",
        }),
      );
    const fields = fieldsOf(ok(await as('GET', '/api/collections/doc_view')).body);
    expect(fields.file).toMatchObject({ type: 'file', thumbs: ['2x2'] });
    expect(ok(await as('GET', '/api/collections/doc_view')).body).not.toHaveProperty('viewFileSources');

    const get = (path: string) => fetch(`${t.url}/api/files/${path}`);
    const bytes = async (res: Response) => Buffer.from(await res.arrayBuffer());
    const single = await get(`doc_view/${shown.id}/${shown.file}`);
    expect(single.status).toBe(200);
    expect(await bytes(single)).toEqual(PNG_1X1);
    const second = await get(`doc_view/${shown.id}/${shown.attachments[1]}`);
    expect(second.status).toBe(200);
    const thumb = await get(`doc_view/${shown.id}/${shown.file}?thumb=2x2`);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/png');
    // The thumb is made beside the source record's file, as the source collection's own URL serves it.
    expect(await bytes(thumb)).toEqual(await bytes(await get(`docs/${shown.id}/${shown.file}?thumb=2x2`)));
    // A view of the view follows it to the source.
    const copied = await get(`doc_copies/${shown.id}/${shown.file}`);
    expect(copied.status).toBe(200);
    expect(await bytes(copied)).toEqual(PNG_1X1);

    // The view's rule: the row is hidden from guests, though the source collection would show its file.
    expectApiProblem(
      await api(t)('GET', `/api/files/doc_view/${hidden.id}/${hidden.file}`),
      404,
      'FILE_NOT_FOUND',
    );
    expect((await get(`docs/${hidden.id}/${hidden.file}`)).status).toBe(200);
    // Another record's file under this row, and a computed column (text, not a file field), serve nothing.
    expectApiProblem(
      await api(t)('GET', `/api/files/doc_view/${shown.id}/${hidden.file}`),
      404,
      'FILE_NOT_FOUND',
    );
    expect(fieldsOf(ok(await as('GET', '/api/collections/doc_names')).body).file).toMatchObject({
      type: 'text',
    });
    expectApiProblem(
      await api(t)('GET', `/api/files/doc_names/${shown.id}/${shown.file}`),
      404,
      'FILE_NOT_FOUND',
    );
  });
});
