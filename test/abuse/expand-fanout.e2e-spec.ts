import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { adminToken, api } from '../support/auth.js';
import { expectApiProblem } from '../support/problem.js';
import { createCollection, createRecord, ok } from '../support/records.js';
import { startIsolatedApp } from '../support/start-app.js';
import { RESPONSIVE_MS, whileUnderAttack } from './timing.js';

/**
 * Issue 16, item 1: 8 records each linked to all 8, expanded six levels deep, used to serialise
 * 8^7 records (14 s of blocked event loop, 1.4 GB, then a 500). Each answer now has an expand budget.
 */
describe('abuse: expand fan-out', () => {
  let t: Awaited<ReturnType<typeof startIsolatedApp>>;
  let admin: string;
  let noteId: string;
  const nodeIds: string[] = [];

  beforeAll(async () => {
    t = await startIsolatedApp({ env: { PLINTH_EXPAND_BUDGET: '1000' } });
    admin = await adminToken(t);
    const open = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '' };
    await createCollection(t, admin, {
      name: 'nodes',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'links', type: 'relation', collection: 'nodes', maxSelect: 8 },
      ],
      ...open,
    });
    for (let i = 0; i < 8; i++)
      nodeIds.push((await createRecord(t, undefined, 'nodes', { title: `n${i}` })).id);
    for (const id of nodeIds)
      ok(await api(t)('PATCH', `/api/collections/nodes/records/${id}`, { links: nodeIds }));
    await createCollection(t, admin, { name: 'notes', fields: [{ name: 'body', type: 'text' }], ...open });
    noteId = (await createRecord(t, undefined, 'notes', { body: 'unrelated' })).id;
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('answers the six-level fan-out with 400 EXPAND_TOO_LARGE at once, while health and other reads stay fast', async () => {
    const path = '/api/collections/nodes/records?perPage=8&expand=links.links.links.links.links.links';
    const run = await whileUnderAttack(t, `/api/collections/notes/records/${noteId}`, async () => {
      const started = performance.now();
      const res = await api(t)('GET', path);
      return { res, ms: performance.now() - started };
    });
    const problem = expectApiProblem(run.result.res, 400, 'EXPAND_TOO_LARGE');
    expect(problem.detail).toMatch(/1000/);
    expect(problem.errors).toEqual([expect.objectContaining({ path: 'expand', code: 'EXPAND_TOO_LARGE' })]);
    expect(run.result.ms).toBeLessThan(RESPONSIVE_MS);
    expect(run.health).toEqual({ status: 200, ms: expect.any(Number) });
    expect(run.health.ms).toBeLessThan(RESPONSIVE_MS);
    expect(run.read.status).toBe(200);
    expect(run.read.ms).toBeLessThan(RESPONSIVE_MS);
  });

  it('still expands within the budget: 8 records × 8 links × 8 links = 576 expanded records', async () => {
    const res = ok(await api(t)('GET', '/api/collections/nodes/records?perPage=8&expand=links.links'));
    expect(res.body.items).toHaveLength(8);
    for (const item of res.body.items) {
      expect(item.expand.links.map((l: { id: string }) => l.id).sort()).toEqual([...nodeIds].sort());
      for (const link of item.expand.links) expect(link.expand.links).toHaveLength(8);
    }
    // One more level is 64 + 512 + 4,096 = 4,672 expanded records: over the budget of 1,000.
    expectApiProblem(
      await api(t)('GET', '/api/collections/nodes/records?perPage=8&expand=links.links.links'),
      400,
      'EXPAND_TOO_LARGE',
    );
    // The budget counts per answer: a single record may go one level deeper (8 + 64 + 512).
    const one = ok(
      await api(t)('GET', `/api/collections/nodes/records/${nodeIds[0]}?expand=links.links.links`),
    );
    expect(one.body.expand.links[0].expand.links[0].expand.links).toHaveLength(8);
  });

  it('keeps the depth and path limits', async () => {
    const seven = Array.from({ length: 7 }, () => 'links').join('.');
    expectApiProblem(
      await api(t)('GET', `/api/collections/nodes/records?expand=${seven}`),
      400,
      'INVALID_EXPAND',
    );
    const eleven = Array.from({ length: 11 }, () => 'links').join(',');
    expectApiProblem(
      await api(t)('GET', `/api/collections/nodes/records?expand=${eleven}`),
      400,
      'INVALID_EXPAND',
    );
  });

  it('caps maxSelect of relation fields', async () => {
    const res = await api(t, admin)('POST', '/api/collections', {
      name: 'hubs',
      fields: [{ name: 'all', type: 'relation', collection: 'nodes', maxSelect: 1_000_000 }],
    });
    const problem = expectApiProblem(res, 400, 'VALIDATION_FAILED');
    expect(problem.errors).toEqual([expect.objectContaining({ path: 'fields.0.maxSelect' })]);
    ok(
      await api(t, admin)('POST', '/api/collections', {
        name: 'hubs',
        fields: [{ name: 'all', type: 'relation', collection: 'nodes', maxSelect: 1000 }],
      }),
    );
  });
});
