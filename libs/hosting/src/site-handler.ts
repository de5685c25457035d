import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { makeProblem, sendProblem } from '@plinth/core';
import { isReservedPath } from './hosting-settings.js';
import {
  cacheControlOf,
  contentTypeOf,
  decodeRequestPath,
  extensionOf,
  isCompressible,
  isHtml,
} from './site-paths.js';
import { headersFor, redirectFor } from './site-rules.js';
import { CONFIG_FILES, type Site, type SiteFile } from './disk-site.js';
import type { SiteService } from './site.service.js';

const HIDDEN = new Set<string>(Object.values(CONFIG_FILES));

/** Sent with every answer of the site; the site's own headers (plinth.json, _headers) may override them. */
const DEFAULT_HEADERS: Array<[string, string]> = [
  ['x-content-type-options', 'nosniff'],
  ['referrer-policy', 'strict-origin-when-cross-origin'],
];

function problem(
  reply: FastifyReply,
  status: number,
  code: string,
  detail: string,
  headers: Record<string, string> = {},
) {
  sendProblem(reply, makeProblem(code, status, detail, reply.request.id), {
    'cache-control': 'no-store',
    ...headers,
  });
  return reply;
}

/** The answer of an unknown route, as before any site existed (the API's own 404). */
const noRoute = (reply: FastifyReply) =>
  problem(
    reply,
    404,
    'ROUTE_NOT_FOUND',
    'No route matches this method and path. The API lives under /api; see /docs.',
  );

function acceptsEncoding(header: string | undefined, encoding: string): boolean {
  if (!header) return false;
  return header.split(',').some((part) => {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (name !== encoding && name !== '*') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return !q || Number(q.slice(2)) > 0;
  });
}

/** One `bytes=a-b` range of a file of `size` bytes; 'invalid' when unsatisfiable, undefined for the whole file. */
function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'invalid' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return header.includes(',') ? undefined : 'invalid';
  const [, a, b] = m;
  if (a === '' && b === '') return 'invalid';
  let start: number;
  let end: number;
  if (a === '') {
    start = Math.max(size - Number(b), 0);
    end = size - 1;
  } else {
    start = Number(a);
    end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  }
  if (start > end || start >= size) return 'invalid';
  return { start, end };
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === bare);
}

/**
 * The body of a HEAD answer: an empty stream, so Fastify's HEAD handling keeps the Content-Length set
 * for the file (it would answer 0 for no body, or the length of a string).
 */
const headBody = () => Readable.from([]);

/** A Location header value: anything but visible ASCII percent-encoded (a `:splat` holds decoded text). */
const headerSafe = (url: string): string => url.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c));

/** The file a path names: itself, or the index.html of the folder it names. */
function resolveFile(site: Site, p: string): SiteFile | undefined {
  if (HIDDEN.has(p)) return undefined;
  if (p === '' || p.endsWith('/')) return site.lookup(p + 'index.html');
  return site.lookup(p) ?? (extensionOf(p) === '' ? site.lookup(p + '/index.html') : undefined);
}

interface Served {
  file: SiteFile;
  status: number;
}

/**
 * Registers the site at `/*`: Fastify matches every other route first, and the route never matches
 * paths under /api, /_, /docs and /metrics, so the site never shadows the API, the console, account
 * pages, the docs or metrics (their misses keep the API's problem+json 404).
 */
export function registerSite(fastify: FastifyInstance, service: SiteService): void {
  const serve = async (request: FastifyRequest, reply: FastifyReply) => {
    const q = request.url.indexOf('?');
    const rawPath = q < 0 ? request.url : request.url.slice(0, q);
    const query = q < 0 ? '' : request.url.slice(q);
    const site = service.site;
    if (!site) return noRoute(reply);
    const { prefix, spaFallback } = await service.hostingSettings();
    if (rawPath + '/' === prefix) return reply.redirect(prefix + query, 301);
    if (!rawPath.startsWith(prefix)) return noRoute(reply);
    const p = decodeRequestPath('/' + rawPath.slice(prefix.length));
    for (const [k, v] of DEFAULT_HEADERS) reply.header(k, v);
    if (p === undefined) {
      return problem(
        reply,
        400,
        'BAD_REQUEST',
        'This path cannot name a file of the site (bad encoding, an encoded "/", "..", or too long).',
      );
    }
    const rules = site.rules;
    if (rules.csp) reply.header('content-security-policy', rules.csp);
    const sitePath = '/' + p;
    let served: Served | undefined;
    const file = resolveFile(site, p);
    const rule = redirectFor(rules, sitePath, !!file);
    if (rule) {
      const { status } = rule.rule;
      if (status !== 200 && status !== 404) {
        const to = rule.to.includes('?') || !query ? rule.to : rule.to + query;
        const local = to.startsWith('/') && prefix !== '/' ? prefix.slice(0, -1) + to : to;
        return reply.header('cache-control', 'no-cache').redirect(headerSafe(local), status);
      }
      const target = decodeRequestPath(rule.to.split('?')[0]!);
      const rewritten = target === undefined ? undefined : resolveFile(site, target);
      if (rewritten) served = { file: rewritten, status };
    }
    if (!served && file) served = { file, status: 200 };
    if (!served && (rules.spaFallback ?? spaFallback) && extensionOf(p) === '') {
      const index = site.lookup('index.html');
      if (index) served = { file: index, status: 200 };
    }
    if (!served) {
      const notFound = site.lookup('404.html');
      if (!notFound) {
        return problem(reply, 404, 'PAGE_NOT_FOUND', `The site has no page at ${sitePath.slice(0, 200)}.`);
      }
      served = { file: notFound, status: 404 };
    }
    for (const [k, v] of headersFor(rules, sitePath)) reply.header(k, v);
    return send(request, reply, site, service, served);
  };

  // The site's route never matches reserved paths, so a miss there stays Fastify's unmatched request
  // (Nest's 404, logged and measured as before) instead of becoming a request of the site.
  fastify.addConstraintStrategy({
    name: 'plinthSite',
    storage() {
      const handlers = new Map<string, unknown>();
      return {
        get: (v: string) => handlers.get(v) ?? null,
        set: (v: string, h: unknown) => void handlers.set(v, h),
      };
    },
    deriveConstraint: (req: { url?: string }) => (isReservedPath(req.url ?? '/') ? 'reserved' : 'site'),
    mustMatchWhenDerived: false,
  } as never);
  fastify.get('/*', { constraints: { plinthSite: 'site' } }, serve);
}

async function send(
  request: FastifyRequest,
  reply: FastifyReply,
  site: Site,
  service: SiteService,
  served: Served,
) {
  let { file } = served;
  const range = served.status === 200 ? request.headers.range : undefined;
  // Precompressed variants (`app.js.br`, `app.js.gz`) when the client takes them and no range is asked.
  let encoding: string | undefined;
  const brotli = site.lookup(file.path + '.br');
  const gzip = site.lookup(file.path + '.gz');
  if (brotli || gzip) reply.header('vary', 'accept-encoding');
  if (!range) {
    const accept = request.headers['accept-encoding'];
    if (brotli && acceptsEncoding(accept, 'br')) [file, encoding] = [brotli, 'br'];
    else if (gzip && acceptsEncoding(accept, 'gzip')) [file, encoding] = [gzip, 'gzip'];
  }
  const path = served.file.path;
  // No variant shipped: compress text on the fly (once per blob, then from memory).
  let compressedBody: Buffer | undefined;
  if (!encoding && isCompressible(path) && file.sha256 && file.size >= 1024) {
    reply.header('vary', 'accept-encoding');
    const accept = request.headers['accept-encoding'];
    const chosen = range
      ? undefined
      : acceptsEncoding(accept, 'br')
        ? 'br'
        : acceptsEncoding(accept, 'gzip')
          ? 'gzip'
          : undefined;
    compressedBody = chosen ? await service.compressed(file, chosen) : undefined;
    if (compressedBody) {
      encoding = chosen;
      file = { ...file, size: compressedBody.length, etag: file.etag.replace(/"$/, `-${chosen}"`) };
    }
  }
  if (!reply.hasHeader('cache-control')) {
    reply.header('cache-control', served.status === 200 ? cacheControlOf(path) : 'no-cache');
  }
  reply.header('content-type', contentTypeOf(path));
  if (isHtml(path) && !reply.hasHeader('x-frame-options')) reply.header('x-frame-options', 'SAMEORIGIN');
  if (served.status !== 200) {
    const body = request.method === 'HEAD' ? headBody() : (compressedBody ?? (await service.open(file)));
    if (body === undefined) return problem(reply, 404, 'PAGE_NOT_FOUND', `The site has no page at /${path}.`);
    if (encoding) reply.header('content-encoding', encoding);
    return reply.status(served.status).header('content-length', file.size).send(body);
  }
  reply.header('etag', file.etag).header('accept-ranges', 'bytes');
  if (etagMatches(request.headers['if-none-match'], file.etag)) return reply.status(304).send();
  const ifRange = request.headers['if-range'];
  const wanted = ifRange && ifRange !== file.etag ? undefined : parseRange(range, file.size);
  if (wanted === 'invalid') {
    return problem(
      reply,
      416,
      'RANGE_NOT_SATISFIABLE',
      `The file has ${file.size} bytes; ask for a range inside them.`,
      {
        'content-range': `bytes */${file.size}`,
      },
    );
  }
  if (encoding) reply.header('content-encoding', encoding);
  if (request.method === 'HEAD') return reply.header('content-length', file.size).send(headBody());
  const body = compressedBody ?? (await service.open(file, wanted));
  if (!body) return problem(reply, 404, 'PAGE_NOT_FOUND', `The site has no page at /${path}.`);
  if (wanted) {
    reply.status(206).header('content-range', `bytes ${wanted.start}-${wanted.end}/${file.size}`);
  }
  return reply.header('content-length', wanted ? wanted.end - wanted.start + 1 : file.size).send(body);
}
