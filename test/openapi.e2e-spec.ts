import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@plinth/testing';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { parse as parseYaml } from 'yaml';
import { adminToken, api } from './support/auth.js';
import { startApp, startIsolatedApp, type TestApp } from './support/start-app.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- OpenAPI JSON
type Doc = Record<string, any>;

function operations(doc: Doc): Array<{ path: string; method: string; op: Doc }> {
  return Object.entries(doc.paths as Record<string, Doc>).flatMap(([p, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ path: p, method: m, op: item[m] })),
  );
}

describe('OpenAPI documents', () => {
  let t: Awaited<ReturnType<typeof startIsolatedApp>>;
  let admin: ReturnType<typeof api>;
  let anon: ReturnType<typeof api>;

  beforeAll(async () => {
    t = await startIsolatedApp();
    admin = api(t, await adminToken(t));
    anon = api(t);
    const posts = await admin('POST', '/api/collections', {
      name: 'posts',
      fields: [
        { name: 'title', type: 'text', required: true },
        { name: 'status', type: 'select', values: ['draft', 'live'] },
        { name: 'secret_note', type: 'text', hidden: true },
        { name: 'author', type: 'relation', collection: 'users' },
      ],
      listRule: "status = 'live'",
      viewRule: '',
      createRule: null,
      updateRule: null,
      deleteRule: null,
    });
    expect(posts.status).toBe(200);
    expect(
      (await admin('POST', '/api/collections', { name: 'vault', fields: [{ name: 'x', type: 'text' }] }))
        .status,
    ).toBe(200);
  });
  afterAll(async () => t?.stop());

  it('serves a valid 3.1 document and a valid 3.0.3 document, for admins and for anyone', async () => {
    for (const who of [admin, anon]) {
      for (const [p, version] of [
        ['/api/openapi.json', '3.1.0'],
        ['/api/openapi-3.0.json', '3.0.3'],
      ] as const) {
        const res = await who('GET', p);
        expect(res.status).toBe(200);
        expect(res.body.openapi).toBe(version);
        const result = await new Validator().validate(res.body);
        expect({ p, ...result }).toEqual({ p, valid: true });
      }
    }
  });

  it('serves the same document in YAML at /api/openapi.yaml, for admins and for anyone', async () => {
    for (const token of [await adminToken(t), undefined]) {
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      const json = await (await t.fetch('/api/openapi.json', { headers })).json();
      const res = await t.fetch('/api/openapi.yaml', { headers });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/yaml; charset=utf-8');
      expect(parseYaml(await res.text())).toEqual(json);
    }
  });

  it('describes every static route: unique operation ids, bodies, answers and problems', async () => {
    const doc = (await admin('GET', '/api/openapi.json')).body as Doc;
    const ops = operations(doc);
    expect(ops.length).toBeGreaterThan(40);
    const ids = ops.map((o) => o.op.operationId);
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z0-9]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path: p, method, op } of ops) {
      const where = `${method.toUpperCase()} ${p}`;
      const success = Object.keys(op.responses).filter((s) => /^[23]\d\d$/.test(s));
      expect({ where, success: success.length > 0 }).toEqual({ where, success: true });
      expect({ where, problems: op.responses['4XX'] }).toEqual({
        where,
        problems: { $ref: '#/components/responses/Problem' },
      });
      for (const s of success.filter((s) => s !== '204' && s[0] !== '3')) {
        const content = op.responses[s].content ?? {};
        expect({ where, s, schema: Object.values(content).some((c) => (c as Doc).schema) }).toEqual({
          where,
          s,
          schema: true,
        });
      }
      expect(Array.isArray(op.security)).toBe(true);
    }
    // Admin routes say so; the generic records routes are replaced by one set per collection.
    expect(doc.paths['/api/keys'].get.security).toEqual([{ adminToken: [] }, { apiKey: [] }]);
    expect(doc.paths['/api/collections/{collection}/records']).toBeUndefined();
    expect(
      doc.paths['/api/admins/auth-with-password'].post.requestBody.content['application/json'].schema
        .required,
    ).toEqual(['identity', 'password']);
  });

  it('gives each collection its record schemas and paths; anyone sees only what the rules expose', async () => {
    const full = (await admin('GET', '/api/openapi.json')).body as Doc;
    const record = full.components.schemas['posts.record'];
    expect(record.properties.secret_note).toBeDefined();
    expect(record.properties.status['x-plinth-type']).toBe('select');
    expect(record.properties.author['x-plinth-collection']).toBe('users');
    expect(full.components.schemas['posts.create'].required).toEqual(['title']);
    expect(Object.keys(full.paths['/api/collections/posts/records']).sort()).toEqual(['get', 'post']);
    expect(full.paths['/api/collections/posts/records'].get.operationId).toBe('listPostsRecords');
    expect(full.paths['/api/collections/vault/records']).toBeDefined();
    const listParams = full.paths['/api/collections/posts/records'].get.parameters.map((p: Doc) => p.name);
    expect(listParams.sort()).toEqual(['expand', 'fields', 'filter', 'page', 'perPage', 'skipTotal', 'sort']);

    const pub = (await anon('GET', '/api/openapi.json')).body as Doc;
    expect(Object.keys(pub.paths['/api/collections/posts/records'])).toEqual(['get']);
    expect(Object.keys(pub.paths['/api/collections/posts/records/{id}'])).toEqual(['get']);
    expect(pub.components.schemas['posts.record'].properties.secret_note).toBeUndefined();
    expect(pub.paths['/api/collections/vault/records']).toBeUndefined();
    expect(pub.components.schemas['vault.record']).toBeUndefined();
  });

  it('changes as soon as a collection changes, on every replica', async () => {
    const b: TestApp = await startApp({ databaseUrl: t.db.url, redisPrefix: t.redisPrefix });
    try {
      const before = await b.fetch('/api/openapi.json').then((r) => r.json() as Promise<Doc>);
      expect(before.paths['/api/collections/vault/records']).toBeUndefined();
      expect((await admin('PATCH', '/api/collections/vault', { listRule: '' })).status).toBe(200);
      const after = await eventually(async () => {
        const doc = await b.fetch('/api/openapi.json').then((r) => r.json() as Promise<Doc>);
        return doc.paths['/api/collections/vault/records'] ? doc : null;
      });
      expect(Object.keys(after!.paths['/api/collections/vault/records'])).toEqual(['get']);
    } finally {
      await b.close();
    }
  });

  it('is deterministic, and sdk/openapi.json is the static document of this code (run npm run openapi)', async () => {
    const a = await t.fetch('/api/openapi.json?collections=none').then((r) => r.text());
    const b = await t.fetch('/api/openapi.json?collections=none').then((r) => r.text());
    expect(a).toBe(b);
    const doc = JSON.parse(a) as Doc;
    expect(Object.keys(doc.components.schemas).filter((k) => k.includes('.'))).toEqual([]);
    const committed = JSON.parse(readFileSync(path.resolve('sdk/openapi.json'), 'utf8')) as Doc;
    if (JSON.stringify(committed) !== JSON.stringify(doc)) {
      throw new Error('sdk/openapi.json is out of date: run `npm run openapi` and commit the result.');
    }
  });

  it('serves Swagger UI at /docs on the live document', async () => {
    const page = await fetch(`${t.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('swagger-ui');
    const init = await fetch(`${t.url}/docs/swagger-ui-init.js`).then((r) => r.text());
    expect(init).toContain('/api/openapi.json');
  });
});
