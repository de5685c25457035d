import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PrincipalResolver } from '@plinth/auth';
import { parseCsv, RecordExporter } from '@plinth/collections';
import { eventually } from '@plinth/testing';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { createClient, PlinthError } from '../sdk/src/index.js';
import { adminToken, api } from './support/auth.js';
import { expectProblem } from './support/problem.js';
import { createCollection, createRecord, createUser, ok, type TestUser } from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';

type Rec = Record<string, unknown>;
const TODAY = () => new Date().toISOString().slice(0, 10);

/** What a CSV cell holds for a record value (the export's documented encoding). */
function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

describe('records export: CSV, JSON and NDJSON with the list rule, filter, sort and fields', () => {
  let t: Awaited<ReturnType<typeof startIsolatedApp>>;
  let admin: string;
  let ann: TestUser;
  let bob: TestUser;
  let pool: Pool;

  /** NDJSON is no JSON document for t.fetch's OpenAPI check of the body: fetched plainly. */
  const download = (token: string | undefined, collection: string, query: string, init: RequestInit = {}) => {
    const path = `/api/collections/${collection}/records/export?${query}`;
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    if (query.includes('format=ndjson')) return fetch(`${t.url}${path}`, { ...init, headers });
    return t.fetch(path, { ...init, headers });
  };
  const list = async (token: string, collection: string, query: string): Promise<Rec[]> =>
    ok(await api(t, token)('GET', `/api/collections/${collection}/records?perPage=500&${query}`)).body.items;

  beforeAll(async () => {
    t = await startIsolatedApp();
    admin = await adminToken(t);
    pool = (t.app.get(DataSource).driver as unknown as { master: Pool }).master;
    [ann, bob] = [await createUser(t, 'Ann'), await createUser(t, 'Bob')];
    await createCollection(t, admin, {
      name: 'tags',
      fields: [{ name: 'label', type: 'text' }],
      listRule: '',
      viewRule: '',
    });
    await createCollection(t, admin, {
      name: 'things',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'n', type: 'number' },
        { name: 'done', type: 'bool' },
        { name: 'mail', type: 'email' },
        { name: 'site', type: 'url' },
        { name: 'due', type: 'date' },
        { name: 'kinds', type: 'select', values: ['a', 'b', 'c'], maxSelect: 3 },
        { name: 'meta', type: 'json' },
        { name: 'tag', type: 'relation', collection: 'tags', maxSelect: 1 },
        { name: 'owner', type: 'relation', collection: 'users', maxSelect: 1 },
        { name: 'secret', type: 'text', hidden: true },
      ],
      listRule: 'owner = @request.auth.id',
      viewRule: 'owner = @request.auth.id',
    });
    const tag = await createRecord(t, admin, 'tags', { label: 'red' });
    const rows: Rec[] = [
      {
        title: 'plain',
        n: 1,
        done: true,
        mail: 'a@example.com',
        site: 'https://example.com/a',
        due: '2026-01-02 03:04:05.678Z',
        kinds: ['a', 'b'],
        meta: { x: [1, 'two'] },
        tag: tag.id,
        owner: ann.id,
        secret: 's1',
      },
      {
        title: 'comma, "quote"\nnewline',
        n: -2.5,
        done: false,
        kinds: [],
        meta: null,
        owner: ann.id,
        secret: '',
      },
      { title: '=HYPERLINK("http://evil")', n: 3, owner: ann.id },
      { title: '+1', n: 4, owner: bob.id, secret: 'bob' },
      { title: '@SUM(A1)', n: 5, owner: bob.id },
      { title: '-x', n: 6, owner: ann.id, kinds: ['c'] },
    ];
    for (const r of rows) await createRecord(t, admin, 'things', r);
    await createCollection(t, admin, { name: 'bulk', fields: [{ name: 'n', type: 'number' }], listRule: '' });
    await pool.query(
      `INSERT INTO "data"."bulk" (id, n) SELECT gen_random_uuid(), g FROM generate_series(1, 5000) AS g`,
    );
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('exports JSON as the list gives the records, as an attachment named after the collection', async () => {
    const res = await download(admin, 'things', 'format=json&sort=n');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="things-${TODAY()}.json"`);
    const items = (await res.json()) as Rec[];
    expect(items).toEqual(await list(admin, 'things', 'sort=n'));
    expect(items).toHaveLength(6);
    expect(items.find((r) => r.n === 1)).toMatchObject({
      due: '2026-01-02T03:04:05.678Z',
      secret: 's1',
      kinds: ['a', 'b'],
    });
  });

  it('exports NDJSON, one record per line', async () => {
    const res = await download(admin, 'things', 'format=ndjson&sort=-n');
    expect(res.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    expect(res.headers.get('content-disposition')).toContain(`things-${TODAY()}.ndjson`);
    const text = await res.text();
    expect(text.endsWith('\n')).toBe(true);
    const items = text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Rec);
    expect(items).toEqual(await list(admin, 'things', 'sort=-n'));
  });

  it('exports CSV (the default): a header of the fields, lists as JSON, formulas escaped', async () => {
    const res = await download(admin, 'things', 'sort=n');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="things-${TODAY()}.csv"`);
    const [header, ...rows] = parseCsv(await res.text());
    const columns = [
      'id',
      'created',
      'updated',
      'title',
      'n',
      'done',
      'mail',
      'site',
      'due',
      'kinds',
      'meta',
      'tag',
      'owner',
      'secret',
    ];
    expect(header).toEqual(columns);
    const items = await list(admin, 'things', 'sort=n');
    expect(rows).toEqual(items.map((r) => columns.map((c) => cell(r[c]))));
    expect(rows.find((r) => r[4] === '3')![3]).toBe(`'=HYPERLINK("http://evil")`);
    expect(rows.find((r) => r[4] === '4')![3]).toBe(`'+1`);
    expect(rows.find((r) => r[4] === '5')![3]).toBe(`'@SUM(A1)`);
    expect(rows.find((r) => r[4] === '6')![3]).toBe(`'-x`);
    expect(rows.find((r) => r[4] === '-2.5')![3]).toBe('comma, "quote"\nnewline');
    expect(rows.find((r) => r[4] === '1')!.slice(9, 11)).toEqual(['["a","b"]', '{"x":[1,"two"]}']);
  });

  it('applies the list rule and hides hidden fields from users', async () => {
    const json = (await (await download(ann.token, 'things', 'format=json&sort=n')).json()) as Rec[];
    expect(json.map((r) => r.n)).toEqual([-2.5, 1, 3, 6]);
    for (const r of json) expect(r).not.toHaveProperty('secret');
    const [header, ...rows] = parseCsv(await (await download(bob.token, 'things', 'sort=n')).text());
    expect(header).not.toContain('secret');
    expect(rows.map((r) => r[header!.indexOf('n')])).toEqual(['4', '5']);
    expect(await (await download(undefined, 'things', 'format=json')).json()).toEqual([]);
  });

  it('respects filter, sort, fields and expand', async () => {
    const res = await download(admin, 'things', 'filter=n>2&sort=-n&fields=n,title');
    expect(parseCsv(await res.text())).toEqual([
      ['n', 'title'],
      ['6', "'-x"],
      ['5', "'@SUM(A1)"],
      ['4', "'+1"],
      ['3', `'=HYPERLINK("http://evil")`],
    ]);
    const json = (await (
      await download(admin, 'things', 'format=json&filter=n=1&fields=id,tag,expand&expand=tag')
    ).json()) as Rec[];
    expect(json).toEqual(await list(admin, 'things', 'filter=n=1&fields=id,tag,expand&expand=tag'));
    expect(json[0]).toMatchObject({ expand: { tag: { label: 'red' } } });
  });

  it('answers 400 for an unknown format, a bad filter or sort, before streaming', async () => {
    const pdf = await expectProblem(await download(admin, 'things', 'format=pdf'), 400, 'INVALID_QUERY');
    expect(pdf.detail).toMatch(/csv, json, ndjson, xlsx/);
    const bad = await download(admin, 'things', `filter=${encodeURIComponent('nope = 1')}`);
    expect(((await bad.json()) as { errors: Rec[] }).errors[0]).toMatchObject({ path: 'filter' });
    expect(bad.status).toBe(400);
    const sort = await download(admin, 'things', 'sort=nope');
    expect(((await sort.json()) as { errors: Rec[] }).errors[0]).toMatchObject({ path: 'sort' });
    expect(sort.status).toBe(400);
    expect((await download(admin, 'missing', 'format=json')).status).toBe(404);
  });

  it('streams 5,000 rows in order in every format', async () => {
    const ndjson = (await (await download(admin, 'bulk', 'format=ndjson&sort=n')).text())
      .trimEnd()
      .split('\n');
    expect(ndjson.map((l) => (JSON.parse(l) as Rec).n)).toEqual(
      Array.from({ length: 5000 }, (_, i) => i + 1),
    );
    const json = (await (await download(admin, 'bulk', 'format=json&sort=-n&fields=n')).json()) as Rec[];
    expect(json.map((r) => r.n)).toEqual(Array.from({ length: 5000 }, (_, i) => 5000 - i));
    const csv = parseCsv(await (await download(admin, 'bulk', 'sort=n&fields=n')).text());
    expect(csv).toEqual([['n'], ...Array.from({ length: 5000 }, (_, i) => [String(i + 1)])]);
  });

  it('gives the connection back when the client goes away mid-export', async () => {
    const gone = new AbortController();
    const res = await download(admin, 'bulk', 'format=ndjson', { signal: gone.signal });
    await res.body!.getReader().read();
    gone.abort();
    await eventually(async () => {
      const { rows } = await pool.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE state <> 'idle' AND query LIKE '%record_export%' AND pid <> pg_backend_pid()`,
      );
      return rows[0].n === 0;
    });
  });

  it('exports through the SDK as a Response, and rejects a bad filter with a PlinthError', async () => {
    const client = createClient({ url: t.url });
    client.authStore.save(ann.token, { id: ann.id, collectionName: 'users' });
    const res = await client.collection('things').export({ format: 'json', sort: 'n', fields: 'n' });
    expect(res.headers.get('content-disposition')).toContain(`things-${TODAY()}.json`);
    expect(await res.json()).toEqual([{ n: -2.5 }, { n: 1 }, { n: 3 }, { n: 6 }]);
    const csv = await client.collection('things').export({ filter: 'n = 6', fields: 'title' });
    expect(parseCsv(await (await csv.blob()).text())).toEqual([['title'], ["'-x"]]);
    await expect(client.collection('things').export({ filter: 'nope = 1' })).rejects.toMatchObject({
      status: 400,
      constructor: PlinthError,
    });
  });

  it('runs at most a quarter of the request pool as exports at once, and frees a slot when one is dropped', async () => {
    const exporter = t.app.get(RecordExporter);
    const principal = await t.app.get(PrincipalResolver).resolve(`Bearer ${admin}`);
    const max = Math.floor(t.config.database.poolSize / 4);
    const open = await Promise.all(Array.from({ length: max }, () => exporter.open('bulk', {}, principal)));
    const busy = await download(admin, 'bulk', 'format=json');
    await expectProblem(busy, 503, 'QUERY_TIMEOUT');
    expect(busy.headers.get('retry-after')).toBe('5');
    // Dropped before a byte was read: the connection goes back all the same.
    for (const e of open) e.body.destroy();
    await eventually(async () => (await download(admin, 'bulk', 'format=json&fields=n')).status === 200);
  });
});
