import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { adminToken, api, type ApiAnswer } from './support/auth.js';
import { createCollection, createKey, createUser } from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

const CHECK = '/api/collections/-/check-rule';

function problem(res: ApiAnswer, status: number, code: string) {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  return res.body;
}

/** The console's live rule check: a rule judged as the collection save would, with the error position. */
describe('POST /api/collections/-/check-rule', () => {
  let t: App;
  let admin: string;

  beforeAll(async () => {
    t = await startIsolatedApp();
    admin = await adminToken(t);
    await createCollection(t, admin, {
      name: 'posts',
      type: 'base',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'author', type: 'relation', collection: 'users', maxSelect: 1 },
      ],
    });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('answers 401 without credentials and 403 to an app user or a key without the admin scope', async () => {
    const body = { collection: 'posts', rule: "title != ''" };
    problem(await api(t)('POST', CHECK, body), 401, 'UNAUTHORIZED');
    const user = await createUser(t, 'Ann');
    expect((await api(t, user.token)('POST', CHECK, body)).status).toBe(403);
    const key = await createKey(t, admin, ['posts:read']);
    expect((await api(t, key)('POST', CHECK, body)).status).toBe(403);
  });

  it('refuses a malformed body with 400 naming the field, and an unknown collection with 404', async () => {
    const call = api(t, admin);
    const missing = problem(await call('POST', CHECK, { collection: 'posts' }), 400, 'VALIDATION_FAILED');
    expect(JSON.stringify(missing.errors)).toMatch(/rule/);
    problem(await call('POST', CHECK, { collection: 'posts', rule: 5 }), 400, 'VALIDATION_FAILED');
    problem(
      await call('POST', CHECK, { collection: 'posts', rule: 'id != ""', operation: 'read' }),
      400,
      'VALIDATION_FAILED',
    );
    problem(
      await call('POST', CHECK, { collection: 'nosuch', rule: "id != ''" }),
      404,
      'COLLECTION_NOT_FOUND',
    );
  });

  it('accepts a valid rule over fields, relations and @request.auth', async () => {
    const res = await api(t, admin)('POST', CHECK, {
      collection: 'posts',
      rule: "author = @request.auth.id && author.email != '' && title:lower ~ 'x'",
      operation: 'list',
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, warnings: [] });
  });

  it('answers the problem of a broken rule with its position', async () => {
    const rule = "title != '' && nosuch > 1";
    const res = await api(t, admin)('POST', CHECK, { collection: 'posts', rule });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      ok: false,
      code: 'FILTER_UNKNOWN_FIELD',
      position: rule.indexOf('nosuch'),
      field: 'nosuch',
    });
    expect(res.body.message).toMatch(/nosuch/);

    const syntax = await api(t, admin)('POST', CHECK, { collection: 'posts', rule: "title = 'open" });
    expect(syntax.body).toMatchObject({ ok: false, code: 'FILTER_SYNTAX', position: 8 });
  });

  it('checks against the editor draft, so a renamed field is known before saving', async () => {
    const draft = {
      name: 'posts',
      type: 'base',
      fields: [
        { name: 'headline', type: 'text' },
        { name: 'author', type: 'relation', collection: 'users', maxSelect: 1 },
        { name: '', type: 'text' },
      ],
    };
    const call = api(t, admin);
    expect((await call('POST', CHECK, { collection: draft, rule: "headline != ''" })).body.ok).toBe(true);
    expect((await call('POST', CHECK, { collection: draft, rule: "title != ''" })).body).toMatchObject({
      ok: false,
      field: 'title',
      position: 0,
    });
  });

  it('warns that @request.body is empty in a list rule', async () => {
    const res = await api(t, admin)('POST', CHECK, {
      collection: 'posts',
      rule: "@request.body.title != ''",
      operation: 'list',
    });
    expect(res.body.ok).toBe(true);
    expect(res.body.warnings[0]).toMatch(/empty in a list rule/);
  });
});
