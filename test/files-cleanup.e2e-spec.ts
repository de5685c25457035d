import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import sharp from 'sharp';
import { adminToken, api, type ApiAnswer } from './support/auth.js';
import { expectApiProblem } from './support/problem.js';
import { createCollection, ok } from './support/records.js';
import { startS3, type LocalS3 } from './support/s3.js';
import { startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

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

const open = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '' };

/** Stored objects go when their collection or file field goes (PATCH, DELETE, import). */
describe.each([['local'], ['s3']])('stored files of dropped fields and collections (%s driver)', (driver) => {
  let t: App;
  let s3: LocalS3 | undefined;
  let dataDir: string;
  let admin: string;
  let image: Buffer;

  const stored = async (): Promise<string[]> => (s3 ? s3.listKeys() : walk(join(dataDir, 'storage')));
  const storedOf = async (collectionId: string) =>
    (await stored()).filter((k) => k.startsWith(`${collectionId}/`));
  const keyOf = (collectionId: string, rec: Json, name: string) => `${collectionId}/${rec.id}/${name}`;

  async function upload(collection: string, parts: Array<[string, Buffer | string, string]>): Promise<Json> {
    const data = new FormData();
    data.append('title', 'with files');
    for (const [field, bytes, filename] of parts) {
      const body = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
      data.append(field, new Blob([new Uint8Array(body)]), filename);
    }
    const res = await t.fetch(`/api/collections/${collection}/records`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}` },
      body: data,
    });
    const text = await res.text();
    return ok({ status: res.status, body: JSON.parse(text), headers: res.headers } as ApiAnswer).body;
  }

  /** A thumbnail, so that the thumbs_ directory of the file exists too. */
  async function thumb(collection: string, rec: Json, name: string): Promise<void> {
    const res = await t.fetch(`/api/files/${collection}/${rec.id}/${name}?thumb=20x20`);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
  }

  const fileFields = [
    { name: 'title', type: 'text' },
    { name: 'cover', type: 'file', thumbs: ['20x20'] },
    { name: 'gallery', type: 'file', maxSelect: 3 },
  ];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'plinth-files-cleanup-'));
    if (driver === 's3') s3 = await startS3();
    t = await startIsolatedApp({ env: { PLINTH_DATA_DIR: dataDir, ...(s3?.env ?? {}) } });
    admin = await adminToken(t);
    image = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#3366cc' } })
      .png()
      .toBuffer();
  });

  afterAll(async () => {
    await t?.stop();
    await s3?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('PATCH without a file field deletes that field’s files (and thumbnails), and keeps the others', async () => {
    const c = await createCollection(t, admin, { name: 'notes', fields: fileFields, ...open });
    const a = await upload('notes', [
      ['cover', image, 'a.png'],
      ['gallery', 'one', 'one.txt'],
      ['gallery', 'two', 'two.txt'],
    ]);
    const b = await upload('notes', [['gallery', 'three', 'three.txt']]);
    const plain = await upload('notes', []);
    await thumb('notes', a, a.cover);
    const coverKeys = [keyOf(c.id, a, a.cover), `${c.id}/${a.id}/thumbs_${a.cover}/20x20_${a.cover}`];
    expect(await storedOf(c.id)).toEqual(
      [...coverKeys, ...a.gallery.map((n: string) => keyOf(c.id, a, n)), keyOf(c.id, b, b.gallery[0])].sort(),
    );
    expect(plain.cover).toBe('');

    const fields = (c.fields as Json[]).filter((f) => f.name !== 'gallery');
    const res = await api(t, admin)('PATCH', '/api/collections/notes', { fields });
    expect(res.status).toBe(200);
    expect(await storedOf(c.id)).toEqual(coverKeys.sort());

    // The kept file is still served.
    expect((await t.fetch(`/api/files/notes/${a.id}/${a.cover}`)).status).toBe(200);
  });

  it('a dry-run import changes nothing; an import that drops a file field deletes its files', async () => {
    const c = ok(await api(t, admin)('GET', '/api/collections/notes')).body;
    const before = await storedOf(c.id);
    expect(before.length).toBe(2);
    const withoutCover = { ...c, fields: (c.fields as Json[]).filter((f) => f.name !== 'cover') };
    // The whole schema with notes' cover left out, and deleteMissing: the file's fields are the whole list.
    const all = ok(await api(t, admin)('GET', '/api/collections/export')).body.collections as Json[];
    const file = {
      collections: all.map((x) => (x.name === 'notes' ? withoutCover : x)),
      deleteMissing: true,
    };

    const dry = await api(t, admin)('PUT', '/api/collections/import?dryRun=true', file);
    expect(dry.status).toBe(200);
    expect(dry.body.changes).toEqual([
      expect.objectContaining({
        collection: 'notes',
        action: 'update',
        fields: ['cover'],
        removed: [{ name: 'cover', type: 'file' }],
      }),
    ]);
    expect(await storedOf(c.id)).toEqual(before);

    // Without deleteMissing the field stays, and so do its files (PocketBase's import).
    const kept = await api(t, admin)('PUT', '/api/collections/import', { collections: [withoutCover] });
    expect(kept.status).toBe(200);
    expect(await storedOf(c.id)).toEqual(before);
    const res = await api(t, admin)('PUT', '/api/collections/import', file);
    expect(res.status).toBe(200);
    expect(await storedOf(c.id)).toEqual([]);
  });

  it('a schema change that fails on the data (rolled back) deletes nothing', async () => {
    const c = await createCollection(t, admin, { name: 'kept', fields: fileFields, ...open });
    const rec = await upload('kept', [['cover', image, 'k.png']]);
    await upload('kept', []); // the same title twice: a unique title cannot be applied
    const fields = (c.fields as Json[])
      .filter((f) => f.name !== 'cover')
      .map((f) => (f.name === 'title' ? { ...f, unique: true } : f));
    const res = await api(t, admin)('PATCH', '/api/collections/kept', { fields });
    expectApiProblem(res, 409, 'SCHEMA_CHANGE_FAILED');
    expect(await storedOf(c.id)).toEqual([keyOf(c.id, rec, rec.cover)]);
  });

  it('DELETE /api/collections/{c} deletes everything stored under the collection, and only that', async () => {
    const c = await createCollection(t, admin, { name: 'doomed', fields: fileFields, ...open });
    const kept = ok(await api(t, admin)('GET', '/api/collections/kept')).body;
    for (let i = 0; i < 3; i++) {
      const rec = await upload('doomed', [
        ['cover', image, `c${i}.png`],
        ['gallery', `g${i}`, `g${i}.txt`],
      ]);
      await thumb('doomed', rec, rec.cover);
    }
    expect((await storedOf(c.id)).length).toBe(9);
    const keptBefore = await storedOf(kept.id);

    expect((await api(t, admin)('DELETE', '/api/collections/doomed')).status).toBe(204);
    expect(await storedOf(c.id)).toEqual([]);
    expect(await storedOf(kept.id)).toEqual(keptBefore);
    if (!s3) expect(await readdir(join(dataDir, 'storage'))).not.toContain(c.id);
  });

  it('an import with deleteMissing deletes the files of the collections it removes', async () => {
    const kept = ok(await api(t, admin)('GET', '/api/collections/kept')).body;
    expect((await storedOf(kept.id)).length).toBe(1);
    const all = ok(await api(t, admin)('GET', '/api/collections/export')).body;
    const collections = all.collections as Json[];
    const res = await api(t, admin)('PUT', '/api/collections/import', {
      collections: collections.filter((x) => x.name !== 'kept'),
      deleteMissing: true,
    });
    expect(res.status).toBe(200);
    expect(res.body.changes).toContainEqual(
      expect.objectContaining({ collection: 'kept', action: 'delete' }),
    );
    expect(await stored()).toEqual([]);
  });
});
