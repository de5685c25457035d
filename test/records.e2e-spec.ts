import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RecordEvents, type RecordChange } from '@plinth/collections';
import { DataSource } from 'typeorm';
import type { Pool } from 'pg';
import { adminToken, api } from './support/auth.js';
import { errorPaths, expectApiProblem } from './support/problem.js';
import {
  createCollection as createCollectionAs,
  createRecord,
  createUser,
  ids,
  listRecords,
  ok,
} from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * The suite runs twice: on collections with Plinth's UUIDv7 ids and on collections with PocketBase's
 * text ids (an `id` field in `fields`, docs/decisions/text-ids.md). `id()` turns a UUID the tests name
 * into an id of the same collections' kind.
 */
const MODES = [
  {
    label: 'UUIDv7',
    text: false,
    pattern: UUID_V7,
    chosen: '0190f5c2-7d1a-7abc-8def-0123456789ab',
    id: (uuid: string) => uuid,
    malformed: ['urn:uuid:0190f5c2-0000-7000-8000-000000000000', '0190f5c2-0000-7000-8000-00000000000g'],
  },
  {
    label: 'PocketBase text',
    text: true,
    pattern: /^[a-z0-9]{15}$/,
    chosen: 'chosen0id000001',
    id: (uuid: string) => {
      const hex = uuid.replace(/-/g, '');
      return hex.slice(8, 13) + hex.slice(-10);
    },
    malformed: ['urn:uuid:0190f5c2', 'no spaces here!'],
  },
] as const;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(MODES)('records ($label ids): CRUD, validation, relations, batch and change events', (mode) => {
  const createCollection = (
    app: Parameters<typeof createCollectionAs>[0],
    token: string,
    body: Record<string, unknown>,
  ) =>
    createCollectionAs(app, token, {
      ...body,
      fields: [...(mode.text ? [{ name: 'id', type: 'text' }] : []), ...((body.fields as unknown[]) ?? [])],
    });
  let t: Awaited<ReturnType<typeof startIsolatedApp>>;
  let admin: string;
  let as: ReturnType<typeof api>;
  let pool: Pool;

  /** Whether a record exists, asked of PostgreSQL directly (not through the API under test). */
  const exists = async (collection: string, id: string) =>
    (await pool.query(`SELECT 1 FROM "data"."${collection}" WHERE id = $1`, [id])).rowCount === 1;

  beforeAll(async () => {
    t = await startIsolatedApp();
    admin = await adminToken(t);
    as = api(t, admin);
    pool = (t.app.get(DataSource).driver as unknown as { master: Pool }).master;
    await createCollection(t, admin, {
      name: 'authors',
      fields: [{ name: 'name', type: 'text', required: true }],
      listRule: '',
      viewRule: '',
      createRule: '',
      updateRule: '',
      deleteRule: '',
    });
    await createCollection(t, admin, {
      name: 'articles',
      fields: [
        { name: 'title', type: 'text', required: true, min: 3, max: 50 },
        { name: 'slug', type: 'text', unique: true, pattern: '^[a-z0-9-]+$' },
        { name: 'views', type: 'number', min: 0, max: 1000, onlyInt: true },
        { name: 'published', type: 'bool' },
        { name: 'tags', type: 'select', values: ['news', 'tech', 'life'], maxSelect: 3 },
        { name: 'publishedAt', type: 'date' },
        { name: 'meta', type: 'json' },
        { name: 'contact', type: 'email' },
        { name: 'author', type: 'relation', collection: 'authors', maxSelect: 1 },
        { name: 'editors', type: 'relation', collection: 'authors', maxSelect: 5 },
      ],
      listRule: '',
      viewRule: '',
      createRule: '',
      updateRule: '',
      deleteRule: '',
    });
  });
  afterAll(async () => {
    await t?.stop();
  });

  describe('CRUD', () => {
    it('creates a record with server fields and answers it with 200', async () => {
      const author = await createRecord(t, undefined, 'authors', { name: 'Ann' });
      const res = await api(t)('POST', '/api/collections/articles/records', {
        title: 'Hello world',
        slug: 'hello-world',
        views: 3,
        published: true,
        tags: ['news', 'tech'],
        publishedAt: '2024-01-31',
        meta: { a: [1, 2] },
        contact: 'ann@example.com',
        author: author.id,
        editors: [author.id],
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: expect.stringMatching(mode.pattern),
        collectionId: expect.any(String),
        collectionName: 'articles',
        created: expect.stringMatching(ISO),
        updated: expect.stringMatching(ISO),
        title: 'Hello world',
        slug: 'hello-world',
        views: 3,
        published: true,
        tags: ['news', 'tech'],
        publishedAt: '2024-01-31T00:00:00.000Z',
        meta: { a: [1, 2] },
        contact: 'ann@example.com',
        author: author.id,
        editors: [author.id],
      });
      expect(res.body.created).toBe(res.body.updated);
      expect(await exists('articles', res.body.id)).toBe(true);
    });

    it("fills empty values for fields the body leaves out: the type's zero value, as PocketBase", async () => {
      const res = await api(t)('POST', '/api/collections/articles/records', { title: 'Bare' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        title: 'Bare',
        slug: '',
        views: 0,
        published: false,
        tags: [],
        publishedAt: '',
        meta: null,
        author: '',
        editors: [],
      });
    });

    it('accepts a client-chosen id and refuses one that is taken', async () => {
      const id = mode.chosen;
      const first = await api(t)('POST', '/api/collections/articles/records', { id, title: 'Chosen' });
      expect(first.status).toBe(200);
      expect(first.body.id).toBe(id);

      const again = await api(t)('POST', '/api/collections/articles/records', { id, title: 'Again' });
      const problem = expectApiProblem(again, 409, 'RECORD_ID_TAKEN');
      expect(errorPaths(problem)).toEqual(['id']);
      expect(ids(await listRecords(t, undefined, 'articles', { filter: `id = "${id}"` }))).toEqual([id]);

      const bad = await api(t)('POST', '/api/collections/articles/records', {
        id: 'not-a-uuid',
        title: 'x1x',
      });
      expect(errorPaths(expectApiProblem(bad, 400, 'VALIDATION_FAILED'))).toEqual(['id']);
    });

    it('views a record, and answers 404 for an unknown or malformed id and an unknown collection', async () => {
      const created = await createRecord(t, undefined, 'articles', { title: 'Viewed' });
      const res = await api(t)('GET', `/api/collections/articles/records/${created.id}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(created);

      expectApiProblem(
        await api(t)(
          'GET',
          `/api/collections/articles/records/${mode.id('0190f5c2-0000-7000-8000-000000000000')}`,
        ),
        404,
        'RECORD_NOT_FOUND',
      );
      expectApiProblem(
        await api(t)('GET', '/api/collections/articles/records/nope'),
        404,
        'RECORD_NOT_FOUND',
      );
      expectApiProblem(
        await api(t)('GET', `/api/collections/nothing/records/${created.id}`),
        404,
        'COLLECTION_NOT_FOUND',
      );
      expectApiProblem(await api(t)('GET', '/api/collections/nothing/records'), 404, 'COLLECTION_NOT_FOUND');
    });

    it('updates partially: other fields stay, updated moves forward, created stays', async () => {
      const created = await createRecord(t, undefined, 'articles', {
        title: 'Before',
        views: 1,
        tags: ['news'],
        meta: { keep: true },
      });
      await sleep(5);
      const res = await api(t)('PATCH', `/api/collections/articles/records/${created.id}`, { views: 2 });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ...created, views: 2, updated: expect.stringMatching(ISO) });
      expect(Date.parse(res.body.updated)).toBeGreaterThan(Date.parse(created.updated as string));

      const viewed = await api(t)('GET', `/api/collections/articles/records/${created.id}`);
      expect(viewed.body).toEqual(res.body);
    });

    it('ignores read-only keys sent back on update, but refuses unknown ones', async () => {
      const created = await createRecord(t, undefined, 'articles', { title: 'Round trip' });
      const res = await api(t)('PATCH', `/api/collections/articles/records/${created.id}`, {
        ...created,
        id: mode.id('0190f5c2-0000-7000-8000-000000000001'),
        created: '2000-01-01T00:00:00.000Z',
        title: 'Round trip 2',
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: created.id, created: created.created, title: 'Round trip 2' });

      const unknown = await api(t)('PATCH', `/api/collections/articles/records/${created.id}`, { nope: 1 });
      expect(errorPaths(expectApiProblem(unknown, 400, 'VALIDATION_FAILED'))).toEqual(['nope']);
    });

    it('appends to and removes from multi-value fields with field+ and field-', async () => {
      const created = await createRecord(t, undefined, 'articles', { title: 'Tags', tags: ['news'] });
      const added = await api(t)('PATCH', `/api/collections/articles/records/${created.id}`, {
        'tags+': 'tech',
      });
      expect(added.body.tags).toEqual(['news', 'tech']);
      const removed = await api(t)('PATCH', `/api/collections/articles/records/${created.id}`, {
        'tags-': ['news'],
      });
      expect(removed.body.tags).toEqual(['tech']);
    });

    it('deletes with 204, then answers 404 for view, update and delete', async () => {
      const created = await createRecord(t, undefined, 'articles', { title: 'Doomed' });
      const del = await api(t)('DELETE', `/api/collections/articles/records/${created.id}`);
      expect(del.status).toBe(204);
      expect(del.body).toBeNull();
      expect(await exists('articles', created.id)).toBe(false);
      const path = `/api/collections/articles/records/${created.id}`;
      expectApiProblem(await api(t)('GET', path), 404, 'RECORD_NOT_FOUND');
      expectApiProblem(await api(t)('PATCH', path, { title: 'Back' }), 404, 'RECORD_NOT_FOUND');
      expectApiProblem(await api(t)('DELETE', path), 404, 'RECORD_NOT_FOUND');
    });

    it('lists with the PocketBase envelope', async () => {
      await createCollection(t, admin, {
        name: 'counted',
        fields: [{ name: 'n', type: 'number' }],
        listRule: '',
        viewRule: '',
        createRule: '',
      });
      for (let n = 0; n < 5; n++) await createRecord(t, undefined, 'counted', { n });
      const res = await listRecords(t, undefined, 'counted', { perPage: '2', page: '2', sort: 'n' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        page: 2,
        perPage: 2,
        totalItems: 5,
        totalPages: 3,
        items: [expect.objectContaining({ n: 2 }), expect.objectContaining({ n: 3 })],
      });
      const defaults = await listRecords(t, undefined, 'counted');
      expect(defaults.body).toMatchObject({ page: 1, perPage: 30, totalItems: 5, totalPages: 1 });
      // Newest first by default.
      expect(defaults.body.items.map((i: { n: number }) => i.n)).toEqual([4, 3, 2, 1, 0]);
    });
  });

  describe('validation', () => {
    it('reports every failing field: unknown, wrong types, missing required, pattern, min/max', async () => {
      const res = await api(t)('POST', '/api/collections/articles/records', {
        slug: 'Not A Slug!',
        views: 1001,
        published: 'yes',
        tags: ['news', 'sports'],
        publishedAt: 'yesterday',
        contact: 'not-an-email',
        editors: 'nope',
        bogus: 1,
      });
      const problem = expectApiProblem(res, 400, 'VALIDATION_FAILED');
      expect(errorPaths(problem)).toEqual(
        [
          'bogus',
          'contact',
          'editors',
          'published',
          'publishedAt',
          'slug',
          'tags.1',
          'title',
          'views',
        ].sort(),
      );
      const byPath = Object.fromEntries(
        (problem.errors as Array<{ path: string; code: string }>).map((e) => [e.path, e.code]),
      );
      expect(byPath).toMatchObject({
        bogus: 'UNKNOWN_FIELD',
        title: 'REQUIRED',
        slug: 'PATTERN_MISMATCH',
        views: 'TOO_LARGE',
        published: 'INVALID_TYPE',
      });
      expect(ids(await listRecords(t, undefined, 'articles', { filter: 'slug = "Not A Slug!"' }))).toEqual(
        [],
      );
    });

    it('checks text length and number range and integers at both ends', async () => {
      const short = await api(t)('POST', '/api/collections/articles/records', { title: 'ab', views: -1 });
      const p1 = expectApiProblem(short, 400, 'VALIDATION_FAILED');
      expect(p1.errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ path: 'title', code: 'TOO_SHORT' }),
          expect.objectContaining({ path: 'views', code: 'TOO_SMALL' }),
        ]),
      );
      const long = await api(t)('POST', '/api/collections/articles/records', {
        title: 'x'.repeat(51),
        views: 1.5,
      });
      const p2 = expectApiProblem(long, 400, 'VALIDATION_FAILED');
      expect(p2.errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ path: 'title', code: 'TOO_LONG' }),
          expect.objectContaining({ path: 'views', code: 'NOT_AN_INTEGER' }),
        ]),
      );
    });

    it('validates updates too, and leaves the record as it was', async () => {
      const created = await createRecord(t, undefined, 'articles', { title: 'Stable', views: 5 });
      const res = await api(t)('PATCH', `/api/collections/articles/records/${created.id}`, {
        title: null,
        views: 'many',
      });
      expect(errorPaths(expectApiProblem(res, 400, 'VALIDATION_FAILED'))).toEqual(['title', 'views']);
      const viewed = await api(t)('GET', `/api/collections/articles/records/${created.id}`);
      expect(viewed.body).toEqual(created);
    });

    it('answers values PostgreSQL cannot store with 400 naming the field, never 500', async () => {
      const deep: unknown = JSON.parse('['.repeat(200) + ']'.repeat(200));
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ title: 'a\u0000b' }, 'title'],
        [{ title: 'nul', meta: { k: 'x\u0000' } }, 'meta.k'],
        [{ title: 'nul', meta: { ['k\u0000']: 1 } }, 'meta'],
        [{ title: 'deep', meta: deep }, 'meta'],
        [{ title: 'date', publishedAt: '2023-02-30' }, 'publishedAt'],
        [{ title: 'date', publishedAt: '10000-01-01' }, 'publishedAt'],
        [{ title: 'date', publishedAt: '2024-01-01T25:00:00Z' }, 'publishedAt'],
        [{ title: 'uuid', author: mode.malformed[0] }, 'author'],
        [{ title: 'uuid', editors: [mode.malformed[1]] }, 'editors.0'],
        [{ title: 'tags', tags: ['news', 'news'] }, 'tags'],
        [{ title: 'tags', tags: ['news', 'tech', 'life', 'news2'] }, 'tags'],
      ];
      for (const [body, path] of cases) {
        const res = await api(t)('POST', '/api/collections/articles/records', body);
        expect({ body: JSON.stringify(body).slice(0, 80), status: res.status, code: res.body.code }).toEqual({
          body: JSON.stringify(body).slice(0, 80),
          status: 400,
          code: 'VALIDATION_FAILED',
        });
        expect(errorPaths(res.body)[0]!.startsWith(path)).toBe(true);
      }
      // Upper-case UUIDs are the same ids; text ids are case-sensitive, as in PocketBase.
      const a = await createRecord(t, undefined, 'authors', { name: 'Upper' });
      const up = await api(t)('POST', '/api/collections/articles/records', {
        title: 'upper',
        author: a.id.toUpperCase(),
        editors: [a.id.toUpperCase()],
      });
      if (mode.text) {
        expect(expectApiProblem(up, 400, 'VALIDATION_FAILED').errors).toEqual([
          expect.objectContaining({ path: 'author', code: 'RELATION_NOT_FOUND' }),
        ]);
      } else {
        expect(up.status).toBe(200);
        expect(up.body).toMatchObject({ author: a.id, editors: [a.id] });
      }
    });

    it('refuses a body that is not an object', async () => {
      expectApiProblem(
        await api(t)('POST', '/api/collections/articles/records', [1, 2]),
        400,
        'VALIDATION_FAILED',
      );
      expectApiProblem(
        await api(t)('POST', '/api/collections/articles/records', 'text'),
        400,
        'VALIDATION_FAILED',
      );
    });

    it('answers a unique violation with 400 naming the field', async () => {
      await createRecord(t, undefined, 'articles', { title: 'One', slug: 'taken-slug' });
      const res = await api(t)('POST', '/api/collections/articles/records', {
        title: 'Two',
        slug: 'taken-slug',
      });
      const problem = expectApiProblem(res, 400, 'VALIDATION_FAILED');
      expect(problem.errors).toEqual([expect.objectContaining({ path: 'slug', code: 'NOT_UNIQUE' })]);

      const other = await createRecord(t, undefined, 'articles', { title: 'Three', slug: 'free-slug' });
      const upd = await api(t)('PATCH', `/api/collections/articles/records/${other.id}`, {
        slug: 'taken-slug',
      });
      expect(errorPaths(expectApiProblem(upd, 400, 'VALIDATION_FAILED'))).toEqual(['slug']);
    });

    it('names the fields of the unique index that was violated, and the email of an auth record', async () => {
      await createCollection(t, admin, {
        name: 'uniq',
        fields: [
          { name: 'a', type: 'text' },
          { name: 'b', type: 'text' },
          { name: 'c', type: 'text' },
        ],
        indexes: [
          { fields: ['a', 'b'], unique: true },
          { fields: ['c'], unique: true },
        ],
      });
      await createRecord(t, admin, 'uniq', { a: '1', b: '1', c: '1' });
      const onC = await as('POST', '/api/collections/uniq/records', { a: '2', b: '2', c: '1' });
      expect(errorPaths(expectApiProblem(onC, 400, 'VALIDATION_FAILED'))).toEqual(['c']);
      const onAB = await as('POST', '/api/collections/uniq/records', { a: '1', b: '1', c: '2' });
      expect(errorPaths(expectApiProblem(onAB, 400, 'VALIDATION_FAILED'))).toEqual(['a,b']);

      const user = await createUser(t, 'Uma');
      const twin = await api(t)('POST', '/api/collections/users/records', {
        email: user.email.toUpperCase(),
        password: 'password-123456',
        passwordConfirm: 'password-123456',
      });
      expect(expectApiProblem(twin, 400, 'VALIDATION_FAILED').errors).toEqual([
        expect.objectContaining({ path: 'email', code: 'NOT_UNIQUE' }),
      ]);
    });

    it('refuses a single relation to a record that does not exist, naming the field', async () => {
      const res = await api(t)('POST', '/api/collections/articles/records', {
        title: 'Orphan',
        author: mode.id('0190f5c2-0000-7000-8000-00000000dead'),
      });
      const problem = expectApiProblem(res, 400, 'VALIDATION_FAILED');
      expect(problem.errors).toEqual([
        expect.objectContaining({ path: 'author', code: 'RELATION_NOT_FOUND' }),
      ]);
      expect(ids(await listRecords(t, undefined, 'articles', { filter: 'title = "Orphan"' }))).toEqual([]);
    });

    it('refuses a multi relation with one id that does not exist', async () => {
      const a = await createRecord(t, undefined, 'authors', { name: 'Real' });
      const res = await api(t)('POST', '/api/collections/articles/records', {
        title: 'Half real',
        editors: [a.id, mode.id('0190f5c2-0000-7000-8000-00000000dead')],
      });
      const problem = expectApiProblem(res, 400, 'VALIDATION_FAILED');
      expect(problem.errors).toEqual([
        expect.objectContaining({ path: 'editors', code: 'RELATION_NOT_FOUND' }),
      ]);

      const created = await createRecord(t, undefined, 'articles', { title: 'Whole', editors: [a.id] });
      const upd = await api(t)('PATCH', `/api/collections/articles/records/${created.id}`, {
        'editors+': mode.id('0190f5c2-0000-7000-8000-00000000dead'),
      });
      expect(errorPaths(expectApiProblem(upd, 400, 'VALIDATION_FAILED'))).toEqual(['editors']);
    });

    it('never lets clients write verified or tokenKey on users', async () => {
      const res = await api(t)('POST', '/api/collections/users/records', {
        email: 'eve@example.com',
        password: 'password-123456',
        passwordConfirm: 'password-123456',
        verified: true,
        tokenKey: 'mine',
      });
      expect(errorPaths(expectApiProblem(res, 400, 'VALIDATION_FAILED'))).toEqual(['tokenKey', 'verified']);

      const user = await createUser(t, 'Vera');
      const own = api(t, user.token);
      for (const body of [
        { verified: true },
        { tokenKey: 'x' },
        { token_key: 'x' },
        { password_hash: 'x' },
      ]) {
        const upd = await own('PATCH', `/api/collections/users/records/${user.id}`, body);
        expect(errorPaths(expectApiProblem(upd, 400, 'VALIDATION_FAILED'))).toEqual(Object.keys(body));
      }
      const me = await own('GET', `/api/collections/users/records/${user.id}`);
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ id: user.id, email: user.email, verified: false, name: 'Vera' });
      expect(me.body).not.toHaveProperty('tokenKey');
      expect(me.body).not.toHaveProperty('token_key');
      expect(me.body).not.toHaveProperty('password_hash');
      expect(me.body).not.toHaveProperty('password');
    });
  });

  describe('delete follows each relation’s onDelete', () => {
    const modes = ['cascade', 'restrict', 'set-null'] as const;
    const kinds = ['single', 'multi'] as const;
    const name = (prefix: string, mode: string, kind: string) => `${prefix}_${mode.replace('-', '')}_${kind}`;

    beforeAll(async () => {
      for (const mode of modes) {
        for (const kind of kinds) {
          await createCollection(t, admin, {
            name: name('parent', mode, kind),
            fields: [{ name: 'name', type: 'text' }],
          });
          await createCollection(t, admin, {
            name: name('child', mode, kind),
            fields: [
              { name: 'label', type: 'text' },
              {
                name: 'parent',
                type: 'relation',
                collection: name('parent', mode, kind),
                maxSelect: kind === 'single' ? 1 : 5,
                onDelete: mode,
              },
            ],
          });
        }
      }
    });

    for (const kind of kinds) {
      it(`cascade (${kind}): deleting the parent deletes the records pointing at it`, async () => {
        const p = name('parent', 'cascade', kind);
        const c = name('child', 'cascade', kind);
        const parent = await createRecord(t, admin, p, { name: 'p' });
        const other = await createRecord(t, admin, p, { name: 'other' });
        const value = (id: string) => (kind === 'single' ? id : [id]);
        const child = await createRecord(t, admin, c, { label: 'a', parent: value(parent.id) });
        const kept = await createRecord(t, admin, c, { label: 'b', parent: value(other.id) });
        expect((await as('DELETE', `/api/collections/${p}/records/${parent.id}`)).status).toBe(204);
        expect(await exists(c, child.id)).toBe(false);
        expect(await exists(c, kept.id)).toBe(true);
        expectApiProblem(
          await as('GET', `/api/collections/${c}/records/${child.id}`),
          404,
          'RECORD_NOT_FOUND',
        );
      });

      it(`restrict (${kind}): deleting a referenced parent is refused with 409 and nothing is deleted`, async () => {
        const p = name('parent', 'restrict', kind);
        const c = name('child', 'restrict', kind);
        const parent = await createRecord(t, admin, p, { name: 'p' });
        const child = await createRecord(t, admin, c, {
          label: 'a',
          parent: kind === 'single' ? parent.id : [parent.id],
        });
        expectApiProblem(
          await as('DELETE', `/api/collections/${p}/records/${parent.id}`),
          409,
          'RELATION_RESTRICTED',
        );
        expect(await exists(p, parent.id)).toBe(true);
        expect(await exists(c, child.id)).toBe(true);

        // Once nothing points at it any more, the delete goes through.
        ok(await as('DELETE', `/api/collections/${c}/records/${child.id}`), 204);
        expect((await as('DELETE', `/api/collections/${p}/records/${parent.id}`)).status).toBe(204);
      });

      it(`set-null (${kind}): deleting the parent clears the reference and keeps the record`, async () => {
        const p = name('parent', 'set-null', kind);
        const c = name('child', 'set-null', kind);
        const parent = await createRecord(t, admin, p, { name: 'p' });
        const other = await createRecord(t, admin, p, { name: 'other' });
        const child = await createRecord(t, admin, c, {
          label: 'a',
          parent: kind === 'single' ? parent.id : [other.id, parent.id],
        });
        expect((await as('DELETE', `/api/collections/${p}/records/${parent.id}`)).status).toBe(204);
        const viewed = await as('GET', `/api/collections/${c}/records/${child.id}`);
        expect(viewed.status).toBe(200);
        expect(viewed.body.parent).toEqual(kind === 'single' ? '' : [other.id]);
      });
    }

    it('restrict deeper down a cascade refuses the whole delete', async () => {
      await createCollection(t, admin, { name: 'chain_a', fields: [{ name: 'n', type: 'text' }] });
      await createCollection(t, admin, {
        name: 'chain_b',
        fields: [{ name: 'a', type: 'relation', collection: 'chain_a', maxSelect: 3, onDelete: 'cascade' }],
      });
      await createCollection(t, admin, {
        name: 'chain_c',
        fields: [{ name: 'b', type: 'relation', collection: 'chain_b', maxSelect: 1, onDelete: 'restrict' }],
      });
      const a = await createRecord(t, admin, 'chain_a', { n: 'a' });
      const b = await createRecord(t, admin, 'chain_b', { a: [a.id] });
      const c = await createRecord(t, admin, 'chain_c', { b: b.id });
      expectApiProblem(
        await as('DELETE', `/api/collections/chain_a/records/${a.id}`),
        409,
        'RELATION_RESTRICTED',
      );
      expect(await exists('chain_a', a.id)).toBe(true);
      expect(await exists('chain_b', b.id)).toBe(true);
      expect(await exists('chain_c', c.id)).toBe(true);
    });

    it('a cascade through a single relation applies the onDelete of relations to the deleted records', async () => {
      await createCollection(t, admin, { name: 'deep_a', fields: [{ name: 'n', type: 'text' }] });
      await createCollection(t, admin, {
        name: 'deep_b',
        fields: [{ name: 'a', type: 'relation', collection: 'deep_a', maxSelect: 1, onDelete: 'cascade' }],
      });
      await createCollection(t, admin, {
        name: 'deep_c',
        fields: [
          { name: 'label', type: 'text' },
          { name: 'bs', type: 'relation', collection: 'deep_b', maxSelect: 5, onDelete: 'set-null' },
        ],
      });
      await createCollection(t, admin, {
        name: 'deep_d',
        fields: [{ name: 'bs', type: 'relation', collection: 'deep_b', maxSelect: 5, onDelete: 'cascade' }],
      });
      const a = await createRecord(t, admin, 'deep_a', { n: 'a' });
      const b1 = await createRecord(t, admin, 'deep_b', { a: a.id });
      const b2 = await createRecord(t, admin, 'deep_b', {});
      const c = await createRecord(t, admin, 'deep_c', { label: 'c', bs: [b1.id, b2.id] });
      const d = await createRecord(t, admin, 'deep_d', { bs: [b1.id] });
      expect((await as('DELETE', `/api/collections/deep_a/records/${a.id}`)).status).toBe(204);
      expect(await exists('deep_b', b1.id)).toBe(false);
      // c no longer points at the deleted b1; d, cascading from b1, is gone.
      expect((await as('GET', `/api/collections/deep_c/records/${c.id}`)).body.bs).toEqual([b2.id]);
      expect(await exists('deep_d', d.id)).toBe(false);
    });
  });

  describe('batch', () => {
    it('applies every request in one transaction and answers [{status, body}]', async () => {
      const authorId = mode.id('0190f5c2-1111-7000-8000-000000000001');
      const victim = await createRecord(t, undefined, 'articles', { title: 'Batch victim' });
      const target = await createRecord(t, undefined, 'articles', { title: 'Batch target' });
      const res = await api(t)('POST', '/api/batch', {
        requests: [
          {
            method: 'POST',
            url: '/api/collections/authors/records',
            body: { id: authorId, name: 'In batch' },
          },
          {
            method: 'POST',
            url: '/api/collections/articles/records',
            body: { title: 'Batched', author: authorId },
          },
          { method: 'PATCH', url: `/api/collections/articles/records/${target.id}`, body: { views: 9 } },
          { method: 'DELETE', url: `/api/collections/articles/records/${victim.id}` },
        ],
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual([
        { status: 200, body: expect.objectContaining({ id: authorId, name: 'In batch' }) },
        { status: 200, body: expect.objectContaining({ title: 'Batched', author: authorId }) },
        { status: 200, body: expect.objectContaining({ id: target.id, views: 9 }) },
        { status: 204, body: null },
      ]);
      expect(await exists('authors', authorId)).toBe(true);
      expect(await exists('articles', res.body[1].body.id)).toBe(true);
      expect(await exists('articles', victim.id)).toBe(false);
    });

    it('rolls everything back when the last request fails, naming its index', async () => {
      const authorId = mode.id('0190f5c2-2222-7000-8000-000000000001');
      const target = await createRecord(t, undefined, 'articles', { title: 'Untouched', views: 1 });
      const res = await api(t)('POST', '/api/batch', {
        requests: [
          { method: 'POST', url: '/api/collections/authors/records', body: { id: authorId, name: 'Ghost' } },
          { method: 'PATCH', url: `/api/collections/articles/records/${target.id}`, body: { views: 2 } },
          { method: 'POST', url: '/api/collections/articles/records', body: { title: 'no', views: 'x' } },
        ],
      });
      const problem = expectApiProblem(res, 400, 'BATCH_FAILED');
      expect(problem.failedIndex).toBe(2);
      expect(problem.detail).toMatch(/Request 2/);
      expect(errorPaths(problem)).toEqual(['requests.2.body.title', 'requests.2.body.views']);
      expect(problem.response).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
      expect(await exists('authors', authorId)).toBe(false);
      expect((await api(t)('GET', `/api/collections/articles/records/${target.id}`)).body.views).toBe(1);
    });

    it('refuses more than 100 requests and malformed batches', async () => {
      const requests = Array.from({ length: 101 }, (_, i) => ({
        method: 'POST',
        url: '/api/collections/authors/records',
        body: { name: `bulk ${i}` },
      }));
      expectApiProblem(await api(t)('POST', '/api/batch', { requests }), 400, 'BATCH_TOO_LARGE');
      expect(ids(await listRecords(t, undefined, 'authors', { filter: 'name ~ "bulk "' }))).toEqual([]);

      const hundred = await api(t)('POST', '/api/batch', { requests: requests.slice(0, 100) });
      expect(hundred.status).toBe(200);
      expect(hundred.body).toHaveLength(100);

      expectApiProblem(await api(t)('POST', '/api/batch', {}), 400, 'VALIDATION_FAILED');
      expectApiProblem(
        await api(t)('POST', '/api/batch', {
          requests: [{ method: 'GET', url: '/api/collections/authors/records' }],
        }),
        400,
        'VALIDATION_FAILED',
      );
      const wrongUrl = await api(t)('POST', '/api/batch', {
        requests: [{ method: 'POST', url: '/api/collections', body: { name: 'sneaky' } }],
      });
      expect(expectApiProblem(wrongUrl, 400, 'BATCH_FAILED').failedIndex).toBe(0);
    });

    it('answers a bad request inside a batch as the client’s mistake, with its path', async () => {
      const badUrl = await api(t)('POST', '/api/batch', {
        requests: [{ method: 'POST', url: '/api/collections/%E0%A4%A/records', body: {} }],
      });
      const p1 = expectApiProblem(badUrl, 400, 'BATCH_FAILED');
      expect(p1.response).toMatchObject({ status: 400, body: { code: 'BAD_REQUEST' } });

      const notObject = await api(t)('POST', '/api/batch', {
        requests: [
          { method: 'POST', url: '/api/collections/authors/records', body: { name: 'ok' } },
          { method: 'POST', url: '/api/collections/authors/records', body: 'text' },
        ],
      });
      const p2 = expectApiProblem(notObject, 400, 'BATCH_FAILED');
      expect(p2.failedIndex).toBe(1);
      expect(errorPaths(p2)).toEqual(['requests.1.body']);

      const unknown = await api(t)('POST', '/api/batch', {
        requests: [
          {
            method: 'DELETE',
            url: `/api/collections/nowhere/records/${mode.id('0190f5c2-0000-7000-8000-000000000000')}`,
          },
        ],
      });
      expect(expectApiProblem(unknown, 400, 'BATCH_FAILED').response).toMatchObject({
        status: 404,
        body: { code: 'COLLECTION_NOT_FOUND' },
      });
    });

    it('applies rules inside a batch', async () => {
      await createCollection(t, admin, {
        name: 'guarded',
        fields: [
          { name: 'title', type: 'text' },
          { name: 'owner', type: 'relation', collection: 'users', maxSelect: 1 },
        ],
        listRule: '',
        viewRule: '',
        createRule: '@request.auth.id != "" && owner = @request.auth.id',
        updateRule: 'owner = @request.auth.id',
        deleteRule: null,
      });
      const alice = await createUser(t, 'Alice');
      const bob = await createUser(t, 'Bob');
      const mine = await api(t, alice.token)('POST', '/api/batch', {
        requests: [
          { method: 'POST', url: '/api/collections/guarded/records', body: { title: 'a', owner: alice.id } },
        ],
      });
      expect(mine.status).toBe(200);
      const recordId = mine.body[0].body.id;

      const refused = await api(t, bob.token)('POST', '/api/batch', {
        requests: [
          { method: 'POST', url: '/api/collections/guarded/records', body: { title: 'b', owner: bob.id } },
          {
            method: 'PATCH',
            url: `/api/collections/guarded/records/${recordId}`,
            body: { title: 'hijacked' },
          },
        ],
      });
      const problem = expectApiProblem(refused, 400, 'BATCH_FAILED');
      expect(problem.failedIndex).toBe(1);
      expect(problem.response).toMatchObject({ status: 403, body: { code: 'RULE_REFUSED' } });
      expect(ids(await listRecords(t, undefined, 'guarded', { filter: 'title = "b"' }))).toEqual([]);

      const anonymous = await api(t)('POST', '/api/batch', {
        requests: [{ method: 'DELETE', url: `/api/collections/guarded/records/${recordId}` }],
      });
      expect(expectApiProblem(anonymous, 400, 'BATCH_FAILED').response).toMatchObject({ status: 403 });
      expect(await exists('guarded', recordId)).toBe(true);
    });
  });

  describe('record change events', () => {
    let seen: Array<RecordChange & { committed: Promise<boolean> }>;
    let unsubscribe: () => void;

    beforeAll(() => {
      seen = [];
      // Each event also asks PostgreSQL, from another connection, whether the change is visible yet.
      unsubscribe = t.app.get(RecordEvents).subscribe((change) => {
        seen.push({ ...change, committed: exists(change.collectionName, change.record.id as string) });
      });
    });
    afterAll(() => unsubscribe?.());

    const events = (collection: string) => seen.filter((e) => e.collectionName === collection);

    it('publishes create, update and delete with the record, after the commit', async () => {
      await createCollection(t, admin, {
        name: 'watched',
        fields: [
          { name: 'title', type: 'text' },
          { name: 'secret', type: 'text', hidden: true },
        ],
        listRule: '',
        viewRule: '',
        createRule: '',
        updateRule: '',
        deleteRule: '',
      });
      const created = await createRecord(t, undefined, 'watched', { title: 'one', secret: 's' });
      ok(await api(t)('PATCH', `/api/collections/watched/records/${created.id}`, { title: 'two' }));
      ok(await api(t)('DELETE', `/api/collections/watched/records/${created.id}`), 204);
      const got = events('watched');
      expect(got.map((e) => e.action)).toEqual(['create', 'update', 'delete']);
      expect(got[0]).toMatchObject({
        collectionName: 'watched',
        collectionId: created.collectionId,
        record: { id: created.id, title: 'one', secret: 's' },
      });
      expect(got[1]!.record).toMatchObject({ id: created.id, title: 'two' });
      expect(got[2]!.record).toMatchObject({ id: created.id, title: 'two' });
      expect(await Promise.all(got.map((e) => e.committed))).toEqual([true, true, false]);
    });

    it('publishes nothing for a refused write or a rolled-back batch, and each change of a batch after it commits', async () => {
      const before = seen.length;
      const res = await api(t)('POST', '/api/batch', {
        requests: [
          { method: 'POST', url: '/api/collections/watched/records', body: { title: 'rolled back' } },
          { method: 'POST', url: '/api/collections/watched/records', body: { title: 1 } },
        ],
      });
      expectApiProblem(res, 400, 'BATCH_FAILED');
      expectApiProblem(
        await api(t)('POST', '/api/collections/watched/records', { nope: 1 }),
        400,
        'VALIDATION_FAILED',
      );
      await sleep(50);
      expect(seen.slice(before)).toEqual([]);

      const good = await api(t)('POST', '/api/batch', {
        requests: [
          { method: 'POST', url: '/api/collections/watched/records', body: { title: 'b1' } },
          { method: 'POST', url: '/api/collections/watched/records', body: { title: 'b2' } },
        ],
      });
      expect(good.status).toBe(200);
      const got = seen.slice(before);
      expect(got.map((e) => [e.action, e.record.title])).toEqual([
        ['create', 'b1'],
        ['create', 'b2'],
      ]);
      expect(await Promise.all(got.map((e) => e.committed))).toEqual([true, true]);
    });

    it('publishes deletes for records removed by a cascade, and updates for set-null', async () => {
      await createCollection(t, admin, { name: 'ev_parent', fields: [{ name: 'n', type: 'text' }] });
      await createCollection(t, admin, {
        name: 'ev_single',
        fields: [{ name: 'p', type: 'relation', collection: 'ev_parent', maxSelect: 1, onDelete: 'cascade' }],
      });
      await createCollection(t, admin, {
        name: 'ev_multi',
        fields: [{ name: 'p', type: 'relation', collection: 'ev_parent', maxSelect: 2, onDelete: 'cascade' }],
      });
      await createCollection(t, admin, {
        name: 'ev_null',
        fields: [
          { name: 'p', type: 'relation', collection: 'ev_parent', maxSelect: 1, onDelete: 'set-null' },
        ],
      });
      const p = await createRecord(t, admin, 'ev_parent', { n: 'p' });
      const s = await createRecord(t, admin, 'ev_single', { p: p.id });
      const m = await createRecord(t, admin, 'ev_multi', { p: [p.id] });
      const n = await createRecord(t, admin, 'ev_null', { p: p.id });
      const before = seen.length;
      ok(await as('DELETE', `/api/collections/ev_parent/records/${p.id}`), 204);
      const got = seen.slice(before).map((e) => `${e.action} ${e.collectionName} ${e.record.id as string}`);
      expect(got.sort()).toEqual(
        [
          `delete ev_parent ${p.id}`,
          `delete ev_single ${s.id}`,
          `delete ev_multi ${m.id}`,
          `update ev_null ${n.id}`,
        ].sort(),
      );
      const update = seen.slice(before).find((e) => e.action === 'update');
      expect(update?.record).toMatchObject({ id: n.id, p: null });
    });

    it('a failing subscriber neither fails the committed write nor starves the other subscribers', async () => {
      const events = t.app.get(RecordEvents);
      const after: string[] = [];
      const off1 = events.subscribe(() => {
        throw new Error('subscriber bug');
      });
      const off2 = events.subscribe((change) => after.push(change.action));
      try {
        const res = await api(t)('POST', '/api/collections/watched/records', { title: 'still fine' });
        expect(res.status).toBe(200);
        expect(await exists('watched', res.body.id)).toBe(true);
        expect(after).toEqual(['create']);
      } finally {
        off1();
        off2();
      }
    });

    it('deletes a cycle of cascading self-relations and publishes each delete once', async () => {
      await createCollection(t, admin, { name: 'ring', fields: [{ name: 'label', type: 'text' }] });
      const ring = (await as('GET', '/api/collections/ring')).body;
      ok(
        await as('PATCH', '/api/collections/ring', {
          fields: [
            ...ring.fields,
            { name: 'next', type: 'relation', collection: 'ring', maxSelect: 1, onDelete: 'cascade' },
          ],
        }),
      );
      const a = await createRecord(t, admin, 'ring', { label: 'a' });
      const b = await createRecord(t, admin, 'ring', { label: 'b', next: a.id });
      const c = await createRecord(t, admin, 'ring', { label: 'c', next: b.id });
      ok(await as('PATCH', `/api/collections/ring/records/${a.id}`, { next: c.id }));
      const other = await createRecord(t, admin, 'ring', { label: 'other' });
      const before = seen.length;
      ok(await as('DELETE', `/api/collections/ring/records/${a.id}`), 204);
      const got = seen.slice(before).map((e) => `${e.action} ${e.record.label as string}`);
      expect(got.sort()).toEqual(['delete a', 'delete b', 'delete c']);
      expect(ids(await listRecords(t, admin, 'ring'))).toEqual([other.id]);
    });
  });
});
