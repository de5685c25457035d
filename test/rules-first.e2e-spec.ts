import { watch } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@plinth/testing';
import { adminToken, api, apiForm, userToken } from './support/auth.js';
import { errorPaths, expectApiProblem } from './support/problem.js';
import { createCollection, createRecord, createUser, ok, type TestUser } from './support/records.js';
import { startS3, type LocalS3 } from './support/s3.js';
import { startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

const PASSWORD = 'password-123456';

const blob = (text: string) => new Blob([Buffer.from(text)], { type: 'text/plain' });

/**
 * Every file the local driver begins to write: each write goes through `<storage>/.tmp` first. A marker
 * file written by the test and seen by the watcher proves that every earlier event has arrived.
 */
async function watchLocalWrites(storage: string) {
  const tmp = join(storage, '.tmp');
  await mkdir(tmp, { recursive: true });
  const seen: string[] = [];
  const watcher = watch(tmp, (_event, name) => {
    if (name) seen.push(String(name));
  });
  let markers = 0;
  return {
    async writes(): Promise<string[]> {
      const marker = `marker-${++markers}`;
      await writeFile(join(tmp, marker), '');
      await eventually(() => seen.includes(marker));
      await rm(join(tmp, marker));
      return [...new Set(seen.filter((s) => !s.startsWith('marker-')))];
    },
    close: () => watcher.close(),
  };
}

let t: App;
let s3: LocalS3;
let dataDir: string;
let admin: string;
let alice: TestUser;
let bob: TestUser;
let claimsId: string;
let local: Awaited<ReturnType<typeof watchLocalWrites>>;

const claims = '/api/collections/claims/records';

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'plinth-rules-first-'));
  s3 = await startS3();
  t = await startIsolatedApp({
    env: { PLINTH_DATA_DIR: dataDir, PLINTH_ALLOW_PRIVATE_ENDPOINTS: 'true' },
  });
  admin = await adminToken(t);
  alice = await createUser(t, 'Alice');
  bob = await createUser(t, 'Bob');
  claimsId = (
    await createCollection(t, admin, {
      name: 'claims',
      fields: [
        { name: 'code', type: 'text', unique: true },
        { name: 'owner', type: 'relation', collection: 'users' },
        { name: 'f', type: 'file', maxSelect: 2 },
      ],
      listRule: '',
      viewRule: '',
      createRule: "@request.auth.id != '' && owner = @request.auth.id",
      updateRule: 'owner = @request.auth.id',
      deleteRule: null,
    })
  ).id;
  await createRecord(t, admin, 'claims', { code: 'taken', owner: alice.id });
  local = await watchLocalWrites(join(dataDir, 'storage'));
});
afterAll(async () => {
  local?.close();
  await t?.stop();
  await s3?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const codes = async () =>
  (ok(await api(t, admin)('GET', `${claims}?perPage=500&sort=code`)).body.items as Array<{ code: string }>)
    .map((r) => r.code)
    .sort();

describe('a create is judged by its rule before anything is written (issue 18)', () => {
  it('answers 403 to a refused create whether or not a unique value collides, and leaves no row', async () => {
    for (const code of ['taken', 'free']) {
      expectApiProblem(
        await api(t, bob.token)('POST', claims, { code, owner: alice.id }),
        403,
        'RULE_REFUSED',
      );
      expectApiProblem(await api(t)('POST', claims, { code, owner: alice.id }), 403, 'RULE_REFUSED');
    }
    expect(await codes()).toEqual(['taken']);
    // A caller the rule allows is told about the collision, as before.
    const dup = await api(t, alice.token)('POST', claims, { code: 'taken', owner: alice.id });
    expect(errorPaths(expectApiProblem(dup, 400, 'VALIDATION_FAILED'))).toEqual(['code']);
    ok(await api(t, alice.token)('POST', claims, { code: 'alice-1', owner: alice.id }));
    expect(await codes()).toEqual(['alice-1', 'taken']);
  });

  it('judges rules through the relations of the new record', async () => {
    await createCollection(t, admin, { name: 'teams', fields: [{ name: 'name', type: 'text' }] });
    const red = (await createRecord(t, admin, 'teams', { name: 'red' })).id;
    const blue = (await createRecord(t, admin, 'teams', { name: 'blue' })).id;
    await createCollection(t, admin, {
      name: 'players',
      type: 'auth',
      fields: [{ name: 'team', type: 'relation', collection: 'teams' }],
      viewRule: '',
      createRule: '',
    });
    const player = async (team: string) => {
      const email = `p-${Math.random().toString(36).slice(2, 8)}@example.com`;
      const body = { email, password: PASSWORD, passwordConfirm: PASSWORD };
      const { id } = await createRecord(t, admin, 'players', { ...body, team });
      return { id, token: await userToken(t, 'players', id) };
    };
    const onRed = await player(red);
    const onBlue = await player(blue);
    await createCollection(t, admin, {
      name: 'plays',
      fields: [
        { name: 'author', type: 'relation', collection: 'players' },
        { name: 'note', type: 'text', unique: true },
      ],
      listRule: '',
      viewRule: '',
      createRule: 'author.team = @request.auth.team && @request.body.note:isset = true',
    });
    const plays = '/api/collections/plays/records';
    ok(await api(t, onRed.token)('POST', plays, { author: onRed.id, note: 'red move' }));
    expectApiProblem(
      await api(t, onBlue.token)('POST', plays, { author: onRed.id, note: 'red move' }),
      403,
      'RULE_REFUSED',
    );
    expectApiProblem(await api(t, onRed.token)('POST', plays, { author: onRed.id }), 403, 'RULE_REFUSED');
    ok(await api(t, onBlue.token)('POST', plays, { author: onBlue.id, note: 'blue move' }));
    const stored = ok(await api(t, admin)('GET', `${plays}?sort=note`)).body.items as Array<{ note: string }>;
    expect(stored.map((r) => r.note)).toEqual(['blue move', 'red move']);
  });

  it("lets a caller who passes the auth collection's manageRule set verified on a new account", async () => {
    await createCollection(t, admin, {
      name: 'crew',
      type: 'auth',
      fields: [{ name: 'role', type: 'text' }],
      viewRule: '',
      createRule: '',
      manageRule: '@request.auth.role = "manager" && role != "owner"',
    });
    const account = async (role: string) => {
      const email = `${role}-${Math.random().toString(36).slice(2, 8)}@example.com`;
      const { id } = await createRecord(t, admin, 'crew', {
        email,
        role,
        password: PASSWORD,
        passwordConfirm: PASSWORD,
      });
      return userToken(t, 'crew', id);
    };
    const manager = await account('manager');
    const member = await account('member');
    const newcomer = (role: string) => ({
      email: `new-${Math.random().toString(36).slice(2, 8)}@example.com`,
      password: PASSWORD,
      passwordConfirm: PASSWORD,
      role,
      verified: true,
    });
    const crew = '/api/collections/crew/records';
    const made = ok(await api(t, manager)('POST', crew, newcomer('member'))).body;
    expect(ok(await api(t, admin)('GET', `${crew}/${made.id}`)).body.verified).toBe(true);
    for (const [token, role] of [
      [member, 'member'],
      [manager, 'owner'],
      [undefined, 'member'],
    ] as const) {
      const refused = await api(t, token)('POST', crew, newcomer(role));
      expect(errorPaths(expectApiProblem(refused, 400, 'VALIDATION_FAILED'))).toEqual(['verified']);
    }
    // Without `verified` anyone may still sign up, unverified.
    const plain = { ...newcomer('member'), verified: undefined };
    expect(ok(await api(t, member)('POST', crew, plain)).body.verified).toBe(false);
  });
});

describe.each([['local'], ['s3']])(
  'multipart writes on the %s driver store files only once the rule allows them',
  (driver) => {
    /** Keys of objects written since `since` (an earlier result's length). */
    const writes = async (): Promise<string[]> => (driver === 's3' ? [...s3.createdKeys] : local.writes());
    const storedOf = async (collectionId: string): Promise<string[]> => {
      if (driver === 's3') return s3.listKeys(`${collectionId}/`);
      const dir = join(dataDir, 'storage', collectionId);
      return readdir(dir, { recursive: true }).catch(() => []);
    };

    beforeAll(async () => {
      const storage =
        driver === 's3'
          ? {
              driver: 's3',
              s3Endpoint: s3.endpoint,
              s3Bucket: s3.bucket,
              s3AccessKeyId: s3.accessKeyId,
              s3SecretAccessKey: s3.secretAccessKey,
              s3ForcePathStyle: true,
            }
          : { driver: 'local' };
      ok(await api(t, admin)('PATCH', '/api/settings', { storage }));
    });

    it('writes nothing for a refused create, with or without a unique collision', async () => {
      const before = (await writes()).length;
      for (const [token, code] of [
        [bob.token, 'taken'],
        [bob.token, `bob-${driver}`],
        [undefined, `anon-${driver}`],
      ] as const) {
        const data = new FormData();
        data.append('f', blob('not yours'), 'a.txt');
        // PocketBase's SDK sends the fields after the files.
        data.append('@jsonPayload', JSON.stringify({ code, owner: alice.id }));
        expectApiProblem(await apiForm(t, token)('POST', claims, data), 403, 'RULE_REFUSED');
      }
      expect((await writes()).slice(before)).toEqual([]);
      expect(await storedOf(claimsId)).toEqual([]);
      expect(await codes()).not.toContain(`bob-${driver}`);

      // The writes are seen: an allowed create stores its file.
      const data = new FormData();
      data.append('f', blob('mine'), 'a.txt');
      data.append('@jsonPayload', JSON.stringify({ code: `alice-${driver}`, owner: alice.id }));
      const rec = ok(await apiForm(t, alice.token)('POST', claims, data)).body;
      expect((await writes()).length).toBeGreaterThan(before);
      expect((await t.fetch(`/api/files/claims/${rec.id}/${rec.f[0]}`)).status).toBe(200);
    });

    it('writes nothing for a refused update and leaves the record as it was', async () => {
      const mine = await createRecord(t, alice.token, 'claims', { code: `upd-${driver}`, owner: alice.id });
      const path = `${claims}/${mine.id}`;
      const before = (await writes()).length;
      const data = new FormData();
      data.append('code', 'taken');
      data.append('f', blob('defaced'), 'b.txt');
      expectApiProblem(await apiForm(t, bob.token)('PATCH', path, data), 403, 'RULE_REFUSED');
      expectApiProblem(await api(t, bob.token)('PATCH', path, { code: 'taken' }), 403, 'RULE_REFUSED');
      expect((await writes()).slice(before)).toEqual([]);
      expect(ok(await api(t, admin)('GET', path)).body).toMatchObject({ code: `upd-${driver}`, f: [] });

      const own = new FormData();
      own.append('f', blob('mine'), 'c.txt');
      expect(ok(await apiForm(t, alice.token)('PATCH', path, own)).body.f).toHaveLength(1);
    });

    it('runs allowed batches, and a batch with a refused create writes nothing', async () => {
      const before = (await writes()).length;
      const refused = new FormData();
      refused.append(
        '@jsonPayload',
        JSON.stringify({
          requests: [
            { method: 'POST', url: claims, body: { code: `ok-${driver}`, owner: bob.id } },
            { method: 'POST', url: claims, body: { code: 'taken', owner: alice.id } },
          ],
        }),
      );
      refused.append('requests.1.f', blob('not yours'), 'x.txt');
      const failed = expectApiProblem(
        await apiForm(t, bob.token)('POST', '/api/batch', refused),
        400,
        'BATCH_FAILED',
      );
      expect(failed).toMatchObject({ failedIndex: 1, response: { status: 403 } });
      expect((await writes()).slice(before)).toEqual([]);
      expect(await codes()).not.toContain(`ok-${driver}`);

      const allowed = new FormData();
      allowed.append(
        '@jsonPayload',
        JSON.stringify({
          requests: [
            { method: 'POST', url: claims, body: { code: `b1-${driver}`, owner: bob.id } },
            { method: 'POST', url: claims, body: { code: `b2-${driver}`, owner: bob.id } },
          ],
        }),
      );
      allowed.append('requests.1.f', blob('mine'), 'y.txt');
      const [first, second] = ok(await apiForm(t, bob.token)('POST', '/api/batch', allowed)).body as Array<{
        body: { id: string; f: string[] };
      }>;
      expect(first!.body.f).toEqual([]);
      expect(second!.body.f).toHaveLength(1);
      expect(await storedOf(claimsId)).toEqual(
        expect.arrayContaining([expect.stringContaining(second!.body.f[0]!)]),
      );
      const json = await api(t, bob.token)('POST', '/api/batch', {
        requests: [{ method: 'PATCH', url: `${claims}/${first!.body.id}`, body: { code: `b3-${driver}` } }],
      });
      expect(ok(json).body[0].body.code).toBe(`b3-${driver}`);
    });
  },
);
