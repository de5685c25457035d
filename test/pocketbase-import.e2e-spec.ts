/**
 * Issue 19: a whole PocketBase app moves into a fresh Plinth with one command, while a server runs:
 * records keep their ids and values, relations, files, users their passwords, superusers become admins.
 * The expected values are read from the imported data.db itself (sql.js).
 */
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, testRedisUrl } from '@plinth/testing';
import PocketBase from 'pocketbase';
import initSqlJs from 'sql.js';
import { adminToken, api } from './support/auth.js';
import { runCli } from './support/cli.js';
import { generatePbData, type GeneratedPb } from './support/pocketbase-data.js';
import { pocketbaseFixtureDir } from './support/pocketbase-fixture.js';
import { startIsolatedApp, TEST_SECRET } from './support/start-app.js';
import { makeZip, zipDirectory } from './support/zip.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;
type Row = Record<string, unknown>;

const PASSWORD = '1234567890';

async function readTable(file: string, table: string): Promise<Row[]> {
  const SQL = await initSqlJs();
  const db = new SQL.Database(readFileSync(file));
  try {
    const stmt = db.prepare(`SELECT * FROM "${table}" ORDER BY id`);
    const rows: Row[] = [];
    while (stmt.step()) rows.push(stmt.getAsObject());
    stmt.free();
    return rows;
  } finally {
    db.close();
  }
}

const storedFiles = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => e.name)
    : [];

describe.each(['pb', 'uuid'] as const)('import pocketbase (%s record ids)', (ids) => {
  let t: App;
  let admin: string;
  let work: string;
  let dataDir: string;
  let pb: GeneratedPb;
  const cli = (...args: string[]) =>
    runCli(['import', 'pocketbase', ...args], {
      env: {
        DATABASE_URL: t.db.url,
        REDIS_URL: testRedisUrl(),
        PLINTH_REDIS_PREFIX: t.redisPrefix,
        PLINTH_SECRET: TEST_SECRET,
        PLINTH_DATA_DIR: dataDir,
        LOG_LEVEL: 'silent',
      },
    });
  /** What a second import or a refused one must leave unchanged. */
  const snapshot = async () => ({
    collections: (await t.db.query('SELECT name FROM plinth.collection ORDER BY name')).rows,
    admins: (await t.db.query('SELECT email FROM plinth.admin ORDER BY email')).rows,
    identities: (await t.db.query('SELECT count(*)::int AS n FROM plinth.external_identity')).rows,
    files: storedFiles(join(dataDir, 'storage')).sort(),
  });

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'plinth-pbimport-'));
    dataDir = join(work, 'plinth');
    pb = await generatePbData({ dir: join(work, 'pb_data'), users: 4, posts: 40, ids });
    t = await startIsolatedApp({ env: { PLINTH_DATA_DIR: dataDir, PLINTH_AUTH_RATE_PER_IP: '1000' } });
    admin = await adminToken(t);
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('refuses a truncated data.db with a clear message and writes nothing', async () => {
    const cut = join(work, 'cut');
    cpSync(pb.dir, cut, { recursive: true });
    truncateSync(join(cut, 'data.db'), 20_000);
    const before = await snapshot();
    const r = await cli(cut);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/data\.db is (truncated|damaged)/);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a zip with an entry outside its folder, before writing anything', async () => {
    const zip = join(work, 'evil.zip');
    writeFileSync(
      zip,
      makeZip([
        { name: 'data.db', data: readFileSync(join(pb.dir, 'data.db')) },
        { name: '../../escaped.txt', data: Buffer.from('gotcha') },
      ]),
    );
    const before = await snapshot();
    const r = await cli(zip);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('outside its folder');
    expect(existsSync(join(work, 'escaped.txt'))).toBe(false);
    expect(existsSync(join(dataDir, 'escaped.txt'))).toBe(false);
    expect(await snapshot()).toEqual(before);
  });

  it('--dry-run prints the report and changes nothing', async () => {
    const before = await snapshot();
    const r = await cli(pb.dir, '--dry-run', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.dryRun).toBe(true);
    const posts = report.collections.find((c: Row) => c.name === 'posts');
    expect(posts).toMatchObject({ status: 'planned', records: pb.posts.length, files: 3 });
    expect(report.admins.imported).toBe(1);
    expect(await snapshot()).toEqual(before);
  });

  it('the admin route answers the same dry-run report for an uploaded backup zip', async () => {
    const form = new FormData();
    form.append('file', new Blob([zipDirectory(pb.dir)]), 'pb_backup.zip');
    expect((await t.fetch('/api/import/pocketbase?dryRun=true', { method: 'POST', body: form })).status).toBe(
      401,
    );
    const res = await t.fetch('/api/import/pocketbase?dryRun=true', {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}` },
      body: form,
    });
    expect(res.status).toBe(200);
    const report = (await res.json()) as { dryRun: boolean; source: string; collections: Row[] };
    expect(report.dryRun).toBe(true);
    expect(report.source).toBe('pb_backup.zip');
    expect(report.collections.find((c) => c.name === 'users')).toMatchObject({ records: pb.users.length });
    expect((await t.db.query('SELECT count(*)::int AS n FROM plinth.collection')).rows[0].n).toBe(1);
  });

  it('imports a backup zip; the running server serves the records as data.db holds them', async () => {
    const zip = join(work, 'pb_backup.zip');
    writeFileSync(zip, zipDirectory(pb.dir));
    const r = await cli(zip);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`posts (base`);
    expect(r.stdout).toContain(`imported ${pb.posts.length} records, 3 files`);

    // The running server reloads its schema through Redis: the new collection answers at once.
    const adminApi = api(t, admin);
    await eventually(
      async () => (await adminApi('GET', '/api/collections/posts/records?perPage=1')).status === 200,
      2_000,
    );

    const expected = await readTable(join(pb.dir, 'data.db'), 'posts');
    const list = await adminApi('GET', '/api/collections/posts/records?perPage=500&sort=views');
    expect(list.body.totalItems).toBe(expected.length);
    const byId = new Map(list.body.items.map((r: Row) => [r.id, r]));
    for (const row of expected) {
      const got = byId.get(row.id) as Row;
      expect(got).toMatchObject({
        id: row.id,
        title: row.title,
        views: Number(row.views),
        live: row.live === 1,
        tags: JSON.parse(String(row.tags)),
        meta: row.meta === null ? null : JSON.parse(String(row.meta)),
        author: row.author,
        cover: row.cover,
        created: '2024-05-01T10:00:00.000Z',
      });
      expect(got.published).toBe(row.published ? new Date(String(row.published)).toISOString() : '');
    }

    const filtered = await adminApi(
      'GET',
      `/api/collections/posts/records?filter=${encodeURIComponent('views >= 30 && live = true')}&perPage=500`,
    );
    expect(filtered.body.items.map((r: Row) => r.id).sort()).toEqual(
      expected
        .filter((r) => Number(r.views) >= 30 && r.live === 1)
        .map((r) => r.id)
        .sort(),
    );

    const one = await adminApi('GET', `/api/collections/posts/records/${pb.posts[1]!.id}?expand=author`);
    expect(one.status).toBe(200);
    expect(one.body.expand.author).toMatchObject({ id: pb.posts[1]!.author, email: pb.users[1]!.email });

    // A live post: its list and view rules let a guest see it, and so its file.
    const withCover = pb.posts[1]!;
    expect(withCover.cover).not.toBe('');
    const file = await t.fetch(`/api/files/posts/${withCover.id}/${withCover.cover}`);
    expect(file.status).toBe(200);
    expect(await file.text()).toBe(
      readFileSync(
        join(pb.dir, 'storage', String(list.body.items[0].collectionId), withCover.id, withCover.cover),
        'utf8',
      ),
    );
  });

  it('through the unchanged pocketbase SDK: users and the superuser sign in with their PocketBase passwords', async () => {
    const client = new PocketBase(t.url);
    client.autoCancellation(false);
    const auth = await client.collection('users').authWithPassword(pb.users[1]!.email, PASSWORD);
    expect(auth.record.id).toBe(pb.users[1]!.id);

    // The list rule "live = true || author = @request.auth.id", as PocketBase judged it.
    const expected = await readTable(join(pb.dir, 'data.db'), 'posts');
    const mine = await client.collection('posts').getFullList({ sort: 'views' });
    expect(mine.map((r) => r.id).sort()).toEqual(
      expected
        .filter((r) => r.live === 1 || r.author === pb.users[1]!.id)
        .map((r) => r.id)
        .sort(),
    );
    const guest = new PocketBase(t.url);
    guest.autoCancellation(false);
    const open = await guest.collection('posts').getFullList();
    expect(open.map((r) => r.id).sort()).toEqual(
      expected
        .filter((r) => r.live === 1)
        .map((r) => r.id)
        .sort(),
    );

    const post = await client.collection('posts').getOne(pb.posts[1]!.id, { expand: 'author' });
    expect(post.expand?.author?.id).toBe(pb.posts[1]!.author);

    const root = new PocketBase(t.url);
    root.autoCancellation(false);
    const su = await root.collection('_superusers').authWithPassword('root@example.com', PASSWORD);
    expect(su.token).toBeTruthy();
    // Linked social identity from _externalAuths.
    const { rows } = await t.db.query('SELECT record_id::text AS id, provider FROM plinth.external_identity');
    expect(rows).toEqual([{ id: pb.users[0]!.id, provider: 'google' }]);
  });

  it('a second import refuses (not a fresh install) and changes nothing', async () => {
    const before = await snapshot();
    const count = (await t.db.query('SELECT count(*)::int AS n FROM data.posts')).rows[0].n;
    const r = await cli(pb.dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('fresh install');
    expect(await snapshot()).toEqual(before);
    expect((await t.db.query('SELECT count(*)::int AS n FROM data.posts')).rows[0].n).toBe(count);
  });
});

describe("import pocketbase: PocketBase's own test data", () => {
  let t: App;
  let work: string;
  let dataDir: string;
  let dataDb: string;
  let report: {
    collections: Array<Row & { notes: Row[] }>;
    admins: { imported: number };
    settings: Array<{ kind: string; what: string; why: string }>;
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'plinth-pbfixture-'));
    dataDir = join(work, 'plinth');
    cpSync(pocketbaseFixtureDir(), join(work, 'pb_data'), { recursive: true });
    dataDb = join(work, 'pb_data', 'data.db');
    t = await startIsolatedApp({ env: { PLINTH_DATA_DIR: dataDir, PLINTH_AUTH_RATE_PER_IP: '1000' } });
    const r = await runCli(['import', 'pocketbase', join(work, 'pb_data'), '--json'], {
      env: {
        DATABASE_URL: t.db.url,
        REDIS_URL: testRedisUrl(),
        PLINTH_REDIS_PREFIX: t.redisPrefix,
        PLINTH_SECRET: TEST_SECRET,
        PLINTH_DATA_DIR: dataDir,
        LOG_LEVEL: 'silent',
      },
    });
    if (r.code !== 0) throw new Error(`import failed: ${r.stderr}`);
    report = JSON.parse(r.stdout);
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const collectionOf = (name: string) => report.collections.find((c) => c.name === name)!;

  it('imports every record of every base and auth collection with its PocketBase id and values', async () => {
    const client = new PocketBase(t.url);
    client.autoCancellation(false);
    await client.collection('_superusers').authWithPassword('test@example.com', PASSWORD);
    for (const name of ['users', 'clients', 'nologin', 'demo1', 'demo2', 'demo3', 'demo4', 'demo5']) {
      const rows = await readTable(dataDb, name);
      expect(collectionOf(name)).toMatchObject({ status: 'imported', records: rows.length });
      const got = await client.collection(name).getFullList({ sort: 'id' });
      expect(got.map((r) => r.id)).toEqual(rows.map((r) => r.id));
    }
    const demo2 = await readTable(dataDb, 'demo2');
    for (const row of demo2) {
      const rec = await client.collection('demo2').getOne(String(row.id));
      expect(rec).toMatchObject({ title: row.title, active: row.active === 1 });
    }
    const demo1 = (await readTable(dataDb, 'demo1')).find((r) => r.id === '84nmscqy84lsi1t')!;
    const rec = await client.collection('demo1').getOne('84nmscqy84lsi1t', { expand: 'rel_many' });
    expect(rec).toMatchObject({
      text: demo1.text,
      bool: true,
      url: demo1.url,
      select_one: demo1.select_one,
      select_many: JSON.parse(String(demo1.select_many)),
      number: Number(demo1.number),
      email: demo1.email,
      json: JSON.parse(String(demo1.json)),
      rel_many: JSON.parse(String(demo1.rel_many)),
      file_many: JSON.parse(String(demo1.file_many)),
      created: new Date(String(demo1.created)).toISOString(),
    });
    expect(rec.expand?.rel_many.map((u: Row) => u.id)).toEqual(JSON.parse(String(demo1.rel_many)));
    const filtered = await client.collection('demo2').getFullList({ filter: 'active = true' });
    expect(filtered.map((r) => r.id).sort()).toEqual(
      demo2
        .filter((r) => r.active === 1)
        .map((r) => r.id)
        .sort(),
    );
  });

  it("names the environment lines for PocketBase's app name and URL, which Plinth reads at start", () => {
    expect(report.settings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'limited',
          what: 'meta.appName',
          why: expect.stringContaining('PLINTH_APP_NAME=acme_test'),
        }),
        expect.objectContaining({
          kind: 'limited',
          what: 'meta.appURL',
          why: expect.stringContaining('PUBLIC_URL=http://localhost:8090'),
        }),
      ]),
    );
    // Switched off in PocketBase: S3 and rate limits leave Plinth's settings as they were.
    expect(report.settings.map((n) => n.what)).not.toContain('s3');
    expect(report.settings.map((n) => n.what)).not.toContain('rateLimits');
  });

  it('turns view collections into Plinth views that answer what their query selects', async () => {
    const root = new PocketBase(t.url);
    root.autoCancellation(false);
    await root.collection('_superusers').authWithPassword('test@example.com', PASSWORD);
    expect(collectionOf('view1')).toMatchObject({ status: 'imported', type: 'view' });
    const demo1 = await readTable(dataDb, 'demo1');
    const rows = await root.collection('view1').getFullList({ sort: 'id' });
    expect(rows.map((r) => r.id)).toEqual(demo1.map((r) => r.id));
    const clients = await readTable(dataDb, 'clients');
    const numbered = await root.collection('numeric_id_view').getFullList();
    expect(numbered.map((r) => r.email).sort()).toEqual(clients.map((r) => r.email).sort());
  });

  it("serves a view's files from the record they come from (view2 reads view1, which reads demo1)", async () => {
    const headers = { authorization: `Bearer ${await adminToken(t)}` };
    const text = (v: unknown) =>
      v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : String(v ?? '');
    let served = 0;
    for (const row of await readTable(dataDb, 'demo1')) {
      const names = JSON.parse(text(row.file_many) || '[]') as string[];
      if (!names.length) continue;
      const direct = await t.fetch(`/api/files/demo1/${String(row.id)}/${names[0]}`, { headers });
      if (direct.status !== 200) continue;
      const viaView = await t.fetch(`/api/files/view2/${String(row.id)}/${names[0]}`, { headers });
      expect(viaView.status).toBe(200);
      expect(Buffer.from(await viaView.arrayBuffer())).toEqual(Buffer.from(await direct.arrayBuffer()));
      served++;
    }
    expect(served).toBeGreaterThan(0);
  });

  it('serves the stored files under their PocketBase names', async () => {
    const users = await readTable(dataDb, 'users');
    const withAvatar = users.find((u) => u.avatar)!;
    const res = await t.fetch(`/api/files/users/${String(withAvatar.id)}/${String(withAvatar.avatar)}`, {
      headers: { authorization: `Bearer ${await adminToken(t)}` },
    });
    expect(res.status).toBe(200);
    const stored = readFileSync(
      join(work, 'pb_data', 'storage', '_pb_users_auth_', String(withAvatar.id), String(withAvatar.avatar)),
    );
    expect(Buffer.from(await res.arrayBuffer()).equals(stored)).toBe(true);
    expect(collectionOf('demo1').files).toBe(7);
  });

  it('signs users in with their PocketBase password where PocketBase allowed password sign-in', async () => {
    const client = new PocketBase(t.url);
    client.autoCancellation(false);
    const clients = await readTable(dataDb, 'clients');
    const auth = await client.collection('clients').authWithPassword(String(clients[0]!.email), PASSWORD);
    expect(auth.record.id).toBe(clients[0]!.id);
    // users required MFA and OTP in PocketBase, and do in Plinth: the password is a first factor only.
    expect(collectionOf('users').notes.map((n) => n.what)).toContain('otp.emailTemplate');
    const firstFactor = await client
      .collection('users')
      .authWithPassword('test@example.com', PASSWORD)
      .catch((err: { status: number; response: { mfaId?: string } }) => err);
    expect(firstFactor).toMatchObject({ status: 401, response: { mfaId: expect.any(String) } });
    expect(report.admins.imported).toBe(4);
  });

  it('judges the rules as their PocketBase text says, for a user, another user, a guest and an admin', async () => {
    const sdk = () => {
      const c = new PocketBase(t.url);
      c.autoCancellation(false);
      return c;
    };
    const demo3 = await readTable(dataDb, 'demo3');
    const clients = await readTable(dataDb, 'clients');
    const users = await readTable(dataDb, 'users');
    // demo3: `@request.auth.id != "" && @request.auth.collectionName != "users"` (with comments around it).
    const guest = sdk();
    expect(await guest.collection('demo3').getFullList()).toEqual([]);
    const client = sdk();
    await client.collection('clients').authWithPassword(String(clients[0]!.email), PASSWORD);
    expect((await client.collection('demo3').getFullList()).map((r) => r.id).sort()).toEqual(
      demo3.map((r) => r.id).sort(),
    );
    const root = sdk();
    await root.collection('_superusers').authWithPassword('test@example.com', PASSWORD);
    expect((await root.collection('demo3').getFullList()).length).toBe(demo3.length);
    // clients: every rule null in PocketBase — admins only.
    await expect(client.collection('clients').getFullList()).rejects.toMatchObject({ status: 403 });
    // users: `id = @request.auth.id` for view — another account's record is not found.
    await expect(client.collection('users').getOne(String(users[0]!.id))).rejects.toMatchObject({
      status: 404,
    });
    // clients: authRule `verified=true` — the unverified account may not sign in.
    expect(clients[1]!.verified).toBe(0);
    await expect(
      sdk().collection('clients').authWithPassword(String(clients[1]!.email), PASSWORD),
    ).rejects.toMatchObject({
      status: 403,
    });
    // demo2: every rule "" — anyone.
    expect((await guest.collection('demo2').getFullList()).length).toBe(
      (await readTable(dataDb, 'demo2')).length,
    );
  });

  it('a second import refuses and changes nothing', async () => {
    const count = async () => (await t.db.query('SELECT count(*)::int AS n FROM data.demo1')).rows[0].n;
    const before = await count();
    const r = await runCli(['import', 'pocketbase', join(work, 'pb_data')], {
      env: {
        DATABASE_URL: t.db.url,
        REDIS_URL: testRedisUrl(),
        PLINTH_REDIS_PREFIX: t.redisPrefix,
        PLINTH_SECRET: TEST_SECRET,
        PLINTH_DATA_DIR: dataDir,
        LOG_LEVEL: 'silent',
      },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('fresh install');
    expect(await count()).toBe(before);
  });
});
