import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { adminToken, api } from './support/auth.js';
import { errorPaths, expectApiProblem } from './support/problem.js';
import { createCollection, ok } from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

/** Dates the calendar does not have; Date.parse rolls the first two over to March. */
const IMPOSSIBLE = ['2024-02-30', '2023-02-29', '0000-01-01', '2024-04-31T10:00:00Z'];

let t: App;
let admin: string;

beforeAll(async () => {
  t = await startIsolatedApp();
  admin = await adminToken(t);
  await createCollection(t, admin, {
    name: 'events',
    fields: [
      { name: 'title', type: 'text' },
      { name: 'at', type: 'date', default: '2024-02-29' },
    ],
    listRule: '',
    viewRule: '',
    createRule: '',
    updateRule: '',
  });
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

describe('a date field refuses dates that do not exist', () => {
  it.each(IMPOSSIBLE)('as a default (%s): 400 naming the field, and no collection', async (day) => {
    const res = await api(t, admin)('POST', '/api/collections', {
      name: 'bad_default',
      fields: [{ name: 'due', type: 'date', default: day }],
    });
    const problem = expectApiProblem(res, 400, 'VALIDATION_FAILED');
    expect(errorPaths(problem)).toEqual(['fields.0.default']);
    expect(JSON.stringify(problem.errors)).toContain(day);
    ok(await api(t, admin)('GET', '/api/collections/bad_default'), 404);
  });

  it.each(IMPOSSIBLE)('as a record value (%s): 400 on the field, nothing stored', async (day) => {
    const res = await api(t)('POST', '/api/collections/events/records', { title: day, at: day });
    expect(errorPaths(expectApiProblem(res, 400, 'VALIDATION_FAILED'))).toEqual(['at']);
    const list = ok(await api(t)('GET', '/api/collections/events/records')).body;
    expect(list.items.map((r: { title: string }) => r.title)).not.toContain(day);
  });

  it('a possible leap day is kept as a default, and a create that omits the field gets it', async () => {
    const created = ok(await api(t)('POST', '/api/collections/events/records', { title: 'leap' })).body;
    expect(created.at).toBe('2024-02-29T00:00:00.000Z');
  });

  it('a filter literal that does not exist is refused (400), a real one matches', async () => {
    const bad = await api(t)(
      'GET',
      `/api/collections/events/records?filter=${encodeURIComponent("at = '2023-02-29'")}`,
    );
    expect(bad.status).toBe(400);
    const good = ok(
      await api(t)(
        'GET',
        `/api/collections/events/records?filter=${encodeURIComponent("at = '2024-02-29'")}`,
      ),
    ).body;
    expect(good.items.map((r: { title: string }) => r.title)).toEqual(['leap']);
  });
});
