import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@plinth/testing';
import { adminToken, api } from './support/auth.js';
import { ok } from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';
import { startReceiver } from './support/webhook-receiver.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

const open = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '' };

/**
 * Issue 20: the transactional outbox. An event is stored with its change only when a webhook wants it
 * (a write nobody subscribes to stores nothing), and an event of a rolled-back write never leaves.
 */
describe('the webhook event outbox', () => {
  let t: App;
  let admin: ReturnType<typeof api>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  /** How many events were ever stored (the sequence moves on also for rolled-back ones). */
  const stored = async (): Promise<number> => {
    const { rows } = await t.db.query<{ n: string; called: boolean }>(
      'SELECT last_value AS n, is_called AS called FROM plinth.event_outbox_seq_seq',
    );
    return rows[0]!.called ? Number(rows[0]!.n) : 0;
  };

  beforeAll(async () => {
    t = await startIsolatedApp({ env: { PLINTH_WEBHOOKS_ALLOW_PRIVATE_ENDPOINTS: 'true' } });
    admin = api(t, await adminToken(t));
    receiver = await startReceiver();
    for (const name of ['watched', 'other']) {
      ok(
        await admin('POST', '/api/collections', {
          name,
          type: 'base',
          fields: [{ name: 'n', type: 'number' }],
          ...open,
        }),
      );
    }
  }, 60_000);

  afterAll(async () => {
    await receiver?.close();
    await t?.stop();
  });

  it('stores nothing for writes no webhook wants', async () => {
    const write = async () => {
      const rec = ok(await admin('POST', '/api/collections/watched/records', { n: 1 })).body;
      ok(await admin('PATCH', `/api/collections/watched/records/${rec.id}`, { n: 2 }));
      ok(await admin('POST', '/api/collections/other/records', { n: 1 }));
      return rec.id as string;
    };
    await write();
    expect(await stored()).toBe(0);

    ok(await admin('POST', '/api/webhooks', { url: receiver.url, events: ['watched.create'] }));
    const id = await write();
    // Only the create of `watched` is wanted: one event, not the update nor the other collection's.
    expect(await stored()).toBe(1);
    await eventually(() => receiver.received.some((r) => r.json.data.record.id === id));
    expect(receiver.received.map((r) => r.json.type)).toEqual(['watched.create']);
  });

  it('sends the events of a batch that committed, and none of one rolled back', async () => {
    const before = await stored();
    const failed = await admin('POST', '/api/batch', {
      requests: [
        { method: 'POST', url: '/api/collections/watched/records', body: { n: 100 } },
        {
          method: 'PATCH',
          url: '/api/collections/watched/records/0190a0a0-0000-7000-8000-000000000000',
          body: {},
        },
      ],
    });
    expect(failed.status).toBe(400);
    // Its event was written in its transaction, and went with it.
    expect(await stored()).toBe(before + 1);

    const done = ok(
      await admin('POST', '/api/batch', {
        requests: [
          { method: 'POST', url: '/api/collections/watched/records', body: { n: 201 } },
          { method: 'POST', url: '/api/collections/watched/records', body: { n: 202 } },
        ],
      }),
    ).body as Array<{ body: { id: string } }>;
    const ids = done.map((r) => r.body.id);
    await eventually(() => ids.every((id) => receiver.received.some((r) => r.json.data.record.id === id)));
    const sent = receiver.received.map((r) => r.json.data.record.n);
    expect(sent).not.toContain(100);
    expect(sent).toEqual(expect.arrayContaining([201, 202]));
    const { rows } = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM plinth.event_outbox');
    expect(rows[0]!.n).toBe(0);
  });
});
