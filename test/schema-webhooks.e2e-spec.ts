import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { adminToken, api } from './support/auth.js';
import { expectApiProblem } from './support/problem.js';
import { ok } from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const env = { PLINTH_WEBHOOKS_ALLOW_PRIVATE_ENDPOINTS: 'true' };

/** Issue 20: the schema file carries webhooks and schedules (never their secrets) both ways. */
describe('schema export and import of webhooks and schedules', () => {
  let from: App;
  let to: App;
  let source: ReturnType<typeof api>;
  let target: ReturnType<typeof api>;
  let file: Json;

  beforeAll(async () => {
    [from, to] = await Promise.all([startIsolatedApp({ env }), startIsolatedApp({ env })]);
    source = api(from, await adminToken(from));
    target = api(to, await adminToken(to));
    ok(
      await source('POST', '/api/collections', {
        name: 'orders',
        type: 'base',
        fields: [
          { name: 'status', type: 'text' },
          { name: 'total', type: 'number' },
        ],
      }),
    );
  }, 60_000);

  afterAll(async () => {
    await from?.stop();
    await to?.stop();
  });

  it('exports webhooks and schedules with their settings and without secrets', async () => {
    const hook = ok(
      await source('POST', '/api/webhooks', {
        name: 'paid orders',
        url: 'http://127.0.0.1:9/hook',
        events: ['orders.create', 'orders.update'],
        filter: 'status = "paid" && total > 100',
        includeHidden: true,
      }),
    ).body;
    ok(
      await source('POST', '/api/schedules', {
        name: 'nightly',
        cron: '0 3 * * *',
        timezone: 'Europe/Paris',
        target: { type: 'url', url: 'http://127.0.0.1:9/tick' },
      }),
    );
    file = ok(await source('GET', '/api/collections/export')).body;
    expect(file.webhooks).toEqual([
      {
        id: hook.id,
        name: 'paid orders',
        url: 'http://127.0.0.1:9/hook',
        events: ['orders.create', 'orders.update'],
        filter: 'status = "paid" && total > 100',
        includeHidden: true,
        enabled: true,
      },
    ]);
    expect(file.schedules).toEqual([
      {
        name: 'nightly',
        cron: '0 3 * * *',
        timezone: 'Europe/Paris',
        enabled: true,
        target: { type: 'url', url: 'http://127.0.0.1:9/tick' },
      },
    ]);
    expect(JSON.stringify(file)).not.toContain('whsec_');
    expect(JSON.stringify(file)).not.toMatch(/"secret"/);
  });

  it('imports them into another install: a dry run first, then created, then updated', async () => {
    const dry = ok(await target('PUT', '/api/collections/import?dryRun=true', file)).body;
    expect(dry.webhooks).toEqual([{ id: file.webhooks[0].id, name: 'paid orders', action: 'create' }]);
    expect(dry.schedules).toEqual([{ name: 'nightly', action: 'create' }]);
    expect(ok(await target('GET', '/api/webhooks')).body.items).toEqual([]);

    const done = ok(await target('PUT', '/api/collections/import', file)).body;
    expect(done.changes).toEqual([expect.objectContaining({ collection: 'orders', action: 'create' })]);
    expect(done.webhooks).toEqual([{ id: file.webhooks[0].id, name: 'paid orders', action: 'create' }]);
    expect(done.schedules).toEqual([{ id: expect.any(String), name: 'nightly', action: 'create' }]);
    const again = ok(await target('GET', '/api/collections/export')).body;
    expect(again.webhooks).toEqual(file.webhooks);
    expect(again.schedules).toEqual(file.schedules);
    // The imported webhook has a secret of its own, shown on rotation.
    const rotated = ok(await target('POST', `/api/webhooks/${file.webhooks[0].id}/rotate-secret`)).body;
    expect(rotated.secret).toMatch(/^whsec_/);

    const changed = {
      ...file,
      webhooks: [{ ...file.webhooks[0], enabled: false }],
      schedules: [{ ...file.schedules[0], cron: '30 4 * * *' }],
    };
    const updated = ok(await target('PUT', '/api/collections/import', changed)).body;
    expect(updated.webhooks).toEqual([{ id: file.webhooks[0].id, name: 'paid orders', action: 'update' }]);
    expect(updated.schedules[0]).toMatchObject({ name: 'nightly', action: 'update' });
    const now = ok(await target('GET', '/api/collections/export')).body;
    expect(now.webhooks[0].enabled).toBe(false);
    expect(now.schedules[0].cron).toBe('30 4 * * *');
  });

  it('refuses invalid webhooks and schedules with their paths, writing none of them', async () => {
    const shape = await target('PUT', '/api/collections/import', {
      collections: file.collections,
      webhooks: [{ url: 'http://127.0.0.1:9/x' }],
    });
    expectApiProblem(shape, 400, 'VALIDATION_FAILED');
    expect(shape.body.errors.map((e: Json) => e.path)).toContain('webhooks.0.events');

    const before = ok(await target('GET', '/api/collections/export')).body;
    const meaning = await target('PUT', '/api/collections/import', {
      collections: file.collections,
      webhooks: [
        { ...file.webhooks[0], enabled: true },
        { url: 'http://127.0.0.1:9/y', events: ['invoices.create'] },
      ],
      schedules: [
        { name: 'broken', cron: 'every day', target: { type: 'url', url: 'http://127.0.0.1:9/z' } },
      ],
    });
    expectApiProblem(meaning, 400, 'VALIDATION_FAILED');
    expect(meaning.body.errors.map((e: Json) => e.path).sort()).toEqual([
      'schedules.0.cron',
      'webhooks.1.events.0',
    ]);
    const after = ok(await target('GET', '/api/collections/export')).body;
    expect(after.webhooks).toEqual(before.webhooks);
    expect(after.schedules).toEqual(before.schedules);
  });

  it('deletes the webhooks and schedules a file leaves out, with deleteMissing', async () => {
    const res = ok(
      await target('PUT', '/api/collections/import', {
        collections: file.collections,
        deleteMissing: true,
        webhooks: [],
        schedules: [],
      }),
    ).body;
    expect(res.webhooks).toEqual([{ id: file.webhooks[0].id, name: 'paid orders', action: 'delete' }]);
    expect(res.schedules).toEqual([{ id: expect.any(String), name: 'nightly', action: 'delete' }]);
    expect(ok(await target('GET', '/api/webhooks')).body.items).toEqual([]);
    expect(ok(await target('GET', '/api/schedules')).body.items).toEqual([]);
  });
});
