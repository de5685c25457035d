import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRedisPrefix, createTestDatabase, eventually, testRedisUrl } from '@plinth/testing';
import { Redis } from 'ioredis';
import yazl from 'yazl';
import { ADMIN_EMAIL, ADMIN_PASSWORD, adminToken, api, apiForm, signIn } from './support/auth.js';
import { expectApiProblem, expectProblem } from './support/problem.js';
import { createCollection, createRecord, ok } from './support/records.js';
import { startApp, startIsolatedApp, type TestApp } from './support/start-app.js';
import { makeZip } from './support/zip.js';

type Rec = Record<string, unknown>;
const USER_PASSWORD = 'backup-password-123';
const NOTE = 'the bytes of a stored file, kept by the backup\n';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A zip written by yazl (deflated entries), for archives a backup would never be. */
async function zipOf(entries: Array<{ name: string; data: Buffer }>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const e of entries) zip.addBuffer(e.data, e.name);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** A manifest for `entries` (sizes and checksums right unless overridden). */
function manifestFor(entries: Array<{ name: string; data: Buffer }>, over: Rec = {}): Buffer {
  return Buffer.from(
    JSON.stringify({
      format: 'plinth-backup',
      formatVersion: 1,
      plinthVersion: '0.1.0',
      migration: 'EventOutbox1842700000000',
      created: new Date().toISOString(),
      tables: [],
      files: entries.map((e) => ({
        key: e.name.slice('files/'.length),
        entry: e.name,
        size: e.data.length,
        sha256: sha256(e.data),
      })),
      ...over,
    }),
  );
}

describe('backups: archive the whole install, restore it all or nothing', () => {
  let t: Awaited<ReturnType<typeof startIsolatedApp>>;
  let dataDir: string;
  let admin: string;
  let call: ReturnType<typeof api>;
  let userEmail: string;
  let post: Rec;
  let first: string;

  const backupsDir = () => join(dataDir, 'backups');
  const allPosts = async (): Promise<Rec[]> =>
    ok(await call('GET', '/api/collections/posts/records?perPage=500&sort=created,id')).body.items;
  const fileBytes = async (app: TestApp, token: string, rec: Rec, name: string) => {
    const res = await fetch(`${app.url}/api/files/posts/${String(rec.id)}/${name}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: res.status, text: await res.text() };
  };
  /** Starts a backup over the API and waits until it is listed. */
  const backUp = async (): Promise<string> => {
    const started = ok(await call('POST', '/api/backups'), 202).body;
    expect(started).toMatchObject({ name: expect.stringMatching(/^plinth-backup-\d{8}-\d{6}(-\d+)?\.zip$/) });
    await eventually(async () => {
      const list = ok(await call('GET', '/api/backups')).body;
      expect(list.running).toBeNull();
      expect(list.items.map((b: Rec) => b.name)).toContain(started.name);
      return true;
    });
    return started.name;
  };
  const download = async (name: string): Promise<Buffer> => {
    const res = await fetch(`${t.url}/api/backups/${name}`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    return Buffer.from(await res.arrayBuffer());
  };
  const upload = (app: TestApp, token: string, bytes: Buffer, name = 'upload.zip') => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bytes)], { type: 'application/zip' }), name);
    return apiForm(app, token)('POST', '/api/backups/upload', form);
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'plinth-backups-'));
    t = await startIsolatedApp({ env: { PLINTH_DATA_DIR: dataDir } });
    admin = await adminToken(t);
    call = api(t, admin);
    await createCollection(t, admin, { name: 'tags', fields: [{ name: 'label', type: 'text' }] });
    await createCollection(t, admin, {
      name: 'posts',
      fields: [
        { name: 'title', type: 'text', required: true },
        { name: 'views', type: 'number' },
        { name: 'live', type: 'bool' },
        { name: 'contact', type: 'email' },
        { name: 'site', type: 'url' },
        { name: 'due', type: 'date' },
        { name: 'kinds', type: 'select', values: ['a', 'b', 'c'], maxSelect: 3 },
        { name: 'meta', type: 'json' },
        { name: 'tag', type: 'relation', collection: 'tags', maxSelect: 1 },
        { name: 'author', type: 'relation', collection: 'users', maxSelect: 1 },
        { name: 'note', type: 'file', maxSelect: 1 },
        { name: 'secret', type: 'text', hidden: true },
      ],
    });
    userEmail = `ann-${Date.now()}@example.com`;
    const user = ok(
      await api(t)('POST', '/api/collections/users/records', {
        email: userEmail,
        password: USER_PASSWORD,
        passwordConfirm: USER_PASSWORD,
      }),
    ).body;
    const tag = await createRecord(t, admin, 'tags', { label: 'red' });
    const created = await createRecord(t, admin, 'posts', {
      title: 'First post',
      views: 42,
      live: true,
      contact: 'ann@example.com',
      site: 'https://example.com/a',
      due: '2026-01-02 03:04:05.678Z',
      kinds: ['a', 'c'],
      meta: { x: [1, 'two'] },
      tag: tag.id,
      author: user.id,
      secret: 'only admins',
    });
    const form = new FormData();
    form.append('note', new Blob([NOTE], { type: 'text/plain' }), 'note.txt');
    post = ok(await apiForm(t, admin)('PATCH', `/api/collections/posts/records/${created.id}`, form)).body;
    ok(await call('PATCH', '/api/settings', { mail: { from: 'backups@example.com' } }));
  });

  afterAll(async () => {
    await t?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('backs up, is wiped, restores: records of every field type, file bytes, a sign-in and a setting are back', async () => {
    const before = await allPosts();
    first = await backUp();
    expect((await readdir(backupsDir())).filter((n) => n.endsWith('.part'))).toEqual([]);

    // Wipe: the collections (their files go with them), the user, the setting, every stored file.
    ok(await call('DELETE', '/api/collections/posts'), 204);
    ok(await call('DELETE', '/api/collections/tags'), 204);
    const users = ok(await call('GET', '/api/collections/users/records')).body.items as Rec[];
    for (const u of users) ok(await call('DELETE', `/api/collections/users/records/${String(u.id)}`), 204);
    ok(await call('PATCH', '/api/settings', { mail: { from: 'changed@example.com' } }));
    await rm(join(dataDir, 'storage'), { recursive: true, force: true });
    expect((await signIn(t, userEmail, USER_PASSWORD)).status).toBe(400);

    // The restore tells every replica (over Redis) that maintenance starts, then that it ended.
    const listener = new Redis(testRedisUrl());
    const heard: string[] = [];
    listener.on('message', (_channel: string, message: string) => heard.push(message.split(':')[0]!));
    await listener.subscribe(`${t.redisPrefix}:maintenance`);
    const report = ok(await call('POST', `/api/backups/${first}/restore`)).body;
    expect(report).toMatchObject({ name: first, files: 1 });
    await eventually(() => heard.length === 2);
    expect(heard).toEqual(['on', 'off']);
    listener.disconnect();

    expect(await allPosts()).toEqual(before);
    expect(before[0]).toMatchObject({ title: 'First post', views: 42, live: true, kinds: ['a', 'c'] });
    expect(await fileBytes(t, admin, post, String(post.note))).toEqual({ status: 200, text: NOTE });
    expect((await signIn(t, userEmail, USER_PASSWORD)).status).toBe(200);
    expect(ok(await call('GET', '/api/settings')).body.mail.from).toBe('backups@example.com');
    // The registry was reloaded: the restored collection takes writes with its relations.
    const tag = (ok(await call('GET', '/api/collections/tags/records')).body.items as Rec[])[0]!;
    await createRecord(t, admin, 'posts', { title: 'after the restore', tag: tag.id });
  });

  it('refuses a corrupted archive, a forged manifest, path traversal, a zip bomb and a newer version with 400, changing nothing', async () => {
    const good = await download(first);
    const posts = await allPosts();
    const listed = ok(await call('GET', '/api/backups')).body.items;

    // A byte of the stored file flipped (files are stored uncompressed in the archive).
    const corrupted = Buffer.from(good);
    const at = corrupted.indexOf(Buffer.from(NOTE));
    expect(at).toBeGreaterThan(0);
    corrupted[at] = corrupted[at]! ^ 0xff;
    expectApiProblem(await upload(t, admin, corrupted), 400, 'BACKUP_INVALID');

    // The same archive put in the backup location by hand: the restore checks it first.
    await writeFile(join(backupsDir(), 'by-hand.zip'), corrupted);
    const refused = expectApiProblem(
      await call('POST', '/api/backups/by-hand.zip/restore'),
      400,
      'BACKUP_INVALID',
    );
    expect(refused.detail).toMatch(/Nothing was changed/);
    await rm(join(backupsDir(), 'by-hand.zip'));

    const file = { name: 'files/c1/r1/evil.txt', data: Buffer.from('hello') };
    // A manifest whose checksum does not match its entry.
    const forged = await zipOf([
      { name: 'manifest.json', data: manifestFor([{ ...file, data: Buffer.from('other') }]) },
      file,
    ]);
    expectApiProblem(await upload(t, admin, forged), 400, 'BACKUP_INVALID');
    const noJson = await zipOf([{ name: 'manifest.json', data: Buffer.from('{"format":') }]);
    expectApiProblem(await upload(t, admin, noJson), 400, 'BACKUP_INVALID');
    // Entries leaving the storage: `..` in the zip, or in a manifest key.
    const traversal = makeZip([
      { name: 'manifest.json', data: manifestFor([]) },
      { name: '../../etc/evil.txt', data: Buffer.from('x') },
    ]);
    expectApiProblem(await upload(t, admin, traversal), 400, 'BACKUP_INVALID');
    const evilKey = { name: 'files/../../evil.txt', data: Buffer.from('x') };
    expectApiProblem(
      await upload(t, admin, makeZip([{ name: 'manifest.json', data: manifestFor([evilKey]) }, evilKey])),
      400,
      'BACKUP_INVALID',
    );
    // 16 MiB of zeros deflate to about 16 KiB.
    const bomb = { name: 'files/c1/r1/zeros.bin', data: Buffer.alloc(16 * 1024 * 1024) };
    const bombed = await zipOf([{ name: 'manifest.json', data: manifestFor([bomb]) }, bomb]);
    expect(bombed.length).toBeLessThan(1024 * 1024);
    expect(expectApiProblem(await upload(t, admin, bombed), 400, 'BACKUP_INVALID').detail).toMatch(
      /zip bomb/,
    );
    // Made by a newer Plinth, or with a migration this build does not know.
    for (const over of [{ plinthVersion: '99.0.0' }, { migration: 'Future9999999999999' }]) {
      const newer = await zipOf([{ name: 'manifest.json', data: manifestFor([], over) }]);
      const name = ok(await upload(t, admin, newer, 'newer.zip'), 201).body.name;
      expectApiProblem(await call('POST', `/api/backups/${name}/restore`), 400, 'BACKUP_TOO_NEW');
      ok(await call('DELETE', `/api/backups/${name}`), 204);
    }

    expect(await allPosts()).toEqual(posts);
    expect(ok(await call('GET', '/api/backups')).body.items).toEqual(listed);
    expect((await readdir(backupsDir())).sort()).toEqual(listed.map((b: Rec) => b.name).sort());
    expectApiProblem(await call('POST', '/api/backups/nope.zip/restore'), 404, 'BACKUP_NOT_FOUND');
    expectApiProblem(await api(t)('GET', '/api/backups'), 401, 'UNAUTHORIZED');
  });

  it('takes a consistent backup while 100 writes run: every relation resolves and every file exists', async () => {
    const tagIds = (ok(await call('GET', '/api/collections/tags/records')).body.items as Rec[]).map((r) =>
      String(r.id),
    );
    let written = 0;
    const writer = async (lane: number) => {
      for (let i = 0; i < 25; i++) {
        if (i % 2 === 0) {
          tagIds.push(String((await createRecord(t, admin, 'tags', { label: `t${lane}-${i}` })).id));
        } else {
          const form = new FormData();
          form.append('title', `w${lane}-${i}`);
          form.append('tag', tagIds[Math.floor(Math.random() * tagIds.length)]!);
          form.append('note', new Blob([`note ${lane}-${i}`], { type: 'text/plain' }), 'n.txt');
          ok(await apiForm(t, admin)('POST', '/api/collections/posts/records', form));
        }
        written++;
      }
    };
    const writes = Promise.all([0, 1, 2, 3].map(writer));
    await eventually(() => written >= 20, 20000, 20);
    const during = await backUp();
    await writes;
    expect(written).toBe(100);

    ok(await call('POST', `/api/backups/${during}/restore`));
    const posts = await allPosts();
    const tags = new Set(
      (ok(await call('GET', '/api/collections/tags/records?perPage=500')).body.items as Rec[]).map(
        (r) => r.id,
      ),
    );
    for (const p of posts) {
      if (p.tag) expect(tags.has(p.tag)).toBe(true);
      if (p.note) expect((await fileBytes(t, admin, p, String(p.note))).status).toBe(200);
    }
  });

  it('makes every replica answer 503 MAINTENANCE with Retry-After while a restore runs', async () => {
    const redis = new Redis(testRedisUrl());
    try {
      // What the replica running a restore publishes.
      await redis.publish(`${t.redisPrefix}:maintenance`, `on:${Date.now() + 60000}`);
      await eventually(async () => {
        const res = await fetch(`${t.url}/api/collections/posts/records`, {
          headers: { authorization: `Bearer ${admin}` },
        });
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toBe('10');
        await expectProblem(res, 503, 'MAINTENANCE');
        return true;
      });
      expect((await fetch(`${t.url}/api/health`)).status).toBe(200);
      await redis.publish(`${t.redisPrefix}:maintenance`, 'off');
      await eventually(async () => (await call('GET', '/api/collections/posts/records')).status === 200);
    } finally {
      redis.disconnect();
    }
  });

  it('restores into a second, fresh database (the embedded PostgreSQL to an external one)', async () => {
    const archive = await download(first);
    const db = await createTestDatabase();
    const redis = createRedisPrefix();
    const otherDir = await mkdtemp(join(tmpdir(), 'plinth-backups-fresh-'));
    const fresh = await startApp({
      databaseUrl: db.url,
      redisPrefix: redis.prefix,
      env: { PLINTH_DATA_DIR: otherDir },
    });
    try {
      const freshAdmin = await adminToken(fresh, 'first-admin@example.com');
      const name = ok(await upload(fresh, freshAdmin, archive, 'from-elsewhere.zip'), 201).body.name;
      expect(name).toBe('from-elsewhere.zip');
      ok(await api(fresh, freshAdmin)('POST', `/api/backups/${name}/restore`));

      // The install is the archived one now: its admin signs in, its records and files are there.
      const signedIn = ok(
        await api(fresh)('POST', '/api/admins/auth-with-password', {
          identity: ADMIN_EMAIL,
          password: ADMIN_PASSWORD,
        }),
      ).body.token as string;
      const restored = ok(
        await api(fresh, signedIn)('GET', `/api/collections/posts/records/${String(post.id)}`),
      ).body;
      expect(restored).toMatchObject(post);
      expect(await fileBytes(fresh, signedIn, post, String(post.note))).toEqual({ status: 200, text: NOTE });
      expect((await signIn(fresh, userEmail, USER_PASSWORD)).status).toBe(200);
    } finally {
      await fresh.close();
      await db.drop();
      await redis.cleanup();
      await rm(otherDir, { recursive: true, force: true });
    }
  });

  it('runs as a schedule with the built-in backup job and keeps the newest `keep` backups', async () => {
    ok(await call('PATCH', '/api/settings', { backups: { keep: 1 } }));
    const schedule = ok(
      await call('POST', '/api/schedules', {
        name: 'nightly backup',
        cron: '0 3 * * *',
        target: { type: 'job', job: 'backups.create' },
      }),
    ).body;
    const runOnce = async () => {
      const run = ok(await call('POST', `/api/schedules/${String(schedule.id)}/run`), 202).body;
      await eventually(async () => {
        const runs = ok(await call('GET', `/api/schedules/${String(schedule.id)}/runs`)).body.items as Rec[];
        return runs.find((r) => r.id === run.runId)?.status === 'succeeded';
      }, 20000);
    };
    await runOnce();
    await runOnce();
    const made = (ok(await call('GET', '/api/backups')).body.items as Rec[]).filter((b) =>
      String(b.name).startsWith('plinth-backup-'),
    );
    expect(made).toHaveLength(1);
    // Uploads are never pruned.
    expect((ok(await call('GET', '/api/backups')).body.items as Rec[]).map((b) => b.name)).not.toContain(
      first,
    );
  });
});
