import { describe, expect, it } from '@jest/globals';
import { sql } from '@plinth/core';
import { compileFilter, compileRule } from './compile-filter.js';
import { type Caller, useFilterDatabase } from './filter-db.fixture.js';
import { collection, field, filterErrorOf, rendered } from './filter.fixture.js';

// `@request.auth.<relation>.<field>` and `@request.body.<relation>.<field>` (PocketBase 0.23+,
// core/record_field_resolver.go: "@request.auth.someRelation.name", "@request.body.someRelation.name"),
// and how a rule's and a filter's `@collection` joins combine, compiled and run on PostgreSQL.

const U1 = '0190b6a1-0000-7000-8000-0000000000a1';
const U2 = '0190b6a1-0000-7000-8000-0000000000a2';
const U3 = '0190b6a1-0000-7000-8000-0000000000a3';
const T1 = '0190b6a1-0000-7000-8000-0000000000b1';
const T2 = '0190b6a1-0000-7000-8000-0000000000b2';
const ADMIN = '0190b6a1-0000-7000-8000-0000000000c1';
const EDITOR = '0190b6a1-0000-7000-8000-0000000000c2';
const S1 = '0190b6a1-0000-7000-8000-0000000000d1';

const users = collection(
  'rr_users',
  [
    field('name', 'text'),
    field('team', 'uuid', { relationTo: 'rr_teams' }),
    field('roles', 'uuid', { multiple: true, relationTo: 'rr_roles' }),
    field('secret', 'uuid', { relationTo: 'rr_secrets' }),
  ],
  '',
);
const teams = collection(
  'rr_teams',
  [
    field('name', 'text'),
    field('owner', 'uuid', { relationTo: 'rr_users' }),
    field('vault', 'uuid', { relationTo: 'rr_secrets' }),
  ],
  '',
);
const roles = collection('rr_roles', [field('name', 'text')], '');
// Nobody but admins may view these (null rule), like a lookup collection only rules read.
const secrets = collection('rr_secrets', [field('name', 'text')], null);
const posts = collection(
  'rr_posts',
  [
    field('title', 'text'),
    field('team', 'uuid', { relationTo: 'rr_teams' }),
    field('labels', 'uuid', { multiple: true, relationTo: 'rr_roles' }),
    field('course', 'uuid'),
  ],
  '',
);
const regs = collection('rr_regs', [field('user', 'uuid'), field('course', 'uuid')], '');
const { allowed: allowedOn, context: contextOf, query } = useFilterDatabase(
  [users, teams, roles, secrets, posts, regs],
  `
    CREATE TABLE data.rr_users (id uuid PRIMARY KEY, name text, team uuid, roles uuid[], secret uuid);
    CREATE TABLE data.rr_teams (id uuid PRIMARY KEY, name text, owner uuid, vault uuid);
    CREATE TABLE data.rr_roles (id uuid PRIMARY KEY, name text);
    CREATE TABLE data.rr_secrets (id uuid PRIMARY KEY, name text);
    CREATE TABLE data.rr_posts (id uuid PRIMARY KEY, title text, team uuid, labels uuid[], course uuid);
    CREATE TABLE data.rr_regs (id uuid PRIMARY KEY, "user" uuid, course uuid);
    INSERT INTO data.rr_users VALUES
      ('${U1}', 'Ada', '${T1}', '{${ADMIN},${EDITOR}}', '${S1}'),
      ('${U2}', 'Bob', '${T2}', '{${ADMIN}}', NULL),
      ('${U3}', 'Cy', NULL, '{}', NULL);
    -- Ada owns both teams; Bob is in team two.
    INSERT INTO data.rr_teams VALUES ('${T1}', 'one', '${U1}', '${S1}'), ('${T2}', 'two', '${U1}', NULL);
    INSERT INTO data.rr_roles VALUES ('${ADMIN}', 'admin'), ('${EDITOR}', 'editor');
    INSERT INTO data.rr_secrets VALUES ('${S1}', 's');
    INSERT INTO data.rr_posts VALUES
      (gen_random_uuid(), 'one', '${T1}', '{${ADMIN}}', '${T1}'),
      (gen_random_uuid(), 'two', '${T2}', '{${ADMIN},${EDITOR}}', '${T2}'),
      (gen_random_uuid(), 'three', NULL, '{}', NULL);
    INSERT INTO data.rr_regs VALUES
      (gen_random_uuid(), '${U1}', '${T1}'), (gen_random_uuid(), '${U2}', '${T2}');
  `,
);

/** The auth records as the app loads them for @request.auth (relation ids as stored). */
const AUTH = {
  ada: { id: U1, collectionName: 'rr_users', name: 'Ada', team: T1, roles: [ADMIN, EDITOR], secret: S1 },
  bob: { id: U2, collectionName: 'rr_users', name: 'Bob', team: T2, roles: [ADMIN], secret: null },
  cy: { id: U3, collectionName: 'rr_users', name: 'Cy', team: null, roles: [], secret: null },
};

const context = (caller: Caller, trusted = false) => contextOf({ ...caller, trusted });

/** The titles of the posts `rule` lets `caller` see (an access rule, run on PostgreSQL). */
const allowed = (rule: string, caller: Caller = {}) => allowedOn(rule, caller, posts);

const errorOf = filterErrorOf;

const ALL = ['one', 'three', 'two'];

describe('@request.auth.<relation>.<field>', () => {
  it('"@request.auth.team.owner = @request.auth.id" reads the team of the signed-in record', async () => {
    const rule = '@request.auth.team.owner = @request.auth.id';
    expect(await allowed(rule, { auth: AUTH.ada })).toEqual(ALL);
    expect(await allowed(rule, { auth: AUTH.bob })).toEqual([]);
    // No team: the value is empty and matches no id (`!=` holds).
    expect(await allowed(rule, { auth: AUTH.cy })).toEqual([]);
    // Nobody signed in: both sides are empty, and '' = '' (PocketBase); guard with @request.auth.id != "".
    expect(await allowed(rule, {})).toEqual(ALL);
    expect(await allowed(`@request.auth.id != "" && ${rule}`, {})).toEqual([]);
    expect(await allowed('@request.auth.team.owner != @request.auth.id', { auth: AUTH.cy })).toEqual(ALL);
  });

  it('compares with the record\'s own fields and relations: "team.owner = @request.auth.team.owner"', async () => {
    expect(await allowed('team = @request.auth.team.id', { auth: AUTH.bob })).toEqual(['two']);
    expect(await allowed('team.owner = @request.auth.team.owner', { auth: AUTH.bob })).toEqual([
      'one',
      'two',
    ]);
    expect(await allowed('@request.auth.team.name = title', { auth: AUTH.ada })).toEqual(['one']);
  });

  it('"@request.auth.roles.name ?= \\"admin\\"": any related record (multi relation)', async () => {
    expect(await allowed('@request.auth.roles.name ?= "admin"', { auth: AUTH.ada })).toEqual(ALL);
    expect(await allowed('@request.auth.roles.name ?= "editor"', { auth: AUTH.bob })).toEqual([]);
    expect(await allowed('@request.auth.roles.name ?= "admin"', { auth: AUTH.cy })).toEqual([]);
  });

  it('"@request.auth.roles.name = \\"admin\\"": every related record, and at least one', async () => {
    expect(await allowed('@request.auth.roles.name = "admin"', { auth: AUTH.ada })).toEqual([]);
    expect(await allowed('@request.auth.roles.name = "admin"', { auth: AUTH.bob })).toEqual(ALL);
    expect(await allowed('@request.auth.roles.name = "admin"', { auth: AUTH.cy })).toEqual([]);
    // Against a multi relation of the record: every label is one of the caller's roles' names.
    expect(await allowed('labels.name ?= @request.auth.roles.name', { auth: AUTH.bob })).toEqual([
      'one',
      'two',
    ]);
  });

  it('reads the records it names like @collection rows; relations walked further pass their view rule', async () => {
    // rr_secrets is locked (null view rule): the auth record's own relation still reads it, as PocketBase.
    expect(await allowed('@request.auth.secret.name = "s"', { auth: AUTH.ada })).toEqual(ALL);
    expect(await allowed('@request.body.team.vault.name = "s"', { body: { team: T1 } })).toEqual([]);
    expect(await allowed('@request.auth.team.vault.name != "s"', { auth: AUTH.ada })).toEqual(ALL);
    expect(await allowed('@request.auth.team.owner.name = "Ada"', { auth: AUTH.ada })).toEqual(ALL);
  });

  it('reads a field another auth collection lacks as empty', async () => {
    const stranger = { id: U1, collectionName: 'rr_teams' };
    expect(await allowed('@request.auth.team.owner = @request.auth.id', { auth: stranger })).toEqual([]);
  });
});

describe('@request.body.<relation>.<field>', () => {
  it('"@request.body.team.owner = @request.auth.id": only into a team the caller owns', async () => {
    const rule = '@request.body.team.owner = @request.auth.id';
    expect(await allowed(rule, { auth: AUTH.ada, body: { team: T2 } })).toEqual(ALL);
    expect(await allowed(rule, { auth: AUTH.bob, body: { team: T2 } })).toEqual([]);
    expect(await allowed(rule, { auth: AUTH.ada, body: {} })).toEqual([]);
    expect(await allowed(rule, { auth: AUTH.ada, body: { team: '' } })).toEqual([]);
  });

  it('multi relations: "?=" asks any submitted record, "=" every one', async () => {
    const both = { body: { labels: [ADMIN, EDITOR] } };
    expect(await allowed('@request.body.labels.name ?= "editor"', both)).toEqual(ALL);
    expect(await allowed('@request.body.labels.name = "admin"', both)).toEqual([]);
    expect(await allowed('@request.body.labels.name = "admin"', { body: { labels: [ADMIN] } })).toEqual(ALL);
    // A single id sent as a string (multipart forms) is one item.
    expect(await allowed('@request.body.labels.name = "admin"', { body: { labels: ADMIN } })).toEqual(ALL);
  });

  it('binds the ids; one that is not an id of the collection names no record', async () => {
    const evil = "x' OR '1'='1";
    const ctx = context({ body: { labels: [evil, ADMIN] } });
    const { sql: text, params } = rendered(compileRule('@request.body.labels.name = "admin"', posts, 't', ctx));
    expect(text).not.toContain(evil);
    expect(params).toContainEqual([ADMIN]);
    expect(await allowed('@request.body.labels.name = "admin"', { body: { labels: [evil, ADMIN] } })).toEqual(
      ALL,
    );
    expect(await allowed('@request.body.team.name != "one"', { body: { team: evil } })).toEqual(ALL);
    expect(await allowed('@request.body.team.name = "one"', { body: { team: { id: T1 } } })).toEqual([]);
  });
});

describe('refused with a named 400', () => {
  it.each([
    ['@request.body.title.name = "x"', 'FILTER_TYPE_MISMATCH', /"title" is no relation field of "rr_posts"/],
    ['@request.body.nope.name = "x"', 'FILTER_UNKNOWN_FIELD', /"rr_posts" has no field "nope"/],
    ['@request.body.team.nope = "x"', 'FILTER_UNKNOWN_FIELD', /nope/],
    ['@request.body.team.owner:isset = true', 'FILTER_SYNTAX', /use it on @request.body.team/],
    ['@request.auth.team.owner:changed = true', 'FILTER_SYNTAX', /cannot be used/],
    ['@request.auth.team.name:each = "x"', 'FILTER_TYPE_MISMATCH', /several values/],
    ['@request.auth.team.owner.team.owner.team = "x"', 'FILTER_SYNTAX', /at most 4 parts/],
    ['@request.query.a.b = "x"', 'FILTER_UNKNOWN_FIELD', /Unknown macro/],
  ])('%s → %s', (rule, code, message) => {
    const error = errorOf(() => compileRule(rule, posts, 't', context({ auth: AUTH.ada })));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('in a client filter of a user it is 403, as every @request.* is', () => {
    const error = errorOf(() =>
      compileFilter('@request.auth.team.owner = @request.auth.id', posts, 't', context({ auth: AUTH.ada })),
    );
    expect(error.code).toBe('FILTER_FORBIDDEN_MACRO');
  });
});

describe('@collection joins of a rule and of a filter', () => {
  // "A member sees the posts of the courses they are registered in."
  const RULE = '@collection.rr_regs.user ?= @request.auth.id && @collection.rr_regs.course ?= course';

  /** The rule AND-ed with a trusted filter, as a list request combines them. */
  async function listed(filter: string, auth = AUTH.bob): Promise<{ titles: string[]; sql: string }> {
    const ctx = context({ auth }, true);
    const rule = compileRule(RULE, posts, 't', ctx);
    const where = compileFilter(filter, posts, 't', ctx);
    const statement = sql`SELECT t.title FROM data.rr_posts t WHERE (${rule}) AND (${where}) ORDER BY 1`;
    const rows = await query<{ title: string }>(statement);
    return { titles: rows.map((r) => r.title), sql: rendered(statement).sql };
  }

  it('within one rule, the same name reads the same joined row (PocketBase)', async () => {
    expect(await allowed(RULE, { auth: AUTH.bob })).toEqual(['two']);
    expect(await allowed(RULE, { auth: AUTH.ada })).toEqual(['one']);
  });

  it('joins the filter apart from the rule, so no filter widens it', async () => {
    // [filter, joins of rr_regs in the statement: the rule's one, then the filter's own]
    const hostile: Array<[string, number]> = [
      [`@collection.rr_regs.user ?= "${U1}" && @collection.rr_regs.course ?= course`, 2],
      ['@collection.rr_regs.user != "" || title != ""', 2],
      [`@collection.rr_regs:x.course ?= course || @collection.rr_regs.user ?= "${U2}"`, 3],
      ['true = true || @collection.rr_regs.course = course', 1],
    ];
    for (const [filter, joins] of hostile) {
      const { titles, sql } = await listed(filter);
      expect(titles.every((title) => title === 'two')).toBe(true);
      expect(sql.match(/"data"\."rr_regs" AS c\d+ ON TRUE/g)).toHaveLength(joins);
    }
    expect((await listed('title != ""')).titles).toEqual(['two']);
  });
});
