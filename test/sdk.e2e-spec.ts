import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { ADMIN_EMAIL, ADMIN_PASSWORD, adminToken } from './support/auth.js';
import { documentedFetch, startIsolatedApp } from './support/start-app.js';
import {
  createClient as createSdkClient,
  MemoryAuthStore,
  PlinthError,
  type ClientOptions,
  type FetchLike,
  type PlinthClient,
} from '../sdk/src/index.js';

// The access tokens of this app live 30 s; clients that must not refresh use a margin of 0.
const TTL = 30;
const PASSWORD = 'password-123456';

/** Every request the SDK sends and every answer it reads is checked against the OpenAPI document. */
const createClient = (opts: ClientOptions) =>
  createSdkClient({ ...opts, fetch: opts.fetch ?? documentedFetch });

/** A fetch that records the paths it was asked for (and checks them like every other). */
function countingFetch(): { fetch: FetchLike; paths: string[] } {
  const paths: string[] = [];
  return {
    paths,
    fetch: (input, init) => {
      paths.push(new URL(input).pathname);
      return documentedFetch(input, init);
    },
  };
}

/** Awaits a promise that must reject with a PlinthError; returns the error. */
async function plinthError(p: Promise<unknown>): Promise<PlinthError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PlinthError);
  return err as PlinthError;
}

describe('@plinth/sdk against a running server', () => {
  let t: Awaited<ReturnType<typeof startIsolatedApp>>;
  let admin: PlinthClient;
  let anon: PlinthClient;
  let userId: string;
  let email: string;
  let dataDir: string;

  const userClient = (opts: { refreshMargin?: number; fetch?: FetchLike } = {}) =>
    createClient({ url: t.url, refreshMargin: opts.refreshMargin ?? 0, fetch: opts.fetch });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'plinth-sdk-'));
    t = await startIsolatedApp({ env: { PLINTH_ACCESS_TOKEN_TTL: String(TTL), PLINTH_DATA_DIR: dataDir } });
    await adminToken(t); // creates the admin account
    // Admin tokens are renewed too: a 10 s margin renews this one every 20 s, not before every call.
    admin = createClient({ url: t.url, refreshMargin: 10 });
    await admin.admins.authWithPassword(ADMIN_EMAIL, ADMIN_PASSWORD);
    anon = createClient({ url: `${t.url}/` });

    email = `sdk-${Date.now()}@example.com`;
    const user = await anon
      .collection('users')
      .create({ email, password: PASSWORD, passwordConfirm: PASSWORD, name: 'Sam' });
    userId = user.id;

    await admin.collections.create({
      name: 'posts',
      type: 'base',
      fields: [
        { name: 'title', type: 'text', required: true, max: 200 },
        { name: 'views', type: 'number', onlyInt: true, min: 0 },
        { name: 'published', type: 'bool' },
        { name: 'status', type: 'select', values: ['draft', 'live'] },
        { name: 'author', type: 'relation', collection: 'users', maxSelect: 1 },
        { name: 'batchTag', type: 'text' },
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
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  describe('records', () => {
    it('creates, reads, updates and deletes a record', async () => {
      const posts = anon.collection('posts');
      const created = await posts.create({ title: 'Hello', views: 3, status: 'draft' });
      expect(created).toMatchObject({ title: 'Hello', views: 3, status: 'draft', collectionName: 'posts' });

      expect(await posts.getOne(created.id)).toMatchObject({ id: created.id, title: 'Hello' });

      const updated = await posts.update(created.id, { title: 'Hello again', views: 4 });
      expect(updated).toMatchObject({ id: created.id, title: 'Hello again', views: 4 });

      await expect(posts.delete(created.id)).resolves.toBeUndefined();
      const gone = await plinthError(posts.getOne(created.id));
      expect(gone).toMatchObject({ status: 404, code: 'RECORD_NOT_FOUND', isAbort: false });
      expect(gone.requestId).not.toBe('');
    });

    it('pages a list and fetches a full list batch by batch', async () => {
      const posts = admin.collection('posts');
      for (let i = 0; i < 25; i++) await posts.create({ title: `paged ${i}`, views: i, batchTag: 'paging' });
      const filter = anon.filter('batchTag = {:tag}', { tag: 'paging' });

      const page2 = await anon.collection('posts').getList(2, 10, { filter, sort: 'views' });
      expect(page2).toMatchObject({ page: 2, perPage: 10, totalItems: 25, totalPages: 3 });
      expect(page2.items.map((p) => p.views)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);

      const skipped = await anon
        .collection('posts')
        .getList({ page: 1, perPage: 5, filter, skipTotal: true });
      expect(skipped).toMatchObject({ totalItems: -1, totalPages: -1 });
      expect(skipped.items).toHaveLength(5);

      const counting = countingFetch();
      const client = userClient({ fetch: counting.fetch });
      const all = await client.collection('posts').getFullList({ batch: 7, filter, sort: '-views' });
      expect(all.map((p) => p.views)).toEqual(Array.from({ length: 25 }, (_, i) => 24 - i));
      // 7 + 7 + 7 + 4: the short fourth page ends it.
      expect(counting.paths).toEqual(Array(4).fill('/api/collections/posts/records'));
    });

    it('binds hostile strings and other values into filters so exactly the right record matches', async () => {
      const hostile = [
        "it's",
        "' || 1=1 || title = '",
        '" || true || "',
        'back\\slash\\',
        "\\' || 1=1 || '",
        '{:t} %_ @request.auth.id',
        'ünïcødé ✓ 🚀 日本語',
        '  spaced  ',
      ];
      const posts = admin.collection('posts');
      const ids = new Map<string, string>();
      for (const title of hostile) ids.set(title, (await posts.create({ title, batchTag: 'hostile' })).id);

      for (const title of hostile) {
        const filter = anon.filter('title = {:t} && batchTag = {:tag}', { t: title, tag: 'hostile' });
        const list = await anon.collection('posts').getList(1, 50, { filter });
        expect({ title, ids: list.items.map((i) => i.id) }).toEqual({ title, ids: [ids.get(title)] });
        expect((await anon.collection('posts').getFirstListItem(filter)).title).toBe(title);
      }

      // Each binding is one value: the injected `|| 1=1` does not widen the match.
      const none = await anon
        .collection('posts')
        .getList(1, 50, { filter: anon.filter('title = {:t}', { t: "x' || title != '" }) });
      expect(none.totalItems).toBe(0);

      const notFound = await plinthError(
        anon.collection('posts').getFirstListItem(anon.filter('title = {:t}', { t: 'no such title' })),
      );
      expect(notFound).toMatchObject({ status: 404, code: 'RECORD_NOT_FOUND' });
    });

    it('binds numbers, booleans, null and dates', async () => {
      const posts = admin.collection('posts');
      const a = await posts.create({ title: 'typed a', views: 5, published: true, batchTag: 'typed' });
      const b = await posts.create({ title: 'typed b', views: 50, published: false, batchTag: 'typed' });
      const only = (filter: string) =>
        anon
          .collection('posts')
          .getFullList({ filter: `batchTag = 'typed' && (${filter})` })
          .then((items) => items.map((i) => i.id).sort());

      expect(await only(anon.filter('views > {:v}', { v: 10 }))).toEqual([b.id]);
      expect(await only(anon.filter('views < {:v}', { v: 1e21 }))).toEqual([a.id, b.id].sort());
      expect(await only(anon.filter('views > {:v}', { v: 4.5 }))).toEqual([a.id, b.id].sort());
      expect(await only(anon.filter('published = {:p}', { p: true }))).toEqual([a.id]);
      expect(await only(anon.filter('status = {:s}', { s: null }))).toEqual([a.id, b.id].sort());
      expect(await only(anon.filter('created <= {:d}', { d: new Date(Date.now() + 60_000) }))).toEqual(
        [a.id, b.id].sort(),
      );
      expect(await only(anon.filter('created > {:d}', { d: new Date(Date.now() + 60_000) }))).toEqual([]);
      expect(() => anon.filter('title = {:missing}', {})).toThrow('{:missing}');
    });

    it('expands relations in views and lists', async () => {
      const post = await admin
        .collection('posts')
        .create({ title: 'by Sam', author: userId, batchTag: 'expand' });
      const one = await admin.collection('posts').getOne(post.id, { expand: 'author' });
      expect(one.expand?.author).toMatchObject({ id: userId, collectionName: 'users', name: 'Sam' });

      const list = await admin
        .collection('posts')
        .getList(1, 10, { filter: "batchTag = 'expand'", expand: 'author', fields: 'id,expand' });
      expect(list.items).toEqual([
        { id: post.id, expand: { author: expect.objectContaining({ id: userId }) } },
      ]);
    });

    it('rejects bad input with a PlinthError carrying the field paths', async () => {
      const err = await plinthError(anon.collection('posts').create({ views: 'many', status: 'gone' }));
      expect(err).toBeInstanceOf(Error);
      expect(err).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', isAbort: false });
      expect(err.detail).not.toBe('');
      expect(err.title).not.toBe('');
      expect(err.requestId).not.toBe('');
      expect(err.errors.map((e) => e.path).sort()).toEqual(['status', 'title', 'views']);
      expect(err.fieldErrors('title')).toHaveLength(1);
      expect(err.message).toBe(err.detail);
    });

    it('creates a record from FormData', async () => {
      const form = new FormData();
      form.append('title', 'from a form');
      form.append('views', '7');
      const created = await anon.collection('posts').create(form);
      expect(created).toMatchObject({ title: 'from a form', views: 7 });
    });

    it('reports aborted and unreachable requests', async () => {
      const controller = new AbortController();
      controller.abort();
      const aborted = await plinthError(
        anon.collection('posts').getList(1, 1, { signal: controller.signal }),
      );
      expect(aborted).toMatchObject({ isAbort: true, code: 'ABORTED', status: 0 });

      const offline = createClient({ url: 'http://127.0.0.1:9' });
      const network = await plinthError(offline.collection('posts').getOne('x'));
      expect(network).toMatchObject({ isAbort: false, code: 'NETWORK_ERROR', status: 0 });
    });

    it('sends custom headers with a call', async () => {
      const err = await plinthError(
        anon.collection('posts').getOne('00000000-0000-7000-8000-000000000000', {
          headers: { 'x-request-id': 'sdk-test-request-1' },
        }),
      );
      expect(err.requestId).toBe('sdk-test-request-1');
    });
  });

  describe('files', () => {
    beforeAll(async () => {
      await admin.collections.create({
        name: 'docs',
        type: 'base',
        fields: [
          { name: 'title', type: 'text' },
          { name: 'attachment', type: 'file' },
          { name: 'cover', type: 'file', mimeTypes: ['image/png'], thumbs: ['20x20'] },
          { name: 'gallery', type: 'file', maxSelect: 3 },
          { name: 'secret', type: 'file', protected: true },
        ],
        listRule: '',
        viewRule: '',
        createRule: '',
        updateRule: '',
        deleteRule: '',
      });
    });

    it('uploads FormData and serves the file at files.url()', async () => {
      const form = new FormData();
      form.append('title', 'with a file');
      form.append('attachment', new Blob(['hello sdk'], { type: 'text/plain' }), 'hello.txt');
      const rec = await anon.collection('docs').create(form);
      expect(rec.attachment).toMatch(/^hello_[a-z0-9]{10}\.txt$/);

      const url = anon.files.url(rec, rec.attachment as string);
      expect(url).toBe(`${t.url}/api/files/docs/${rec.id}/${rec.attachment}`);
      expect(anon.files.url(rec, 'attachment')).toBe(url); // the field's name finds its file
      expect(anon.files.url(rec, 'gallery')).toBe(''); // no file there
      const res = await documentedFetch(url);
      expect([res.status, await res.text()]).toEqual([200, 'hello sdk']);
    });

    it('uploads Blob values of a plain object, serves thumbs, and protected files with a token', async () => {
      const png = await sharp({ create: { width: 60, height: 40, channels: 3, background: '#c33' } })
        .png()
        .toBuffer();
      const client = userClient();
      await client.collection('users').authWithPassword(email, PASSWORD);
      const rec = await client.collection('docs').create({
        title: 'blobs',
        cover: new Blob([new Uint8Array(png)], { type: 'image/png' }),
        gallery: [new Blob(['one']), new Blob(['two'])],
        secret: new Blob(['top secret'], { type: 'text/plain' }),
      });
      expect(rec).toMatchObject({ title: 'blobs', gallery: [expect.any(String), expect.any(String)] });

      const thumb = await documentedFetch(client.files.url(rec, 'cover', { thumb: '20x20' }));
      expect(thumb.status).toBe(200);
      const meta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
      expect([meta.width, meta.height]).toEqual([20, 20]);

      const secretUrl = client.files.url(rec, 'secret');
      expect((await documentedFetch(secretUrl)).status).toBe(401);
      const token = await client.files.getToken();
      const secret = await documentedFetch(client.files.url(rec, 'secret', { token }));
      expect([secret.status, await secret.text()]).toEqual([200, 'top secret']);

      const updated = await client.collection('docs').update(rec.id, {
        title: 'blobs v2',
        attachment: new Blob(['second version']),
      });
      expect(updated.title).toBe('blobs v2');
      expect(await (await documentedFetch(client.files.url(updated, 'attachment'))).text()).toBe(
        'second version',
      );
    });
  });

  describe('realtime', () => {
    it('delivers create, update and delete events of a collection and of one record', async () => {
      const client = userClient();
      const events: Array<{ action: string; title: unknown }> = [];
      let notify: () => void = () => undefined;
      const next = (count: number) =>
        new Promise<void>((resolve) => {
          notify = () => events.length >= count && resolve();
          notify();
        });
      const stop = await client.collection('posts').subscribe(
        '*',
        (e) => {
          events.push({ action: e.action, title: e.record.title });
          notify();
        },
        { filter: "batchTag = 'live'" },
      );
      const post = await admin.collection('posts').create({ title: 'live one', batchTag: 'live' });
      await admin.collection('posts').create({ title: 'filtered out', batchTag: 'other' });
      await admin.collection('posts').update(post.id, { title: 'live two' });
      await next(2);

      const recordEvents: string[] = [];
      let recordDone: () => void = () => undefined;
      const deleted = new Promise<void>((resolve) => (recordDone = resolve));
      const stopRecord = await client.collection('posts').subscribe(post.id, (e) => {
        recordEvents.push(e.action);
        if (e.action === 'delete') recordDone();
      });
      await admin.collection('posts').delete(post.id);
      await deleted;
      await next(3);
      expect(events).toEqual([
        { action: 'create', title: 'live one' },
        { action: 'update', title: 'live two' },
        { action: 'delete', title: 'live two' },
      ]);
      expect(recordEvents).toEqual(['delete']);
      await stopRecord();
      await stop();
      expect(client.realtime.isConnected).toBe(false);
    });
  });

  describe('push', () => {
    it('registers a device, manages topics, sends and reads a message', async () => {
      const client = userClient();
      await client.collection('users').authWithPassword(email, PASSWORD);
      const device = await client.push.register({
        platform: 'fcm',
        token: 'fcm-token-sdk-0001-abcdefghijklmnop',
        locale: 'en',
      });
      expect(device).toMatchObject({ id: expect.any(String), platform: 'fcm', userId });
      expect(await client.push.subscribeTopic('news')).toEqual({ topic: 'news', devices: [device.id] });
      expect(await client.push.unsubscribeTopic('news')).toMatchObject({ topic: 'news' });
      expect((await anon.push.getVapidPublicKey()).length).toBeGreaterThan(40);

      const notification = { title: 'Hi', body: 'from the SDK' };
      const refused = await plinthError(
        client.push.send({ targets: { devices: [device.id] }, notification }),
      );
      expect(refused.status).toBe(403);
      const sent = await admin.push.send({ targets: { devices: [device.id] }, notification });
      const message = await admin.push.getMessage(sent.id);
      expect(message).toMatchObject({ id: sent.id });
      expect(message.deliveries).toEqual([expect.objectContaining({ deviceId: device.id, platform: 'fcm' })]);

      await expect(client.push.unregister(device.id)).resolves.toBeUndefined();
      expect(await plinthError(client.push.unregister(device.id))).toMatchObject({ status: 404 });
    });
  });

  describe('auth', () => {
    it('signs in with a password and keeps the session in the auth store', async () => {
      const store = new MemoryAuthStore();
      const changes: string[] = [];
      store.onChange((token) => changes.push(token));
      const client = createClient({ url: t.url, authStore: store, refreshMargin: 0 });
      const result = await client.collection('users').authWithPassword(email, PASSWORD);
      expect(result.record).toMatchObject({ id: userId, email });
      expect(store).toMatchObject({ token: result.token, refreshToken: result.refreshToken, isValid: true });
      expect(store.record).toMatchObject({ id: userId, collectionName: 'users' });
      expect(store.isAdmin).toBe(false);
      expect(changes).toEqual([result.token]);

      // The token is sent: a rule on @request.auth.id sees the user.
      const me = await client.collection('users').getOne(userId);
      expect(me.email).toBe(email);

      const wrong = await plinthError(
        userClient().collection('users').authWithPassword(email, 'wrong-password'),
      );
      expect(wrong).toMatchObject({ status: 400, code: 'INVALID_CREDENTIALS' });
    });

    it('refreshes the token by itself before it expires, once for concurrent calls', async () => {
      const counting = countingFetch();
      // A 60 s margin on 30 s tokens: every call finds the token about to expire.
      const client = userClient({ refreshMargin: 60, fetch: counting.fetch });
      const signedIn = await client.collection('users').authWithPassword(email, PASSWORD);
      counting.paths.length = 0;

      await Promise.all(Array.from({ length: 5 }, () => client.collection('posts').getList(1, 1)));
      expect(counting.paths.filter((p) => p.endsWith('/auth-refresh'))).toHaveLength(1);
      expect(counting.paths.filter((p) => p.endsWith('/records'))).toHaveLength(5);
      // (The access token may come out byte-identical within the same second; the refresh token never does.)
      expect(client.authStore.refreshToken).not.toBe(signedIn.refreshToken);
      expect(client.authStore.isValid).toBe(true);
      expect(client.authStore.record).toMatchObject({ id: userId, collectionName: 'users' });

      // The session survived (one refresh token used once); the next call refreshes again and works.
      const me = await client.collection('users').getOne(userId);
      expect(me.email).toBe(email);

      // The first refresh token was used up by the automatic refresh.
      const stale = userClient();
      stale.authStore.save(signedIn.token, { id: userId, collectionName: 'users' }, signedIn.refreshToken);
      const reused = await plinthError(stale.collection('users').authRefresh());
      expect(reused).toMatchObject({ status: 401, code: 'INVALID_REFRESH_TOKEN' });
    });

    it('does not refresh while the token has time left', async () => {
      const counting = countingFetch();
      const client = userClient({ refreshMargin: 0, fetch: counting.fetch });
      const signedIn = await client.collection('users').authWithPassword(email, PASSWORD);
      await client.collection('posts').getList(1, 1);
      expect(counting.paths).toEqual([
        '/api/collections/users/auth-with-password',
        '/api/collections/posts/records',
      ]);
      expect(client.authStore.token).toBe(signedIn.token);
    });

    it('refreshes on demand and logs out (one session or all)', async () => {
      const client = userClient();
      const first = await client.collection('users').authWithPassword(email, PASSWORD);
      const refreshed = await client.collection('users').authRefresh();
      expect(refreshed.refreshToken).not.toBe(first.refreshToken);
      expect(client.authStore.token).toBe(refreshed.token);
      expect(client.authStore.refreshToken).toBe(refreshed.refreshToken);

      await client.collection('users').logout();
      expect(client.authStore).toMatchObject({ token: '', refreshToken: '', record: null, isValid: false });
      const after = userClient();
      after.authStore.save(refreshed.token, { id: userId, collectionName: 'users' }, refreshed.refreshToken);
      expect(await plinthError(after.collection('users').authRefresh())).toMatchObject({
        status: 401,
        code: 'INVALID_REFRESH_TOKEN',
      });

      // logout({all}) ends every session of the user, other clients' included.
      const other = userClient();
      await other.collection('users').authWithPassword(email, PASSWORD);
      const again = userClient();
      await again.collection('users').authWithPassword(email, PASSWORD);
      await again.collection('users').logout({ all: true });
      expect(again.authStore.token).toBe('');
      expect(await plinthError(other.collection('users').authRefresh())).toMatchObject({
        status: 401,
        code: 'INVALID_REFRESH_TOKEN',
      });
    });

    it('clears a session whose refresh token the server rejects', async () => {
      const client = userClient({ refreshMargin: 60 });
      const signedIn = await client.collection('users').authWithPassword(email, PASSWORD);
      // Use the refresh token elsewhere first: the client's next automatic refresh is a reuse.
      const thief = userClient();
      thief.authStore.save(signedIn.token, { id: userId, collectionName: 'users' }, signedIn.refreshToken);
      await thief.collection('users').authRefresh();
      // Every call waiting on that refresh learns that the session is over (none goes out anonymously).
      const errors = await Promise.all(
        [1, 2, 3].map(() => plinthError(client.collection('posts').getList(1, 1))),
      );
      for (const err of errors) expect(err).toMatchObject({ status: 401, code: 'INVALID_REFRESH_TOKEN' });
      expect(client.authStore.token).toBe('');
    });

    it('builds the social sign-in start URL and lists auth methods', async () => {
      const url = anon.collection('users').oauth2StartUrl('google', 'https://app.example/auth?x=1');
      expect(url).toBe(
        `${t.url}/api/collections/users/auth/oauth2/google?redirect=${encodeURIComponent('https://app.example/auth?x=1')}`,
      );
      const methods = await anon.collection('users').listAuthMethods();
      expect(methods.password).toEqual({ enabled: true, identityFields: ['email'] });
      const bad = await plinthError(anon.collection('users').authWithOAuth2Code('not-a-code'));
      expect(bad).toMatchObject({ status: 400, code: 'OAUTH2_CODE_INVALID' });
    });

    it('answers password-reset and verification requests without revealing accounts', async () => {
      const users = anon.collection('users');
      await expect(users.requestPasswordReset('nobody@example.com')).resolves.toBeUndefined();
      await expect(users.requestVerification(email)).resolves.toBeUndefined();
      expect(await plinthError(users.confirmVerification('bogus'))).toMatchObject({
        status: 400,
        code: 'VERIFICATION_TOKEN_INVALID',
      });
      expect(
        await plinthError(users.confirmPasswordReset('bogus', 'new-password-1', 'new-password-1')),
      ).toMatchObject({ status: 400, code: 'PASSWORD_RESET_TOKEN_INVALID' });
    });
  });

  describe('admin calls', () => {
    it('signs an admin in; admin sessions have no refresh token', () => {
      expect(admin.authStore.isAdmin).toBe(true);
      expect(admin.authStore.refreshToken).toBe('');
      expect(admin.authStore.record).toMatchObject({ email: ADMIN_EMAIL });
    });

    it('manages collections and previews an import', async () => {
      const names = (await admin.collections.list()).map((c) => c.name);
      expect(names).toEqual(expect.arrayContaining(['posts', 'users']));

      const tags = await admin.collections.create({
        name: 'tags',
        type: 'base',
        fields: [{ name: 'label', type: 'text' }],
      });
      const renamed = await admin.collections.update('tags', {
        fields: [{ id: tags.fields[0]!.id, name: 'name', type: 'text' }],
      });
      expect(renamed.fields.map((f) => f.name)).toEqual(['name']);
      expect((await admin.collections.get('tags')).id).toBe(tags.id);

      const { collections } = await admin.collections.export();
      const plan = await admin.collections.import(
        [...collections, { name: 'planned', type: 'base', fields: [{ name: 'x', type: 'text' }] }],
        { dryRun: true },
      );
      expect(plan.changes).toEqual([
        expect.objectContaining({ collection: 'planned', action: 'create', fields: ['x'] }),
      ]);
      expect(await plinthError(admin.collections.get('planned'))).toMatchObject({ status: 404 });

      await admin.collections.delete('tags');
      expect(await plinthError(admin.collections.get('tags'))).toMatchObject({ status: 404 });

      const invalid = await plinthError(
        admin.collections.create({ name: 'Bad Name', type: 'base', fields: [{ name: 'x', type: 'text' }] }),
      );
      expect(invalid).toMatchObject({ status: 400 });
      expect(invalid.errors.map((e) => e.path)).toContain('name');
    });

    it('manages API keys, and a key works as a credential', async () => {
      const created = await admin.keys.create({ name: 'sdk test', scopes: ['posts:read'] });
      expect(created.key).toMatch(/^plk_/);
      expect((await admin.keys.list()).map((k) => k.id)).toContain(created.id);

      const withKey = createClient({ url: t.url });
      withKey.authStore.save(created.key, null);
      expect((await withKey.collection('posts').getList(1, 1)).items).toHaveLength(1);
      expect(await plinthError(withKey.keys.list())).toMatchObject({ status: 403, code: 'ADMIN_REQUIRED' });

      await admin.keys.delete(created.id);
      expect((await admin.keys.list()).map((k) => k.id)).not.toContain(created.id);
    });

    it('reads and validates settings', async () => {
      const settings = await admin.settings.get();
      expect(typeof settings).toBe('object');
      const err = await plinthError(admin.settings.update({ noSuchSection: {} }));
      expect(err).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
      expect(err.errors.map((e) => e.path)).toEqual(['noSuchSection']);
      expect(await plinthError(anon.settings.get())).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    });
  });
});

describe('@plinth/sdk: admin sessions are renewed before their token expires', () => {
  let t: Awaited<ReturnType<typeof startIsolatedApp>>;
  beforeAll(async () => {
    // Tokens of 2 s (JWT seconds: 1-2 s in fact) and a 1 s margin: the client renews every second or so.
    t = await startIsolatedApp({ env: { PLINTH_ACCESS_TOKEN_TTL: '2' } });
    await adminToken(t);
  });
  afterAll(async () => {
    await t?.stop();
  });

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it("keeps an admin client working past the first token's expiry, then clears a revoked session", async () => {
    const { fetch, paths } = countingFetch();
    const admin = createClient({ url: t.url, refreshMargin: 1, fetch });
    await admin.admins.authWithPassword(ADMIN_EMAIL, ADMIN_PASSWORD);
    const first = admin.authStore.token;
    const firstExp = JSON.parse(Buffer.from(first.split('.')[1]!, 'base64url').toString()).exp as number;

    // Calls go on until the first token is past its expiry (judged by the server, below).
    while (Date.now() < firstExp * 1000 + 1000) {
      expect((await admin.collections.list()).map((c) => c.name)).toContain('users');
      await sleep(250);
    }
    const raw = await t.fetch('/api/collections', { headers: { authorization: `Bearer ${first}` } });
    expect(raw.status).toBe(401);
    expect(((await raw.json()) as { code: string }).code).toBe('INVALID_TOKEN');

    expect(admin.authStore.token).not.toBe(first);
    expect(admin.authStore.isAdmin).toBe(true);
    expect(admin.authStore.record).toMatchObject({ email: ADMIN_EMAIL });
    expect(paths.filter((p) => p === '/api/admins/auth-refresh').length).toBeGreaterThan(0);
    expect((await admin.keys.list()).length).toBe(0);

    // Concurrent calls near expiry share one refresh.
    await sleep(Math.max(0, tokenExp(admin.authStore.token) * 1000 - Date.now() - 900));
    const before = paths.filter((p) => p === '/api/admins/auth-refresh').length;
    await Promise.all([admin.collections.list(), admin.keys.list(), admin.settings.get()]);
    expect(paths.filter((p) => p === '/api/admins/auth-refresh').length).toBe(before + 1);

    // An ended session (token key changed) is cleared and said so, not called anonymously.
    await t.db.query(`UPDATE plinth.admin SET token_key = 'rotated-by-the-test'`);
    await sleep(Math.max(0, tokenExp(admin.authStore.token) * 1000 - Date.now() - 900));
    const err = await plinthError(admin.collections.list());
    expect(err).toMatchObject({ status: 401, code: 'INVALID_TOKEN' });
    expect(admin.authStore.token).toBe('');
  });
});

const tokenExp = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()).exp as number;
