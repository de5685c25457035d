import { describe, expect, it } from '@jest/globals';
import { cacheControlOf, decodeRequestPath, isHashedName, manifestPathProblem } from './site-paths.js';
import {
  combineRules,
  headersFor,
  parseHeadersFile,
  parseRedirectsFile,
  redirectFor,
  SiteConfigError,
} from './site-rules.js';

describe('site paths', () => {
  it('accepts relative manifest paths and refuses ones that could leave the deploy', () => {
    for (const ok of ['index.html', 'assets/app-1.js', 'a b/ü.txt', '.well-known/x'])
      expect(manifestPathProblem(ok)).toBeUndefined();
    for (const bad of [
      '',
      '../x',
      'a/../b',
      '/abs',
      'a\\b',
      'a\u0000b',
      'C:/x',
      'a//b',
      'a/',
      './a',
      'x'.repeat(256),
      'a/'.repeat(600) + 'b',
    ]) {
      expect({ bad, problem: typeof manifestPathProblem(bad) }).toEqual({ bad, problem: 'string' });
    }
  });

  it('decodes request paths and refuses encoded separators, dot segments and bad encoding', () => {
    expect(decodeRequestPath('/')).toBe('');
    expect(decodeRequestPath('/a%20b/c.js')).toBe('a b/c.js');
    expect(decodeRequestPath('/dir/')).toBe('dir/');
    for (const bad of [
      '/../x',
      '/%2e%2e/x',
      '/a%2fb',
      '/a%5cb',
      '/a%00',
      '/%zz',
      '/a//b',
      '/' + 'a'.repeat(4000),
    ]) {
      expect({ bad, path: decodeRequestPath(bad) }).toEqual({ bad, path: undefined });
    }
  });

  it('caches hashed names for a year and revalidates the rest', () => {
    for (const hashed of [
      'assets/index-BXk2f9aQ.js',
      'main.3f2a9c1b.css',
      'chunk-5d41402a.js',
      'logo.9c1b3f2a.png',
    ]) {
      expect({ hashed, yes: isHashedName(hashed) }).toEqual({ hashed, yes: true });
    }
    for (const plain of ['index.html', 'app.js', 'index-component.js', 'robots.txt', 'page-3f2a9c1b.html']) {
      expect({ plain, yes: isHashedName(plain) }).toEqual({ plain, yes: false });
    }
    expect(cacheControlOf('index.html')).toBe('no-cache');
  });
});

describe('site rules', () => {
  it('reads Netlify _redirects with splats, placeholders, statuses and force', () => {
    const rules = {
      headers: [],
      redirects: parseRedirectsFile(
        '# c\n/old /new\n/blog/:slug /posts/:slug 302\n/app/* /index.html 200\n/x /y 301!\n',
      ),
    };
    expect(redirectFor(rules, '/old', false)).toMatchObject({ to: '/new', rule: { status: 301 } });
    expect(redirectFor(rules, '/blog/hello', false)).toMatchObject({
      to: '/posts/hello',
      rule: { status: 302 },
    });
    expect(redirectFor(rules, '/app/a/b', false)).toMatchObject({ to: '/index.html', rule: { status: 200 } });
    expect(redirectFor(rules, '/old', true)).toBeUndefined();
    expect(redirectFor(rules, '/x', true)).toMatchObject({ to: '/y' });
    expect(() => parseRedirectsFile('/a /b 299')).toThrow(SiteConfigError);
    expect(() => parseRedirectsFile('/a https://evil.example 200')).toThrow(/cannot point elsewhere/);
  });

  it('reads _headers and plinth.json, refusing headers the server owns', () => {
    const headers = parseHeadersFile('/assets/*\n  X-A: 1\n  Cache-Control: no-store\n');
    expect(headersFor({ headers, redirects: [] }, '/assets/a.js')).toEqual([
      ['x-a', '1'],
      ['cache-control', 'no-store'],
    ]);
    expect(headersFor({ headers, redirects: [] }, '/index.html')).toEqual([]);
    expect(() => parseHeadersFile('/a\n  Content-Length: 1\n')).toThrow(/sets Content-Length itself/);
    expect(() => parseHeadersFile('/a\n  X-A: a\u0000b\n')).toThrow(SiteConfigError);
    const rules = combineRules({
      plinthJson: JSON.stringify({
        spaFallback: false,
        contentSecurityPolicy: "default-src 'self'",
        rewrites: [{ source: '/app/*', destination: '/app.html' }],
      }),
    });
    expect(rules).toMatchObject({ spaFallback: false, csp: "default-src 'self'" });
    expect(redirectFor(rules, '/app/x', false)).toMatchObject({ to: '/app.html', rule: { status: 200 } });
    expect(() => combineRules({ plinthJson: '{"headerz": []}' })).toThrow(/unknown key "headerz"/);
    expect(() => combineRules({ plinthJson: '{' })).toThrow(/not valid JSON/);
  });
});

describe('PLINTH_PUBLIC_DIR (DiskSite)', () => {
  it('serves files inside the folder only, symlinks included, and re-reads its rules', async () => {
    const { mkdtemp, mkdir, writeFile, symlink, realpath } = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const { Logger } = await import('@nestjs/common');
    const { DiskSite } = await import('./disk-site.js');
    const work = await realpath(await mkdtemp(path.join(os.tmpdir(), 'plinth-public-')));
    const root = path.join(work, 'public');
    await mkdir(path.join(root, 'sub'), { recursive: true });
    await writeFile(path.join(root, 'index.html'), 'hi');
    await writeFile(path.join(root, 'sub', 'a.js'), 'a');
    await writeFile(path.join(work, 'secret.txt'), 'secret');
    await symlink(path.join(work, 'secret.txt'), path.join(root, 'out.txt'));
    await symlink(path.join(root, 'sub', 'a.js'), path.join(root, 'in.js'));
    const site = new DiskSite(root, new Logger('test'));
    expect(site.lookup('index.html')).toMatchObject({ size: 2, disk: path.join(root, 'index.html') });
    expect(site.lookup('sub/a.js')?.etag).toMatch(/^W\/"/);
    expect(site.lookup('in.js')).toMatchObject({ size: 1 });
    expect(site.lookup('out.txt')).toBeUndefined();
    expect(site.lookup('../secret.txt')).toBeUndefined();
    expect(site.lookup('sub')).toBeUndefined();
    expect(site.rules.redirects).toEqual([]);
    await writeFile(path.join(root, '_redirects'), '/old /index.html 302\n');
    expect(redirectFor(site.rules, '/old', false)).toMatchObject({ to: '/index.html' });
  });
});
