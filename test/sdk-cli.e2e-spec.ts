import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { adminToken, api } from './support/auth.js';
import { createKey, ok } from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const CLI = path.join(ROOT, 'sdk/dist/esm/cli/main.js');
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `plinth` command with only the given environment. */
function plinth(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Type-checks files of `dir` with the root's TypeScript; answers tsc's exit code and output. */
async function typecheck(dir: string, files: string[]): Promise<{ code: number; output: string }> {
  await writeFile(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: 'ES2022',
        lib: ['ES2022', 'DOM'],
        module: 'nodenext',
        moduleResolution: 'nodenext',
        types: [],
        skipLibCheck: false,
      },
      files,
    }),
  );
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [TSC, '-p', path.join(dir, 'tsconfig.json')],
      { cwd: dir },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: stdout + stderr });
      },
    );
  });
}

describe('plinth CLI: typegen and schema as code', () => {
  let t: Awaited<ReturnType<typeof startIsolatedApp>>;
  let admin: string;
  let key: string;
  let dir: string;

  beforeAll(async () => {
    // The CLI runs from the built package, as users run it (`npx plinth`).
    await promisify(execFile)(process.execPath, [path.join(ROOT, 'scripts/build-sdk.mjs'), '--if-stale'], {
      cwd: ROOT,
    });
    t = await startIsolatedApp();
    admin = await adminToken(t);
    key = await createKey(t, admin, ['admin']);
    const as = api(t, admin);
    ok(
      await as('POST', '/api/collections', {
        name: 'blog_posts',
        fields: [
          { name: 'title', type: 'text', required: true },
          { name: 'views', type: 'number', onlyInt: true },
          { name: 'published', type: 'bool' },
          { name: 'status', type: 'select', values: ['draft', 'live'] },
          { name: 'labels', type: 'select', values: ['a', 'b', 'c'], maxSelect: 3 },
          { name: 'author', type: 'relation', collection: 'users', maxSelect: 1 },
          { name: 'editors', type: 'relation', collection: 'users', maxSelect: 5 },
          { name: 'cover', type: 'file', maxSelect: 1 },
          { name: 'meta', type: 'json' },
          { name: 'publishedAt', type: 'date' },
          { name: 'secret', type: 'text', hidden: true },
        ],
        listRule: '',
        viewRule: '',
        createRule: '',
        updateRule: '',
        deleteRule: '',
      }),
    );
    ok(
      await as('POST', '/api/collections', {
        name: 'comments',
        fields: [
          { name: 'body', type: 'text', required: true },
          { name: 'post', type: 'relation', collection: 'blog_posts', maxSelect: 1, required: true },
        ],
      }),
    );
    dir = await mkdtemp(path.join(os.tmpdir(), 'plinth-sdk-'));
    await writeFile(path.join(dir, 'package.json'), '{ "type": "module" }\n');
    // The app imports @plinth/sdk through the package's own exports map, as an installed copy would.
    await mkdir(path.join(dir, 'node_modules/@plinth'), { recursive: true });
    await symlink(path.join(ROOT, 'sdk'), path.join(dir, 'node_modules/@plinth/sdk'), 'dir');
  }, 300_000);
  afterAll(async () => {
    await t?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  describe('typegen', () => {
    let types: string;

    beforeAll(async () => {
      const run = await plinth([
        'typegen',
        '--url',
        t.url,
        '--key',
        key,
        '--out',
        path.join(dir, 'plinth-types.ts'),
      ]);
      expect(run).toMatchObject({ code: 0, stdout: '' });
      expect(run.stderr).toContain('blog_posts, comments, users');
      types = await readFile(path.join(dir, 'plinth-types.ts'), 'utf8');
    });

    it('writes one record type per collection with field types, optionality, unions and expand types', () => {
      expect(types).toContain('export interface BlogPostsRecord {');
      expect(types).toContain('export interface CommentsCreate {');
      // Empty values read as PocketBase's zero values: "" for a single select, never null (issue 17).
      expect(types).toMatch(/ {2}status: "draft" \| "live" \| "";/);
      expect(types).toMatch(/ {2}labels: Array<"a" \| "b" \| "c">;/);
      expect(types).toMatch(/ {2}title: string;/);
      expect(types).toMatch(/ {2}secret\?: string;/);
      expect(types).toContain('author: UsersRecord & { expand?: Partial<UsersExpand> };');
      expect(types).toContain('editors: Array<UsersRecord & { expand?: Partial<UsersExpand> }>;');
      expect(types).toMatch(
        /blog_posts: \{ type: "base"; record: BlogPostsRecord; create: BlogPostsCreate; update: BlogPostsUpdate; expand: BlogPostsExpand \};/,
      );
      expect(types).toMatch(/users: \{ type: "auth";/);
    });

    it('types a client: correct use compiles, a misused field does not', async () => {
      await writeFile(
        path.join(dir, 'good.ts'),
        `import { createClient, type ListResult } from '@plinth/sdk';
import type { BlogPostsRecord, Schema } from './plinth-types.js';

const client = createClient<Schema>({ url: 'http://localhost:8090' });

export async function run(): Promise<string> {
  const posts = client.collection('blog_posts');
  const post: BlogPostsRecord = await posts.getOne('id', { expand: 'author' });
  const title: string = post.title;
  const views: number = post.views;
  const status: 'draft' | 'live' | '' = post.status;
  const labels: Array<'a' | 'b' | 'c'> = post.labels;
  const cover: string = post.cover;
  const created = await posts.create({ title: 'Hello', status: 'live', labels: ['a', 'c'], author: 'u1', editors: ['u2'] });
  const changed: BlogPostsRecord = await posts.update(created.id, { views: 3, 'labels+': 'b' });
  await posts.update(created.id, { cover: new Blob(['png bytes'], { type: 'image/png' }) });
  const page: ListResult<unknown> = await posts.getList(1, 20, { filter: client.filter('title = {:t}', { t: title }), expand: 'author,editors' });
  const first = (await posts.getList(1, 1, { expand: 'author' })).items[0];
  const authorEmail: string | undefined = first?.expand?.author?.email;
  const editorIds: string[] | undefined = first?.expand?.editors?.map((e) => e.id);
  const comment = await client.collection('comments').getFirstListItem('post != ""', { expand: 'post.author' });
  const postTitle: string | undefined = comment.expand?.post?.title;
  const nestedAuthor: string | undefined = comment.expand?.post?.expand?.author?.id;
  const all: BlogPostsRecord[] = await posts.getFullList({ batch: 100 });
  await client.collection('users').authWithPassword('a@example.com', 'password');
  const me = client.authStore.record;
  // Without a Schema: any collection, loosely typed records.
  const loose = createClient({ url: 'http://localhost:8090' });
  const anyRecord = await loose.collection('anything').getOne('x');
  const anyId: string = anyRecord.id;
  const anyField: unknown = anyRecord.whatever;
  return [title, views, status, labels, cover, changed.id, page.totalItems, authorEmail, editorIds, postTitle, nestedAuthor, all.length, me?.id, anyId, anyField].join();
}
`,
      );
      const good = await typecheck(dir, ['good.ts']);
      expect(good).toEqual({ code: 0, output: '' });

      await writeFile(
        path.join(dir, 'bad-field.ts'),
        `import { createClient } from '@plinth/sdk';
import type { Schema } from './plinth-types.js';
const client = createClient<Schema>({ url: 'http://localhost:8090' });
export const titles = client.collection('blog_posts').getOne('id').then((p) => p.titel);
`,
      );
      await writeFile(
        path.join(dir, 'bad-value.ts'),
        `import { createClient } from '@plinth/sdk';
import type { Schema } from './plinth-types.js';
const client = createClient<Schema>({ url: 'http://localhost:8090' });
export const created = client.collection('blog_posts').create({ title: 'x', status: 'archived' });
`,
      );
      await writeFile(
        path.join(dir, 'bad-missing.ts'),
        `import { createClient } from '@plinth/sdk';
import type { Schema } from './plinth-types.js';
const client = createClient<Schema>({ url: 'http://localhost:8090' });
export const created = client.collection('comments').create({ body: 'no post' });
`,
      );
      // One compile of the three misuses: each must be reported, at its own file, naming the field.
      const bad = await typecheck(dir, ['bad-field.ts', 'bad-value.ts', 'bad-missing.ts']);
      expect(bad.code).not.toBe(0);
      expect(bad.output).toMatch(/bad-field\.ts\(4,\d+\): error TS\d+: Property 'titel' does not exist/);
      expect(bad.output).toMatch(/bad-value\.ts\(4,\d+\): error TS\d+: Type '"archived"' is not assignable/);
      expect(bad.output).toMatch(
        /bad-missing\.ts\(4,\d+\): error TS\d+: [^\n]*\n\s+Property 'post' is missing/,
      );
    }, 240_000);

    it('fails with the server problem for a key that is not an admin', async () => {
      const run = await plinth(['typegen', '--url', t.url, '--key', 'plk_not-a-real-key']);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^error: .+\n/);
      expect(run.stderr).toContain('401');
    });
  });

  describe('schema export and apply', () => {
    it('exports the collections in the importable shape', async () => {
      const run = await plinth(['schema', 'export'], { PLINTH_URL: t.url, PLINTH_KEY: key });
      expect(run).toMatchObject({ code: 0, stderr: '' });
      const file = JSON.parse(run.stdout) as { collections: Array<Record<string, unknown>> };
      expect(file.collections.map((c) => c.name)).toEqual(['blog_posts', 'comments', 'users']);
      for (const c of file.collections) {
        expect(c).not.toHaveProperty('created');
        expect(c).not.toHaveProperty('updated');
        expect(c).toHaveProperty('id');
      }
      const comments = file.collections[1] as { fields: Array<{ name: string; collection?: string }> };
      expect(comments.fields.find((f) => f.name === 'post')).toMatchObject({ collection: 'blog_posts' });
    });

    it('plans with --dry-run without changing anything, then applies', async () => {
      const exported = await plinth(['schema', 'export', '--url', t.url, '--key', key]);
      const file = JSON.parse(exported.stdout) as {
        collections: Array<{ name: string; fields: Array<Record<string, unknown>> }>;
      };
      file.collections.find((c) => c.name === 'comments')!.fields.push({ name: 'rating', type: 'number' });
      file.collections.push({
        name: 'notes',
        type: 'base',
        fields: [{ name: 'text', type: 'text' }],
      } as never);
      const schemaPath = path.join(dir, 'schema.json');
      await writeFile(schemaPath, JSON.stringify(file, null, 2));

      const plan = await plinth(['schema', 'apply', schemaPath, '--url', t.url, '--key', key, '--dry-run']);
      expect(plan).toMatchObject({ code: 0, stderr: '' });
      expect(plan.stdout).toContain('dry run: nothing was changed');
      expect(plan.stdout).toContain('~ update collection comments: fields rating');
      expect(plan.stdout).toContain('+ create collection notes (fields: text)');
      expect(plan.stdout).toContain('2 changes would be applied');
      const as = api(t, admin);
      expect((await as('GET', '/api/collections/notes')).status).toBe(404);
      const before = ok(await as('GET', '/api/collections/comments')).body;
      expect(before.fields.map((f: { name: string }) => f.name)).toEqual(['body', 'post']);

      const applied = await plinth(['schema', 'apply', schemaPath, `--url=${t.url}`, `--key=${key}`]);
      expect(applied).toMatchObject({ code: 0, stderr: '' });
      expect(applied.stdout).toContain(`Applied ${schemaPath}:`);
      expect(applied.stdout).toContain('+ create collection notes (fields: text)');
      expect(applied.stdout).toContain('2 changes applied');
      expect((await as('GET', '/api/collections/notes')).status).toBe(200);
      const after = ok(await as('GET', '/api/collections/comments')).body;
      expect(after.fields.map((f: { name: string }) => f.name)).toEqual(['body', 'post', 'rating']);

      const again = await plinth(['schema', 'apply', schemaPath, '--url', t.url, '--key', key]);
      expect(again).toMatchObject({
        code: 0,
        stdout: `No changes: the server already matches ${schemaPath}.\n`,
      });
    });

    it('prints the problem and its field paths and exits 1 on an invalid schema', async () => {
      const schemaPath = path.join(dir, 'invalid.json');
      await writeFile(
        schemaPath,
        JSON.stringify({
          collections: [{ name: 'broken', type: 'base', fields: [{ name: 'x', type: 'nope' }] }],
        }),
      );
      const run = await plinth(['schema', 'apply', schemaPath, '--url', t.url, '--key', key, '--dry-run']);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^error: The schema cannot be imported/);
      expect(run.stderr).toContain('  - collections.0.fields.0.type: ');
      expect((await api(t, admin)('GET', '/api/collections/broken')).status).toBe(404);
    });

    it('explains missing connection settings and unreadable files', async () => {
      const noKey = await plinth(['schema', 'export', '--url', t.url]);
      expect(noKey.code).toBe(1);
      expect(noKey.stderr).toContain('--key or PLINTH_KEY');

      const missing = await plinth([
        'schema',
        'apply',
        path.join(dir, 'nope.json'),
        '--url',
        t.url,
        '--key',
        key,
      ]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('Cannot read');

      const unknown = await plinth(['deploy']);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('Unknown command "deploy"');
    });
  });
});
