import { adminToken, api } from './support/auth.js';
import { expectProblem } from './support/problem.js';
import { ok } from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

/**
 * The details of PUT /api/collections/import?dryRun=true (what the console's preview shows), the wording
 * of a refused collection change, and GET /api/settings/status (secrets stored or not, never shown).
 */
describe('import plan details, schema refusals and settings status', () => {
  let t: App;
  let admin: string;

  beforeAll(async () => {
    t = await startIsolatedApp({ env: { PUBLIC_URL: 'https://api.example.test', PLINTH_APP_NAME: 'Acme' } });
    admin = await adminToken(t);
    ok(
      await api(t, admin)('POST', '/api/collections', {
        name: 'posts',
        fields: [
          { name: 'title', type: 'text', max: 200 },
          { name: 'summary', type: 'text' },
          { name: 'views', type: 'number' },
        ],
        indexes: [{ fields: ['views'] }],
        listRule: '',
      }),
    );
  }, 60_000);

  afterAll(async () => {
    await t?.stop();
  });

  const exported = async () => ok(await api(t, admin)('GET', '/api/collections/export')).body.collections;

  it('needs an admin, and a body with collections', async () => {
    await expectProblem(
      await t.fetch('/api/collections/import?dryRun=true', { method: 'PUT' }),
      401,
      'UNAUTHORIZED',
    );
    const bad = await expectProblem(
      await t.fetch('/api/collections/import?dryRun=true', {
        method: 'PUT',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ collections: 'posts' }),
      }),
      400,
      'VALIDATION_FAILED',
    );
    expect(bad.errors).toEqual([expect.objectContaining({ path: 'collections' })]);
  });

  it('a dry run tells added, removed and changed fields, rules and indexes apart, and changes nothing', async () => {
    const all = await exported();
    const posts = all.find((c: { name: string }) => c.name === 'posts');
    posts.fields = posts.fields
      .filter((f: { name: string }) => f.name !== 'summary')
      .map((f: { name: string }) => (f.name === 'title' ? { ...f, max: 300, required: true } : f));
    posts.fields.push({ name: 'body', type: 'text' });
    posts.listRule = "title != ''";
    posts.deleteRule = '@request.auth.id != ""';
    posts.indexes = [];
    // Without deleteMissing a field the file leaves out is kept (PocketBase's import): nothing removed.
    const kept = ok(await api(t, admin)('PUT', '/api/collections/import?dryRun=true', { collections: all }));
    expect(kept.body.changes).toEqual([expect.objectContaining({ collection: 'posts', removed: [] })]);
    const res = ok(
      await api(t, admin)('PUT', '/api/collections/import?dryRun=true', {
        collections: all,
        deleteMissing: true,
      }),
    );
    expect(res.body.changes).toEqual([
      {
        collection: 'posts',
        action: 'update',
        fields: ['title', 'body', 'summary'],
        added: [{ name: 'body', type: 'text' }],
        removed: [{ name: 'summary', type: 'text' }],
        changed: [
          {
            name: 'title',
            type: 'text',
            changes: [
              { key: 'max', from: 200, to: 300 },
              { key: 'required', from: false, to: true },
            ],
          },
        ],
        rules: [
          { rule: 'listRule', from: '', to: "title != ''" },
          { rule: 'deleteRule', from: null, to: '@request.auth.id != ""' },
        ],
        indexes: { added: [], removed: [{ fields: ['views'], unique: false }] },
        options: [],
      },
    ]);
    const now = ok(await api(t, admin)('GET', '/api/collections/posts')).body;
    expect(now.fields.map((f: { name: string }) => f.name)).toEqual(['title', 'summary', 'views']);
    expect(now.listRule).toBe('');
  });

  it('a dry run with deleteMissing lists each deleted collection with the fields it loses', async () => {
    const all = (await exported()).filter((c: { name: string }) => c.name === 'posts');
    const res = ok(
      await api(t, admin)('PUT', '/api/collections/import?dryRun=true', {
        collections: all,
        deleteMissing: true,
      }),
    );
    expect(res.body.changes).toEqual([
      expect.objectContaining({
        collection: 'users',
        action: 'delete',
        added: [],
        removed: [{ name: 'name', type: 'text' }],
      }),
    ]);
    ok(await api(t, admin)('GET', '/api/collections/users'));
  });

  it('a new collection lists its fields and rules', async () => {
    const all = await exported();
    all.push({ name: 'tags', fields: [{ name: 'label', type: 'text' }], listRule: '' });
    const res = ok(await api(t, admin)('PUT', '/api/collections/import?dryRun=true', { collections: all }));
    const created = res.body.changes.find((c: { collection: string }) => c.collection === 'tags');
    expect(created).toMatchObject({
      action: 'create',
      fields: ['label'],
      added: [{ name: 'label', type: 'text' }],
    });
    expect(created.rules).toContainEqual({ rule: 'listRule', to: '' });
    expect(created.rules).toContainEqual({ rule: 'viewRule', to: null });
  });

  it('a refused delete reads as one sentence, without a stray ": "', async () => {
    ok(
      await api(t, admin)('POST', '/api/collections', {
        name: 'comments',
        fields: [{ name: 'post', type: 'relation', collection: 'posts', maxSelect: 1 }],
      }),
    );
    const res = await t.fetch('/api/collections/posts', {
      method: 'DELETE',
      headers: { authorization: `Bearer ${admin}` },
    });
    const problem = await expectProblem(res, 409, 'COLLECTION_REFERENCED');
    expect(problem.detail).toBe(
      'The change to "posts" cannot be applied: Collection "posts" cannot be deleted: field "post" of collection "comments" relates to it. Remove that field (or point it elsewhere) first.',
    );
    expect(problem.detail).not.toContain(': :');
  });

  it('GET /api/settings/status says whether secrets are stored, never what they are', async () => {
    await expectProblem(await t.fetch('/api/settings/status'), 401, 'UNAUTHORIZED');
    const before = ok(await api(t, admin)('GET', '/api/settings/status')).body;
    expect(before.app).toEqual({
      name: { value: 'Acme', variable: 'PLINTH_APP_NAME', fromEnvironment: true },
      publicUrl: { value: 'https://api.example.test', variable: 'PUBLIC_URL', fromEnvironment: true },
      appUrl: { value: '', variable: 'PLINTH_APP_URL', fromEnvironment: false },
    });
    expect(before.secrets).toMatchObject({
      mail: { password: false },
      push: { fcmPrivateKey: false, apnsPrivateKey: false, vapidPrivateKey: false },
      storage: { s3SecretAccessKey: false },
    });

    const secret = 'an-s3-secret-nobody-may-read';
    ok(await api(t, admin)('PATCH', '/api/settings', { storage: { s3SecretAccessKey: secret } }));
    const after = ok(await api(t, admin)('GET', '/api/settings/status'));
    expect(after.body.secrets.storage).toEqual({ s3SecretAccessKey: true });
    expect(JSON.stringify(after.body)).not.toContain(secret);
    expect(ok(await api(t, admin)('GET', '/api/settings')).body.storage.s3SecretAccessKey).toBe('');

    ok(await api(t, admin)('PATCH', '/api/settings', { storage: { s3SecretAccessKey: null } }));
    expect(ok(await api(t, admin)('GET', '/api/settings/status')).body.secrets.storage).toEqual({
      s3SecretAccessKey: false,
    });
  });
});
