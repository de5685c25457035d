import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { createSecretKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { deriveKey } from '@plinth/auth';
import { eventually } from '@plinth/testing';
import { SignJWT } from 'jose';
import sharp from 'sharp';
import { adminToken, api, type ApiAnswer } from './support/auth.js';
import { expectApiProblem, expectProblem } from './support/problem.js';
import { createCollection, createUser, ok, type TestUser } from './support/records.js';
import { startS3, type LocalS3 } from './support/s3.js';
import { startIsolatedApp, TEST_SECRET } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

const png = (width = 300, height = 200) =>
  sharp({ create: { width, height, channels: 3, background: { r: 10, g: 120, b: 200 } } })
    .png()
    .toBuffer();
const jpeg = () =>
  sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 20, b: 20 } } })
    .jpeg()
    .toBuffer();

async function walk(root: string): Promise<string[]> {
  const out: string[] = [];
  const go = async (dir: string) => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = join(dir, e.name);
      if (e.isDirectory()) await go(full);
      else out.push(relative(root, full).split(sep).join('/'));
    }
  };
  await go(root);
  return out.sort();
}

/** Multipart request helper: `form(t, token)('POST', path, FormData)` → { status, body, headers }. */
function form(t: App, token?: string) {
  return async (method: string, path: string, data: FormData): Promise<ApiAnswer> => {
    const res = await t.fetch(path, {
      method,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      body: data,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
  };
}

const blob = (bytes: Buffer | string, type = 'application/octet-stream') =>
  new Blob([typeof bytes === 'string' ? Buffer.from(bytes) : new Uint8Array(bytes)], { type });

describe.each([['local'], ['s3']])('files on the %s driver', (driver) => {
  let t: App;
  let s3: LocalS3 | undefined;
  let dataDir: string;
  let admin: string;
  let alice: TestUser;
  let bob: TestUser;
  let docsId: string;
  let photosId: string;
  let image: Buffer;

  /** Every stored object (for local: every file under the storage root, temp dir included). */
  const stored = async (): Promise<string[]> => (s3 ? s3.listKeys() : walk(join(dataDir, 'storage')));
  const storedOf = async (collectionId: string, recordId?: string) =>
    (await stored()).filter((k) => k.startsWith(`${collectionId}/${recordId ?? ''}`));

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'plinth-files-'));
    if (driver === 's3') s3 = await startS3();
    t = await startIsolatedApp({ env: { PLINTH_DATA_DIR: dataDir, ...(s3?.env ?? {}) } });
    admin = await adminToken(t);
    alice = await createUser(t, 'Alice');
    bob = await createUser(t, 'Bob');
    image = await png();
    const docs = await createCollection(t, admin, {
      name: 'docs',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'views', type: 'number' },
        { name: 'meta', type: 'json' },
        { name: 'tags', type: 'select', values: ['a', 'b', 'c'], maxSelect: 3 },
        {
          name: 'cover',
          type: 'file',
          maxSize: 200_000,
          mimeTypes: ['image/png', 'image/jpeg'],
          thumbs: ['100x100', '50x0', '40x20t', '60x60f'],
        },
        { name: 'gallery', type: 'file', maxSelect: 4, maxSize: 100_000 },
        { name: 'attachment', type: 'file', maxSize: 10_000 },
        { name: 'secret', type: 'file', protected: true },
        { name: 'owner', type: 'relation', collection: 'users' },
      ],
      listRule: '',
      viewRule: 'owner = null || owner = @request.auth.id',
      createRule: '',
      updateRule: '',
      deleteRule: '',
    });
    docsId = docs.id;
    await createCollection(t, admin, {
      name: 'albums',
      fields: [{ name: 'name', type: 'text' }],
      listRule: '',
      viewRule: '',
      createRule: '',
      updateRule: '',
      deleteRule: '',
    });
    const photos = await createCollection(t, admin, {
      name: 'photos',
      fields: [
        { name: 'album', type: 'relation', collection: 'albums', onDelete: 'cascade' },
        { name: 'image', type: 'file', maxSelect: 2 },
      ],
      listRule: '',
      viewRule: '',
      createRule: '',
      updateRule: '',
      deleteRule: '',
    });
    photosId = photos.id;
  });

  afterAll(async () => {
    await t?.stop();
    await s3?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('uploads a file with the record fields, and serves the same bytes', async () => {
    const data = new FormData();
    data.append('title', 'Holiday');
    data.append('views', '12');
    data.append('meta', JSON.stringify({ a: [1, 2] }));
    data.append('tags', 'a');
    data.append('tags', 'c');
    data.append('cover', blob(image, 'image/png'), 'My Holiday.PNG');
    const res = ok(await form(t)('POST', '/api/collections/docs/records', data));
    expect(res.body).toMatchObject({ title: 'Holiday', views: 12, meta: { a: [1, 2] }, tags: ['a', 'c'] });
    expect(res.body.cover).toMatch(/^my_holiday_[a-z0-9]{10}\.png$/);
    expect(await storedOf(docsId, res.body.id)).toEqual([`${docsId}/${res.body.id}/${res.body.cover}`]);

    const file = await t.fetch(`/api/files/docs/${res.body.id}/${res.body.cover}`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(file.headers.get('content-length')).toBe(String(image.length));
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
    expect(file.headers.get('content-disposition')).toBe(`inline; filename="${res.body.cover}"`);
    expect(file.headers.get('cache-control')).toMatch(/^private/); // the view rule depends on the caller
    expect(file.headers.get('etag')).toBeTruthy();
    expect(Buffer.from(await file.arrayBuffer()).equals(image)).toBe(true);

    const head = await t.fetch(`/api/files/docs/${res.body.id}/${res.body.cover}`, { method: 'HEAD' });
    expect([head.status, head.headers.get('content-length'), await head.text()]).toEqual([
      200,
      String(image.length),
      '',
    ]);

    const again = await t.fetch(`/api/files/docs/${res.body.id}/${res.body.cover}`, {
      headers: { 'if-none-match': file.headers.get('etag')! },
    });
    expect(again.status).toBe(304);
  });

  it('takes the non-file fields from @jsonPayload, and a JSON create still works', async () => {
    const data = new FormData();
    data.append('@jsonPayload', JSON.stringify({ title: 'From JSON', tags: ['b'], meta: { x: 1 } }));
    data.append('attachment', blob('hello'), 'hello.txt');
    const res = ok(await form(t)('POST', '/api/collections/docs/records', data));
    expect(res.body).toMatchObject({ title: 'From JSON', tags: ['b'], meta: { x: 1 } });
    expect(res.body.attachment).toMatch(/^hello_[a-z0-9]{10}\.txt$/);
    const plain = ok(await api(t)('POST', '/api/collections/docs/records', { title: 'no files' }));
    expect(plain.body).toMatchObject({ title: 'no files', cover: '', gallery: [] });
  });

  it('refuses a JSON body naming a file the record does not have', async () => {
    const res = await api(t)('POST', '/api/collections/docs/records', { cover: 'x_0123456789.png' });
    expect(expectApiProblem(res, 400, 'VALIDATION_FAILED').errors).toEqual([
      expect.objectContaining({ path: 'cover', code: 'INVALID_VALUE' }),
    ]);
  });

  it('serves byte ranges', async () => {
    const data = new FormData();
    data.append('attachment', blob('0123456789abcdefghij'), 'digits.txt');
    const rec = ok(await form(t)('POST', '/api/collections/docs/records', data)).body;
    const url = `/api/files/docs/${rec.id}/${rec.attachment}`;
    const part = await t.fetch(url, { headers: { range: 'bytes=2-5' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 2-5/20');
    expect(await part.text()).toBe('2345');
    const tail = await t.fetch(url, { headers: { range: 'bytes=-3' } });
    expect([tail.status, await tail.text()]).toEqual([206, 'hij']);
    const open = await t.fetch(url, { headers: { range: 'bytes=15-' } });
    expect([open.status, await open.text()]).toEqual([206, 'fghij']);
    const outside = await t.fetch(url, { headers: { range: 'bytes=50-60' } });
    await expectProblem(outside, 416, 'RANGE_NOT_SATISFIABLE');
    expect(outside.headers.get('content-range')).toBe('bytes */20');
    expect(outside.status).toBe(416);
  });

  it('replaces a single file and deletes the old object', async () => {
    const data = new FormData();
    data.append('cover', blob(image, 'image/png'), 'first.png');
    const rec = ok(await form(t)('POST', '/api/collections/docs/records', data)).body;
    // A thumbnail of the old file, to see it go too.
    expect((await t.fetch(`/api/files/docs/${rec.id}/${rec.cover}?thumb=100x100`)).status).toBe(200);
    const next = new FormData();
    next.append('cover', blob(await jpeg(), 'image/jpeg'), 'second.jpg');
    next.append('title', 'replaced');
    const updated = ok(await form(t)('PATCH', `/api/collections/docs/records/${rec.id}`, next)).body;
    expect(updated.cover).toMatch(/^second_[a-z0-9]{10}\.jpg$/);
    expect(updated.title).toBe('replaced');
    expect(await storedOf(docsId, rec.id)).toEqual([`${docsId}/${rec.id}/${updated.cover}`]);
    expect((await t.fetch(`/api/files/docs/${rec.id}/${rec.cover}`)).status).toBe(404);
    const served = await t.fetch(`/api/files/docs/${rec.id}/${updated.cover}`);
    expect(served.headers.get('content-type')).toBe('image/jpeg');
  });

  it('appends to, removes from and clears multi-file fields, deleting removed objects', async () => {
    const data = new FormData();
    data.append('gallery', blob('one'), 'one.txt');
    data.append('gallery', blob('two'), 'two.txt');
    const rec = ok(await form(t)('POST', '/api/collections/docs/records', data)).body;
    expect(rec.gallery).toHaveLength(2);
    const [one, two] = rec.gallery as string[];

    const more = new FormData();
    more.append('gallery+', blob('three'), 'three.txt');
    const appended = ok(await form(t)('PATCH', `/api/collections/docs/records/${rec.id}`, more)).body;
    expect(appended.gallery).toHaveLength(3);
    expect(appended.gallery.slice(0, 2)).toEqual([one, two]);
    const three = appended.gallery[2] as string;

    // JSON: PocketBase's `field-`.
    const removed = ok(
      await api(t)('PATCH', `/api/collections/docs/records/${rec.id}`, { 'gallery-': [one] }),
    ).body;
    expect(removed.gallery).toEqual([two, three]);
    expect(await storedOf(docsId, rec.id)).toEqual(
      [`${docsId}/${rec.id}/${two}`, `${docsId}/${rec.id}/${three}`].sort(),
    );

    // multipart: `field-` as a text part.
    const minus = new FormData();
    minus.append('gallery-', two);
    const left = ok(await form(t)('PATCH', `/api/collections/docs/records/${rec.id}`, minus)).body;
    expect(left.gallery).toEqual([three]);

    // Replacing the whole list keeps the named ones and stores the new ones.
    const replace = new FormData();
    replace.append('gallery', three);
    replace.append('gallery', blob('four'), 'four.txt');
    const replaced = ok(await form(t)('PATCH', `/api/collections/docs/records/${rec.id}`, replace)).body;
    expect(replaced.gallery).toHaveLength(2);
    expect(replaced.gallery[0]).toBe(three);

    const cleared = ok(
      await api(t)('PATCH', `/api/collections/docs/records/${rec.id}`, { gallery: [] }),
    ).body;
    expect(cleared.gallery).toEqual([]);
    expect(await storedOf(docsId, rec.id)).toEqual([]);
  });

  it('deletes the stored files with the record', async () => {
    const data = new FormData();
    data.append('cover', blob(image, 'image/png'), 'gone.png');
    data.append('gallery', blob('x'), 'x.txt');
    const rec = ok(await form(t)('POST', '/api/collections/docs/records', data)).body;
    expect((await t.fetch(`/api/files/docs/${rec.id}/${rec.cover}?thumb=50x0`)).status).toBe(200);
    expect(await storedOf(docsId, rec.id)).toHaveLength(3);
    expect((await api(t)('DELETE', `/api/collections/docs/records/${rec.id}`)).status).toBe(204);
    expect(await storedOf(docsId, rec.id)).toEqual([]);
  });

  it('deletes the files of records removed by a cascade, and by a batch', async () => {
    const album = ok(await api(t)('POST', '/api/collections/albums/records', { name: 'trip' })).body;
    const photoIds: string[] = [];
    for (const n of [1, 2]) {
      const data = new FormData();
      data.append('album', album.id);
      data.append('image', blob(image, 'image/png'), `p${n}.png`);
      data.append('image', blob(`raw ${n}`), `p${n}.txt`);
      photoIds.push(ok(await form(t)('POST', '/api/collections/photos/records', data)).body.id);
    }
    expect(await storedOf(photosId)).toHaveLength(4);
    expect((await api(t)('DELETE', `/api/collections/albums/records/${album.id}`)).status).toBe(204);
    expect((await api(t)('GET', `/api/collections/photos/records/${photoIds[0]}`)).status).toBe(404);
    expect(await storedOf(photosId)).toEqual([]);

    const data = new FormData();
    data.append('image', blob('batch'), 'b.txt');
    const photo = ok(await form(t)('POST', '/api/collections/photos/records', data)).body;
    ok(
      await api(t)('POST', '/api/batch', {
        requests: [{ method: 'DELETE', url: `/api/collections/photos/records/${photo.id}` }],
      }),
    );
    expect(await storedOf(photosId, photo.id)).toEqual([]);
  });

  it('applies the view rule: anonymous callers and other users get 404', async () => {
    const data = new FormData();
    data.append('owner', alice.id);
    data.append('attachment', blob('for alice'), 'alice.txt');
    const rec = ok(await form(t, alice.token)('POST', '/api/collections/docs/records', data)).body;
    const url = `/api/files/docs/${rec.id}/${rec.attachment}`;
    await expectProblem(await t.fetch(url), 404, 'FILE_NOT_FOUND');
    await expectProblem(
      await t.fetch(url, { headers: { authorization: `Bearer ${bob.token}` } }),
      404,
      'FILE_NOT_FOUND',
    );
    const mine = await t.fetch(url, { headers: { authorization: `Bearer ${alice.token}` } });
    expect([mine.status, await mine.text()]).toEqual([200, 'for alice']);
    expect(mine.headers.get('cache-control')).toMatch(/^private/);
    // A file token carries the view rule's caller too (for <img src>).
    const token = ok(await api(t, alice.token)('POST', '/api/files/token')).body.token as string;
    expect((await t.fetch(`${url}?token=${token}`)).status).toBe(200);
    const bobs = ok(await api(t, bob.token)('POST', '/api/files/token')).body.token as string;
    await expectProblem(await t.fetch(`${url}?token=${bobs}`), 404, 'FILE_NOT_FOUND');
  });

  it('protects files: a token is required, an expired or forged one is 401', async () => {
    const data = new FormData();
    data.append('secret', blob('top secret'), 'plan.txt');
    const rec = ok(await form(t)('POST', '/api/collections/docs/records', data)).body;
    const url = `/api/files/docs/${rec.id}/${rec.secret}`;
    await expectProblem(await t.fetch(url), 401, 'FILE_TOKEN_REQUIRED');
    await expectProblem(
      await t.fetch(url, { headers: { authorization: `Bearer ${admin}` } }),
      401,
      'FILE_TOKEN_REQUIRED',
    );
    await expectProblem(await t.fetch('/api/files/token', { method: 'POST' }), 401, 'UNAUTHORIZED');

    for (const who of [admin, alice.token]) {
      const token = ok(await api(t, who)('POST', '/api/files/token')).body.token as string;
      const res = await t.fetch(`${url}?token=${encodeURIComponent(token)}`);
      expect([res.status, await res.text()]).toEqual([200, 'top secret']);
      expect(res.headers.get('cache-control')).toBe('private, no-store');
    }

    const key = createSecretKey(deriveKey(TEST_SECRET, 'plinth file token'));
    const real = ok(await api(t, alice.token)('POST', '/api/files/token')).body.token as string;
    const claims = JSON.parse(Buffer.from(real.split('.')[1]!, 'base64url').toString());
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ typ: claims.typ, tk: claims.tk, col: claims.col })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.sub)
      .setIssuedAt(now - 300)
      .setExpirationTime(now - 180)
      .sign(key);
    await expectProblem(await t.fetch(`${url}?token=${expired}`), 401, 'FILE_TOKEN_INVALID');
    // An access token is not a file token (another key).
    await expectProblem(await t.fetch(`${url}?token=${alice.token}`), 401, 'FILE_TOKEN_INVALID');
    await expectProblem(await t.fetch(`${url}?token=garbage`), 401, 'FILE_TOKEN_INVALID');
  });

  it('checks the content, not the claimed Content-Type, against mimeTypes, and stores nothing when refused', async () => {
    const before = await stored();
    const lying = new FormData();
    lying.append('cover', blob(image, 'image/jpeg'), 'photo.jpg'); // PNG bytes: allowed, stored as .png
    const rec = ok(await form(t)('POST', '/api/collections/docs/records', lying)).body;
    expect(rec.cover).toMatch(/^photo_[a-z0-9]{10}\.png$/);

    const html = new FormData();
    html.append('title', 'nope');
    html.append('cover', blob('<html><script>alert(1)</script></html>', 'image/png'), 'pic.png');
    const refused = await form(t)('POST', '/api/collections/docs/records', html);
    expect(expectApiProblem(refused, 400, 'FILE_TYPE_NOT_ALLOWED').errors).toEqual([
      expect.objectContaining({ path: 'cover' }),
    ]);
    const pdfish = new FormData();
    pdfish.append(
      'cover',
      blob(Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(100)]), 'image/png'),
      'x.png',
    );
    expectApiProblem(
      await form(t)('POST', '/api/collections/docs/records', pdfish),
      400,
      'FILE_TYPE_NOT_ALLOWED',
    );
    expect((await stored()).filter((k) => !before.includes(k))).toEqual([`${docsId}/${rec.id}/${rec.cover}`]);
  });

  it('serves active content as an attachment', async () => {
    const data = new FormData();
    data.append(
      'gallery',
      blob('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
      'x.svg',
    );
    data.append('gallery', blob('<!doctype html><script>alert(1)</script>', 'text/html'), 'page.html');
    const rec = ok(await form(t)('POST', '/api/collections/docs/records', data)).body;
    const [svg, html] = rec.gallery as string[];
    const s = await t.fetch(`/api/files/docs/${rec.id}/${svg}`);
    expect(s.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    expect(s.headers.get('content-disposition')).toBe(`attachment; filename="${svg}"`);
    expect(s.headers.get('x-content-type-options')).toBe('nosniff');
    const h = await t.fetch(`/api/files/docs/${rec.id}/${html}`);
    expect(h.headers.get('content-disposition')).toMatch(/^attachment/);
  });

  it('refuses a file over maxSize while it streams, storing nothing', async () => {
    const before = await stored();
    const data = new FormData();
    data.append('title', 'too big');
    data.append('attachment', blob(Buffer.alloc(50_000, 7)), 'big.bin');
    const res = await form(t)('POST', '/api/collections/docs/records', data);
    expect(expectApiProblem(res, 413, 'FILE_TOO_LARGE').errors).toEqual([
      expect.objectContaining({ path: 'attachment', code: 'TOO_LARGE' }),
    ]);
    // A good file before the bad one in the same request is removed again.
    const two = new FormData();
    two.append('gallery', blob('fine'), 'fine.txt');
    two.append('gallery', blob(Buffer.alloc(150_000, 1)), 'huge.txt');
    expectApiProblem(await form(t)('POST', '/api/collections/docs/records', two), 413, 'FILE_TOO_LARGE');
    expect(await stored()).toEqual(before);
    const list = ok(
      await api(t, admin)(
        'GET',
        `/api/collections/docs/records?filter=${encodeURIComponent("title = 'too big'")}`,
      ),
    );
    expect(list.body.totalItems).toBe(0);
  });

  it('stores nothing when the record is invalid or there are too many files', async () => {
    const before = await stored();
    const invalid = new FormData();
    invalid.append('views', 'many');
    invalid.append('cover', blob(image, 'image/png'), 'a.png');
    expectApiProblem(
      await form(t)('POST', '/api/collections/docs/records', invalid),
      400,
      'VALIDATION_FAILED',
    );
    const many = new FormData();
    for (let i = 0; i < 5; i++) many.append('gallery', blob(`f${i}`), `f${i}.txt`);
    expectApiProblem(await form(t)('POST', '/api/collections/docs/records', many), 400, 'VALIDATION_FAILED');
    const wrongField = new FormData();
    wrongField.append('title', blob('x'), 'x.txt');
    expectApiProblem(
      await form(t)('POST', '/api/collections/docs/records', wrongField),
      400,
      'FILE_FIELD_INVALID',
    );
    expect(await stored()).toEqual(before);
  });

  it('stores nothing when a rule refuses the write', async () => {
    const name = `guarded_${driver}`;
    const guarded = await createCollection(t, admin, {
      name,
      fields: [
        { name: 'owner', type: 'relation', collection: 'users' },
        { name: 'f', type: 'file' },
      ],
      listRule: 'owner = @request.auth.id',
      viewRule: 'owner = @request.auth.id',
      createRule: "@request.auth.id != '' && owner = @request.auth.id",
      updateRule: 'owner = @request.auth.id',
    });
    const anonymous = new FormData();
    anonymous.append('owner', alice.id);
    anonymous.append('f', blob('sneaky'), 'a.txt');
    expectApiProblem(
      await form(t)('POST', `/api/collections/${name}/records`, anonymous),
      403,
      'RULE_REFUSED',
    );
    expect(await storedOf(guarded.id)).toEqual([]);

    const mine = new FormData();
    mine.append('owner', alice.id);
    mine.append('f', blob('mine'), 'a.txt');
    const rec = ok(await form(t, alice.token)('POST', `/api/collections/${name}/records`, mine)).body;
    // Bob cannot see Alice's record: 404 before anything is stored.
    const bobs = new FormData();
    bobs.append('f', blob('bob'), 'b.txt');
    expectApiProblem(
      await form(t, bob.token)('PATCH', `/api/collections/${name}/records/${rec.id}`, bobs),
      404,
      'RECORD_NOT_FOUND',
    );
    expect(await storedOf(guarded.id)).toEqual([`${guarded.id}/${rec.id}/${rec.f}`]);

    // An id given after the files were stored under another one is refused, nothing kept.
    const late = new FormData();
    late.append('owner', alice.id);
    late.append('f', blob('late'), 'late.txt');
    late.append('@jsonPayload', JSON.stringify({ id: '0193a4e2-7c1f-7a3b-8f00-000000000001' }));
    expectApiProblem(
      await form(t, alice.token)('POST', `/api/collections/${name}/records`, late),
      400,
      'MULTIPART_INVALID',
    );
    expect(await storedOf(guarded.id)).toEqual([`${guarded.id}/${rec.id}/${rec.f}`]);
  });

  it('signs up an app user with an avatar in one multipart request', async () => {
    const name = `members_${driver}`;
    await createCollection(t, admin, {
      name,
      type: 'auth',
      fields: [{ name: 'avatar', type: 'file', mimeTypes: ['image/png'] }],
      listRule: 'id = @request.auth.id',
      viewRule: 'id = @request.auth.id',
      createRule: '',
    });
    const data = new FormData();
    data.append('email', `m-${driver}@example.com`);
    data.append('password', 'password-123456');
    data.append('passwordConfirm', 'password-123456');
    data.append('emailVisibility', 'true');
    data.append('avatar', blob(image, 'image/png'), 'me.png');
    const rec = ok(await form(t)('POST', `/api/collections/${name}/records`, data)).body;
    expect(rec).toMatchObject({ email: `m-${driver}@example.com`, emailVisibility: true });
    expect(rec.avatar).toMatch(/^me_[a-z0-9]{10}\.png$/);
  });

  it('survives a multipart body cut off mid-stream and stores nothing', async () => {
    const before = await stored();
    const boundary = '----plinthcutoff';
    const head =
      `--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\ncut\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="gallery"; filename="done.txt"\r\nContent-Type: text/plain\r\n\r\ncomplete\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="gallery"; filename="cut.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
    const url = new URL(`${t.url}/api/collections/docs/records`);
    await new Promise<void>((resolve) => {
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: {
            'content-type': `multipart/form-data; boundary=${boundary}`,
            'content-length': '1000000',
          },
        },
        (res) => res.resume(),
      );
      req.on('error', () => resolve());
      req.on('close', () => resolve());
      req.write(head);
      req.write(Buffer.alloc(30_000, 3), () => setTimeout(() => req.destroy(), 200));
    });
    await eventually(async () => JSON.stringify(await stored()) === JSON.stringify(before), 10_000);
    expect(await stored()).toEqual(before);
    expect((await t.fetch('/api/health')).status).toBe(200);
    const list = ok(
      await api(t, admin)(
        'GET',
        `/api/collections/docs/records?filter=${encodeURIComponent("title = 'cut'")}`,
      ),
    );
    expect(list.body.totalItems).toBe(0);
  });

  it('answers 400 to a malformed multipart body', async () => {
    const before = await stored();
    const noBoundary = await t.fetch('/api/collections/docs/records', {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data' },
      body: 'garbage',
    });
    await expectProblem(noBoundary, 400, 'MULTIPART_INVALID');
    const unterminated = await t.fetch('/api/collections/docs/records', {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
      body: '--xyz\r\nContent-Disposition: form-data; name="gallery"; filename="a.txt"\r\n\r\nno end',
    });
    await expectProblem(unterminated, 400, 'MULTIPART_INVALID');
    const badJson = new FormData();
    badJson.append('meta', '{not json');
    expectApiProblem(
      await form(t)('POST', '/api/collections/docs/records', badJson),
      400,
      'MULTIPART_INVALID',
    );
    // Text parts share the JSON body limit (1 MiB here), whatever their number.
    const bulky = new FormData();
    bulky.append('gallery', blob('kept?'), 'first.txt');
    bulky.append('title', 'x'.repeat(600_000));
    bulky.append('meta', JSON.stringify('y'.repeat(600_000)));
    expectApiProblem(await form(t)('POST', '/api/collections/docs/records', bulky), 413, 'BODY_TOO_LARGE');
    expect(await stored()).toEqual(before);
  });

  it('makes safe names out of path tricks and refuses them in URLs', async () => {
    const data = new FormData();
    data.append('gallery', blob('a'), '../../../etc/passwd');
    data.append('gallery', blob('b'), `${'long'.repeat(100)}.txt`);
    data.append('gallery', blob('c'), 'pаypal\u202Egnp.txt'); // Cyrillic а, right-to-left override
    data.append('gallery', blob('d'), '..');
    const rec = ok(await form(t)('POST', '/api/collections/docs/records', data)).body;
    const names = rec.gallery as string[];
    expect(names[0]).toMatch(/^passwd_[a-z0-9]{10}$/);
    expect(names[1]).toMatch(/^(long){15}_[a-z0-9]{10}\.txt$/);
    expect(names[2]).toMatch(/^p_ypal_gnp_[a-z0-9]{10}\.txt$/);
    expect(names[3]).toMatch(/^file_[a-z0-9]{10}$/);
    for (const n of names) expect(n).toMatch(/^[a-z0-9_.-]+$/);
    expect(await storedOf(docsId, rec.id)).toEqual(names.map((n) => `${docsId}/${rec.id}/${n}`).sort());
    for (const trick of [
      '..%2F..%2Fetc%2Fpasswd',
      'x%00.txt',
      encodeURIComponent(names[0]!) + '%00',
      'P' + names[0]!.slice(1),
    ]) {
      await expectProblem(await t.fetch(`/api/files/docs/${rec.id}/${trick}`), 404, 'FILE_NOT_FOUND');
    }
    // `..` segments are resolved by the URL parser before routing: still nothing but a 404.
    expect((await t.fetch(`/api/files/docs/${rec.id}/%2e%2e/%2e%2e/etc/passwd`)).status).toBe(404);
    await expectProblem(await t.fetch(`/api/files/docs/not-a-uuid/${names[0]}`), 404, 'FILE_NOT_FOUND');

    // A NUL and a path in the raw multipart filename (what a hand-made client can send).
    const boundary = 'plinthnul';
    const raw = await t.fetch('/api/collections/docs/records', {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body:
        `--${boundary}\r\nContent-Disposition: form-data; name="gallery"; filename="..\\..\\a\u0000b/../../x.txt"\r\n` +
        `Content-Type: text/plain\r\n\r\nnul\r\n--${boundary}--\r\n`,
    });
    expect(raw.status).toBe(200);
    const nul = (await raw.json()) as { id: string; gallery: string[] };
    expect(nul.gallery).toEqual([expect.stringMatching(/^x_[a-z0-9]{10}\.txt$/)]);
    expect(await storedOf(docsId, nul.id)).toEqual([`${docsId}/${nul.id}/${nul.gallery[0]}`]);
    await expectProblem(await t.fetch(`/api/files/nope/${rec.id}/${names[0]}`), 404, 'FILE_NOT_FOUND');
  });

  it('makes thumbnails of the listed sizes only, once, beside the original', async () => {
    const data = new FormData();
    data.append('cover', blob(image, 'image/png'), 'thumbs.png');
    data.append('attachment', blob('text'), 'a.txt');
    const rec = ok(await form(t)('POST', '/api/collections/docs/records', data)).body;
    const base = `/api/files/docs/${rec.id}/${rec.cover}`;
    for (const [size, w, h] of [
      ['100x100', 100, 100],
      ['50x0', 50, 33],
      ['40x20t', 40, 20],
      ['60x60f', 60, 40],
    ] as const) {
      const res = await t.fetch(`${base}?thumb=${size}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
      const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
      expect([size, meta.width, meta.height]).toEqual([size, w, h]);
    }
    expect(await storedOf(docsId, rec.id)).toContain(
      `${docsId}/${rec.id}/thumbs_${rec.cover}/100x100_${rec.cover}`,
    );
    expect((await t.fetch(`${base}?thumb=100x100`)).status).toBe(200);
    // PocketBase's behaviour (DESIGN §11): a size the field does not list serves the original file.
    const original = Buffer.from(await (await t.fetch(base)).arrayBuffer());
    for (const size of ['30x30', '../../x']) {
      const res = await t.fetch(`${base}?thumb=${encodeURIComponent(size)}`);
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(original)).toBe(true);
    }
    expect(await storedOf(docsId, rec.id)).not.toContain(
      `${docsId}/${rec.id}/thumbs_${rec.cover}/30x30_${rec.cover}`,
    );
    // attachment has no sizes; a text file is no image anyway: the file itself.
    const attachment = await t.fetch(`/api/files/docs/${rec.id}/${rec.attachment}?thumb=100x100`);
    expect(attachment.status).toBe(200);
    expect(attachment.headers.get('content-type')).toContain('text/plain');
  });

  it('serves the original of a file that is not an image when a thumbnail is asked for', async () => {
    await createCollection(t, admin, {
      name: `any_${driver}`,
      fields: [{ name: 'f', type: 'file', thumbs: ['10x10'] }],
      viewRule: '',
      createRule: '',
    });
    const data = new FormData();
    data.append('f', blob('just text'), 'a.txt');
    const rec = ok(await form(t)('POST', `/api/collections/any_${driver}/records`, data)).body;
    const res = await t.fetch(`/api/files/any_${driver}/${rec.id}/${rec.f}?thumb=10x10`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('just text');
  });

  it('tests the storage connection for admins', async () => {
    await expectProblem(await t.fetch('/api/settings/storage/test', { method: 'POST' }), 401, 'UNAUTHORIZED');
    const res = ok(await api(t, admin)('POST', '/api/settings/storage/test'));
    expect(res.body).toEqual({ ok: true, driver });
    const settings = ok(await api(t, admin)('GET', '/api/settings')).body.storage;
    expect(settings.driver).toBe(driver);
    if (driver === 's3') expect(settings.s3SecretAccessKey).toBe('');
  });

  if (driver === 'local') {
    it('leaves no temp file behind and names what failed when the S3 settings are wrong', async () => {
      expect(await walk(join(dataDir, 'storage', '.tmp'))).toEqual([]);
      ok(
        await api(t, admin)('PATCH', '/api/settings', {
          storage: {
            driver: 's3',
            s3Endpoint: 'http://127.0.0.1:9',
            s3Bucket: 'nowhere',
            s3AccessKeyId: 'a',
            s3SecretAccessKey: 'b',
          },
        }),
      );
      const res = await api(t, admin)('POST', '/api/settings/storage/test');
      expect(expectApiProblem(res, 502, 'STORAGE_TEST_FAILED').detail).toContain('writing a probe object');
      const bad = await api(t, admin)('PATCH', '/api/settings', { storage: { driver: 's3', s3Bucket: '' } });
      expectApiProblem(bad, 400, 'VALIDATION_FAILED');
      ok(await api(t, admin)('PATCH', '/api/settings', { storage: { driver: 'local' } }));
      expect(ok(await api(t, admin)('POST', '/api/settings/storage/test')).body).toEqual({
        ok: true,
        driver: 'local',
      });
    });
  }
});
