import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EchoModule } from './support/echo.module.js';
import { expectProblem } from './support/problem.js';
import { startIsolatedApp } from './support/start-app.js';

describe('HTTP layer: health, errors, request ids, metrics', () => {
  let t: Awaited<ReturnType<typeof startIsolatedApp>>;

  beforeAll(async () => {
    t = await startIsolatedApp({ env: { PLINTH_BODY_LIMIT: '2048' }, imports: [EchoModule] });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('answers health and readiness with both stores checked', async () => {
    const health = await t.fetch('/api/health');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await t.fetch('/api/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', checks: { postgres: 'ok', redis: 'ok' } });
  });

  it('answers an unknown route with 404 problem+json', async () => {
    const body = await expectProblem(await t.fetch('/api/nothing-here'), 404, 'ROUTE_NOT_FOUND');
    expect(body.detail).toMatch(/No route/);
  });

  it('answers malformed JSON with 400 MALFORMED_JSON', async () => {
    const res = await t.fetch('/api/_test/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"title": "unterminated',
    });
    await expectProblem(res, 400, 'MALFORMED_JSON');
  });

  it('refuses prototype poisoning in JSON', async () => {
    const res = await t.fetch('/api/_test/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"__proto__": {"admin": true}}',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });

  it('answers a wrong content type with 415', async () => {
    const res = await t.fetch('/api/_test/echo', {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: '<a/>',
    });
    const body = await expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(body.detail).toMatch(/application\/json/);
  });

  it('answers a body over the limit with 413', async () => {
    const res = await t.fetch('/api/_test/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'x'.repeat(4096) }),
    });
    await expectProblem(res, 413, 'BODY_TOO_LARGE');
  });

  it('still accepts a valid JSON body under the limit', async () => {
    const res = await t.fetch('/api/_test/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ a: 1 }),
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ received: { a: 1 } });
  });

  it('answers an unknown error with 500 INTERNAL carrying only the request id, no driver text or stack', async () => {
    const res = await t.fetch('/api/_test/boom', { method: 'POST' });
    const body = await expectProblem(res, 500, 'INTERNAL');
    const text = JSON.stringify(body);
    expect(text).not.toMatch(/secret_table|stack\.ts|relation/);
    expect(body.detail).toContain(String(body.requestId));
    expect(Object.keys(body).sort()).toEqual([
      'code',
      'data',
      'detail',
      'message',
      'requestId',
      'status',
      'title',
      'type',
    ]);
    expect(body).toMatchObject({ message: body.detail, data: {} });
  });

  it('echoes a safe x-request-id and replaces an unsafe one', async () => {
    const mine = await t.fetch('/api/nothing', { headers: { 'x-request-id': 'abc-123.DEF' } });
    expect(mine.headers.get('x-request-id')).toBe('abc-123.DEF');
    expect(((await mine.json()) as { requestId: string }).requestId).toBe('abc-123.DEF');

    const hostile = await t.fetch('/api/health', {
      headers: { 'x-request-id': 'a b<script>' + 'x'.repeat(200) },
    });
    const generated = hostile.headers.get('x-request-id')!;
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('lets a browser app on another origin use every method of the API (CORS preflight)', async () => {
    // A plain fetch: a preflight is the browser's question, not an API call the OpenAPI document lists.
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
      const res = await fetch(`${t.url}/api/collections/todos/records/some-id`, {
        method: 'OPTIONS',
        headers: {
          origin: 'http://localhost:5173',
          'access-control-request-method': method,
          'access-control-request-headers': 'authorization,content-type',
        },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      expect(res.headers.get('access-control-allow-methods')?.split(/,\s*/)).toContain(method);
      expect(res.headers.get('access-control-allow-headers')).toBe('authorization,content-type');
    }
  });

  it('exposes Prometheus metrics with request counts by route', async () => {
    await t.fetch('/api/health');
    const res = await t.fetch('/metrics');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(
      /plinth_http_requests_total\{method="GET",route="\/api\/health",status="200"\} [1-9]/,
    );
    expect(text).toContain('plinth_http_request_duration_seconds_bucket');
    // Node's standard process metrics keep prom-client's names, so stock dashboards and alerts work.
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(text).not.toContain('plinth_process_');
    expect(text).not.toContain('plinth_nodejs_');
  });
});

describe('HTTP layer: oversized requests', () => {
  let t: Awaited<ReturnType<typeof startIsolatedApp>>;
  beforeAll(async () => {
    t = await startIsolatedApp();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('answers a URL over 16 KiB with 431 problem+json', async () => {
    const res = await t.fetch(`/api/collections/users/records?filter=${'a'.repeat(100_000)}`);
    expect(res.status).toBe(431);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(((await res.json()) as { code: string }).code).toBe('HEADERS_TOO_LARGE');
  });

  it('routes a very long id to the records API, which answers 404 problem+json', async () => {
    const res = await t.fetch(`/api/collections/users/records/${'x'.repeat(500)}`);
    await expectProblem(res, 404, 'RECORD_NOT_FOUND');
  });
});
