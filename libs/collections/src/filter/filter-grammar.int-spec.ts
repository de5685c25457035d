import { describe, expect, it } from '@jest/globals';
import { compileFilter, compileRule } from './compile-filter.js';
import { type Caller, useFilterDatabase } from './filter-db.fixture.js';
import { collection, field, filterErrorOf, rendered } from './filter.fixture.js';

// PocketBase's modifiers, macros, @request.* and @collection, compiled and run on PostgreSQL.
// Each test names the PocketBase documentation example ("API rules and filters") it reproduces.

const U1 = '0190b6a1-0000-7000-8000-000000000001';
const U2 = '0190b6a1-0000-7000-8000-000000000002';
const U3 = '0190b6a1-0000-7000-8000-000000000003';
const C1 = '0190b6a1-0000-7000-8000-0000000000c1';
const C2 = '0190b6a1-0000-7000-8000-0000000000c2';
// A Wednesday, 05:06 UTC.
const NOW = new Date('2025-03-05T05:06:07.089Z');

const users = collection('g_users', [field('name', 'text')], '');
const posts = collection(
  'g_posts',
  [
    field('title', 'text'),
    // A single select: PocketBase's :length and :each accept it.
    field('role', 'text', { multiValued: true }),
    field('views', 'number'),
    field('publishAt', 'date'),
    field('tags', 'text', { multiple: true }),
    field('author', 'uuid', { relationTo: 'g_users' }),
    field('editors', 'uuid', { multiple: true, relationTo: 'g_users' }),
    field('courseGroup', 'uuid'),
    field('lon', 'number'),
    field('lat', 'number'),
  ],
  '',
);
const registrations = collection(
  'g_regs',
  [field('user', 'uuid', { relationTo: 'g_users' }), field('courseGroup', 'uuid')],
  '',
);
const { allowed: allowedOn, filtered: filteredOn, context } = useFilterDatabase(
  [users, posts, registrations],
  `
    CREATE TABLE data.g_users (id uuid PRIMARY KEY, name text, created timestamptz, updated timestamptz);
    CREATE TABLE data.g_posts (
      id uuid PRIMARY KEY, created timestamptz, updated timestamptz, title text, role text,
      views double precision, "publishAt" timestamptz, tags text[], author uuid, editors uuid[],
      "courseGroup" uuid, lon double precision, lat double precision);
    CREATE TABLE data.g_regs (id uuid PRIMARY KEY, created timestamptz, updated timestamptz, "user" uuid,
      "courseGroup" uuid);
    INSERT INTO data.g_users (id, name) VALUES
      ('${U1}', 'Ada'), ('${U2}', 'Bob'), ('${U3}', 'Cy');
    INSERT INTO data.g_posts (id, title, role, views, "publishAt", tags, author, editors, "courseGroup") VALUES
      (gen_random_uuid(), 'alpha', 'editor', 5, '2025-03-05T01:00:00Z', '{create,x_create}', '${U1}',
        '{${U1},${U2}}', '${C1}'),
      (gen_random_uuid(), 'beta', 'viewer', 3, '2025-03-03T12:00:00Z', '{read}', '${U2}', '{${U2}}', '${C2}'),
      (gen_random_uuid(), 'Gamma', NULL, 2025, '2025-04-20T00:00:00Z', '{}', NULL, NULL, '${C1}');
    UPDATE data.g_posts SET lon = 23.3219, lat = 42.6977 WHERE title = 'alpha';
    UPDATE data.g_posts SET lon = 24.7453, lat = 42.1354 WHERE title = 'beta';
    INSERT INTO data.g_regs (id, "user", "courseGroup") VALUES
      (gen_random_uuid(), '${U1}', '${C1}'), (gen_random_uuid(), '${U2}', '${C2}'),
      (gen_random_uuid(), '${U3}', '${C1}');
  `,
  NOW,
);

/** The titles (or users) of the rows `rule` lets `caller` see, compiled and run on PostgreSQL. */
const allowed = (rule: string, caller: Caller = {}, on = posts) =>
  allowedOn(rule, caller, on, on === posts ? 't.title' : 't."user"::text');

const filtered = (filter: string, caller: Caller = {}) => filteredOn(filter, caller, posts);

const errorOf = filterErrorOf;

const ALL = ['Gamma', 'alpha', 'beta'];

describe(':isset', () => {
  it('"@request.body.role:isset = false" (a client may not submit role)', async () => {
    expect(await allowed('@request.body.role:isset = false', { body: { title: 'x' } })).toEqual(ALL);
    expect(await allowed('@request.body.role:isset = false', { body: { role: 'editor' } })).toEqual([]);
    // A key sent with null is still set.
    expect(await allowed('@request.body.role:isset = true', { body: { role: null } })).toEqual(ALL);
  });
});

describe(':changed', () => {
  it('"@request.body.role:changed = false" (role may be sent, but not changed)', async () => {
    const rule = '@request.body.role:changed = false';
    expect(await allowed(rule, { body: {} })).toEqual(ALL);
    expect(await allowed(rule, { body: { role: 'editor' } })).toEqual(['alpha']);
    expect(await allowed(rule, { body: { role: '' } })).toEqual(['Gamma']);
    expect(await allowed('@request.body.role:changed = true', { body: { role: 'editor' } })).toEqual([
      'Gamma',
      'beta',
    ]);
  });

  it('compares multi-value fields item by item, in order', async () => {
    const rule = '@request.body.tags:changed = true';
    expect(await allowed(rule, { body: { tags: ['create', 'x_create'] } })).toEqual(['Gamma', 'beta']);
    expect(await allowed(rule, { body: { tags: [] } })).toEqual(['alpha', 'beta']);
  });
});

describe(':length', () => {
  it('"@request.body.someSelectField:length = 2" (number of submitted items)', async () => {
    expect(await allowed('@request.body.tags:length = 2', { body: { tags: ['a', 'b'] } })).toEqual(ALL);
    expect(await allowed('@request.body.tags:length > 1', { body: { tags: 'a' } })).toEqual([]);
    expect(await allowed('@request.body.tags:length = 0', { body: {} })).toEqual(ALL);
  });

  it('"someRelationField:length = 2" (number of items of the stored record)', async () => {
    expect(await filtered('editors:length = 2')).toEqual(['alpha']);
    expect(await filtered('tags:length = 0')).toEqual(['Gamma']);
    expect(await filtered('tags:length < 2')).toEqual(['Gamma', 'beta']);
  });

  it('counts a single select or relation as 0 (empty) or 1, stored or submitted (PocketBase)', async () => {
    expect(await filtered('author:length = 1')).toEqual(['alpha', 'beta']);
    expect(await filtered('author:length = 0')).toEqual(['Gamma']);
    expect(await filtered('role:length > 0')).toEqual(['alpha', 'beta']);
    const rule = '@request.body.role:length = 1';
    expect(await allowed(rule, { body: { role: 'editor' } })).toEqual(ALL);
    expect(await allowed(rule, { body: { role: '' } })).toEqual([]);
    expect(await allowed('@request.body.author:length = 0', { body: {} })).toEqual(ALL);
  });
});

describe(':each', () => {
  it('"@request.body.someSelectField:each ~ \\"create\\"" (every submitted item)', async () => {
    const rule = '@request.body.tags:each ~ "create"';
    expect(await allowed(rule, { body: { tags: ['create', 'x_create'] } })).toEqual(ALL);
    expect(await allowed(rule, { body: { tags: ['create', 'read'] } })).toEqual([]);
    expect(
      await allowed('@request.body.tags:each ?= "read"', { body: { tags: ['create', 'read'] } }),
    ).toEqual(ALL);
    // Items against a column: every submitted editor is the author.
    expect(await allowed('@request.body.editors:each = author', { body: { editors: [U2, U2] } })).toEqual([
      'beta',
    ]);
  });

  it('"someSelectField:each ~ \\"create\\"" (every stored item; `?` forms ask any item)', async () => {
    expect(await filtered('tags:each ~ "create"')).toEqual(['alpha']);
    expect(await filtered('tags:each ?= "read"')).toEqual(['beta']);
    expect(await filtered('tags:each != "read"')).toEqual(['Gamma', 'alpha']);
  });

  it('compares the one value of a single select or relation, stored or submitted (PocketBase)', async () => {
    expect(await filtered('role:each = "editor"')).toEqual(['alpha']);
    expect(await filtered('role:each ~ "e"')).toEqual(['alpha', 'beta']);
    expect(await filtered(`author:each = "${U2}"`)).toEqual(['beta']);
    const rule = '@request.body.role:each = "viewer"';
    expect(await allowed(rule, { body: { role: 'viewer' } })).toEqual(ALL);
    expect(await allowed(rule, { body: { role: 'editor' } })).toEqual([]);
    expect(await allowed('@request.body.author:each = author', { body: { author: U1 } })).toEqual(['alpha']);
  });
});

describe(':lower', () => {
  it('"@request.body.title:lower = \\"test\\"" and "title:lower ~ \\"test\\""', async () => {
    expect(await allowed('@request.body.title:lower = "gamma"', { body: { title: 'GaMMa' } })).toEqual(ALL);
    expect(await allowed('title:lower = @request.body.title:lower', { body: { title: 'GAMMA' } })).toEqual([
      'Gamma',
    ]);
    expect(await filtered('title:lower = "gamma"')).toEqual(['Gamma']);
    expect(await filtered('title = "gamma"')).toEqual([]);
  });
});

describe('date macros (UTC, from the request time)', () => {
  it('"created >= @todayStart && created <= @todayEnd"', async () => {
    expect(await filtered('publishAt >= @todayStart && publishAt <= @todayEnd')).toEqual(['alpha']);
  });

  it('@yesterday, @tomorrow, @monthStart, @monthEnd, @yearStart, @yearEnd', async () => {
    expect(await filtered('publishAt < @yesterday')).toEqual(['beta']);
    expect(await filtered('publishAt > @tomorrow')).toEqual(['Gamma']);
    expect(await filtered('publishAt >= @monthStart && publishAt <= @monthEnd')).toEqual(['alpha', 'beta']);
    expect(await filtered('publishAt >= @yearStart && publishAt <= @yearEnd')).toEqual(ALL);
    expect(await filtered('publishAt > @now')).toEqual(['Gamma']);
  });

  it('@second, @minute, @hour, @weekday, @day, @month, @year are numbers', async () => {
    expect(await filtered('views = @day')).toEqual(['alpha']);
    expect(await filtered('views = @month')).toEqual(['beta']);
    expect(await filtered('views = @year')).toEqual(['Gamma']);
    // 2025-03-05 is a Wednesday (Sunday = 0).
    expect(await filtered('@weekday = 3 && @hour = 5 && @minute = 6 && @second = 7')).toEqual(ALL);
    expect(await filtered('@weekday = 4')).toEqual([]);
  });
});

describe('@request.*', () => {
  it('"@request.headers.x_token = \\"test\\"", "@request.query.page = \\"1\\""', async () => {
    const request = { headers: { x_token: 'test' }, query: { page: '1' } };
    expect(await allowed('@request.headers.x_token = "test"', { request })).toEqual(ALL);
    expect(await allowed('@request.headers.x_token = "test"', {})).toEqual([]);
    expect(await allowed('@request.query.page = "1"', { request })).toEqual(ALL);
    expect(await allowed('@request.query.page:isset = true', {})).toEqual([]);
  });

  it('"@request.method = \\"GET\\"" and "@request.context != \\"oauth2\\""', async () => {
    expect(await allowed('@request.method = "GET"', { request: { method: 'GET' } })).toEqual(ALL);
    expect(await allowed('@request.method = "GET"', { request: { method: 'POST' } })).toEqual([]);
    expect(await allowed('@request.context != "oauth2"', {})).toEqual(ALL);
    expect(await allowed('@request.context = "realtime"', { request: { context: 'realtime' } })).toEqual(ALL);
  });

  it('"@request.auth.collectionName = \\"users\\"" and @request.auth.collectionId', async () => {
    const auth = { id: U1, collectionName: 'g_users', collectionId: 'abc' };
    expect(
      await allowed('@request.auth.collectionName = "g_users" && author = @request.auth.id', { auth }),
    ).toEqual(['alpha']);
    expect(await allowed('@request.auth.collectionId = "abc"', { auth })).toEqual(ALL);
    expect(await allowed('@request.auth.collectionName = "g_users"', {})).toEqual([]);
  });

  it('a hostile value stays a bound parameter', async () => {
    const evil = "x' OR '1'='1";
    const ctx = context({ body: { title: evil }, request: { headers: { x: evil } } });
    const { sql, params } = rendered(
      compileRule('title = @request.body.title || title = @request.headers.x', posts, 't', ctx),
    );
    expect(sql).not.toContain(evil);
    expect(params).toEqual([evil, evil]);
    expect(await allowed('title = @request.body.title', { body: { title: evil } })).toEqual([]);
  });
});

describe('@collection', () => {
  it('"@collection.courseRegistrations.user ?= @request.auth.id && @collection.courseRegistrations.courseGroup ?= courseGroup"', async () => {
    const rule =
      '@collection.g_regs.user ?= @request.auth.id && @collection.g_regs.courseGroup ?= courseGroup';
    // Both comparisons read the same joined row: U1 is registered in C1 only, not in C2.
    expect(await allowed(rule, { auth: { id: U1 } })).toEqual(['Gamma', 'alpha']);
    expect(await allowed(rule, { auth: { id: U2 } })).toEqual(['beta']);
    expect(await allowed(rule, {})).toEqual([]);
  });

  it('"@collection.courseRegistrations:auth.user ?= @request.auth.id" (an alias joins the collection again)', async () => {
    // The registrations of everyone in the caller's course groups.
    const rule =
      '@collection.g_regs:auth.user ?= @request.auth.id && courseGroup ?= @collection.g_regs:auth.courseGroup';
    expect(await allowed(rule, { auth: { id: U1 } }, registrations)).toEqual([U1, U3]);
    expect(await allowed(rule, { auth: { id: U2 } }, registrations)).toEqual([U2]);
  });

  it('a plain operator asks every row of the collection, as PocketBase', async () => {
    expect(await allowed('@collection.g_regs.courseGroup = courseGroup')).toEqual([]);
    expect(await allowed('@collection.g_regs.courseGroup ?= courseGroup')).toEqual(ALL);
    expect(await allowed('@collection.g_regs.user != ""')).toEqual(ALL);
  });

  it('walks relations of the joined collection: "@collection.g_regs.user.name ?= \\"Cy\\""', async () => {
    expect(
      await allowed('@collection.g_regs.user.name ?= "Cy" && @collection.g_regs.courseGroup ?= courseGroup'),
    ).toEqual(['Gamma', 'alpha']);
  });

  it("admins may use it in filters; other callers' filters are refused", async () => {
    expect(
      await filtered('@collection.g_regs.courseGroup ?= courseGroup && @collection.g_regs.user ?= author', {
        isAdmin: true,
      }),
    ).toEqual(['alpha', 'beta']);
    expect(
      errorOf(() => compileFilter('@collection.g_regs.user ?= author', posts, 't', context({}))).code,
    ).toBe('FILTER_FORBIDDEN_MACRO');
  });
});

describe('functions', () => {
  it('"geoDistance(address.lon, address.lat, 23.32, 42.69) < 25" (km, Haversine)', async () => {
    expect(await filtered('geoDistance(lon, lat, 23.32, 42.69) < 25')).toEqual(['alpha']);
    expect(await filtered('geoDistance(lon, lat, 23.32, 42.69) < 200')).toEqual(['alpha', 'beta']);
    // The same point: the cosine rounds past 1, which PostgreSQL's acos would refuse.
    expect(await filtered('geoDistance(lon, lat, lon, lat) = 0')).toEqual(['alpha', 'beta']);
    const admin = { isAdmin: true, body: { lon: 'not a number' } };
    expect(await filtered('geoDistance(lon, lat, @request.body.lon, 1) > 0', admin)).toEqual([]);
  });

  it('"strftime(\'%Y-%m\', created) = 2026-01" (SQLite format codes, UTC)', async () => {
    expect(await filtered('strftime("%Y-%m", publishAt) = "2025-03"')).toEqual(['alpha', 'beta']);
    expect(
      await filtered('strftime("%d.%m. %H:%M:%S %w %j %%", publishAt) = "05.03. 01:00:00 3 064 %"'),
    ).toEqual(['alpha']);
    expect(await filtered('strftime("%Y") = "2025" && strftime("%s", @todayStart) = "1741132800"')).toEqual(
      ALL,
    );
    expect(await filtered("strftime('%Y', \"2024-02-29\") = '2024'")).toEqual(ALL);
  });

  it.each([
    ['geoDistance(lon, lat, 1) < 1', /4 arguments/],
    ['geoDistance(title, lat, 1, 2) < 1', /argument 1 must be a number/],
    ['geoDistance(lon, lat, "x", 2) < 1', /argument 3/],
    ['strftime(publishAt) = "x"', /format string/],
    ['strftime("%Q", publishAt) = "x"', /unsupported format code "%Q"/],
    ['strftime("%Y", publishAt, "localtime") = "x"', /"localtime" is not supported: every time here is UTC/],
    ['strftime("%Y", title) = "x"', /time value/],
    ['nope(1) = 1', /Unknown function "nope"/],
    ['strftime("%Y", strftime("%Y")) = 1', /nested/],
    ['strftime("%Y" publishAt) = 1', /Expected "," or "\)"/],
  ])('%s is a named 400', (filter, message) => {
    const error = errorOf(() => compileFilter(filter, posts, 't', context({})));
    expect(error.message).toMatch(message);
  });
});

describe('API keys', () => {
  it('use @collection only on collections their scopes let them read', () => {
    const key = (mayRead: (name: string) => boolean) => ({ ...context({ isAdmin: true }), mayRead });
    const filter = '@collection.g_regs.user ?= author';
    expect(() =>
      compileFilter(
        filter,
        posts,
        't',
        key(() => true),
      ),
    ).not.toThrow();
    const error = errorOf(() =>
      compileFilter(
        filter,
        posts,
        't',
        key((n) => n !== 'g_regs'),
      ),
    );
    expect(error).toMatchObject({ code: 'FILTER_FORBIDDEN_MACRO' });
    expect(error.message).toMatch(/may not read "g_regs"/);
  });
});

describe('comments', () => {
  it('"// comments" run to the end of the line', async () => {
    const rule = ['// only the author', 'author = @request.auth.id // and nobody else', '// done'].join('\n');
    expect(await allowed(rule, { auth: { id: U2 } })).toEqual(['beta']);
    expect(await allowed('title = "a//b" || title = "beta"')).toEqual(['beta']);
  });
});

describe('hostile grammar is a named 400, never a 500', () => {
  const rule = (text: string, body: Record<string, unknown> = {}) =>
    errorOf(() => compileRule(text, posts, 't', context({ body })));

  it.each([
    ['tags:each:each = "a"', 'FILTER_SYNTAX', /one modifier/],
    ['tags:nope = "a"', 'FILTER_SYNTAX', /Unknown modifier ":nope"/],
    ['tags:each.x = "a"', 'FILTER_SYNTAX', /last part/],
    ['title:each = "a"', 'FILTER_TYPE_MISMATCH', /several values/],
    ['title:length > 1', 'FILTER_TYPE_MISMATCH', /several values/],
    ['views:lower = "a"', 'FILTER_TYPE_MISMATCH', /single text fields/],
    ['title:isset = true', 'FILTER_SYNTAX', /@request.body/],
    ['@request.body.title:changed = "x"', 'FILTER_TYPE_MISMATCH', /= true/],
    ['@request.body.nope:changed = true', 'FILTER_UNKNOWN_FIELD', /nope/],
    ['@request.body.title:length = 1', 'FILTER_TYPE_MISMATCH', /several values/],
    ['@request.method:length = 1', 'FILTER_SYNTAX', /cannot be used/],
    ['@now:lower = 1', 'FILTER_SYNTAX', /cannot be used/],
    ['@collection.nope.x = 1', 'FILTER_UNKNOWN_FIELD', /Unknown collection "nope"/],
    ['@collection.g_regs = 1', 'FILTER_SYNTAX', /must name a field/],
    ['@collection.g_regs.nope = 1', 'FILTER_UNKNOWN_FIELD', /nope/],
    [
      '@collection.g_regs:a.user ?= id && @collection.g_regs:b.user ?= id && @collection.g_regs:c.user ?= id && @collection.g_regs:d.user ?= id',
      'FILTER_TOO_COMPLEX',
      /at most 3/,
    ],
    ['@collection.g_regs:a.user ?= id && @collection.g_users:a.name ?= id', 'FILTER_SYNTAX', /two different/],
  ])('%s → %s', (text, code, message) => {
    const error = rule(text);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('refuses more submitted items than a rule compares', () => {
    const tags = Array.from({ length: 101 }, (_, i) => `t${i}`);
    expect(rule('@request.body.tags:each ?= "t1"', { tags }).code).toBe('FILTER_TOO_COMPLEX');
  });
});
