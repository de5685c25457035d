import { compileFilter, compileRule, MAX_RULE_DEPTH } from './compile-filter.js';
import {
  compilePosts,
  filterErrorOf,
  linksToBroken,
  makeCtx,
  nodes,
  oddLinks,
  posts,
  rendered,
  signedIn,
  USER_ID,
} from './filter.fixture.js';

// users' view rule is `id = @request.auth.id || verified = true`; for an anonymous caller the
// first half is FALSE at compile time, so only `verified = true` remains.
const USERS_VISIBLE_ANON = '(r1."verified" = $2::boolean)';

describe('compileFilter through relations', () => {
  it('turns a path through a single relation into EXISTS with the target view rule', () => {
    expect(compilePosts("author.name = 'x'")).toEqual({
      sql: `EXISTS (SELECT 1 FROM "data"."users" AS r1 WHERE r1."id" = t."author" AND (r1."name" = $1) AND ${USERS_VISIBLE_ANON})`,
      params: ['x', true],
    });
  });

  it('compiles the view rule for the caller', () => {
    expect(compilePosts("author.name = 'x'", { auth: signedIn })).toEqual({
      sql:
        'EXISTS (SELECT 1 FROM "data"."users" AS r1 WHERE r1."id" = t."author" AND (r1."name" = $1) ' +
        'AND ((r1."id" = $2::uuid OR r1."verified" = $3::boolean)))',
      params: ['x', USER_ID, true],
    });
  });

  it('lets @request.* in the view rule even though the client filter may not use it', () => {
    expect(() =>
      compilePosts("author.name = 'x'", { auth: signedIn, allowRequestMacros: false }),
    ).not.toThrow();
  });

  it('skips view rules for admins', () => {
    expect(compilePosts("author.name = 'x'", { isAdmin: true, canSeeHidden: true })).toEqual({
      sql: 'EXISTS (SELECT 1 FROM "data"."users" AS r1 WHERE r1."id" = t."author" AND (r1."name" = $1))',
      params: ['x'],
    });
  });

  it('lets an API key see related records only in the collections it may read', () => {
    const onlyPosts = { isAdmin: true, mayRead: (name: string) => name === 'posts' };
    expect(compilePosts("author.name = 'x'", onlyPosts)).toEqual({
      sql: 'EXISTS (SELECT 1 FROM "data"."users" AS r1 WHERE r1."id" = t."author" AND (r1."name" = $1) AND (FALSE))',
      params: ['x'],
    });
    // Each hop asks again: users may be read, teams may not.
    const postsAndUsers = { isAdmin: true, mayRead: (name: string) => name !== 'teams' };
    expect(compilePosts("author.team.name = 'Red'", postsAndUsers).sql).toBe(
      'EXISTS (SELECT 1 FROM "data"."users" AS r1 WHERE r1."id" = t."author" AND ' +
        '(EXISTS (SELECT 1 FROM "data"."teams" AS r2 WHERE r2."id" = r1."team" AND (r2."name" = $1) AND (FALSE))))',
    );
    expect(compilePosts("author.name = 'x'", { isAdmin: true, mayRead: () => true }).sql).toBe(
      'EXISTS (SELECT 1 FROM "data"."users" AS r1 WHERE r1."id" = t."author" AND (r1."name" = $1))',
    );
  });

  it('sees nothing in a collection whose view rule is null (admins only)', () => {
    expect(compilePosts("category.name = 'x'").sql).toBe(
      'EXISTS (SELECT 1 FROM "data"."categories" AS r1 WHERE r1."id" = t."category" AND (r1."name" = $1) AND (FALSE))',
    );
    expect(compilePosts("category.name = 'x'", { isAdmin: true }).sql).toBe(
      'EXISTS (SELECT 1 FROM "data"."categories" AS r1 WHERE r1."id" = t."category" AND (r1."name" = $1))',
    );
  });

  it("adds no condition for a view rule of ''", () => {
    expect(compilePosts("author.team.name = 'Red'").sql).toBe(
      'EXISTS (SELECT 1 FROM "data"."users" AS r1 WHERE r1."id" = t."author" AND ' +
        '(EXISTS (SELECT 1 FROM "data"."teams" AS r2 WHERE r2."id" = r1."team" AND (r2."name" = $1))) ' +
        'AND (r1."verified" = $2::boolean))',
    );
  });

  it('treats a missing or invisible related record as NULL values for != and = null', () => {
    expect(compilePosts("author.name != 'x'").sql).toBe(
      'NOT EXISTS (SELECT 1 FROM "data"."users" AS r1 WHERE r1."id" = t."author" AND ' +
        `(r1."name" IS DISTINCT FROM $1) IS NOT TRUE AND ${USERS_VISIBLE_ANON})`,
    );
    expect(compilePosts('author.name = null').sql).toBe(
      'NOT EXISTS (SELECT 1 FROM "data"."users" AS r1 WHERE r1."id" = t."author" AND ' +
        `((r1."name" IS NULL OR r1."name" = '')) IS NOT TRUE AND (r1."verified" = $1::boolean))`,
    );
  });

  it('uses = ANY for a multi relation; ?= means any related record matches', () => {
    expect(compilePosts("editors.name ?= 'x'").sql).toBe(
      `EXISTS (SELECT 1 FROM "data"."users" AS r1 WHERE r1."id" = ANY(t."editors") AND (r1."name" = $1) AND ${USERS_VISIBLE_ANON})`,
    );
  });

  it('makes plain operators on a multi relation require every visible related record, and at least one', () => {
    const from = 'SELECT 1 FROM "data"."users" AS r1 WHERE r1."id" = ANY(t."editors")';
    expect(compilePosts("editors.name = 'x'").sql).toBe(
      `(EXISTS (${from} AND (r1."name" = $1) AND ${USERS_VISIBLE_ANON}) AND ` +
        `NOT EXISTS (${from} AND (r1."name" = $1) IS NOT TRUE AND ${USERS_VISIBLE_ANON}))`,
    );
    expect(compilePosts("editors.name != 'x'").sql).toBe(
      `NOT EXISTS (${from} AND (r1."name" IS DISTINCT FROM $1) IS NOT TRUE AND ${USERS_VISIBLE_ANON})`,
    );
    // Values are numbered in the order they appear in the text: here the view rule's comes first.
    const visible = '(r1."verified" = $1::boolean)';
    expect(compilePosts("editors.name ?!= 'x'")).toEqual({
      sql: `(NOT EXISTS (${from} AND ${visible}) OR EXISTS (${from} AND (r1."name" IS DISTINCT FROM $2) AND ${visible}))`,
      params: [true, 'x'],
    });
  });

  it('ANDs the view rule of the related collection at every hop', () => {
    // posts' view rule is `published = true`.
    expect(compilePosts("parent.parent.title = 'x'").sql).toBe(
      'EXISTS (SELECT 1 FROM "data"."posts" AS r1 WHERE r1."id" = t."parent" AND ' +
        '(EXISTS (SELECT 1 FROM "data"."posts" AS r2 WHERE r2."id" = r1."parent" AND (r2."title" = $1) AND (r2."published" = $2::boolean))) ' +
        'AND (r1."published" = $3::boolean))',
    );
  });

  it('compares a relation path with a field of the record', () => {
    expect(compilePosts('author.name = title').sql).toBe(
      `EXISTS (SELECT 1 FROM "data"."users" AS r1 WHERE r1."id" = t."author" AND (COALESCE(r1."name", '') = COALESCE(t."title", '')) AND (r1."verified" = $1::boolean))`,
    );
  });

  it('checks the types of the field at the end of the path', () => {
    expect(filterErrorOf(() => compilePosts("author.age > 'old'"))).toMatchObject({
      code: 'FILTER_TYPE_MISMATCH',
      field: 'author.age',
    });
  });

  it('refuses a hidden field at the end of the path', () => {
    const error = filterErrorOf(() => compilePosts("author.tokenKey = 'k'"));
    expect(error).toMatchObject({ code: 'FILTER_HIDDEN_FIELD', field: 'author.tokenKey', position: 0 });
    expect(compilePosts("author.tokenKey = 'k'", { canSeeHidden: true }).sql).toContain('r1."tokenKey" = $1');
  });

  it('refuses unknown fields anywhere in the path, naming the whole path', () => {
    for (const path of ['author.nope', 'nope.name', 'title.name', 'author.team.nope']) {
      const error = filterErrorOf(() => compilePosts(`${path} = 1`));
      expect(error).toMatchObject({ code: 'FILTER_UNKNOWN_FIELD', field: path });
      expect(error.message).toBe(`Unknown field "${path}".`);
    }
  });

  it('quotes the related table and columns', () => {
    expect(compilePosts("o.x = 'a'", {}, oddLinks).sql).toBe(
      'EXISTS (SELECT 1 FROM "data"."od""d" AS r1 WHERE r1."id" = t."o" AND (r1."x""y" = $1))',
    );
  });

  it('gives every subquery of a statement its own alias', () => {
    const ctx = makeCtx();
    const rule = rendered(compileRule("author.name != ''", posts, 't', ctx)).sql;
    const filter = rendered(compileFilter("editors.name ?= 'x' && author.team.name = 'y'", posts, 't', ctx)).sql;
    expect(rule).toContain('AS r1 ');
    expect(filter).toContain('AS r2 ');
    expect(filter).toContain('AS r3 ');
    expect(filter).toContain('AS r4 ');
    expect(filter).not.toContain('AS r1 ');
  });

  it(`closes when rules nest deeper than ${MAX_RULE_DEPTH}`, () => {
    // nodes' view rule is `up.name != 'hidden'`, itself through a relation to nodes.
    const { sql } = compilePosts("up.name = 'x'", {}, nodes);
    expect(sql).toMatch(
      /AS r4 WHERE r4."id" = r3."up" AND \(r4."name" IS DISTINCT FROM \$\d\) IS NOT TRUE AND \(FALSE\)\)/,
    );
    expect(sql).not.toContain('r5');
    expect(sql.match(/EXISTS/g)).toHaveLength(4);
  });

  it('hides the records of a collection whose view rule no longer compiles', () => {
    expect(compilePosts("target.name = 'x'", {}, linksToBroken)).toEqual({
      sql: 'EXISTS (SELECT 1 FROM "data"."broken" AS r1 WHERE r1."id" = t."target" AND (r1."name" = $1) AND (FALSE))',
      params: ['x'],
    });
  });
});
