import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@plinth/testing';
import { adminToken, api, type ApiAnswer } from './support/auth.js';
import { expectApiProblem } from './support/problem.js';
import { createCollection, ok } from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';
import { startReceiver, verify } from './support/webhook-receiver.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const open = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '' };

/**
 * Issue 20: file events. Every file a create or update uploads is a `<collection>.file.create`, every
 * file an update or delete removes a `<collection>.file.delete`, each with `data.file: {field, name}`
 * and the record, in order with the record's other events.
 */
describe('webhook file events', () => {
  let t: App;
  let dataDir: string;
  let admin: string;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  async function send(method: string, path: string, parts: Array<[string, string, string?]>): Promise<Json> {
    const data = new FormData();
    for (const [field, value, filename] of parts) {
      if (filename) data.append(field, new Blob([value]), filename);
      else data.append(field, value);
    }
    const res = await t.fetch(path, { method, headers: { authorization: `Bearer ${admin}` }, body: data });
    const text = await res.text();
    return ok({ status: res.status, body: JSON.parse(text), headers: res.headers } as ApiAnswer).body;
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'plinth-webhook-files-'));
    t = await startIsolatedApp({
      env: { PLINTH_DATA_DIR: dataDir, PLINTH_WEBHOOKS_ALLOW_PRIVATE_ENDPOINTS: 'true' },
    });
    admin = await adminToken(t);
    receiver = await startReceiver();
    await createCollection(t, admin, {
      name: 'docs',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'attachments', type: 'file', maxSelect: 3 },
      ],
      ...open,
    });
    await createCollection(t, admin, { name: 'plain', fields: [{ name: 'title', type: 'text' }], ...open });
  }, 60_000);

  afterAll(async () => {
    await receiver?.close();
    await t?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses file events of a collection without file fields', async () => {
    const res = await api(t, admin)('POST', '/api/webhooks', {
      url: receiver.url,
      events: ['docs.file.create', 'plain.file.delete'],
    });
    expectApiProblem(res, 400, 'VALIDATION_FAILED');
    expect(res.body.errors).toEqual([
      expect.objectContaining({ path: 'events.1', message: expect.stringContaining('no file fields') }),
    ]);
  });

  it('sends one event per uploaded and removed file, in order per record', async () => {
    const hook = ok(
      await api(t, admin)('POST', '/api/webhooks', {
        url: receiver.url,
        events: ['docs.file.create', 'docs.file.delete'],
      }),
    ).body as { secret: string };

    const created = await send('POST', '/api/collections/docs/records', [
      ['title', 'report'],
      ['attachments', 'first', 'a.txt'],
      ['attachments', 'second', 'b.txt'],
    ]);
    const [a, b] = created.attachments as string[];
    // Replace b with c in one update (keep a, upload c): c is uploaded, b removed.
    const updated = await send('PATCH', `/api/collections/docs/records/${created.id}`, [
      ['attachments', a!],
      ['attachments', 'third', 'c.txt'],
    ]);
    const c = (updated.attachments as string[]).find((n) => n !== a)!;
    expect(updated.attachments).toEqual([a, c]);
    // A change that touches no file sends nothing.
    ok(await api(t, admin)('PATCH', `/api/collections/docs/records/${created.id}`, { title: 'final' }));
    expect((await api(t, admin)('DELETE', `/api/collections/docs/records/${created.id}`)).status).toBe(204);

    const mine = () => receiver.received.filter((r) => r.json.data.record.id === created.id);
    await eventually(() => mine().length === 6);
    const events = mine().map((r) => verify(hook.secret, r) as Json);
    expect(events.map((e) => [e.type, e.data.file])).toEqual([
      ['docs.file.create', { field: 'attachments', name: a }],
      ['docs.file.create', { field: 'attachments', name: b }],
      ['docs.file.create', { field: 'attachments', name: c }],
      ['docs.file.delete', { field: 'attachments', name: b }],
      ['docs.file.delete', { field: 'attachments', name: a }],
      ['docs.file.delete', { field: 'attachments', name: c }],
    ]);
    expect(events[0]!.data).toMatchObject({
      collection: 'docs',
      record: { id: created.id, title: 'report', attachments: [a, b] },
      auth: { kind: 'admin' },
    });
    expect(events[2]!.data.record.attachments).toEqual([a, c]);
    expect(events[2]!.data.previous.attachments).toEqual([a, b]);
    // Each file event has its own webhook-id.
    expect(new Set(mine().map((r) => r.headers['webhook-id'])).size).toBe(6);
  });
});
