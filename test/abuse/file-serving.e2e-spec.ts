import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import sharp from 'sharp';
import { adminToken, api, type ApiAnswer } from '../support/auth.js';
import { expectApiProblem } from '../support/problem.js';
import { createCollection, ok } from '../support/records.js';
import { startIsolatedApp } from '../support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

const blob = (bytes: Buffer | string, type = 'application/octet-stream') =>
  new Blob([typeof bytes === 'string' ? Buffer.from(bytes) : new Uint8Array(bytes)], { type });

const PDF = '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n';

/** Uploads files (name → bytes) into `field` of a new record; answers the stored names in order. */
async function upload(t: App, collection: string, field: string, files: Array<[string, Buffer | string]>) {
  const data = new FormData();
  for (const [name, bytes] of files) data.append(field, blob(bytes), name);
  const res = await t.fetch(`/api/collections/${collection}/records`, { method: 'POST', body: data });
  const body = (await res.json()) as Record<string, unknown>;
  expect(res.status).toBe(200);
  return { id: body.id as string, names: [body[field]].flat() as string[] };
}

const csp = (res: Response) => res.headers.get('content-security-policy') ?? '';

describe('abuse: files served from the API origin cannot run script there', () => {
  let t: App;
  let admin: string;

  beforeAll(async () => {
    t = await startIsolatedApp();
    admin = await adminToken(t);
    await createCollection(t, admin, {
      name: 'uploads',
      fields: [
        { name: 'files', type: 'file', maxSelect: 10 },
        { name: 'docs', type: 'file', maxSelect: 10, inlinePdf: true },
      ],
      listRule: '',
      viewRule: '',
      createRule: '',
    });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('sandboxes every download, and serves HTML, SVG, XML, scripts and PDFs as attachments', async () => {
    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#08f' } })
      .png()
      .toBuffer();
    const rec = await upload(t, 'uploads', 'files', [
      ['page.html', '<!doctype html><script>alert(document.domain)</script>'],
      ['pic.svg', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'],
      [
        'feed.xml',
        '<?xml version="1.0"?><x:script xmlns:x="http://www.w3.org/1999/xhtml">alert(1)</x:script>',
      ],
      ['app.js', 'alert(1)'],
      ['page.xhtml', '<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>'],
      ['paper.pdf', PDF],
      ['pic.png', png],
      ['notes.txt', 'plain words'],
    ]);
    const disposition: Record<string, string> = {};
    for (const name of rec.names) {
      const res = await t.fetch(`/api/files/uploads/${rec.id}/${name}`);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      // No script, no plugin, no same-origin access, even when a browser renders the file.
      expect([name, csp(res)]).toEqual([name, expect.stringMatching(/^default-src 'none';.*; sandbox$/)]);
      expect([name, res.headers.get('x-content-type-options')]).toEqual([name, 'nosniff']);
      expect([name, res.headers.get('cross-origin-resource-policy')]).toEqual([name, 'cross-origin']);
      disposition[name.split('.').pop()!] = res.headers.get('content-disposition')!.split(';')[0];
    }
    expect(disposition).toEqual({
      html: 'attachment',
      svg: 'attachment',
      xml: 'attachment',
      js: 'attachment',
      xhtml: 'attachment',
      pdf: 'attachment',
      png: 'inline',
      txt: 'inline',
    });
  });

  it('sandboxes HEAD, range and not-modified answers too', async () => {
    const rec = await upload(t, 'uploads', 'files', [['page.html', '<script>alert(1)</script>']]);
    const path = `/api/files/uploads/${rec.id}/${rec.names[0]}`;
    const head = await t.fetch(path, { method: 'HEAD' });
    const range = await t.fetch(path, { headers: { range: 'bytes=0-3' } });
    const first = await t.fetch(path);
    const again = await t.fetch(path, { headers: { 'if-none-match': first.headers.get('etag')! } });
    for (const res of [head, range, again]) await res.arrayBuffer();
    expect([head.status, range.status, again.status]).toEqual([200, 206, 304]);
    for (const res of [head, range, again]) {
      expect(csp(res)).toMatch(/sandbox$/);
      expect(res.headers.get('content-disposition')).toMatch(/^attachment;/);
    }
  });

  it('shows PDFs inline only in a field with inlinePdf, and never HTML or SVG there', async () => {
    const rec = await upload(t, 'uploads', 'docs', [
      ['paper.pdf', PDF],
      ['pic.svg', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'],
      ['page.html', '<script>alert(1)</script>'],
    ]);
    const [pdf, svg, html] = await Promise.all(
      rec.names.map((name) => t.fetch(`/api/files/uploads/${rec.id}/${name}`)),
    );
    for (const res of [pdf, svg, html]) await res.arrayBuffer();
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.headers.get('content-disposition')).toBe(`inline; filename="${rec.names[0]}"`);
    // Browsers refuse to run their PDF viewer in a sandboxed document: the PDF keeps the rest of the policy.
    expect(csp(pdf)).toMatch(/^default-src 'none'/);
    expect(csp(pdf)).not.toContain('sandbox');
    for (const res of [svg, html]) {
      expect(res.headers.get('content-disposition')).toMatch(/^attachment;/);
      expect(csp(res)).toMatch(/sandbox$/);
    }
  });

  it('keeps inlinePdf on the field, a file option like the others', async () => {
    const res = ok(await api(t, admin)('GET', '/api/collections/uploads'));
    const fields = res.body.fields as Array<{ name: string; inlinePdf?: boolean }>;
    expect(fields.find((f) => f.name === 'docs')?.inlinePdf).toBe(true);
    expect(fields.find((f) => f.name === 'files')?.inlinePdf).toBe(false);

    const wrongType: ApiAnswer = await api(t, admin)('POST', '/api/collections', {
      name: 'bad_inline',
      fields: [{ name: 'f', type: 'file', inlinePdf: 'yes' }],
    });
    expect(expectApiProblem(wrongType, 400, 'VALIDATION_FAILED').errors).toEqual([
      expect.objectContaining({ path: 'fields.0.inlinePdf' }),
    ]);
    const notFile: ApiAnswer = await api(t, admin)('POST', '/api/collections', {
      name: 'bad_inline',
      fields: [{ name: 't', type: 'text', inlinePdf: true }],
    });
    expect(expectApiProblem(notFile, 400, 'VALIDATION_FAILED').errors).toEqual([
      expect.objectContaining({ path: 'fields.0.inlinePdf' }),
    ]);
  });
});
