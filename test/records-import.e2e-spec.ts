import { deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RecordEvents, type RecordChange } from '@plinth/collections';
import ExcelJS from 'exceljs';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { createClient, PlinthError } from '../sdk/src/index.js';
import { adminToken, api } from './support/auth.js';
import { expectProblem } from './support/problem.js';
import { createCollection, createRecord, createUser, ok, type TestUser } from './support/records.js';
import { documentedFetch, startIsolatedApp } from './support/start-app.js';

type Rec = Record<string, unknown>;
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const MAX_BYTES = 64 * 1024;
const MAX_ROWS = 40;

/** A record without what the server makes (timestamps) and the collection it is in. */
const own = ({ created: _c, updated: _u, collectionId: _i, collectionName: _n, ...rest }: Rec) => rest;

/** A zip with deflated entries, for an XLSX that unpacks to far more than it weighs. */
function deflatedZip(entries: Array<{ name: string; data: Buffer }>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const packed = deflateRawSync(data);
    const nameBytes = Buffer.from(name);
    const header = (size: number, sig: number) => {
      const b = Buffer.alloc(size);
      b.writeUInt32LE(sig, 0);
      return b;
    };
    const local = header(30, 0x04034b50);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(0, 14); // yauzl checks sizes, not CRCs, before the size bound is hit
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = header(46, 0x02014b50);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, packed);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

describe('records import: CSV, JSON, NDJSON and XLSX through the create path; XLSX export', () => {
  let t: Awaited<ReturnType<typeof startIsolatedApp>>;
  let admin: string;
  let ann: TestUser;
  let bob: TestUser;
  let pool: Pool;
  let original: Rec[];
  const changes: RecordChange[] = [];

  const download = async (token: string, collection: string, query: string): Promise<Buffer> => {
    const res = await fetch(`${t.url}/api/collections/${collection}/records/export?${query}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    return Buffer.from(await res.arrayBuffer());
  };
  /** POSTs the file with these options as form parts; answers the raw response. */
  const upload = (
    token: string | undefined,
    collection: string,
    file: Buffer | string,
    name: string,
    options: Record<string, string> = {},
    type = 'application/octet-stream',
  ) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(options)) form.append(k, v);
    form.append('file', new Blob([file], { type }), name);
    return t.fetch(`/api/collections/${collection}/records/import`, {
      method: 'POST',
      headers: token ? { authorization: `Bearer ${token}` } : {},
      body: form,
    });
  };
  const report = async (res: Response): Promise<Rec & { failed: Array<{ row: number; errors: Rec[] }> }> => {
    const text = await res.text();
    expect({ status: res.status, text }).toMatchObject({ status: 200 });
    return JSON.parse(text) as never;
  };
  const list = async (token: string, collection: string, query = ''): Promise<Rec[]> =>
    ok(await api(t, token)('GET', `/api/collections/${collection}/records?perPage=500&sort=n&${query}`)).body
      .items;
  const count = async (collection: string) =>
    Number((await pool.query(`SELECT count(*) FROM "data"."${collection}"`)).rows[0].count);
  const wipe = (collection: string) => pool.query(`DELETE FROM "data"."${collection}"`);

  beforeAll(async () => {
    t = await startIsolatedApp({
      env: { PLINTH_IMPORT_MAX_BYTES: String(MAX_BYTES), PLINTH_IMPORT_MAX_ROWS: String(MAX_ROWS) },
    });
    admin = await adminToken(t);
    pool = (t.app.get(DataSource).driver as unknown as { master: Pool }).master;
    t.app.get(RecordEvents).subscribe((c) => changes.push(c));
    [ann, bob] = [await createUser(t, 'Ann'), await createUser(t, 'Bob')];
    await createCollection(t, admin, {
      name: 'tags',
      fields: [{ name: 'label', type: 'text' }],
      listRule: '',
      viewRule: '',
    });
    const own = 'owner = @request.auth.id';
    await createCollection(t, admin, {
      name: 'things',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'n', type: 'number' },
        { name: 'done', type: 'bool' },
        { name: 'mail', type: 'email' },
        { name: 'site', type: 'url' },
        { name: 'due', type: 'date' },
        { name: 'kind', type: 'select', values: ['a', 'b', 'c'], maxSelect: 1 },
        { name: 'kinds', type: 'select', values: ['a', 'b', 'c'], maxSelect: 3 },
        { name: 'meta', type: 'json' },
        { name: 'body', type: 'editor' },
        { name: 'place', type: 'geoPoint' },
        { name: 'tag', type: 'relation', collection: 'tags', maxSelect: 1 },
        { name: 'tagList', type: 'relation', collection: 'tags', maxSelect: 5 },
        { name: 'owner', type: 'relation', collection: 'users', maxSelect: 1 },
        { name: 'secret', type: 'text', hidden: true },
      ],
      listRule: own,
      viewRule: own,
      createRule: own,
      updateRule: own,
    });
    const red = await createRecord(t, admin, 'tags', { label: 'red' });
    const blue = await createRecord(t, admin, 'tags', { label: 'blue' });
    const rows: Rec[] = [
      {
        title: 'plain héllo ✓',
        n: 1,
        done: true,
        mail: 'a@example.com',
        site: 'https://example.com/a',
        due: '2026-01-02 03:04:05.678Z',
        kind: 'b',
        kinds: ['a', 'b'],
        meta: { x: [1, 'two'], y: null },
        body: '<p>Hello <strong>world</strong></p>',
        place: { lon: 13.4, lat: 52.5 },
        tag: red.id,
        tagList: [red.id, blue.id],
        owner: ann.id,
        secret: 's1',
      },
      { title: 'comma, "quote"\nnew line', n: -2.5, done: false, kinds: [], meta: null, owner: ann.id },
      { title: '=HYPERLINK("http://evil")', n: 3, owner: ann.id, tagList: [blue.id] },
      { title: '+1', n: 4, owner: bob.id, secret: 'bob' },
      { title: '@SUM(A1)', n: 5, owner: bob.id, meta: [1, 2] },
      { title: '-x', n: 6, owner: ann.id, kinds: ['c'] },
    ];
    for (const r of rows) await createRecord(t, admin, 'things', r);
    original = await list(admin, 'things');
    expect(original).toHaveLength(6);
  });
  afterAll(async () => {
    await t?.stop();
  });

  describe('round trip', () => {
    it.each(['csv', 'json', 'ndjson', 'xlsx'])(
      'exports %s and imports it back into an emptied collection: the same records',
      async (format) => {
        const file = await download(admin, 'things', `format=${format}&sort=n`);
        await wipe('things');
        changes.length = 0;
        const r = await report(await upload(admin, 'things', file, `things.${format}`));
        expect(r).toMatchObject({
          format,
          total: 6,
          inserted: 6,
          updated: 0,
          failedCount: 0,
          failed: [],
          committed: true,
          unknownColumns: [],
        });
        expect(r.ignoredColumns).toEqual(expect.arrayContaining(['created', 'updated']));
        expect((await list(admin, 'things')).map(own)).toEqual(original.map(own));
        // The same events as creates: realtime, webhooks and the other listeners hear each row.
        expect(changes.filter((c) => c.collectionName === 'things' && c.action === 'create')).toHaveLength(6);
      },
    );
  });

  describe('xlsx export', () => {
    const sheetOf = async (file: Buffer) => {
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(file as never);
      const sheet = book.worksheets[0]!;
      const rows: unknown[][] = [];
      sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
      return { sheet, rows };
    };

    it('applies the list rule and hidden fields, with a spreadsheet attachment', async () => {
      const res = await fetch(`${t.url}/api/collections/things/records/export?format=xlsx&sort=n`, {
        headers: { authorization: `Bearer ${ann.token}` },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(XLSX_TYPE);
      expect(res.headers.get('content-disposition')).toMatch(
        /^attachment; filename="things-\d{4}-\d{2}-\d{2}\.xlsx"$/,
      );
      const { rows } = await sheetOf(Buffer.from(await res.arrayBuffer()));
      const [head, ...data] = rows;
      expect(head).toContain('title');
      expect(head).not.toContain('secret');
      const titles = data.map((r) => r[head!.indexOf('title')]);
      expect(titles).toEqual([
        'comma, "quote"\nnew line',
        'plain héllo ✓',
        `'=HYPERLINK("http://evil")`,
        "'-x",
      ]);
      const adminHead = (await sheetOf(await download(admin, 'things', 'format=xlsx'))).rows[0];
      expect(adminHead).toContain('secret');
      const filtered = await sheetOf(
        await download(admin, 'things', 'format=xlsx&filter=n>4&fields=title,n&sort=n'),
      );
      expect(filtered.rows).toEqual([
        ['title', 'n'],
        ["'@SUM(A1)", 5],
        ["'-x", 6],
      ]);
    });

    it('escapes text that starts like a formula, writes no formula, keeps numbers and booleans typed', async () => {
      const { sheet, rows } = await sheetOf(await download(admin, 'things', 'format=xlsx&sort=n'));
      const head = rows[0]!;
      const cells: ExcelJS.Cell[] = [];
      sheet.eachRow((row) => row.eachCell((cell) => cells.push(cell)));
      expect(cells.filter((c) => c.type === ExcelJS.ValueType.Formula)).toEqual([]);
      const titles = rows.slice(1).map((r) => r[head.indexOf('title')]);
      expect(titles).toEqual(
        expect.arrayContaining(["'+1", "'@SUM(A1)", `'=HYPERLINK("http://evil")`, "'-x"]),
      );
      expect(rows[1]![head.indexOf('n')]).toBe(-2.5);
      expect(rows[1]![head.indexOf('done')]).toBe(false);
    });
  });

  describe('dry run, atomic and upsert', () => {
    const csv = (...lines: string[]) => `title,n,owner\r\n${lines.join('\r\n')}\r\n`;

    it('dry run reports what would happen and changes nothing', async () => {
      const before = await count('things');
      changes.length = 0;
      const r = await report(
        await upload(admin, 'things', csv(`a,10,${ann.id}`, `b,oops,${ann.id}`), 'x.csv', { dryRun: 'true' }),
      );
      expect(r).toMatchObject({ dryRun: true, committed: false, total: 2, inserted: 1, failedCount: 1 });
      expect(r.failed).toEqual([{ row: 2, errors: [expect.objectContaining({ path: 'n' })] }]);
      expect(await count('things')).toBe(before);
      expect(changes).toEqual([]);
    });

    it('atomic (the default) writes nothing when one row fails, and names that row', async () => {
      const before = await count('things');
      changes.length = 0;
      const r = await report(
        await upload(admin, 'things', csv(`a,10,${ann.id}`, `b,oops,${ann.id}`, `c,12,${ann.id}`), 'x.csv'),
      );
      expect(r).toMatchObject({ atomic: true, committed: false, total: 3, inserted: 0, failedCount: 1 });
      expect(r.failed).toEqual([{ row: 2, errors: [expect.objectContaining({ path: 'n' })] }]);
      expect(await count('things')).toBe(before);
      expect(changes).toEqual([]);
    });

    it('non-atomic imports the good rows and reports the others', async () => {
      const before = await count('things');
      const r = await report(
        await upload(
          admin,
          'things',
          csv(`good1,20,${ann.id}`, `bad,21,not-a-user`, `good2,22,${ann.id}`),
          'x.csv',
          { atomic: 'false' },
        ),
      );
      expect(r).toMatchObject({ atomic: false, committed: true, total: 3, inserted: 2, failedCount: 1 });
      expect(r.failed).toEqual([{ row: 2, errors: [expect.objectContaining({ path: 'owner' })] }]);
      expect(await count('things')).toBe(before + 2);
      const titles = (await list(admin, 'things', 'filter=n>=20')).map((x) => x.title);
      expect(titles).toEqual(['good1', 'good2']);
    });

    it('upsert updates the records whose id exists and creates the others', async () => {
      const [first] = await list(admin, 'things', 'filter=n=20');
      const ndjson = [
        JSON.stringify({ id: first!.id, title: 'changed', n: 20 }),
        JSON.stringify({ title: 'new one', n: 23, owner: ann.id }),
      ].join('\n');
      const r = await report(await upload(admin, 'things', ndjson, 'x.ndjson', { mode: 'upsert' }));
      expect(r).toMatchObject({ mode: 'upsert', inserted: 1, updated: 1, failedCount: 0, committed: true });
      expect((await list(admin, 'things', `filter=id='${first!.id}'`))[0]).toMatchObject({
        title: 'changed',
        owner: ann.id,
      });
      // insert mode refuses the existing id as a duplicate, row by row
      const again = await report(await upload(admin, 'things', ndjson, 'x.ndjson', { atomic: 'false' }));
      expect(again).toMatchObject({ inserted: 1, failedCount: 1 });
      expect(again.failed[0]!.row).toBe(1);
    });

    it('judges rows by the create rule for non-admins, and maps columns', async () => {
      const file = `Name,Amount,Who\r\nmine,30,${ann.id}\r\ntheirs,31,${bob.id}\r\n`;
      const mapping = JSON.stringify({ Name: 'title', Amount: 'n', Who: 'owner' });
      const r = await report(await upload(ann.token, 'things', file, 'x.csv', { mapping, atomic: 'false' }));
      expect(r).toMatchObject({
        inserted: 1,
        failedCount: 1,
        columns: { Name: 'title', Amount: 'n', Who: 'owner' },
      });
      expect(r.failed).toEqual([{ row: 2, errors: [expect.objectContaining({ code: 'RULE_REFUSED' })] }]);
      await expectProblem(await upload(undefined, 'tags', 'label\r\nx\r\n', 'x.csv'), 403, 'RULE_REFUSED');
    });
  });

  describe('SDK', () => {
    it('imports with collection(name).import(file, options) and rejects an unreadable file', async () => {
      const client = createClient({ url: t.url, fetch: documentedFetch });
      client.authStore.save(ann.token, { id: ann.id, collectionName: 'users' });
      const file = new Blob([`title,n,owner\r\nsdk,50,${ann.id}\r\n`], { type: 'text/csv' });
      const dry = await client.collection('things').import(file, { fileName: 'x.csv', dryRun: true });
      expect(dry).toMatchObject({ dryRun: true, committed: false, inserted: 1, failedCount: 0 });
      const done = await client.collection('things').import(file, { fileName: 'x.csv', mapping: { n: 'n' } });
      expect(done).toMatchObject({ committed: true, inserted: 1 });
      expect((await list(ann.token, 'things', 'filter=n=50')).map((r) => r.title)).toEqual(['sdk']);
      await expect(
        client.collection('things').import(new Blob(['[{']), { format: 'json' }),
      ).rejects.toMatchObject({ constructor: PlinthError, status: 400, code: 'RECORDS_IMPORT_INVALID' });
    });
  });

  describe('bad input', () => {
    it('reads a BOM, quotes and new lines in CSV, and names unknown columns', async () => {
      const file = `\uFEFFtitle,n,owner,colour\r\n"say ""hi"", then
go",40,${ann.id},red\r\n`;
      const r = await report(await upload(admin, 'things', file, 'x.csv'));
      expect(r).toMatchObject({ inserted: 1, unknownColumns: ['colour'], columns: { colour: null } });
      expect((await list(admin, 'things', 'filter=n=40'))[0]!.title).toBe('say "hi", then\ngo');
      const mapped = await upload(admin, 'things', file, 'x.csv', { mapping: '{"colour":"nope"}' });
      const problem = await expectProblem(mapped, 400, 'RECORDS_IMPORT_INVALID');
      expect(problem.errors).toEqual([expect.objectContaining({ path: 'mapping.colour' })]);
    });

    it('answers 400 for invalid UTF-8, broken CSV quotes, bad JSON and options, before writing', async () => {
      const before = await count('things');
      const latin1 = Buffer.concat([
        Buffer.from('title,n\r\ncaf'),
        Buffer.from([0xe9]),
        Buffer.from(',1\r\n'),
      ]);
      const enc = await expectProblem(
        await upload(admin, 'things', latin1, 'x.csv'),
        400,
        'RECORDS_IMPORT_INVALID',
      );
      expect(enc.detail).toMatch(/UTF-8/);
      const quote = await expectProblem(
        await upload(admin, 'things', `title,n\r\nok,1\r\n"open,2\r\n`, 'x.csv'),
        400,
        'RECORDS_IMPORT_INVALID',
      );
      expect(quote.detail).toMatch(/quote/);
      await expectProblem(
        await upload(admin, 'things', '[{"title":"a"},', 'x.json'),
        400,
        'RECORDS_IMPORT_INVALID',
      );
      await expectProblem(await upload(admin, 'things', '[1,2]', 'x.json'), 400, 'RECORDS_IMPORT_INVALID');
      await expectProblem(
        await upload(admin, 'things', '{"a":1}\n{oops', 'x.ndjson'),
        400,
        'RECORDS_IMPORT_INVALID',
      );
      await expectProblem(
        await upload(admin, 'things', 'title\r\nx\r\n', 'x.csv', { mode: 'merge' }),
        400,
        'RECORDS_IMPORT_INVALID',
      );
      await expectProblem(
        await t.fetch('/api/collections/things/records/import', {
          method: 'POST',
          headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
          body: '{}',
        }),
        400,
        'RECORDS_IMPORT_INVALID',
      );
      expect(await count('things')).toBe(before);
    });

    it('answers 400 for a file or row count over the limits, and for an XLSX zip bomb', async () => {
      const before = await count('things');
      const big = `title,n\r\n${'x,1\r\n'.repeat(MAX_BYTES / 4)}`;
      const tooBig = await expectProblem(
        await upload(admin, 'things', big, 'x.csv'),
        400,
        'RECORDS_IMPORT_TOO_LARGE',
      );
      expect(tooBig.detail).toMatch(/PLINTH_IMPORT_MAX_BYTES/);
      const many = `title,n,owner\r\n${`x,1,${ann.id}\r\n`.repeat(MAX_ROWS + 1)}`;
      const tooMany = await expectProblem(
        await upload(admin, 'things', many, 'x.csv'),
        400,
        'RECORDS_IMPORT_TOO_LARGE',
      );
      expect(tooMany.detail).toMatch(/PLINTH_IMPORT_MAX_ROWS/);
      const bomb = deflatedZip([
        { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
        { name: 'xl/worksheets/sheet1.xml', data: Buffer.alloc(MAX_BYTES * 9, 0x20) },
      ]);
      expect(bomb.length).toBeLessThan(MAX_BYTES);
      const zip = await expectProblem(
        await upload(admin, 'things', bomb, 'x.xlsx'),
        400,
        'RECORDS_IMPORT_INVALID',
      );
      expect(zip.detail).toMatch(/unpacks to more than/);
      await expectProblem(
        await upload(admin, 'things', Buffer.from('PK\u0003\u0004 not a zip'), 'x.xlsx'),
        400,
        'RECORDS_IMPORT_INVALID',
      );
      expect(await count('things')).toBe(before);
    });
  });
});
