import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { adminToken, api, apiForm } from './support/auth.js';
import { errorPaths, expectApiProblem } from './support/problem.js';
import { createCollection, ok } from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

// PocketBase's editor, autodate and geoPoint field types through the records API.

let t: App;
let admin: string;
const places = '/api/collections/places/records';
const query = (filter: string, extra = '') => `${places}?filter=${encodeURIComponent(filter)}${extra}`;
const BERLIN = { lon: 13.405, lat: 52.52 };
const POTSDAM = { lon: 13.0645, lat: 52.3906 };
const PARIS = { lon: 2.3522, lat: 48.8566 };

beforeAll(async () => {
  t = await startIsolatedApp();
  admin = await adminToken(t);
  await createCollection(t, admin, {
    name: 'places',
    fields: [
      { name: 'name', type: 'text', required: true },
      { name: 'about', type: 'editor', maxSize: 2000, convertURLs: true },
      { name: 'spot', type: 'geoPoint' },
      { name: 'added', type: 'autodate', onCreate: true },
      { name: 'touched', type: 'autodate', onCreate: true, onUpdate: true },
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

const create = async (body: Record<string, unknown>) => ok(await api(t)('POST', places, body)).body;

describe('editor, autodate and geoPoint fields', () => {
  it('the collection keeps their options', async () => {
    const def = ok(await api(t, admin)('GET', '/api/collections/places')).body;
    const byName = Object.fromEntries(def.fields.map((f: { name: string }) => [f.name, f]));
    expect(byName.about).toMatchObject({ type: 'editor', maxSize: 2000, convertURLs: true });
    expect(byName.added).toMatchObject({ type: 'autodate', onCreate: true, onUpdate: false });
    expect(byName.touched).toMatchObject({ type: 'autodate', onCreate: true, onUpdate: true });
    expect(byName.spot).toMatchObject({ type: 'geoPoint' });
  });

  it('editor HTML is sanitised on create and update', async () => {
    const rec = await create({
      name: 'xss',
      about:
        '<p onmouseover="steal()">Hello <a href="javascript:steal()">you</a></p><script>steal()</script>',
    });
    expect(rec.about).toBe('<p>Hello <a>you</a></p>');
    const updated = ok(
      await api(t)('PATCH', `${places}/${rec.id}`, {
        about: '<img src="https://e.org/x.png" onerror="steal()">',
      }),
    ).body;
    expect(updated.about).toBe('<img src="https://e.org/x.png" />');
    const tooBig = await api(t)('POST', places, { name: 'big', about: `<p>${'é'.repeat(1000)}</p>` });
    expect(errorPaths(expectApiProblem(tooBig, 400, 'VALIDATION_FAILED'))).toEqual(['about']);
  });

  it('autodate is set by the server; client values are ignored; onUpdate moves on update', async () => {
    const before = Date.now();
    const rec = await create({
      name: 'dates',
      added: '2000-01-01T00:00:00Z',
      touched: '2000-01-01T00:00:00Z',
    });
    expect(Date.parse(rec.added)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(rec.touched)).toBeGreaterThanOrEqual(before - 1000);
    await new Promise((r) => setTimeout(r, 20));
    const updated = ok(
      await api(t)('PATCH', `${places}/${rec.id}`, { name: 'dates 2', added: '1999-01-01T00:00:00Z' }),
    ).body;
    expect(updated.added).toBe(rec.added);
    expect(Date.parse(updated.touched)).toBeGreaterThan(Date.parse(rec.touched));
    const sorted = ok(await api(t)('GET', query(`name ~ 'dates'`, '&sort=-added'))).body;
    expect(sorted.items.map((r: { id: string }) => r.id)).toEqual([rec.id]);
  });

  it('geoPoint takes {lon, lat} in range (JSON and multipart), reads {0,0} when empty', async () => {
    const berlin = await create({ name: 'Berlin', spot: BERLIN });
    expect(berlin.spot).toEqual(BERLIN);
    const empty = await create({ name: 'Nowhere' });
    expect(empty.spot).toEqual({ lon: 0, lat: 0 });
    const form = new FormData();
    form.set('name', 'Potsdam');
    form.set('spot', JSON.stringify(POTSDAM));
    const potsdam = ok(await apiForm(t)('POST', places, form)).body;
    expect(potsdam.spot).toEqual(POTSDAM);
    await create({ name: 'Paris', spot: PARIS });

    const bad = await api(t)('POST', places, { name: 'bad', spot: { lon: 200, lat: 0 } });
    expect(errorPaths(expectApiProblem(bad, 400, 'VALIDATION_FAILED'))).toEqual(['spot.lon']);
    const text = await api(t)('POST', places, { name: 'bad', spot: '13,52' });
    expect(errorPaths(expectApiProblem(text, 400, 'VALIDATION_FAILED'))).toEqual(['spot']);
  });

  it('geoDistance(lonA, latA, lonB, latB) filters by km; spot.lon/spot.lat are numbers', async () => {
    const near = ok(
      await api(t)(
        'GET',
        query(`geoDistance(spot.lon, spot.lat, ${BERLIN.lon}, ${BERLIN.lat}) < 50`, '&sort=name'),
      ),
    ).body;
    expect(near.items.map((r: { name: string }) => r.name)).toEqual(['Berlin', 'Potsdam']);
    const far = ok(
      await api(t)(
        'GET',
        query(`geoDistance(spot.lon, spot.lat, ${BERLIN.lon}, ${BERLIN.lat}) > 800 && spot.lat > 1`),
      ),
    ).body;
    expect(far.items.map((r: { name: string }) => r.name)).toEqual(['Paris']);
    const west = ok(await api(t)('GET', query('spot.lon < 5 && spot.lon != 0'))).body;
    expect(west.items.map((r: { name: string }) => r.name)).toEqual(['Paris']);

    expectApiProblem(await api(t)('GET', query('spot.alt > 1')), 400, 'FILTER_UNKNOWN_FIELD');
    expectApiProblem(await api(t)('GET', query('spot.constructor > 1')), 400, 'FILTER_UNKNOWN_FIELD');
    expectApiProblem(await api(t)('GET', `${places}?sort=spot`), 400, 'SORT_UNSORTABLE_FIELD');
  });

  it('the OpenAPI document describes the three types', async () => {
    const doc = ok(await api(t, admin)('GET', '/api/openapi.json')).body;
    const record = doc.components.schemas['places.record'].properties;
    expect(record.about).toMatchObject({ 'x-plinth-type': 'editor', contentMediaType: 'text/html' });
    expect(record.added).toMatchObject({ 'x-plinth-type': 'autodate', readOnly: true });
    expect(record.spot).toMatchObject({ 'x-plinth-type': 'geoPoint', required: ['lon', 'lat'] });
    const create = doc.components.schemas['places.create'].properties;
    expect(create).not.toHaveProperty('added');
    expect(create.spot).toMatchObject({ type: ['object', 'null'] });
  });
});
