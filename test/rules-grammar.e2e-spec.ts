import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { adminToken, api, signIn } from './support/auth.js';
import { MockProviders, oauth2Browser } from './support/oauth2-provider.js';
import { expectApiProblem } from './support/problem.js';
import {
  createCollection,
  createRecord,
  createUser,
  ids,
  listRecords,
  ok,
  type TestUser,
} from './support/records.js';
import { SseClient, subscribe } from './support/sse.js';
import { startIsolatedApp } from './support/start-app.js';

// PocketBase's rule grammar through the real app: @collection, :each, :length, :isset, :changed,
// @request.headers/method and // comments, each as a row of a rules matrix.

const PUBLIC_URL = 'http://plinth.test';
const APP = 'https://app.example/auth';

describe('PocketBase rule grammar (issue 17)', () => {
  let t: Awaited<ReturnType<typeof startIsolatedApp>>;
  let admin: string;
  let member: TestUser;
  let outsider: TestUser;
  let courseA: string;
  let courseB: string;
  let dataDir: string;
  let providers: MockProviders;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'plinth-rules-'));
    providers = await MockProviders.start();
    const google = providers.endpoints('google');
    t = await startIsolatedApp({
      env: {
        PLINTH_DATA_DIR: dataDir,
        PUBLIC_URL,
        PLINTH_OAUTH2_GOOGLE_CLIENT_ID: 'rules-google-client',
        PLINTH_OAUTH2_GOOGLE_CLIENT_SECRET: 'rules-google-secret',
        PLINTH_OAUTH2_GOOGLE_AUTH_URL: google.authUrl,
        PLINTH_OAUTH2_GOOGLE_TOKEN_URL: google.tokenUrl,
        PLINTH_OAUTH2_GOOGLE_USERINFO_URL: google.userInfoUrl,
      },
    });
    admin = await adminToken(t);
    member = await createUser(t, 'Member');
    outsider = await createUser(t, 'Outsider');
    await createCollection(t, admin, { name: 'courses', fields: [{ name: 'name', type: 'text' }] });
    await createCollection(t, admin, {
      name: 'registrations',
      fields: [
        { name: 'user', type: 'relation', collection: 'users', maxSelect: 1 },
        { name: 'course', type: 'relation', collection: 'courses', maxSelect: 1 },
      ],
    });
    // Rules as a PocketBase app would write them; "courseRegistrations" in the docs' examples.
    const member_ = '@collection.registrations.user ?= @request.auth.id';
    await createCollection(t, admin, {
      name: 'lessons',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'status', type: 'text' },
        { name: 'course', type: 'relation', collection: 'courses', maxSelect: 1 },
        { name: 'tags', type: 'select', values: ['a', 'b', 'c'], maxSelect: 3 },
        { name: 'editors', type: 'relation', collection: 'users', maxSelect: 5 },
      ],
      listRule: `${member_} && @collection.registrations.course ?= course`,
      viewRule: `${member_} && @collection.registrations.course ?= course`,
      createRule: [
        `${member_} && @collection.registrations.course ?= @request.body.course`,
        '@request.body.tags:length <= 2 && @request.body.tags:each != "c"',
        '@request.body.status:isset = false',
      ].join(' && '),
      updateRule: [
        '// editors only, and the status stays as it is',
        'editors:each ?= @request.auth.id && editors:length < 3 // at most two editors',
        '&& @request.body.status:changed = false',
      ].join('\n'),
      deleteRule: '@request.method = "DELETE" && @request.headers.x_confirm = "yes" // PocketBase: x-confirm',
    });
    courseA = (await createRecord(t, admin, 'courses', { name: 'A' })).id;
    courseB = (await createRecord(t, admin, 'courses', { name: 'B' })).id;
    await createRecord(t, admin, 'registrations', { user: member.id, course: courseA });
    await createRecord(t, admin, 'registrations', { user: outsider.id, course: courseB });
  });
  afterAll(async () => {
    await t?.stop();
    await providers?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const lesson = (body: Record<string, unknown>) =>
    createRecord(t, admin, 'lessons', { title: 'l', course: courseA, ...body });

  describe('@collection: "@collection.courseRegistrations.user ?= @request.auth.id && …courseGroup ?= courseGroup"', () => {
    it("lists and views only lessons of the caller's own courses", async () => {
      const inA = await lesson({ course: courseA });
      const inB = await lesson({ course: courseB });
      const listed = (token?: string) => listRecords(t, token, 'lessons', { perPage: '500' });
      expect(ids(await listed(member.token))).toContain(inA.id);
      expect(ids(await listed(member.token))).not.toContain(inB.id);
      expect(ids(await listed(outsider.token))).toEqual(expect.arrayContaining([inB.id]));
      expect(ids(await listed(outsider.token))).not.toContain(inA.id);
      expect(ids(await listed())).toEqual([]);
      expect((await api(t, member.token)('GET', `/api/collections/lessons/records/${inB.id}`)).status).toBe(
        404,
      );
      expect((await api(t, member.token)('GET', `/api/collections/lessons/records/${inA.id}`)).status).toBe(
        200,
      );
    });

    it("admins may filter by @collection; other callers' filters get 403", async () => {
      const inB = await lesson({ course: courseB, title: 'only-b' });
      const filter = `@collection.registrations.user ?= "${outsider.id}" && @collection.registrations.course ?= course && title = "only-b"`;
      expect(ids(await listRecords(t, admin, 'lessons', { filter }))).toEqual([inB.id]);
      expectApiProblem(
        await listRecords(t, outsider.token, 'lessons', { filter }),
        403,
        'FILTER_FORBIDDEN_MACRO',
      );
    });
  });

  describe('create: @collection, :length, :each and :isset on the submitted body', () => {
    const CASES: Array<[string, Record<string, unknown>, 'member' | 'outsider', number]> = [
      ['a registered member', { tags: ['a', 'b'] }, 'member', 200],
      ['a course the caller is not in', { course: 'B', tags: ['a'] }, 'member', 403],
      ['"@request.body.tags:length <= 2" broken', { tags: ['a', 'b', 'c'] }, 'member', 403],
      ['"@request.body.tags:each != \\"c\\"" broken', { tags: ['c'] }, 'member', 403],
      ['"@request.body.status:isset = false" broken', { tags: ['a'], status: 'draft' }, 'member', 403],
      ['status sent as null is still set', { tags: ['a'], status: null }, 'member', 403],
      ["someone else's course", { tags: ['a'] }, 'outsider', 403],
    ];
    for (const [name, body, who, status] of CASES) {
      it(`${name} → ${status}`, async () => {
        const caller = who === 'member' ? member : outsider;
        const course = body.course === 'B' ? courseB : courseA;
        const res = await api(t, caller.token)('POST', '/api/collections/lessons/records', {
          title: 'x',
          ...body,
          course,
        });
        if (status === 200) expect(res.status).toBe(200);
        else expectApiProblem(res, status, 'RULE_REFUSED');
      });
    }
  });

  describe('update: "editors:each ?= @request.auth.id", "editors:length < 3", "@request.body.status:changed = false"', () => {
    const CASES: Array<[string, string[], Record<string, unknown>, number]> = [
      ['an editor changes the title', ['m'], { title: 'new' }, 200],
      ['an editor sends the same status', ['m'], { status: 'draft' }, 200],
      ['an editor changes the status', ['m'], { status: 'final' }, 403],
      ['an editor clears the status', ['m'], { status: '' }, 403],
      ['not an editor', ['o'], { title: 'new' }, 403],
      ['three editors: "editors:length < 3" broken', ['m', 'o', 'a'], { title: 'new' }, 403],
    ];
    for (const [name, editors, body, status] of CASES) {
      it(`${name} → ${status}`, async () => {
        const extra = (await createUser(t, 'Extra')).id;
        const who = { m: member.id, o: outsider.id, a: extra };
        const row = await lesson({ status: 'draft', editors: editors.map((e) => who[e as 'm' | 'o' | 'a']) });
        const res = await api(t, member.token)('PATCH', `/api/collections/lessons/records/${row.id}`, body);
        if (status === 200) {
          expect(res.status).toBe(200);
          expect(res.body).toMatchObject(body);
        } else {
          expectApiProblem(res, status, 'RULE_REFUSED');
        }
      });
    }
  });

  describe('delete: "@request.method = \\"DELETE\\" && @request.headers.x_confirm = \\"yes\\"" with a // comment', () => {
    it('deletes only with the header', async () => {
      const row = await lesson({});
      const path = `/api/collections/lessons/records/${row.id}`;
      const without = await t.fetch(path, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${member.token}` },
      });
      expect(without.status).toBe(403);
      expect(((await without.json()) as { code: string }).code).toBe('RULE_REFUSED');
      const withHeader = await t.fetch(path, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${member.token}`, 'x-confirm': 'yes' },
      });
      expect(withHeader.status).toBe(204);
    });
  });

  describe('@request.context = "batch" (PocketBase: default, realtime, protectedFile, oauth2, batch)', () => {
    it('reads "batch" inside POST /api/batch and "default" elsewhere', async () => {
      await createCollection(t, admin, {
        name: 'batch_only',
        fields: [{ name: 'title', type: 'text' }],
        createRule: '@request.context = "batch"',
      });
      const direct = await api(t, member.token)('POST', '/api/collections/batch_only/records', {
        title: 'x',
      });
      expectApiProblem(direct, 403, 'RULE_REFUSED');
      const batch = await api(t, member.token)('POST', '/api/batch', {
        requests: [{ method: 'POST', url: '/api/collections/batch_only/records', body: { title: 'y' } }],
      });
      expect(batch.status).toBe(200);
      expect(batch.body).toEqual([{ status: 200, body: expect.objectContaining({ title: 'y' }) }]);
    });
  });

  describe("@request.method inside /api/batch is each item's own method (PocketBase)", () => {
    it('judges a POST item by "POST", a PATCH item by "PATCH" and a DELETE item by "DELETE"', async () => {
      await createCollection(t, admin, {
        name: 'batch_methods',
        fields: [{ name: 'title', type: 'text' }],
        viewRule: '',
        createRule: '@request.method = "POST" && @request.context = "batch"',
        updateRule: '@request.method = "PATCH"',
        deleteRule: '@request.method = "DELETE"',
      });
      const kept = await createRecord(t, admin, 'batch_methods', { title: 'kept' });
      const gone = await createRecord(t, admin, 'batch_methods', { title: 'gone' });
      const url = '/api/collections/batch_methods/records';
      const batch = await api(t, member.token)('POST', '/api/batch', {
        requests: [
          { method: 'POST', url, body: { title: 'new' } },
          { method: 'PATCH', url: `${url}/${kept.id}`, body: { title: 'patched' } },
          { method: 'DELETE', url: `${url}/${gone.id}` },
        ],
      });
      expect(batch.status).toBe(200);
      expect(batch.body).toEqual([
        { status: 200, body: expect.objectContaining({ title: 'new' }) },
        { status: 200, body: expect.objectContaining({ id: kept.id, title: 'patched' }) },
        { status: 204, body: null },
      ]);
    });
  });

  describe('@request.context = "realtime"', () => {
    it('lets a list rule send changes over realtime that the REST list does not show', async () => {
      await createCollection(t, admin, {
        name: 'live_only',
        fields: [{ name: 'title', type: 'text' }],
        listRule: '@request.context = "realtime"',
      });
      const stream = await SseClient.connect(`${t.url}/api/realtime`);
      try {
        expect((await subscribe(t.url, stream.clientId, ['live_only'], member.token)).status).toBe(204);
        const row = await createRecord(t, admin, 'live_only', { title: 'pushed' });
        const event = await stream.nextData('live_only', (d) => d.record.id === row.id);
        expect(event.action).toBe('create');
        expect(ids(await listRecords(t, member.token, 'live_only'))).toEqual([]);
      } finally {
        stream.close();
      }
    });
  });

  describe('@request.context = "protectedFile"', () => {
    it('lets a file token download a protected file whose record the REST view does not show', async () => {
      await createCollection(t, admin, {
        name: 'vault',
        fields: [{ name: 'secret', type: 'file', protected: true }],
        viewRule: '@request.context = "protectedFile" && @request.method = "GET"',
      });
      const data = new FormData();
      data.append('secret', new Blob([Buffer.from('for token holders')]), 'plan.txt');
      const created = await t.fetch('/api/collections/vault/records', {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}` },
        body: data,
      });
      expect(created.status).toBe(200);
      const row = (await created.json()) as { id: string; secret: string };
      const view = await api(t, member.token)('GET', `/api/collections/vault/records/${row.id}`);
      expectApiProblem(view, 404, 'RECORD_NOT_FOUND');
      const token = ok(await api(t, member.token)('POST', '/api/files/token')).body.token as string;
      const file = await t.fetch(
        `/api/files/vault/${row.id}/${row.secret}?token=${encodeURIComponent(token)}`,
      );
      expect([file.status, await file.text()]).toEqual([200, 'for token holders']);
    });
  });

  describe('@request.context = "oauth2"', () => {
    it('an authRule on the context lets social sign-in in and keeps password sign-in out', async () => {
      const users = async (body: Record<string, unknown>) =>
        ok(await api(t, admin)('PATCH', '/api/collections/users', body));
      await users({
        oauth2: { enabled: true, redirectAllowList: [APP], providers: [{ name: 'google' }] },
        authRule: '@request.context = "oauth2"',
      });
      try {
        const browser = oauth2Browser(() => t, providers, { publicUrl: PUBLIC_URL, app: APP });
        const social = await browser.signInOk('google', {
          sub: 'ctx-oauth2',
          email: 'ctx-oauth2@example.com',
          emailVerified: true,
        });
        expect(social.record.email).toBe('ctx-oauth2@example.com');
        const password = await signIn(t, member.email, 'password-123456');
        expectApiProblem(password, 403, 'AUTH_RULE_REFUSED');
      } finally {
        await users({ authRule: '' });
      }
    });
  });

  describe('"@request.query.share = \'yes\'" (first value of a query parameter)', () => {
    it('views the record only with ?share=yes', async () => {
      await createCollection(t, admin, {
        name: 'shared',
        fields: [{ name: 'title', type: 'text' }],
        viewRule: '@request.query.share = "yes" && @request.method = "GET"',
      });
      const row = await createRecord(t, admin, 'shared', { title: 's' });
      const path = `/api/collections/shared/records/${row.id}`;
      expect((await api(t, member.token)('GET', path)).status).toBe(404);
      expect((await api(t, member.token)('GET', `${path}?share=no`)).status).toBe(404);
      expect((await api(t, member.token)('GET', `${path}?share=yes&share=no`)).status).toBe(200);
      expect((await api(t)('GET', `${path}?share=yes`)).body).toMatchObject({ id: row.id });
    });
  });

  describe('client filters with modifiers', () => {
    it('"tags:each", "tags:length", "title:lower" filter; a modifier on the wrong field is a named 400', async () => {
      const row = await lesson({ title: 'MiXeD', tags: ['a', 'b'] });
      const find = (filter: string) => listRecords(t, member.token, 'lessons', { filter, perPage: '500' });
      expect(ids(await find('title:lower = "mixed" && tags:length = 2 && tags:each ?= "b"'))).toContain(
        row.id,
      );
      expect(ids(await find('title:lower = "MiXeD"'))).toEqual([]);
      for (const [filter, code, status] of [
        ['title:each = "a"', 'FILTER_TYPE_MISMATCH', 400],
        ['tags:each:each = "a"', 'FILTER_SYNTAX', 400],
        ['status:isset = true', 'FILTER_SYNTAX', 400],
        ['@request.body.status:isset = true', 'FILTER_FORBIDDEN_MACRO', 403],
      ] as const) {
        const problem = expectApiProblem(await find(filter), status, code);
        expect(problem.errors).toEqual([expect.objectContaining({ path: 'filter', code })]);
      }
    });
  });

  describe('rules are checked when saved', () => {
    it.each([
      ['@collection.nope.user ?= @request.auth.id', /Unknown collection "nope"/],
      ['title:each ~ "a"', /several values/],
      ['tags:each:each = "a"', /one modifier/],
      ['@request.body.nope:changed = true', /nope/],
    ])('refuses %s with 400 INVALID_RULE', async (rule, message) => {
      const res = await api(t, admin)('POST', '/api/collections', {
        name: `bad_${Math.random().toString(36).slice(2, 8)}`,
        fields: [
          { name: 'title', type: 'text' },
          { name: 'tags', type: 'select', values: ['a'], maxSelect: 2 },
        ],
        listRule: rule,
      });
      const problem = expectApiProblem(res, 400, 'VALIDATION_FAILED');
      expect(problem.errors).toEqual([
        expect.objectContaining({
          path: 'listRule',
          code: 'INVALID_RULE',
          message: expect.stringMatching(message),
        }),
      ]);
    });

    it('accepts every new construct', async () => {
      const res = await api(t, admin)('POST', '/api/collections', {
        name: 'grammar_ok',
        fields: [
          { name: 'title', type: 'text' },
          { name: 'tags', type: 'select', values: ['a'], maxSelect: 2 },
        ],
        listRule:
          '@collection.registrations:r.user ?= @request.auth.id && tags:length > 0 && title:lower ~ "x" // ok',
        createRule:
          '@request.body.tags:each = "a" && @request.body.title:isset = true && @request.query.x = "" && created < @todayEnd',
        updateRule: '@request.body.title:changed = false && @request.context != "oauth2" && @weekday >= 0',
      });
      expect(res.status).toBe(200);
    });
  });
});
