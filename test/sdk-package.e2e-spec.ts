import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { eventually } from '@plinth/testing';
import { nodeExample, webExample } from '../apps/console/src/pages/connect-snippets.js';
import { PLINTH_VERSION } from '../apps/server/version.js';
import { adminToken, api } from './support/auth.js';
import { createKey, ok } from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');
const run = promisify(execFile);

/** Runs a command; answers its exit code and output instead of throwing. */
async function exec(file: string, args: string[], cwd: string) {
  try {
    const { stdout, stderr } = await run(file, args, { cwd, env: { ...process.env, NODE_OPTIONS: '' } });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** A file of a package tarball, read with GNU tar. */
function fileOf(tgz: Buffer, file: string): string {
  return execFileSync('tar', ['-xzO', `package/${file}`], { input: tgz }).toString('utf8');
}

/** The generated declaration of the caller's schema inside a package tarball. */
const schemaOf = (tgz: Buffer) => fileOf(tgz, 'dist/types/default-schema.d.ts');

describe('GET /api/sdk.tgz: the typed SDK as an npm package', () => {
  let t: Awaited<ReturnType<typeof startIsolatedApp>>;
  let as: ReturnType<typeof api>;
  let key: string;
  let dir: string;

  const tarball = async (headers: Record<string, string> = {}, query = '') => {
    const res = await t.fetch(`/api/sdk.tgz${query}`, { headers });
    return { res, body: Buffer.from(await res.arrayBuffer()) };
  };

  beforeAll(async () => {
    // The server packs the SDK that `npm run build` (scripts/build-sdk.mjs) leaves in sdk/dist.
    await run(process.execPath, [path.join(ROOT, 'scripts/build-sdk.mjs'), '--if-stale'], { cwd: ROOT });
    t = await startIsolatedApp();
    const admin = await adminToken(t);
    as = api(t, admin);
    key = await createKey(t, admin, ['admin']);
    ok(
      await as('POST', '/api/collections', {
        name: 'posts',
        fields: [
          { name: 'title', type: 'text', required: true },
          { name: 'views', type: 'number' },
        ],
        listRule: '',
        viewRule: '',
        createRule: null,
        updateRule: null,
        deleteRule: null,
      }),
    );
    ok(await as('POST', '/api/collections', { name: 'vault', fields: [{ name: 'secret', type: 'text' }] }));
    ok(await as('POST', '/api/collections/posts/records', { title: 'Hello from Plinth', views: 3 }));
    dir = await mkdtemp(path.join(os.tmpdir(), 'plinth-sdk-package-'));
  }, 300_000);
  afterAll(async () => {
    await t?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('answers a reproducible tarball with an ETag, 304 on If-None-Match, and a view per caller', async () => {
    const anon = await tarball();
    expect(anon.res.status).toBe(200);
    expect(anon.res.headers.get('content-type')).toBe('application/gzip');
    const etag = anon.res.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]{20,}"$/);
    expect((await tarball()).body).toEqual(anon.body);
    const again = await tarball({ 'if-none-match': etag });
    expect(again.res.status).toBe(304);
    expect(again.body.length).toBe(0);

    // Anonymous: what the rules expose (posts); an admin-scoped key, as bearer or ?key=: every collection.
    expect(schemaOf(anon.body)).toContain('posts: {');
    expect(schemaOf(anon.body)).not.toContain('vault');
    const admin = await tarball({ authorization: `Bearer ${key}` });
    expect(admin.res.status).toBe(200);
    expect(admin.res.headers.get('etag')).not.toBe(etag);
    expect(schemaOf(admin.body)).toContain('vault: {');
    expect((await tarball({}, `?key=${key}`)).body).toEqual(admin.body);
    const wrongKey = await tarball({}, '?key=plk_not-a-key');
    expect(wrongKey.res.status).toBe(401);
    expect(wrongKey.res.headers.get('content-type')).toContain('application/problem+json');

    // Small: no dependencies, the package is the SDK's dist and its README.
    expect(anon.body.length).toBeLessThan(200_000);
    const manifest = JSON.parse(fileOf(anon.body, 'package.json'));
    expect(manifest).toMatchObject({ name: '@plinth/sdk', version: PLINTH_VERSION });
    expect(manifest.dependencies).toBeUndefined();
  });

  it('installs with npm from the server and types createClient() without typegen: wrong fields fail', async () => {
    const { port } = new URL(t.url);
    await writeFile(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: 'app', private: true, type: 'module' }),
    );
    // npm sends the .npmrc token of the tarball's host as a bearer: the admin view, kept out of the URL.
    await writeFile(path.join(dir, '.npmrc'), `//127.0.0.1:${port}/:_authToken=${key}\n`);
    const install = await exec(
      'npm',
      [
        'install',
        `${t.url}/api/sdk.tgz`,
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        // Nothing may come from a registry: the package has no dependencies.
        '--registry=http://127.0.0.1:9/',
        `--cache=${path.join(dir, '.npm-cache')}`,
      ],
      dir,
    );
    expect(install).toMatchObject({ code: 0 });
    const installed = JSON.parse(
      await readFile(path.join(dir, 'node_modules/@plinth/sdk/package.json'), 'utf8'),
    );
    expect(installed.version).toBe(PLINTH_VERSION);

    await writeFile(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          target: 'ES2022',
          lib: ['ES2022', 'DOM'],
          module: 'nodenext',
          moduleResolution: 'nodenext',
          types: [],
          skipLibCheck: false,
          outDir: 'out',
        },
        // The examples of the console's "Connect your app" page compile against the installed package too.
        files: ['main.ts', 'web.ts', 'node.ts'],
      }),
    );
    const target = { origin: t.url, collection: 'posts', authCollection: 'users' };
    await writeFile(path.join(dir, 'web.ts'), `${webExample(target)}\nexport {};\n`);
    await writeFile(
      path.join(dir, 'node.ts'),
      `${nodeExample(target)}\ndeclare const process: { env: Record<string, string | undefined> };\n`,
    );
    await writeFile(
      path.join(dir, 'main.ts'),
      `import { createClient } from '@plinth/sdk';
import type { PostsRecord } from '@plinth/sdk/schema';

const client = createClient({ url: process.argv[2]! });
const page = await client.collection('posts').getList(1, 10);
const title: string = page.items[0]!.title;
const views: number | null = page.items[0]!.views;
const again: PostsRecord = page.items[0]!;
// Generated record interfaces are file owners as they are (no index signature needed).
const link: string = client.files.url(again, 'title', { thumb: '100x100' });
const secret: string | null | undefined = (await client.collection('vault').getList(1, 1).catch(() => null))?.items[0]?.secret;
console.log(JSON.stringify({ title, views, id: again.id, secret, link }));
declare const process: { argv: string[] };
`,
    );
    const good = await exec(process.execPath, [TSC, '-p', 'tsconfig.json'], dir);
    expect(good).toEqual({ code: 0, output: '' });
    const ran = await exec(process.execPath, ['out/main.js', t.url], dir);
    expect(ran.code).toBe(0);
    expect(JSON.parse(ran.output)).toMatchObject({
      title: 'Hello from Plinth',
      views: 3,
      link: expect.stringContaining(`${t.url}/api/files/posts/`),
    });

    await writeFile(
      path.join(dir, 'main.ts'),
      `import { createClient } from '@plinth/sdk';
const client = createClient({ url: 'http://localhost' });
const page = await client.collection('posts').getList(1, 10);
export const title: string = page.items[0]!.titel;
await client.collection('postz').getList(1, 10);
`,
    );
    const bad = await exec(process.execPath, [TSC, '-p', 'tsconfig.json', '--noEmit'], dir);
    expect(bad.code).not.toBe(0);
    expect(bad.output).toContain("Property 'titel' does not exist");
    expect(bad.output).toContain('"postz"');
  }, 120_000);

  it('changes the tarball when a field is added, and not otherwise', async () => {
    const before = await tarball();
    // A new record and a collection update that changes nothing leave the bytes alone.
    ok(await as('POST', '/api/collections/posts/records', { title: 'Another' }));
    ok(await as('POST', '/api/collections', { name: 'drafts', fields: [{ name: 'x', type: 'text' }] }));
    ok(await as('DELETE', '/api/collections/drafts'), 204);
    const same = await tarball();
    expect(same.res.headers.get('etag')).toBe(before.res.headers.get('etag'));
    expect(same.body).toEqual(before.body);

    const posts = (await as('GET', '/api/collections/posts')).body;
    ok(
      await as('PATCH', '/api/collections/posts', {
        fields: [...posts.fields, { name: 'summary', type: 'text' }],
      }),
    );
    const after = await eventually(async () => {
      const next = await tarball();
      expect(next.res.headers.get('etag')).not.toBe(before.res.headers.get('etag'));
      return next;
    });
    expect(schemaOf(after.body)).toMatch(/ {2}summary\??: string/);
    expect(schemaOf(before.body)).not.toContain('summary');
  });
});
