import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RealtimeService } from '@plinth/realtime';
import { adminToken } from './support/auth.js';
import { createCollection, createRecord } from './support/records.js';
import { SseClient, subscribe } from './support/sse.js';
import { startIsolatedApp } from './support/start-app.js';

const CLIENTS = 1000;

describe('Realtime with 1,000 concurrent SSE clients on one server', () => {
  let t: Awaited<ReturnType<typeof startIsolatedApp>>;
  const clients: SseClient[] = [];

  beforeAll(async () => {
    t = await startIsolatedApp({ env: { PLINTH_WORKERS: 'off' } });
    const admin = await adminToken(t);
    await createCollection(t, admin, {
      name: 'news',
      fields: [{ name: 'title', type: 'text' }],
      listRule: '',
      viewRule: '',
    });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await t?.stop();
  });

  it('delivers one change to every one of them', async () => {
    // Opened in batches of 100 so connects do not all queue on the listen backlog at once.
    for (let i = 0; i < CLIENTS; i += 100) {
      const batch = await Promise.all(
        Array.from({ length: 100 }, () => SseClient.connect(`${t.url}/api/realtime`)),
      );
      clients.push(...batch);
      const answers = await Promise.all(batch.map((c) => subscribe(t.url, c.clientId, ['news'])));
      expect(answers.map((r) => r.status)).toEqual(Array(100).fill(204));
    }
    expect(new Set(clients.map((c) => c.clientId)).size).toBe(CLIENTS);
    expect(t.app.get(RealtimeService).connectionCount).toBe(CLIENTS);

    const admin = await adminToken(t);
    const record = await createRecord(t, admin, 'news', { title: 'to everyone' });
    const received = await Promise.all(
      clients.map((c) => c.nextData('news', (d) => d.record.id === record.id)),
    );
    expect(received).toHaveLength(CLIENTS);
    expect(received.filter((d) => d.action === 'create' && d.record.title === 'to everyone')).toHaveLength(
      CLIENTS,
    );
    const metrics = await (await t.fetch('/metrics')).text();
    expect(Number(/^plinth_realtime_events_sent_total (\d+)/m.exec(metrics)?.[1])).toBe(CLIENTS);
  }, 300_000); // 1,000 connects share two cores with the server and other test runs
});
