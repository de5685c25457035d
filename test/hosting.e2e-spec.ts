import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gzipSync } from 'node:zlib';
import { eventually } from '@plinth/testing';
import { adminToken, api, apiForm } from './support/auth.js';
import { runCli } from './support/cli.js';
import { expectApiProblem } from './support/problem.js';
import { createKey, ok } from './support/records.js';
import { startApp, startIsolatedApp, type TestApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * GET over a plain socket: the path goes out exactly as written (fetch would normalise `/%2e%2e/`)
 * and the body is not decompressed, so a `.br` variant is seen as sent.
 */
function raw(base: string, p: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Raw> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: p, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

const JS = 'assets/app-BXk2f9aQ.js';
const CSS = 'assets/style-3f2a9c1b.css';
const script = `console.log(${JSON.stringify('x'.repeat(2000))});\n`;
const SECRET = 'top-secret-marker-0f3c';
const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** A small built SPA: `version` marks its index.html. */
async function buildSite(dir: string, version: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(path.join(dir, 'assets'), { recursive: true });
  await mkdir(path.join(dir, 'api'), { recursive: true });
  await mkdir(path.join(dir, 'docs'), { recursive: true });
  const files: Record<string, string | Buffer> = {
    'index.html': `<!doctype html><title>app</title><p id="v">${version}</p><script type="module" src="/${JS}"></script>`,
    [JS]: script,
    [`${JS}.br`]: brotliCompressSync(script),
    [`${JS}.gz`]: gzipSync(script),
    [CSS]: 'body { margin: 0 }\n',
    'robots.txt': 'User-agent: *\n',
    'data.json': JSON.stringify({ items: Array.from({ length: 200 }, (_, i) => ({ i, name: `item ${i}` })) }),
    '404.html': '<!doctype html><h1>Lost</h1>',
    // Files named like Plinth's own routes: the API and the docs must still win.
    'api/health': 'shadow',
    'docs/index.html': 'shadow docs',
    'plinth.json': JSON.stringify({
      contentSecurityPolicy: "default-src 'self'",
      headers: [{ source: '/assets/*', headers: { 'X-Site-Asset': 'yes' } }],
    }),
    _redirects: '/old-page /robots.txt 301\n/blog/* /posts/:splat 302\n',
  };
  for (const [p, data] of Object.entries(files)) await writeFile(path.join(dir, p), data);
  // Outside the deploy: the CLI must skip the link, and nothing may serve the file it points at.
  await writeFile(path.join(dir, '..', 'secret.txt'), SECRET);
  await symlink(path.join(dir, '..', 'secret.txt'), path.join(dir, 'link.txt'));
}

describe('hosting: deploys of the web front end', () => {
  let t: App;
  let admin: string;
  let key: string;
  let work: string;
  let site: string;
  const env: Record<string, string> = {};
  const deploy = (extra: string[] = []) =>
    runCli(['deploy', site, '--url', t.url, '--key', key, ...extra], { env: {} });

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'plinth-hosting-'));
    site = path.join(work, 'dist');
    // Its own storage folder: blobs of this file's deploys are deleted by its own keep-N only.
    env.PLINTH_DATA_DIR = path.join(work, 'data');
    t = await startIsolatedApp({ env });
    admin = await adminToken(t);
    key = await createKey(t, admin, ['admin']);
    await buildSite(site, 'v1');
    const run = await deploy(['--message', 'first']);
    if (run.code !== 0) throw new Error(`deploy failed: ${run.stderr}`);
    expect(run.stdout).toMatch(/Deployed 12 files .*uploaded 12 new/);
    expect(run.stderr).toContain('Skipped link.txt: it is a symbolic link');
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    await rm(work, { recursive: true, force: true });
  });

  describe('serving', () => {
    it('serves index.html at / uncached, with security headers and the site CSP', async () => {
      const res = await raw(t.url, '/');
      expect(res.status).toBe(200);
      expect(res.body.toString()).toContain('<p id="v">v1</p>');
      expect(res.headers).toMatchObject({
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'strict-origin-when-cross-origin',
        'content-security-policy': "default-src 'self'",
      });
    });

    it('serves hashed assets immutable with types, ETag/304, ranges and plinth.json headers', async () => {
      const res = await raw(t.url, `/${JS}`);
      expect(res.status).toBe(200);
      expect(res.body.toString()).toBe(script);
      expect(res.headers).toMatchObject({
        'content-type': 'text/javascript; charset=utf-8',
        'cache-control': 'public, max-age=31536000, immutable',
        'x-site-asset': 'yes',
        vary: 'accept-encoding',
      });
      expect(res.headers['content-encoding']).toBeUndefined();
      const etag = res.headers.etag as string;
      expect(etag).toMatch(/^"[0-9a-f]{40}"$/);
      expect((await raw(t.url, `/${JS}`, { 'if-none-match': etag })).status).toBe(304);
      const part = await raw(t.url, `/${JS}`, { range: 'bytes=0-10' });
      expect(part.status).toBe(206);
      expect(part.headers['content-range']).toBe(`bytes 0-10/${script.length}`);
      expect(part.body.toString()).toBe(script.slice(0, 11));
      expect((await raw(t.url, `/${JS}`, { range: 'bytes=99999-' })).status).toBe(416);
      const head = await raw(t.url, `/${JS}`, {}, 'HEAD');
      expect({ status: head.status, length: head.headers['content-length'], body: head.body.length }).toEqual(
        {
          status: 200,
          length: String(script.length),
          body: 0,
        },
      );
      const css = await raw(t.url, `/${CSS}`);
      expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
      const robots = await raw(t.url, '/robots.txt');
      expect(robots.headers).toMatchObject({
        'content-type': 'text/plain; charset=utf-8',
        'cache-control': 'no-cache',
      });
    });

    it('sends the precompressed .br or .gz variant the client accepts', async () => {
      const br = await raw(t.url, `/${JS}`, { 'accept-encoding': 'gzip, br' });
      expect(br.headers['content-encoding']).toBe('br');
      expect(br.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(brotliDecompressSync(br.body).toString()).toBe(script);
      const gz = await raw(t.url, `/${JS}`, { 'accept-encoding': 'gzip' });
      expect(gz.headers['content-encoding']).toBe('gzip');
      expect(gz.headers.etag).not.toBe(br.headers.etag);
      // Text without a shipped variant is compressed on the fly, with its own ETag.
      const plain = await raw(t.url, '/data.json');
      const json = await raw(t.url, '/data.json', { 'accept-encoding': 'br' });
      expect(json.headers).toMatchObject({ 'content-encoding': 'br', vary: 'accept-encoding' });
      expect(brotliDecompressSync(json.body).toString()).toBe(plain.body.toString());
      expect(json.headers.etag).not.toBe(plain.headers.etag);
      expect(
        (
          await raw(t.url, '/data.json', {
            'accept-encoding': 'br',
            'if-none-match': json.headers.etag as string,
          })
        ).status,
      ).toBe(304);
    });

    it('falls back to index.html for routes and answers 404.html for missing files', async () => {
      const route = await raw(t.url, '/settings/profile');
      expect(route.status).toBe(200);
      expect(route.body.toString()).toContain('v1');
      const missing = await raw(t.url, '/assets/nope-12345678.js');
      expect(missing.status).toBe(404);
      expect(missing.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(missing.body.toString()).toContain('Lost');
      const moved = await raw(t.url, '/old-page?x=1');
      expect(moved.status).toBe(301);
      expect(moved.headers.location).toBe('/robots.txt?x=1');
      const blog = await raw(t.url, '/blog/%E6%97%A5%20x');
      expect(blog.status).toBe(302);
      expect(blog.headers.location).toBe('/posts/%E6%97%A5%20x');
      expect((await raw(t.url, '/link.txt')).status).toBe(404);
    });

    it('never shadows the API, the console, the docs or metrics', async () => {
      const health = await raw(t.url, '/api/health');
      expect(health.status).toBe(200);
      expect(health.body.toString()).not.toContain('shadow');
      const unknown = await raw(t.url, '/api/no-such-route');
      expect(unknown.status).toBe(404);
      expect(JSON.parse(unknown.body.toString())).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
      const docs = await raw(t.url, '/docs');
      expect(docs.status).toBeLessThan(400);
      expect(docs.body.toString()).not.toContain('shadow docs');
      for (const p of ['/_/', '/_/no-such-page', '/metrics', '/_/account/nope']) {
        const res = await raw(t.url, p);
        expect({ p, v1: res.body.toString().includes('<p id="v">') }).toEqual({ p, v1: false });
      }
    });
  });

  describe('bad input', () => {
    it('refuses manifest paths that could leave the deploy, and creates nothing', async () => {
      const before = ok(await api(t, admin)('GET', '/api/hosting/deploys')).body.items.length;
      const bad = [
        '../etc/passwd',
        '/etc/passwd',
        'a\\..\\b',
        'a\u0000b',
        'C:/x',
        'a//b',
        './a',
        `${'x'.repeat(300)}.js`,
        'x/'.repeat(600),
      ];
      for (const p of bad) {
        const res = await api(t, admin)('POST', '/api/hosting/deploys', {
          files: [{ path: p, sha256: sha('x'), size: 1 }],
        });
        const problem = expectApiProblem(res, 400, 'VALIDATION_FAILED');
        expect(problem.errors[0].path).toBe('files.0.path');
      }
      expect(ok(await api(t, admin)('GET', '/api/hosting/deploys')).body.items.length).toBe(before);
      expect((await api(t)('GET', '/api/hosting/deploys')).status).toBe(401);
    });

    it('answers traversal, encoded slashes and very long paths safely', async () => {
      const paths = [
        '/../secret.txt',
        '/%2e%2e/secret.txt',
        '/assets/..%2f..%2f..%2fsecret.txt',
        '/%2e%2e%2fsecret.txt',
        `/assets%2F${JS.slice(7)}`,
        '/a%00b',
        '/%zz',
        '/..\\secret.txt',
        '/' + 'a/'.repeat(3000),
      ];
      for (const p of paths) {
        const res = await raw(t.url, p);
        expect({ p, status: res.status < 500 }).toEqual({ p, status: true });
        expect(res.body.toString()).not.toContain(SECRET);
      }
      expect((await raw(t.url, '/%2e%2e/secret.txt')).status).toBe(400);
    });

    it('keeps the previous deploy live when a deploy is interrupted or its bytes are wrong', async () => {
      const page = '<p id="v">half</p>';
      const created = ok(
        await api(t, key)('POST', '/api/hosting/deploys', {
          files: [
            { path: 'index.html', sha256: sha(page), size: page.length },
            { path: 'other.js', sha256: sha('other'), size: 5 },
          ],
        }),
        201,
      ).body;
      expect(created.missing.sort()).toEqual([sha(page), sha('other')].sort());
      const form = new FormData();
      form.append(sha(page), new Blob([page]), 'index.html');
      const up = ok(await apiForm(t, key)('POST', `/api/hosting/deploys/${created.id}/blobs`, form)).body;
      expect(up).toEqual({ stored: [sha(page)], missing: [sha('other')] });
      // Bytes that are not what their name says are refused and not kept.
      const wrong = new FormData();
      wrong.append(sha('other'), new Blob(['evil!']), 'other.js');
      expectApiProblem(
        await apiForm(t, key)('POST', `/api/hosting/deploys/${created.id}/blobs`, wrong),
        400,
        'DEPLOY_FILE_MISMATCH',
      );
      expectApiProblem(
        await api(t, key)('POST', `/api/hosting/deploys/${created.id}/activate`),
        409,
        'DEPLOY_INCOMPLETE',
      );
      expect((await raw(t.url, '/')).body.toString()).toContain('v1');
      const listed = ok(await api(t, admin)('GET', '/api/hosting/deploys')).body.items;
      expect(listed.find((d: { id: string }) => d.id === created.id)).toMatchObject({
        status: 'pending',
        active: false,
      });
      expect(listed.find((d: { active: boolean }) => d.active)).toMatchObject({
        message: 'first',
        fileCount: 12,
      });
    });
  });

  describe('on a second server', () => {
    let b: TestApp;
    beforeAll(async () => {
      b = await startApp({ databaseUrl: t.db.url, redisPrefix: t.redisPrefix, env });
    }, 30_000);
    afterAll(() => b?.close());

    const shows = async (version: string) =>
      (await raw(b.url, '/')).body.toString().includes(`<p id="v">${version}</p>`);

    it('serves a redeploy and a rollback within 2 s', async () => {
      expect(await shows('v1')).toBe(true);
      await buildSite(site, 'v2');
      const run = await deploy();
      if (run.code !== 0) throw new Error(`deploy failed: ${run.stderr}`);
      // Only the changed page is sent again.
      expect(run.stdout).toMatch(/uploaded 1 new/);
      await eventually(() => shows('v2'), { timeout: 2000, interval: 50 });

      const items = ok(await api(t, admin)('GET', '/api/hosting/deploys')).body.items as Array<{
        id: string;
        message: string;
      }>;
      const first = items.find((d) => d.message === 'first')!;
      const active = ok(await api(t, admin)('POST', `/api/hosting/deploys/${first.id}/activate`)).body;
      expect(active).toMatchObject({ id: first.id, active: true, status: 'ready' });
      await eventually(() => shows('v1'), { timeout: 2000, interval: 50 });
      expect((await raw(t.url, '/')).body.toString()).toContain('v1');
    });

    it('keeps the last N deploys as the setting says', async () => {
      ok(await api(t, admin)('PATCH', '/api/settings', { hosting: { keep: 1 } }));
      const items = ok(await api(t, admin)('GET', '/api/hosting/deploys')).body.items as Array<{
        id: string;
        active: boolean;
        status: string;
      }>;
      const other = items.find((d) => !d.active && d.status === 'ready')!;
      ok(await api(t, admin)('POST', `/api/hosting/deploys/${other.id}/activate`));
      const after = ok(await api(t, admin)('GET', '/api/hosting/deploys')).body.items as Array<{
        id: string;
        status: string;
      }>;
      expect(after.filter((d) => d.status === 'ready').map((d) => d.id)).toEqual([other.id]);
      await eventually(() => shows('v2'), { timeout: 2000, interval: 50 });
      expect((await raw(b.url, `/${JS}`)).body.toString()).toBe(script);
    });
  });
});
