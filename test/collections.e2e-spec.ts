import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { adminToken, api, type ApiAnswer } from './support/auth.js';
import { startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;
type Call = ReturnType<typeof api>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- collection answers are JSON; tests assert them
type Json = any;

/** Asserts a problem answer (status, code, problem+json) and returns its body. */
function problem(res: ApiAnswer, status: number, code: string): Json {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.body.requestId).toBe(res.headers.get('x-request-id'));
  return res.body;
}

const paths = (body: Json): string[] => body.errors.map((e: { path: string }) => e.path).sort();

/** The columns of a table in schema `data`, name → PostgreSQL type. */
async function columns(t: App, table: string): Promise<Record<string, string>> {
  const { rows } = await t.db.query<{ column_name: string; data_type: string }>(
    `SELECT column_name, data_type FROM information_schema.columns
      WHERE table_schema = 'data' AND table_name = $1 ORDER BY ordinal_position`,
    [table],
  );
  return Object.fromEntries(rows.map((r) => [r.column_name, r.data_type]));
}

async function tableExists(t: App, table: string): Promise<boolean> {
  const { rows } = await t.db.query<{ oid: string | null }>('SELECT to_regclass($1)::text AS oid', [
    `data."${table}"`,
  ]);
  return rows[0]!.oid !== null;
}

async function indexNames(t: App, table: string): Promise<string[]> {
  const { rows } = await t.db.query<{ indexname: string }>(
    `SELECT indexname FROM pg_indexes WHERE schemaname = 'data' AND tablename = $1 ORDER BY indexname`,
    [table],
  );
  return rows.map((r) => r.indexname);
}

const fieldOf = (def: Json, name: string): Json => def.fields.find((f: Json) => f.name === name);

describe('Collections API: access', () => {
  let t: App;

  beforeAll(async () => {
    t = await startIsolatedApp();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('answers 401 to every collections route without credentials', async () => {
    const anonymous = api(t);
    for (const [method, url, body] of [
      ['GET', '/api/collections'],
      ['POST', '/api/collections', { name: 'posts' }],
      ['GET', '/api/collections/users'],
      ['PATCH', '/api/collections/users', { listRule: '' }],
      ['DELETE', '/api/collections/users'],
      ['GET', '/api/collections/export'],
      ['PUT', '/api/collections/import', { collections: [] }],
    ] as const) {
      const res = await anonymous(method, url, body);
      expect({ method, url, status: res.status, code: res.body.code }).toEqual({
        method,
        url,
        status: 401,
        code: 'UNAUTHORIZED',
      });
    }
    expect(await tableExists(t, 'users')).toBe(true);
    expect(await tableExists(t, 'posts')).toBe(false);
  });
});

describe('Collections API: lifecycle with data kept across renames', () => {
  let t: App;
  let call: Call;
  let posts: Json;
  let comments: Json;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await startIsolatedApp();
    call = api(t, await adminToken(t));
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('creates a collection with several field types as a real table', async () => {
    const res = await call('POST', '/api/collections', {
      name: 'posts',
      type: 'base',
      fields: [
        { name: 'title', type: 'text', required: true, max: 200 },
        { name: 'views', type: 'number', min: 0, onlyInt: true },
        { name: 'published', type: 'bool' },
        { name: 'status', type: 'select', values: ['draft', 'live'], maxSelect: 1 },
        { name: 'tags', type: 'select', values: ['a', 'b', 'c'], maxSelect: 3 },
        { name: 'meta', type: 'json' },
        { name: 'publishedAt', type: 'date' },
        { name: 'contact', type: 'email' },
        { name: 'link', type: 'url' },
        { name: 'slug', type: 'text' },
        { name: 'author', type: 'relation', collection: 'users', maxSelect: 1, onDelete: 'set-null' },
      ],
      indexes: [{ fields: ['status', 'views'] }],
      listRule: "status = 'live'",
      viewRule: '',
      createRule: null,
      updateRule: null,
      deleteRule: null,
    });
    expect(res.status).toBe(200);
    posts = res.body;
    expect(posts).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'posts',
      type: 'base',
      indexes: [{ fields: ['status', 'views'], unique: false }],
      listRule: "status = 'live'",
      viewRule: '',
      createRule: null,
      created: expect.any(String),
      updated: expect.any(String),
    });
    expect(posts.fields.map((f: Json) => [f.name, f.type])).toEqual([
      ['title', 'text'],
      ['views', 'number'],
      ['published', 'bool'],
      ['status', 'select'],
      ['tags', 'select'],
      ['meta', 'json'],
      ['publishedAt', 'date'],
      ['contact', 'email'],
      ['link', 'url'],
      ['slug', 'text'],
      ['author', 'relation'],
    ]);
    expect(new Set(posts.fields.map((f: Json) => f.id)).size).toBe(11);
    expect(fieldOf(posts, 'title')).toMatchObject({ required: true, max: 200 });

    expect(await columns(t, 'posts')).toEqual({
      id: 'uuid',
      created: 'timestamp with time zone',
      updated: 'timestamp with time zone',
      title: 'text',
      views: 'double precision',
      published: 'boolean',
      status: 'text',
      tags: 'ARRAY',
      meta: 'jsonb',
      publishedAt: 'timestamp with time zone',
      contact: 'text',
      link: 'text',
      slug: 'text',
      author: 'uuid',
    });
    const byId = await call('GET', `/api/collections/${posts.id}`);
    expect(byId.body).toEqual(posts);
    const list = await call('GET', '/api/collections');
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ page: 1, totalItems: 2, totalPages: 1 });
    expect(list.body.items.map((c: Json) => c.name).sort()).toEqual(['posts', 'users']);
  });

  it('serves the new collection through the records API at once', async () => {
    for (const [key, body] of [
      [
        'first',
        { title: 'First', views: 3, status: 'live', tags: ['a', 'b'], meta: { n: [1, 2] }, slug: 'same' },
      ],
      ['second', { title: 'Second', views: 5, status: 'draft', published: true, slug: 'same' }],
    ] as const) {
      const res = await call('POST', '/api/collections/posts/records', body);
      expect(res.status).toBe(200);
      ids[key] = res.body.id;
    }
    const list = await call('GET', '/api/collections/posts/records?sort=title');
    expect(list.body.items.map((r: Json) => [r.title, r.views, r.status])).toEqual([
      ['First', 3, 'live'],
      ['Second', 5, 'draft'],
    ]);
    expect(list.body.items[0]).toMatchObject({ tags: ['a', 'b'], meta: { n: [1, 2] } });
  });

  it('renames a field (same id, new name) and keeps its data', async () => {
    const fields = posts.fields.map((f: Json) => (f.name === 'title' ? { ...f, name: 'headline' } : f));
    const res = await call('PATCH', '/api/collections/posts', { fields });
    expect(res.status).toBe(200);
    expect(fieldOf(res.body, 'headline').id).toBe(fieldOf(posts, 'title').id);
    expect(fieldOf(res.body, 'title')).toBeUndefined();
    posts = res.body;

    const cols = await columns(t, 'posts');
    expect(cols).toHaveProperty('headline', 'text');
    expect(cols).not.toHaveProperty('title');
    const one = await call('GET', `/api/collections/posts/records/${ids.first}`);
    expect(one.body).toMatchObject({ headline: 'First', views: 3 });
    expect(one.body).not.toHaveProperty('title');
    const filtered = await call(
      'GET',
      `/api/collections/posts/records?filter=${encodeURIComponent("headline = 'Second'")}`,
    );
    expect(filtered.body.items.map((r: Json) => r.id)).toEqual([ids.second]);
    // The renamed field keeps its options: still required.
    const missing = await call('POST', '/api/collections/posts/records', { views: 1 });
    expect(missing.status).toBe(400);
    expect(paths(missing.body)).toEqual(['headline']);
  });

  it('keeps relations from another collection working across a rename of their target', async () => {
    const created = await call('POST', '/api/collections', {
      name: 'comments',
      fields: [
        { name: 'body', type: 'text' },
        { name: 'post', type: 'relation', collection: 'posts', onDelete: 'cascade' },
      ],
    });
    expect(created.status).toBe(200);
    comments = created.body;
    const comment = await call('POST', '/api/collections/comments/records', {
      body: 'nice',
      post: ids.first,
    });
    expect(comment.status).toBe(200);
    ids.comment = comment.body.id;

    const renamed = await call('PATCH', `/api/collections/${posts.id}`, { name: 'articles' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: posts.id, name: 'articles' });
    posts = renamed.body;

    expect(await tableExists(t, 'articles')).toBe(true);
    expect(await tableExists(t, 'posts')).toBe(false);
    const list = await call('GET', '/api/collections/articles/records?sort=headline');
    expect(list.status).toBe(200);
    expect(list.body.items.map((r: Json) => [r.id, r.headline, r.collectionName])).toEqual([
      [ids.first, 'First', 'articles'],
      [ids.second, 'Second', 'articles'],
    ]);
    for (const url of [
      '/api/collections/posts/records',
      `/api/collections/posts/records/${ids.first}`,
      '/api/collections/posts',
    ]) {
      const res = await call('GET', url);
      problem(res, 404, 'COLLECTION_NOT_FOUND');
    }

    // The relation follows: its definition, expand, filters through it, new links, and cascade.
    const after = await call('GET', '/api/collections/comments');
    expect(fieldOf(after.body, 'post').collection).toBe('articles');
    const expanded = await call('GET', `/api/collections/comments/records/${ids.comment}?expand=post`);
    expect(expanded.status).toBe(200);
    expect(expanded.body.expand.post).toMatchObject({
      id: ids.first,
      headline: 'First',
      collectionName: 'articles',
    });
    const through = await call(
      'GET',
      `/api/collections/comments/records?filter=${encodeURIComponent("post.headline = 'First'")}`,
    );
    expect(through.body.items.map((r: Json) => r.id)).toEqual([ids.comment]);
    const linked = await call('POST', '/api/collections/comments/records', {
      body: 'also',
      post: ids.second,
    });
    expect(linked.status).toBe(200);
    const dangling = await call('POST', '/api/collections/comments/records', {
      body: 'dangling',
      post: '00000000-0000-7000-8000-000000000000',
    });
    expect(dangling.status).toBe(400);

    expect((await call('DELETE', `/api/collections/articles/records/${ids.second}`)).status).toBe(204);
    const left = await call('GET', '/api/collections/comments/records');
    expect(left.body.items.map((r: Json) => r.id)).toEqual([ids.comment]);
  });

  it('refuses a type change it cannot apply (409 naming the field) and changes nothing', async () => {
    const before = (await call('GET', '/api/collections/articles')).body;
    const colsBefore = await columns(t, 'articles');
    const dataBefore = (await call('GET', '/api/collections/articles/records')).body.items;

    for (const [from, to] of [
      ['headline', 'number'],
      ['meta', 'text'],
      ['tags', 'text'],
      ['published', 'date'],
    ] as const) {
      const index = before.fields.findIndex((f: Json) => f.name === from);
      const fields = before.fields.map((f: Json) => {
        if (f.name !== from) return f;
        const { id, name, required } = f;
        return { id, name, required, type: to };
      });
      const res = await call('PATCH', '/api/collections/articles', { fields });
      const body = problem(res, 409, 'FIELD_TYPE_CHANGE_UNSUPPORTED');
      expect(body.detail).toContain(`"${from}"`);
      expect(body.errors).toEqual([
        expect.objectContaining({ path: `fields.${index}.type`, code: 'FIELD_TYPE_CHANGE_UNSUPPORTED' }),
      ]);
    }
    // A multiple select cannot shrink to a single one either.
    const fields = before.fields.map((f: Json) => (f.name === 'tags' ? { ...f, maxSelect: 1 } : f));
    problem(
      await call('PATCH', '/api/collections/articles', { fields }),
      409,
      'FIELD_TYPE_CHANGE_UNSUPPORTED',
    );

    expect((await call('GET', '/api/collections/articles')).body).toEqual(before);
    expect(await columns(t, 'articles')).toEqual(colsBefore);
    expect((await call('GET', '/api/collections/articles/records')).body.items).toEqual(dataBefore);
  });

  it('applies a type change it can (number → text) and converts the data', async () => {
    const current = (await call('GET', '/api/collections/articles')).body;
    const fields = current.fields.map((f: Json) => {
      if (f.name !== 'views') return f;
      return { id: f.id, name: 'views', type: 'text' };
    });
    const res = await call('PATCH', '/api/collections/articles', { fields, indexes: [] });
    expect(res.status).toBe(200);
    expect((await columns(t, 'articles')).views).toBe('text');
    const one = await call('GET', `/api/collections/articles/records/${ids.first}`);
    expect(one.body.views).toBe('3');
  });

  it('refuses to make a field unique over duplicates (409 SCHEMA_CHANGE_FAILED) and changes nothing', async () => {
    const before = (await call('GET', '/api/collections/articles')).body;
    const second = await call('POST', '/api/collections/articles/records', {
      headline: 'Third',
      slug: 'same',
    });
    expect(second.status).toBe(200);
    const indexesBefore = await indexNames(t, 'articles');

    const fields = before.fields.map((f: Json) => (f.name === 'slug' ? { ...f, unique: true } : f));
    const res = await call('PATCH', '/api/collections/articles', { fields, listRule: '' });
    const body = problem(res, 409, 'SCHEMA_CHANGE_FAILED');
    expect(body.detail).toContain('"slug"');
    expect(JSON.stringify(body)).not.toMatch(/duplicate key|uq_|ERROR:|data\./);

    expect((await call('GET', '/api/collections/articles')).body).toEqual(before);
    expect(await indexNames(t, 'articles')).toEqual(indexesBefore);
    // The rule in the same PATCH was not applied either.
    expect((await call('GET', '/api/collections/articles')).body.listRule).toBe(before.listRule);

    // With the duplicate gone, the same change goes through and is enforced.
    await call('PATCH', `/api/collections/articles/records/${second.body.id}`, { slug: 'other' });
    const ok = await call('PATCH', '/api/collections/articles', { fields });
    expect(ok.status).toBe(200);
    const dup = await call('POST', '/api/collections/articles/records', {
      headline: 'Fourth',
      slug: 'other',
    });
    expect(dup.status).toBe(400);
    expect(paths(dup.body)).toEqual(['slug']);
  });

  it('refuses invalid definitions with 400 and every path', async () => {
    const res = await call('POST', '/api/collections', {
      name: 'x"; DROP TABLE y; --',
      colour: 'red',
      fields: [
        // `id` of type text declares PocketBase text ids (docs/decisions/text-ids.md); `created` stays reserved.
        { name: 'created', type: 'text' },
        { name: 'ok"; DROP TABLE data.users; --', type: 'text' },
        { name: 'good', type: 'nonsense' },
        { name: 'n', type: 'number', pattern: 'x', min: 5, max: 1 },
        { name: 'rel', type: 'relation', collection: 'nowhere' },
        { name: 'good2', type: 'text', colour: 'blue' },
      ],
      indexes: [{ fields: ['missing'] }],
      listRule: 'title = @request.nope',
      viewRule: 5,
    });
    const body = problem(res, 400, 'VALIDATION_FAILED');
    expect(paths(body)).toEqual(
      [
        'name',
        'colour',
        'fields.0.name',
        'fields.1.name',
        'fields.2.type',
        'fields.3.pattern',
        'fields.3.max',
        'fields.4.collection',
        'fields.5.colour',
        'indexes.0.fields.0',
        'listRule',
        'viewRule',
      ].sort(),
    );
    const codeAt = (p: string) => body.errors.find((e: Json) => e.path === p).code;
    expect(codeAt('name')).toBe('INVALID_NAME');
    expect(codeAt('colour')).toBe('UNKNOWN_KEY');
    expect(codeAt('fields.0.name')).toBe('RESERVED_NAME');
    expect(codeAt('listRule')).toBe('INVALID_RULE');
    expect(codeAt('fields.4.collection')).toBe('RELATION_TARGET_NOT_FOUND');
    expect(await tableExists(t, 'users')).toBe(true);

    for (const name of ['select', 'collections', 'export', 'Posts', '1abc', '', 'a'.repeat(64)]) {
      const bad = await call('POST', '/api/collections', { name, fields: [] });
      const b = problem(bad, 400, 'VALIDATION_FAILED');
      expect(paths(b)).toEqual(['name']);
    }
    const notAnObject = await call('POST', '/api/collections', ['posts']);
    problem(notAnObject, 400, 'VALIDATION_FAILED');
    const noName = await call('POST', '/api/collections', { fields: [] });
    expect(paths(problem(noName, 400, 'VALIDATION_FAILED'))).toEqual(['name']);
    // Nothing was created by any of them.
    const names = (await call('GET', '/api/collections')).body.items.map((c: Json) => c.name).sort();
    expect(names).toEqual(['articles', 'comments', 'users']);
  });

  it('refuses an invalid PATCH with the paths, a rule over an unknown field included', async () => {
    const res = await call('PATCH', '/api/collections/articles', { listRule: 'nothere = 1', type: 'auth' });
    const body = problem(res, 400, 'VALIDATION_FAILED');
    expect(paths(body)).toEqual(['listRule', 'type']);
    const current = (await call('GET', '/api/collections/articles')).body;
    const unknownId = await call('PATCH', '/api/collections/articles', {
      fields: [...current.fields, { id: 'fnotafield', name: 'x', type: 'text' }],
    });
    expect(paths(problem(unknownId, 400, 'VALIDATION_FAILED'))).toEqual([
      `fields.${current.fields.length}.id`,
    ]);
    // "fields" is the whole new list: leaving out a field the list rule uses is refused at listRule.
    const dropped = await call('PATCH', '/api/collections/articles', {
      fields: current.fields.filter((f: Json) => f.name !== 'status'),
    });
    const droppedBody = problem(dropped, 400, 'VALIDATION_FAILED');
    expect(droppedBody.errors).toEqual([expect.objectContaining({ path: 'listRule', code: 'INVALID_RULE' })]);
    expect((await call('GET', '/api/collections/articles')).body).toEqual(current);
    problem(await call('PATCH', '/api/collections/nothing', { listRule: '' }), 404, 'COLLECTION_NOT_FOUND');
    problem(await call('DELETE', '/api/collections/nothing'), 404, 'COLLECTION_NOT_FOUND');
  });

  it('refuses a name that is taken with 409 COLLECTION_NAME_TAKEN, on create and on rename', async () => {
    const dup = await call('POST', '/api/collections', { name: 'comments', fields: [] });
    expect(problem(dup, 409, 'COLLECTION_NAME_TAKEN').errors).toEqual([
      expect.objectContaining({ path: 'name', code: 'COLLECTION_NAME_TAKEN' }),
    ]);
    problem(
      await call('PATCH', '/api/collections/articles', { name: 'users' }),
      409,
      'COLLECTION_NAME_TAKEN',
    );
    expect((await call('GET', '/api/collections/comments')).body.id).toBe(comments.id);
  });

  it('refuses to delete a collection another one relates to, and keeps it', async () => {
    const res = await call('DELETE', '/api/collections/articles');
    const body = problem(res, 409, 'COLLECTION_REFERENCED');
    expect(body.detail).toContain('comments');
    expect((await call('GET', '/api/collections/articles')).status).toBe(200);
    expect(await tableExists(t, 'articles')).toBe(true);
    expect((await call('GET', '/api/collections/articles/records')).body.totalItems).toBe(2);
  });

  it('deletes an unreferenced collection and drops its table', async () => {
    expect((await call('DELETE', `/api/collections/${comments.id}`)).status).toBe(204);
    expect(await tableExists(t, 'comments')).toBe(false);
    problem(await call('GET', '/api/collections/comments/records'), 404, 'COLLECTION_NOT_FOUND');
    problem(await call('GET', '/api/collections/comments'), 404, 'COLLECTION_NOT_FOUND');

    // Now nothing points at articles: it can go too, and its name is free again.
    expect((await call('DELETE', '/api/collections/articles')).status).toBe(204);
    expect(await tableExists(t, 'articles')).toBe(false);
    const again = await call('POST', '/api/collections', {
      name: 'articles',
      fields: [{ name: 'x', type: 'text' }],
    });
    expect(again.status).toBe(200);
    expect((await call('GET', '/api/collections/articles/records')).body.totalItems).toBe(0);
  });
});

describe('Collections API: import and export of the whole schema', () => {
  let t: App;
  let call: Call;

  beforeAll(async () => {
    t = await startIsolatedApp();
    call = api(t, await adminToken(t));
    const res = await call('POST', '/api/collections', {
      name: 'posts',
      fields: [
        { name: 'title', type: 'text', required: true },
        { name: 'author', type: 'relation', collection: 'users' },
      ],
      listRule: '',
    });
    expect(res.status).toBe(200);
    expect((await call('POST', '/api/collections/posts/records', { title: 'kept' })).status).toBe(200);
  });
  afterAll(async () => {
    await t?.stop();
  });

  const exported = async (): Promise<Json[]> => {
    const res = await call('GET', '/api/collections/export');
    expect(res.status).toBe(200);
    return res.body.collections;
  };

  /** The export with a field added to posts and a new collection `tags`. */
  const modified = async (): Promise<Json[]> => {
    const all = await exported();
    return [
      ...all.map((c) =>
        c.name === 'posts' ? { ...c, fields: [...c.fields, { name: 'summary', type: 'text', max: 500 }] } : c,
      ),
      { name: 'tags', type: 'base', fields: [{ name: 'label', type: 'text', unique: true }], listRule: '' },
    ];
  };

  it('exports every collection with its fields and rules', async () => {
    const all = await exported();
    expect(all.map((c) => c.name).sort()).toEqual(['posts', 'users']);
    const posts = all.find((c) => c.name === 'posts');
    expect(posts).toEqual((await call('GET', '/api/collections/posts')).body);
  });

  it('re-importing the unchanged export plans and does nothing', async () => {
    const before = await exported();
    const res = await call('PUT', '/api/collections/import', { collections: before });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ changes: [] });
    expect(await exported()).toEqual(before);
  });

  it('with dryRun answers the planned changes and changes nothing', async () => {
    const before = await exported();
    const colsBefore = await columns(t, 'posts');
    const res = await call('PUT', '/api/collections/import?dryRun=true', { collections: await modified() });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      changes: [
        expect.objectContaining({ collection: 'posts', action: 'update', fields: ['summary'] }),
        expect.objectContaining({ collection: 'tags', action: 'create', fields: ['label'] }),
      ],
    });
    expect(await exported()).toEqual(before);
    expect(await columns(t, 'posts')).toEqual(colsBefore);
    expect(await tableExists(t, 'tags')).toBe(false);
    problem(await call('GET', '/api/collections/tags/records'), 404, 'COLLECTION_NOT_FOUND');
  });

  it('without dryRun applies the same changes and keeps the data', async () => {
    const file = await modified();
    const res = await call('PUT', '/api/collections/import', { collections: file });
    expect(res.status).toBe(200);
    expect(res.body.changes).toEqual([
      expect.objectContaining({ collection: 'posts', action: 'update', fields: ['summary'] }),
      expect.objectContaining({ collection: 'tags', action: 'create', fields: ['label'] }),
    ]);
    const posts = (await call('GET', '/api/collections/posts')).body;
    expect(fieldOf(posts, 'summary')).toMatchObject({ type: 'text', max: 500, id: expect.any(String) });
    expect(await columns(t, 'posts')).toHaveProperty('summary', 'text');
    expect(await tableExists(t, 'tags')).toBe(true);
    expect((await call('POST', '/api/collections/tags/records', { label: 'news' })).status).toBe(200);
    const records = await call('GET', '/api/collections/posts/records');
    expect(records.body.items.map((r: Json) => [r.title, r.summary])).toEqual([['kept', '']]);

    // Applying the same file again (without ids for the new parts) is a no-op.
    const again = await call('PUT', '/api/collections/import', { collections: file });
    expect(again.body).toEqual({ changes: [] });
  });

  it('refuses an invalid file as a whole, with paths inside the file, and applies nothing', async () => {
    const before = await exported();
    const res = await call('PUT', '/api/collections/import', {
      collections: [
        ...before,
        { name: 'fine', fields: [{ name: 'a', type: 'text' }] },
        { name: 'Bad Name', fields: [{ name: 'created', type: 'text' }] },
      ],
    });
    const body = problem(res, 400, 'VALIDATION_FAILED');
    const i = before.length + 1;
    expect(paths(body)).toEqual([`collections.${i}.fields.0.name`, `collections.${i}.name`]);
    expect(await tableExists(t, 'fine')).toBe(false);
    expect(await exported()).toEqual(before);

    const shape = await call('PUT', '/api/collections/import', { collections: 'all', extra: 1 });
    expect(paths(problem(shape, 400, 'VALIDATION_FAILED'))).toEqual(['collections', 'extra']);
  });

  it('with deleteMissing deletes (and reports) collections not in the file; dryRun first', async () => {
    const withoutTags = (await exported()).filter((c) => c.name !== 'tags');
    const dry = await call('PUT', '/api/collections/import?dryRun=true', {
      collections: withoutTags,
      deleteMissing: true,
    });
    expect(dry.status).toBe(200);
    expect(dry.body.changes).toEqual([
      expect.objectContaining({ collection: 'tags', action: 'delete', fields: ['label'] }),
    ]);
    expect(await tableExists(t, 'tags')).toBe(true);

    const res = await call('PUT', '/api/collections/import', {
      collections: withoutTags,
      deleteMissing: true,
    });
    expect(res.status).toBe(200);
    expect(res.body.changes).toEqual([
      expect.objectContaining({ collection: 'tags', action: 'delete', fields: ['label'] }),
    ]);
    expect(await tableExists(t, 'tags')).toBe(false);
    problem(await call('GET', '/api/collections/tags'), 404, 'COLLECTION_NOT_FOUND');
    expect((await exported()).map((c) => c.name).sort()).toEqual(['posts', 'users']);
    expect((await call('GET', '/api/collections/posts/records')).body.totalItems).toBe(1);
  });

  it('with deleteMissing refuses to delete a collection the file still relates to', async () => {
    const onlyPosts = (await exported()).filter((c) => c.name === 'posts');
    const res = await call('PUT', '/api/collections/import', { collections: onlyPosts, deleteMissing: true });
    problem(res, 409, 'COLLECTION_REFERENCED');
    expect(await tableExists(t, 'users')).toBe(true);
    expect((await exported()).map((c) => c.name).sort()).toEqual(['posts', 'users']);
  });

  describe('into another server', () => {
    let u: App;
    let callU: Call;

    beforeAll(async () => {
      u = await startIsolatedApp();
      callU = api(u, await adminToken(u));
    });
    afterAll(async () => {
      await u?.stop();
    });

    it('imports collections that relate to each other, in any order of the file', async () => {
      expect(
        (
          await call('POST', '/api/collections', {
            name: 'authors',
            fields: [{ name: 'name', type: 'text' }],
          })
        ).status,
      ).toBe(200);
      const books = await call('POST', '/api/collections', {
        name: 'books',
        fields: [
          { name: 'title', type: 'text', unique: true },
          { name: 'author', type: 'relation', collection: 'authors', onDelete: 'cascade' },
          { name: 'sequel', type: 'relation', collection: 'books' },
        ],
        indexes: [{ fields: ['author', 'title'] }],
        listRule: "author.name != ''",
      });
      expect(books.status).toBe(200);
      const authors = (await call('GET', '/api/collections/authors')).body;
      const favourite = { name: 'favourite', type: 'relation', collection: 'books', maxSelect: 5 };
      expect(
        (await call('PATCH', '/api/collections/authors', { fields: [...authors.fields, favourite] })).status,
      ).toBe(200);

      const file = (await exported()).filter((c) => ['users', 'authors', 'books'].includes(c.name)).reverse();
      const dry = await callU('PUT', '/api/collections/import?dryRun=true', { collections: file });
      expect(dry.status).toBe(200);
      expect(dry.body.changes).toEqual([
        expect.objectContaining({
          collection: 'books',
          action: 'create',
          fields: ['title', 'author', 'sequel'],
        }),
        expect.objectContaining({ collection: 'authors', action: 'create', fields: ['name', 'favourite'] }),
      ]);
      expect(await tableExists(u, 'books')).toBe(false);

      const res = await callU('PUT', '/api/collections/import', { collections: file });
      expect(res.body).toEqual(dry.body);
      const imported = (await callU('GET', '/api/collections/books')).body;
      expect(imported).toMatchObject({
        listRule: "author.name != ''",
        indexes: [{ fields: ['author', 'title'], unique: false }],
      });
      expect(fieldOf(imported, 'author')).toMatchObject({ collection: 'authors', onDelete: 'cascade' });
      expect(await columns(u, 'authors')).toMatchObject({ name: 'text', favourite: 'ARRAY' });

      const writer = await callU('POST', '/api/collections/authors/records', { name: 'Ann' });
      const book = await callU('POST', '/api/collections/books/records', {
        title: 'One',
        author: writer.body.id,
      });
      expect(book.status).toBe(200);
      const missing = await callU('POST', '/api/collections/books/records', {
        title: 'Two',
        author: '00000000-0000-7000-8000-000000000000',
      });
      expect(missing.status).toBe(400);
      // The cascade came along: deleting the author deletes the book.
      expect((await callU('DELETE', `/api/collections/authors/records/${writer.body.id}`)).status).toBe(204);
      expect((await callU('GET', '/api/collections/books/records')).body.totalItems).toBe(0);
    });

    it('deletes missing collections that relate to each other', async () => {
      const file = (await callU('GET', '/api/collections/export')).body.collections.filter(
        (c: Json) => c.name === 'users',
      );
      const res = await callU('PUT', '/api/collections/import', { collections: file, deleteMissing: true });
      expect(res.status).toBe(200);
      expect(res.body.changes.map((c: Json) => [c.collection, c.action]).sort()).toEqual([
        ['authors', 'delete'],
        ['books', 'delete'],
      ]);
      expect(await tableExists(u, 'authors')).toBe(false);
      expect(await tableExists(u, 'books')).toBe(false);
    });

    it('names an entry of the file that is not an object', async () => {
      const res = await callU('PUT', '/api/collections/import', { collections: [42] });
      expect(problem(res, 400, 'VALIDATION_FAILED').errors).toEqual([
        expect.objectContaining({ path: 'collections.0' }),
      ]);
    });
  });
});
