/**
 * Issue 17: apps written for PocketBase keep working against Plinth with the unchanged official
 * `pocketbase` JS SDK (0.28). Every answer the SDK reads is also checked against the live OpenAPI document.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import PocketBase, { ClientResponseError } from 'pocketbase';
import { adminToken, ADMIN_EMAIL, ADMIN_PASSWORD, api } from './support/auth.js';
import { FetchEventSource } from './support/event-source.js';
import { eventually } from '@plinth/testing';
import { createCollection, ok } from './support/records.js';
import { startApp, startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/** The error a rejected SDK call threw (fails the test when the call succeeded). */
async function sdkError(call: Promise<unknown>): Promise<ClientResponseError> {
  try {
    await call;
  } catch (err) {
    expect(err).toBeInstanceOf(ClientResponseError);
    return err as ClientResponseError;
  }
  throw new Error('expected the SDK call to fail');
}

describe('the unchanged pocketbase JS SDK (issue 17)', () => {
  let t: App;
  let admin: string;
  let dataDir: string;
  const mismatches: string[] = [];
  const password = 'password-123456';
  let n = 0;

  /** A PocketBase client whose every request goes through the harness's OpenAPI check. */
  const client = (url = t.url, app: { fetch: App['fetch'] } = t) => {
    const pb = new PocketBase(url);
    pb.autoCancellation(false);
    pb.beforeSend = (u, options) => ({
      url: u,
      options: {
        ...options,
        fetch: async (target: string | URL, init?: RequestInit) => {
          try {
            return await app.fetch(String(target).slice(url.length), init);
          } catch (err) {
            mismatches.push(String(err));
            throw err;
          }
        },
      },
    });
    return pb;
  };

  /** A new user of `users`, signed in through the SDK. */
  async function signedInUser(pb = client()) {
    const email = `user${++n}-${Date.now()}@example.com`;
    const created = await pb.collection('users').create({ email, password, passwordConfirm: password });
    const auth = await pb.collection('users').authWithPassword(email, password);
    return { pb, email, id: created.id as string, auth };
  }

  beforeAll(async () => {
    (globalThis as { EventSource?: unknown }).EventSource = FetchEventSource;
    dataDir = await mkdtemp(join(tmpdir(), 'plinth-pb-sdk-'));
    t = await startIsolatedApp({
      env: { PLINTH_AUTH_RATE_PER_IP: '100000', PLINTH_AUTH_MAX_FAILURES: '1000', PLINTH_DATA_DIR: dataDir },
    });
    admin = await adminToken(t);
    await createCollection(t, admin, {
      name: 'posts',
      type: 'base',
      fields: [
        { name: 'title', type: 'text', required: true, max: 200 },
        { name: 'body', type: 'text' },
        { name: 'tags', type: 'select', values: ['a', 'b', 'c'], maxSelect: 3 },
        { name: 'status', type: 'select', values: ['draft', 'live'], maxSelect: 1 },
        { name: 'views', type: 'number' },
        { name: 'pinned', type: 'bool' },
        { name: 'published', type: 'date' },
        { name: 'link', type: 'url' },
        { name: 'contact', type: 'email' },
        { name: 'meta', type: 'json' },
        { name: 'author', type: 'relation', collection: 'users', maxSelect: 1 },
        { name: 'readers', type: 'relation', collection: 'users', maxSelect: 10 },
        { name: 'cover', type: 'file', maxSelect: 1, maxSize: 1048576, thumbs: ['10x10'] },
        { name: 'slug', type: 'text', unique: true },
      ],
      listRule: '',
      viewRule: '',
      createRule: "@request.auth.id != ''",
      updateRule: "@request.auth.id != ''",
      deleteRule: "@request.auth.id != ''",
    });
  });
  afterAll(async () => {
    await t?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });
  afterEach(() => {
    expect(mismatches.splice(0)).toEqual([]);
  });

  describe('bodies', () => {
    it('deletes a record: the SDK sends Content-Type: application/json without a body', async () => {
      const { pb } = await signedInUser();
      const post = await pb.collection('posts').create({ title: 'to delete' });
      await expect(pb.collection('posts').delete(post.id)).resolves.toBe(true);
      const gone = await sdkError(pb.collection('posts').getOne(post.id));
      expect(gone.status).toBe(404);
    });

    it('accepts GET and body-less POSTs whatever their Content-Type; an empty body where one is needed stays 400', async () => {
      const get = await t.fetch('/api/collections/posts/records', {
        headers: { 'content-type': 'application/json' },
      });
      expect(get.status).toBe(200);
      const empty = await t.fetch('/api/collections/users/auth-with-password', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
      });
      expect(empty.status).toBe(400);
      expect(((await empty.json()) as { code: string }).code).toBe('VALIDATION_FAILED');
    });
  });

  describe('errors the SDK shows', () => {
    it('carries message (= detail) and data {} on every problem', async () => {
      const pb = client();
      const err = await sdkError(pb.collection('posts').getOne('0190a1b2-0000-7000-8000-000000000000'));
      expect(err.status).toBe(404);
      expect(err.message).not.toBe('Something went wrong.');
      expect(err.message).toBe(err.response.detail);
      expect(err.response).toMatchObject({ code: 'RECORD_NOT_FOUND', data: {} });
    });

    it("names failing fields in data with PocketBase's validation codes", async () => {
      const pb = client();
      const bad = await sdkError(
        pb.collection('users').create({ email: 'not-an-email', password, passwordConfirm: 'other-password' }),
      );
      expect(bad.status).toBe(400);
      expect(bad.message).toMatch(/email must be a valid email address/);
      expect(bad.response.data).toMatchObject({
        email: { code: 'validation_is_email', message: expect.any(String) },
        passwordConfirm: { code: 'validation_values_mismatch', message: expect.any(String) },
      });

      const { pb: user, email } = await signedInUser();
      const missing = await sdkError(user.collection('posts').create({ body: 'no title' }));
      expect(missing.response.data).toEqual({
        title: { code: 'validation_required', message: 'is required' },
      });

      await user.collection('posts').create({ title: 'one', slug: 'taken' });
      const dup = await sdkError(user.collection('posts').create({ title: 'two', slug: 'taken' }));
      expect(dup.response.data).toMatchObject({ slug: { code: 'validation_not_unique' } });

      const taken = await sdkError(
        pb.collection('users').create({ email, password, passwordConfirm: password }),
      );
      expect(taken.response.data).toMatchObject({ email: { code: 'validation_not_unique' } });
    });
  });

  describe('refresh tokens', () => {
    it('answers a refresh token of the wrong length with 401 INVALID_REFRESH_TOKEN', async () => {
      const res = await api(t)('POST', '/api/collections/users/auth-refresh', {
        refreshToken: 'x'.repeat(300),
      });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('INVALID_REFRESH_TOKEN');
    });

    it("refuses a refresh token at another auth collection's auth-refresh without revoking it", async () => {
      await createCollection(t, admin, {
        name: 'members',
        type: 'auth',
        fields: [],
        listRule: null,
        viewRule: null,
        createRule: '',
        updateRule: null,
        deleteRule: null,
      });
      const { email } = await signedInUser();
      const signed = ok(
        await api(t)('POST', '/api/collections/users/auth-with-password', { identity: email, password }),
      ).body;
      const wrong = await api(t)('POST', '/api/collections/members/auth-refresh', {
        refreshToken: signed.refreshToken,
      });
      expect(wrong.status).toBe(401);
      expect(wrong.body.code).toBe('INVALID_REFRESH_TOKEN');
      const right = await api(t)('POST', '/api/collections/users/auth-refresh', {
        refreshToken: signed.refreshToken,
      });
      expect(right.status).toBe(200);
    });
  });

  describe("bearer refresh (the SDK's authRefresh)", () => {
    it('renews the token while the session lives', async () => {
      const { pb, id, auth } = await signedInUser();
      const renewed = await pb.collection('users').authRefresh();
      expect(renewed.record.id).toBe(id);
      expect(typeof renewed.token).toBe('string');
      expect(pb.authStore.token).toBe(renewed.token);
      expect(pb.authStore.record?.id).toBe(id);
      // The renewed token is usable, and refreshes again.
      await expect(pb.collection('users').getOne(id)).resolves.toMatchObject({ id });
      await expect(pb.collection('users').authRefresh()).resolves.toMatchObject({ record: { id } });
      expect(auth.token).not.toBe('');
    });

    it('is refused after auth-logout of that session', async () => {
      const { pb, auth } = await signedInUser();
      const refreshToken = (auth as unknown as { refreshToken: string }).refreshToken;
      ok(await api(t, auth.token)('POST', '/api/collections/users/auth-logout', { refreshToken }), 204);
      const err = await sdkError(pb.collection('users').authRefresh());
      expect(err.status).toBe(401);
      expect(err.message).toMatch(/sign in again/i);
    });

    it('is refused after logout-all, a password change and an admin revoke', async () => {
      const a = await signedInUser();
      ok(await api(t, a.auth.token)('POST', '/api/collections/users/auth-logout', { all: true }), 204);
      expect((await sdkError(a.pb.collection('users').authRefresh())).status).toBe(401);

      const b = await signedInUser();
      const other = client();
      await other.collection('users').authWithPassword(b.email, password);
      await b.pb.collection('users').update(b.id, {
        oldPassword: password,
        password: 'password-654321',
        passwordConfirm: 'password-654321',
      });
      expect((await sdkError(other.collection('users').authRefresh())).status).toBe(401);

      const c = await signedInUser();
      ok(await api(t, admin)('POST', `/api/collections/users/records/${c.id}/revoke-sessions`), 204);
      expect((await sdkError(c.pb.collection('users').authRefresh())).status).toBe(401);
    });

    it('does not extend a session past PLINTH_REFRESH_TOKEN_TTL from its sign-in', async () => {
      const short = await startApp({
        databaseUrl: t.db.url,
        redisPrefix: t.redisPrefix,
        env: { PLINTH_REFRESH_TOKEN_TTL: '2', PLINTH_AUTH_RATE_PER_IP: '100000' },
      });
      try {
        const pb = client(short.url, short);
        const email = `short-${Date.now()}@example.com`;
        await pb.collection('users').create({ email, password, passwordConfirm: password });
        await pb.collection('users').authWithPassword(email, password);
        await expect(pb.collection('users').authRefresh()).resolves.toHaveProperty('token');
        // The session signed in 2 s ago at most: refreshing it keeps working until then, never after.
        await eventually(
          () =>
            pb
              .collection('users')
              .authRefresh()
              .then(
                () => false,
                (err: ClientResponseError) => err.status === 401,
              ),
          15000,
        );
        const ended = await sdkError(pb.collection('users').authRefresh());
        expect(ended.status).toBe(401);
        expect(ended.message).toMatch(/sign in again/i);
      } finally {
        await short.close();
      }
    });
  });

  describe('_superusers', () => {
    it('signs an admin in with authWithPassword and refreshes', async () => {
      const pb = client();
      const auth = await pb.collection('_superusers').authWithPassword(ADMIN_EMAIL, ADMIN_PASSWORD);
      expect(auth.record).toMatchObject({ email: ADMIN_EMAIL, collectionName: '_superusers' });
      expect(pb.authStore.isValid).toBe(true);
      expect(pb.authStore.isSuperuser).toBe(true);
      expect(pb.authStore.record?.email).toBe(ADMIN_EMAIL);
      const renewed = await pb.collection('_superusers').authRefresh();
      expect(renewed.record.email).toBe(ADMIN_EMAIL);
      expect(pb.authStore.token).toBe(renewed.token);

      const wrong = await sdkError(
        client().collection('_superusers').authWithPassword(ADMIN_EMAIL, 'nope-nope'),
      );
      expect(wrong.status).toBe(400);
      expect(wrong.message).toMatch(/email or password is wrong/);
    });

    it("uses the admin token on admin routes through the SDK; /api/collections doesn't list _superusers", async () => {
      const pb = client();
      await pb.collection('_superusers').authWithPassword(ADMIN_EMAIL, ADMIN_PASSWORD);
      const collections = await pb.collections.getList(1, 100);
      const names = collections.items.map((c) => c.name);
      expect(names).toEqual(expect.arrayContaining(['users', 'posts']));
      expect(names).not.toContain('_superusers');
      const full = await pb.collections.getFullList();
      expect(full.map((c) => c.name)).not.toContain('_superusers');
      const post = await pb.collection('posts').create({ title: 'by the admin' });
      expect(post.title).toBe('by the admin');
      const { id } = await signedInUser();
      const users = await pb.collection('users').getFullList({ filter: `id = "${id}"` });
      expect(users.map((u) => u.id)).toEqual([id]);
    });

    it('lets admins (not users) set verified and emailVisibility', async () => {
      const { pb, id } = await signedInUser();
      const refused = await sdkError(pb.collection('users').update(id, { verified: true }));
      expect(refused.status).toBe(400);
      expect(refused.response.data).toMatchObject({ verified: { code: expect.any(String) } });

      const superuser = client();
      await superuser.collection('_superusers').authWithPassword(ADMIN_EMAIL, ADMIN_PASSWORD);
      const updated = await superuser
        .collection('users')
        .update(id, { verified: true, emailVisibility: true });
      expect(updated).toMatchObject({ verified: true, emailVisibility: true });
      const made = await superuser.collection('users').create({
        email: `made-${Date.now()}@example.com`,
        password,
        passwordConfirm: password,
        verified: true,
      });
      expect(made.verified).toBe(true);
    });
  });

  describe("auth collection settings at the top level (PocketBase's shape)", () => {
    it('keeps oauth2, passwordAuth and authRule on the collection, and signs in by them', async () => {
      const superuser = client();
      await superuser.collection('_superusers').authWithPassword(ADMIN_EMAIL, ADMIN_PASSWORD);
      const staff = await superuser.collections.create({
        name: 'staff',
        type: 'auth',
        fields: [{ name: 'username', type: 'text', unique: true }],
        listRule: null,
        viewRule: null,
        createRule: '',
        updateRule: null,
        deleteRule: null,
        oauth2: {
          enabled: true,
          redirectAllowList: ['https://app.example/auth'],
          providers: [{ name: 'google', clientId: 'google-id', clientSecret: 'google-secret' }],
        },
        passwordAuth: { enabled: true, identityFields: ['email', 'username'] },
        authRule: 'verified = true',
      });
      expect(staff).not.toHaveProperty('options');
      expect(staff.oauth2).toMatchObject({
        enabled: true,
        providers: [{ name: 'google', clientSecret: '' }],
      });
      expect(staff).toMatchObject({
        passwordAuth: { enabled: true, identityFields: ['email', 'username'] },
        authRule: 'verified = true',
      });

      const pb = client();
      const methods = await pb.collection('staff').listAuthMethods();
      expect(methods.password).toEqual({ enabled: true, identityFields: ['email', 'username'] });
      expect(methods.oauth2.providers.map((p) => p.name)).toEqual(['google']);

      const email = `kim-${Date.now()}@example.com`;
      const kim = await pb
        .collection('staff')
        .create({ email, password, passwordConfirm: password, username: 'kim' });
      const unverified = await sdkError(pb.collection('staff').authWithPassword('kim', password));
      expect(unverified.status).toBe(403);
      expect(unverified.response.code).toBe('AUTH_RULE_REFUSED');
      expect(unverified.message).toMatch(/authRule/);

      await superuser.collection('staff').update(kim.id, { verified: true });
      await expect(pb.collection('staff').authWithPassword('kim', password)).resolves.toMatchObject({
        record: { id: kim.id },
      });
      await expect(pb.collection('staff').authWithPassword(email, password)).resolves.toMatchObject({
        record: { id: kim.id },
      });
      const wrong = await sdkError(pb.collection('staff').authWithPassword('kim', 'not-the-password'));
      expect(wrong.response.code).toBe('INVALID_CREDENTIALS');

      await superuser.collections.update('staff', { passwordAuth: { enabled: false } });
      const off = await sdkError(pb.collection('staff').authWithPassword('kim', password));
      expect(off.status).toBe(403);
      expect(off.response.code).toBe('PASSWORD_AUTH_DISABLED');

      // The former options.oauth2 is still read, and answered at the top level.
      const legacy = await superuser.collections.update('staff', { options: { oauth2: { enabled: false } } });
      expect(legacy.oauth2).toEqual({ enabled: false });
      expect(legacy).not.toHaveProperty('options');

      // otp and mfa at the top level too: answered off by default, sent back as they are, stored switched on.
      expect(legacy).toMatchObject({
        otp: { enabled: false, duration: 180, length: 8 },
        mfa: { enabled: false },
      });
      await expect(superuser.collections.update('staff', legacy)).resolves.toMatchObject({ name: 'staff' });
      const otpOn = await superuser.collections.update('staff', { otp: { enabled: true } });
      expect(otpOn.otp).toMatchObject({ enabled: true, duration: 180, length: 8 });
      const bad = await sdkError(superuser.collections.update('staff', { otp: { length: 2 } }));
      expect(bad.status).toBe(400);
      expect(bad.response.data).toMatchObject({ otp: { code: expect.any(String) } });
    });
  });

  describe('records read as PocketBase', () => {
    it("gives empty fields their type's zero value and ignores unknown expand paths", async () => {
      const { pb } = await signedInUser();
      const post = await pb.collection('posts').create({ title: 'zero' });
      expect(post).toMatchObject({
        body: '',
        tags: [],
        status: '',
        views: 0,
        pinned: false,
        published: '',
        link: '',
        contact: '',
        meta: null,
        author: '',
        readers: [],
        cover: '',
      });
      expect(post.tags.map((x: string) => x)).toEqual([]);
      const read = await pb.collection('posts').getOne(post.id, { expand: 'nothing,author' });
      expect(read).toMatchObject({ tags: [], readers: [], author: '' });
      const list = await pb
        .collection('posts')
        .getList(1, 5, { filter: `id = '${post.id}'`, expand: 'nope' });
      expect(list.items[0]).toMatchObject({ tags: [], readers: [] });
    });
  });

  describe('batch', () => {
    it('upserts with PUT and creates records with files, all or nothing', async () => {
      const { pb } = await signedInUser();
      const existing = await pb.collection('posts').create({ title: 'before' });
      const newId = '0190a1b2-1111-7000-8000-000000000001';
      const batch = pb.createBatch();
      batch.collection('posts').upsert({ id: existing.id, title: 'after' });
      batch.collection('posts').upsert({ id: newId, title: 'inserted' });
      batch
        .collection('posts')
        .create({ title: 'with file', cover: new File([PNG_1X1], 'c.png', { type: 'image/png' }) });
      const results = await batch.send();
      expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
      expect(results[0]!.body).toMatchObject({ id: existing.id, title: 'after' });
      expect(results[1]!.body).toMatchObject({ id: newId, title: 'inserted' });
      expect(results[2]!.body.cover).toMatch(/\.png$/);
      const file = await fetch(pb.files.getURL(results[2]!.body, results[2]!.body.cover));
      expect(file.status).toBe(200);

      // A failing request rolls the batch back, and its stored file goes with it.
      const failing = pb.createBatch();
      failing
        .collection('posts')
        .create({ title: 'rolled back', cover: new File([PNG_1X1], 'r.png', { type: 'image/png' }) });
      failing.collection('posts').create({ body: 'no title' });
      const err = await sdkError(failing.send());
      expect(err.status).toBe(400);
      expect(err.response.code).toBe('BATCH_FAILED');
      const none = await pb.collection('posts').getList(1, 1, { filter: "title = 'rolled back'" });
      expect(none.totalItems).toBe(0);
      const stored = await readdir(join(dataDir, 'storage'), { recursive: true });
      expect(stored.filter((name) => /(^|\/)c_\w+\.png$/.test(String(name)))).toHaveLength(1);
      expect(stored.filter((name) => /(^|\/)r_\w+\.png$/.test(String(name)))).toEqual([]);
    });
  });

  describe('everyday calls', () => {
    it('listAuthMethods, getFullList, getFirstListItem and files.getURL with a thumb', async () => {
      const pb = client();
      const methods = await pb.collection('users').listAuthMethods();
      expect(methods.password).toMatchObject({
        enabled: true,
        identityFields: expect.arrayContaining(['email']),
      });
      expect(methods.oauth2).toMatchObject({ enabled: false, providers: [] });
      expect(methods.mfa).toEqual({ enabled: false, duration: 0 });
      expect(methods.otp).toEqual({ enabled: false, duration: 0 });

      const { pb: user } = await signedInUser();
      const withCover = await user
        .collection('posts')
        .create({ title: 'cover', cover: new File([PNG_1X1], 'cover.png', { type: 'image/png' }) });
      const all = await pb.collection('posts').getFullList({ batch: 2 });
      expect(all.map((p) => p.id)).toContain(withCover.id);
      const first = await pb.collection('posts').getFirstListItem(`id = "${withCover.id}"`);
      expect(first.id).toBe(withCover.id);
      const missing = await sdkError(pb.collection('posts').getFirstListItem(`title = "no such title"`));
      expect(missing.status).toBe(404);

      const thumb = await fetch(pb.files.getURL(withCover, withCover.cover, { thumb: '10x10' }));
      expect(thumb.status).toBe(200);
      expect(thumb.headers.get('content-type')).toMatch(/image\//);
    });

    it('subscribes to realtime events', async () => {
      const { pb } = await signedInUser();
      const seen: Array<{ action: string; record: { title: string } }> = [];
      const unsubscribe = await pb.collection('posts').subscribe('*', (e) => {
        seen.push(e as never);
      });
      try {
        await pb.collection('posts').create({ title: 'live event' });
        await eventually(() => seen.some((e) => e.action === 'create' && e.record.title === 'live event'));
      } finally {
        await unsubscribe();
        pb.realtime.unsubscribe();
      }
    });
  });

  it('keeps the admin password sign-in of /api/admins working beside _superusers', async () => {
    const res = await api(t)('POST', '/api/admins/auth-with-password', {
      identity: ADMIN_EMAIL,
      password: ADMIN_PASSWORD,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ admin: { email: ADMIN_EMAIL } });
    expect(res.body).not.toHaveProperty('record');
  });
});
