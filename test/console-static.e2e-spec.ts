import { readdirSync } from 'node:fs';
import path from 'node:path';
import { buildConsoleIfStale } from './support/browser.js';
import { startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

describe('console static files at /_/', () => {
  let t: App;
  let script: string;

  beforeAll(async () => {
    buildConsoleIfStale();
    script = readdirSync(path.resolve('apps/console/dist/assets')).find((f) => f.endsWith('.js'))!;
    t = await startIsolatedApp();
  }, 120_000);
  afterAll(() => t?.stop());
  // Plain fetch: the console is not part of the API, so t.fetch's OpenAPI check does not apply.
  const get = (path: string, init?: RequestInit) => fetch(t.url + path, init);

  it('redirects /_ to /_/', async () => {
    const res = await get('/_', { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/_/');
  });

  it('serves index.html uncached with a CSP and security headers', async () => {
    const res = await get('/_/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache, no-store, must-revalidate');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await res.text();
    expect(html).toContain(`/_/assets/${script}`);
    // No inline script: the CSP would block it.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it('caches hashed assets for a year', async () => {
    const res = await get(`/_/assets/${script}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await res.text()).length).toBeGreaterThan(1000);
  });

  it('answers console pages with index.html (SPA fallback)', async () => {
    const res = await get('/_/collections/posts');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<div id="root">');
  });

  it('answers a missing asset with a 404 problem, not the page', async () => {
    const res = await get('/_/assets/nope-123.js');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await res.json()) as { detail: string }).detail).toContain('nope-123.js');
  });

  it('does not serve files outside the console folder', async () => {
    for (const p of ['/_/../../package.json', '/_/%2e%2e/%2e%2e/package.json', '/_/..%2f..%2fpackage.json']) {
      const res = await get(p);
      const text = await res.text();
      expect(text).not.toContain('"devDependencies"');
    }
  });
});
