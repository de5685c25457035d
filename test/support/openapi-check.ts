import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Ajv2020, ValidateFunction } from 'ajv/dist/2020.js';
import { createAjv } from '@plinth/core';
import { OpenApiService } from '../../apps/server/openapi/openapi.service.js';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- OpenAPI JSON

interface Checker {
  ajv: Ajv2020;
  routes: Array<{ path: string; re: RegExp; params: number }>;
  validators: Map<string, ValidateFunction>;
}
const checkers = new WeakMap<Doc, Checker>();

function checkerFor(doc: Doc): Checker {
  let c = checkers.get(doc);
  if (!c) {
    const ajv = createAjv('bodies');
    ajv.addSchema({ $id: 'openapi-components', $defs: doc.components?.schemas ?? {} });
    const routes = Object.keys(doc.paths).map((path) => ({
      path,
      re: new RegExp(
        '^' + path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+') + '$',
      ),
      params: (path.match(/\{/g) ?? []).length,
    }));
    routes.sort((a, b) => a.params - b.params);
    c = { ajv, routes, validators: new Map() };
    checkers.set(doc, c);
  }
  return c;
}

/** Rewrites local refs so they resolve against the components schema added to ajv. */
function rewriteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] =
      k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')
        ? `openapi-components#/$defs/${v.slice('#/components/schemas/'.length).replace(/~/g, '~0').replace(/\//g, '~1')}`
        : rewriteRefs(v);
  }
  return out;
}

function resolveResponse(doc: Doc, r: Doc | undefined): Doc | undefined {
  if (r?.$ref && typeof r.$ref === 'string') return doc.components.responses[r.$ref.split('/').pop()!];
  return r;
}

function validatorFor(c: Checker, key: string, schema: unknown): ValidateFunction {
  let validate = c.validators.get(key);
  if (!validate) {
    validate = c.ajv.compile(rewriteRefs(schema) as object);
    c.validators.set(key, validate);
  }
  return validate;
}

/**
 * Checks a JSON request body the server accepted against the operation's documented request body:
 * a client (the SDK) that sends what the document does not describe works only by accident.
 * Returns what is wrong, or null (also for routes the answer check already reports).
 */
export function checkRequestAgainstOpenApi(
  app: NestFastifyApplication,
  method: string,
  url: string,
  contentType: string | null,
  body: string,
): string | null {
  const doc = app.get(OpenApiService).document({ admin: true });
  const c = checkerFor(doc);
  const u = new URL(url, 'http://x');
  const route = c.routes.find((r) => r.re.test(u.pathname) && doc.paths[r.path][method.toLowerCase()]);
  if (!route) return null;
  const requestBody = doc.paths[route.path][method.toLowerCase()].requestBody;
  const media = (contentType ?? '').split(';')[0]!.trim();
  if (!requestBody) {
    return body
      ? `${method} ${route.path} takes no request body, and was sent one (${media || 'no type'})`
      : null;
  }
  if (!body) return requestBody.required ? `${method} ${route.path} needs a request body` : null;
  const content = requestBody.content?.[media];
  if (!content) {
    return `${method} ${route.path} was sent ${media}; the document names ${Object.keys(requestBody.content ?? {}).join(', ')}`;
  }
  if (!media.includes('json') || !content.schema) return null;
  const validate = validatorFor(c, `request ${method} ${route.path} ${media}`, content.schema);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return `${method} ${route.path} was sent a body that is not JSON`;
  }
  if (validate(parsed)) return null;
  return `${method} ${route.path} was sent a body the document does not describe: ${c.ajv.errorsText(validate.errors, { separator: '; ' })}\nbody: ${body.slice(0, 500)}`;
}

/**
 * Checks one answer against the server's own OpenAPI document (as an admin sees it): the route and
 * status must be documented, the media type must be one the operation names, and a JSON body must
 * match the schema. Returns what is wrong, or null.
 */
export function checkAgainstOpenApi(
  app: NestFastifyApplication,
  method: string,
  url: string,
  status: number,
  contentType: string | null,
  body: string,
): string | null {
  const doc = app.get(OpenApiService).document({ admin: true });
  const c = checkerFor(doc);
  const u = new URL(url, 'http://x');
  const route = c.routes.find((r) => r.re.test(u.pathname) && doc.paths[r.path][method.toLowerCase()]);
  if (!route) {
    // Unknown routes and methods answer a problem; nothing else may be undocumented.
    if ((status === 404 || status === 405) && contentType?.includes('application/problem+json')) return null;
    if (method.toUpperCase() === 'OPTIONS' || method.toUpperCase() === 'HEAD') return null;
    return `${method} ${u.pathname} is not in the OpenAPI document (answered ${status})`;
  }
  const op = doc.paths[route.path][method.toLowerCase()];
  const responses = op.responses ?? {};
  const documented = resolveResponse(
    doc,
    responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default,
  );
  if (!documented) {
    return `${method} ${route.path} answered ${status}, which the document does not list (${Object.keys(responses).join(', ')})`;
  }
  if (!documented.content || !body) return null;
  const media = (contentType ?? '').split(';')[0]!.trim();
  const content = documented.content[media];
  if (!content) {
    return `${method} ${route.path} answered ${status} as ${media}; the document names ${Object.keys(documented.content).join(', ')}`;
  }
  if (!media.includes('json') || !content.schema) return null;
  // With ?fields= only the asked fields are present: the shape is not the full record's.
  if (u.searchParams.has('fields')) return null;
  const validate = validatorFor(c, `${method} ${route.path} ${status} ${media}`, content.schema);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return `${method} ${route.path} answered ${status} with a body that is not JSON`;
  }
  if (validate(parsed)) return null;
  return `${method} ${route.path} answered ${status} with a body the document does not describe: ${c.ajv.errorsText(validate.errors, { separator: '; ' })}\nbody: ${body.slice(0, 500)}`;
}
