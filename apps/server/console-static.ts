import { createReadStream, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { makeProblem, sendProblem } from '@plinth/core';

/**
 * The admin console (apps/console, built by scripts/build-console.mjs into apps/console/dist) served at
 * /_/. Hashed files under assets/ are cached for a year; index.html is revalidated every time, so a new
 * build reaches browsers at once. Unknown paths that are not assets get index.html (SPA fallback).
 */

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/** No inline script or style, nothing from elsewhere; images may be blobs (file previews) and data URLs. */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  // The setup link carries its token in the URL fragment; never leak the page URL to other sites.
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

/**
 * Where the built console is: apps/console/dist from the sources (tests, ts-jest) and from dist/apps/server
 * (`npm start`), or below the working directory.
 */
export function findConsoleDir(): string | undefined {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [
    path.resolve(here, '../console/dist'), // apps/server → apps/console/dist
    path.resolve(here, '../../../apps/console/dist'), // dist/apps/server → apps/console/dist
    path.resolve(process.cwd(), 'apps/console/dist'),
  ];
  return candidates.find((dir) => existsSync(path.join(dir, 'index.html')));
}

function problem(reply: FastifyReply, status: number, code: string, detail: string) {
  sendProblem(reply, makeProblem(code, status, detail, reply.request.id), { 'cache-control': 'no-store' });
  return reply;
}

/** Registers GET/HEAD /_ and /_/* on the Fastify instance. */
export function registerConsole(fastify: FastifyInstance, dir?: string): void {
  // Looked up again while missing, so a console built after boot is served without a restart.
  let root = dir ? path.resolve(dir) : findConsoleDir();

  fastify.get('/_', (_req, reply) => reply.redirect('/_/', 301));

  const serve = async (request: FastifyRequest<{ Params: { '*': string } }>, reply: FastifyReply) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) reply.header(k, v);
    root ??= findConsoleDir();
    if (!root || !existsSync(path.join(root, 'index.html'))) {
      return problem(
        reply,
        503,
        'CONSOLE_NOT_BUILT',
        'The admin console has not been built. Run `node scripts/build-console.mjs` (or `npm run build`) and reload.',
      );
    }
    // Fastify has decoded the path already; a resolved path must stay inside the console folder.
    const wanted = (request.params['*'] ?? '').replace(/\\/g, '/');
    const file = path.resolve(root, '.' + path.posix.normalize('/' + wanted));
    const inside = file === root || file.startsWith(root + path.sep);
    const stat = inside && wanted !== '' ? statSafe(file) : undefined;
    if (stat?.isFile()) {
      const ext = path.extname(file);
      const hashed = wanted.startsWith('assets/');
      reply
        .header('content-type', TYPES[ext] ?? 'application/octet-stream')
        .header('content-length', stat.size)
        .header(
          'cache-control',
          hashed ? 'public, max-age=31536000, immutable' : 'no-cache, no-store, must-revalidate',
        );
      return reply.send(createReadStream(file));
    }
    if (wanted.startsWith('assets/') || path.extname(wanted) !== '') {
      return problem(
        reply,
        404,
        'ROUTE_NOT_FOUND',
        `There is no console file "${wanted}". Reload the console: it may have been rebuilt.`,
      );
    }
    // SPA fallback: every other path is a console page.
    return reply
      .header('content-type', TYPES['.html'])
      .header('cache-control', 'no-cache, no-store, must-revalidate')
      .send(createReadStream(path.join(root, 'index.html')));
  };

  fastify.get('/_/*', serve);
}

function statSafe(file: string) {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}
