import { compileRule, validateRuleSyntax } from './compile-filter.js';
import {
  compilePostsRule,
  filterErrorOf,
  linksToBroken,
  makeCtx,
  posts,
  rendered,
  schema,
  signedIn,
  USER_ID,
} from './filter.fixture.js';

const anonymous = { auth: null };
const user = { auth: signedIn };

describe('compileRule', () => {
  it('closes a null rule to everyone but admins', () => {
    expect(compilePostsRule(null)).toEqual({ sql: 'FALSE', params: [] });
    expect(compilePostsRule(null, { isAdmin: true })).toEqual({ sql: 'TRUE', params: [] });
  });

  it('opens an empty rule to everyone and any rule to admins', () => {
    expect(compilePostsRule('')).toEqual({ sql: 'TRUE', params: [] });
    expect(compilePostsRule('  ')).toEqual({ sql: 'TRUE', params: [] });
    expect(compilePostsRule('author = @request.auth.id', { isAdmin: true })).toEqual({
      sql: 'TRUE',
      params: [],
    });
  });

  describe('@request.auth', () => {
    it("is '' for every field of an anonymous caller", () => {
      expect(compilePostsRule("@request.auth.id != ''", anonymous).sql).toBe('FALSE');
      expect(compilePostsRule("@request.auth.id = ''", anonymous).sql).toBe('TRUE');
      expect(compilePostsRule('@request.auth.id = null', anonymous).sql).toBe('TRUE');
      expect(compilePostsRule("@request.auth.collectionName = 'users'", anonymous).sql).toBe('FALSE');
      expect(compilePostsRule('@request.auth.verified = true', anonymous).sql).toBe('FALSE');
    });

    it('holds the signed-in record', () => {
      expect(compilePostsRule("@request.auth.id != ''", user).sql).toBe('TRUE');
      expect(compilePostsRule("@request.auth.collectionName = 'users'", user).sql).toBe('TRUE');
      expect(compilePostsRule("@request.auth.collectionName = 'admins'", user).sql).toBe('FALSE');
      expect(compilePostsRule('@request.auth.verified = true', user).sql).toBe('TRUE');
      expect(compilePostsRule("@request.auth.name ~ 'ad'", user).sql).toBe('TRUE');
      expect(compilePostsRule('@request.auth.missing = null', user).sql).toBe('TRUE');
      expect(compilePostsRule('@request.auth.constructor = null', user).sql).toBe('TRUE');
    });

    it('never matches an anonymous caller against a column', () => {
      expect(compilePostsRule('author = @request.auth.id', anonymous)).toEqual({ sql: 'FALSE', params: [] });
      expect(compilePostsRule('@request.auth.id = author', anonymous).sql).toBe('FALSE');
      expect(compilePostsRule('editors ?= @request.auth.id', anonymous).sql).toBe('FALSE');
      expect(compilePostsRule('title = @request.auth.name', anonymous).sql).toBe('FALSE');
      expect(compilePostsRule('title ~ @request.auth.name', anonymous).sql).toBe('FALSE');
      expect(compilePostsRule('author.name = @request.auth.name', anonymous).sql).toBe('FALSE');
      expect(compilePostsRule('author != @request.auth.id', anonymous).sql).toBe('TRUE');
    });

    it('binds the signed-in id as a uuid', () => {
      expect(compilePostsRule('author = @request.auth.id', user)).toEqual({
        sql: 't."author" = $1::uuid',
        params: [USER_ID],
      });
      expect(compilePostsRule('editors ?= @request.auth.id', user)).toEqual({
        sql: '$1::uuid = ANY(t."editors")',
        params: [USER_ID],
      });
    });

    it('answers FALSE, not a PostgreSQL error, for an auth id that is no uuid', () => {
      expect(compilePostsRule('author = @request.auth.id', { auth: { id: 'abc' } })).toEqual({
        sql: 'FALSE',
        params: [],
      });
      expect(compilePostsRule('views = @request.auth.id', { auth: { id: 'abc' } }).sql).toBe('FALSE');
    });

    it("compiles DESIGN's example rules", () => {
      const rule = "@request.auth.id != '' && author = @request.auth.id";
      expect(compilePostsRule(rule, anonymous)).toEqual({ sql: 'FALSE', params: [] });
      expect(compilePostsRule(rule, user)).toEqual({ sql: 't."author" = $1::uuid', params: [USER_ID] });
      const list = 'published = true || author = @request.auth.id';
      expect(compilePostsRule(list, anonymous)).toEqual({
        sql: 't."published" = $1::boolean',
        params: [true],
      });
      expect(compilePostsRule(list, user)).toEqual({
        sql: '(t."published" = $1::boolean OR t."author" = $2::uuid)',
        params: [true, USER_ID],
      });
    });
  });

  describe('@request.body', () => {
    it('reads the body, a missing key being null', () => {
      expect(compilePostsRule("@request.body.title = 'x'", { body: { title: 'x' } }).sql).toBe('TRUE');
      expect(compilePostsRule('@request.body.title = null', { body: {} }).sql).toBe('TRUE');
      expect(compilePostsRule('@request.body.title = null').sql).toBe('TRUE');
      expect(compilePostsRule('@request.body.__proto__ = null', { body: {} }).sql).toBe('TRUE');
      expect(compilePostsRule('@request.body.views > 10', { body: { views: 12 } }).sql).toBe('TRUE');
      expect(compilePostsRule("@request.body.views > '9'", { body: { views: 12 } }).sql).toBe('TRUE');
    });

    it('binds a body value compared with a column', () => {
      expect(compilePostsRule('views = @request.body.views', { body: { views: '10' } })).toEqual({
        sql: 't."views" = $1::double precision',
        params: [10],
      });
      expect(compilePostsRule('meta = @request.body.meta', { body: { meta: { a: [1] } } })).toEqual({
        sql: 't."meta" = $1::jsonb',
        params: ['{"a":[1]}'],
      });
    });

    it('answers without throwing when a body value cannot be of the column type', () => {
      const body = { views: 'abc', tags: ['a'], nul: 'a\u0000b', when: 'not a date' };
      expect(compilePostsRule('views = @request.body.views', { body })).toEqual({ sql: 'FALSE', params: [] });
      expect(compilePostsRule('views != @request.body.views', { body })).toEqual({ sql: 'TRUE', params: [] });
      expect(compilePostsRule('views > @request.body.views', { body }).sql).toBe('FALSE');
      expect(compilePostsRule('publishAt > @request.body.when', { body }).sql).toBe('FALSE');
      expect(compilePostsRule('title = @request.body.tags', { body }).sql).toBe('FALSE');
      expect(compilePostsRule('title = @request.body.nul', { body }).sql).toBe('FALSE');
      expect(compilePostsRule('title !~ @request.body.nul', { body }).sql).toBe('TRUE');
      expect(compilePostsRule('meta = @request.body.nul', { body }).sql).toBe('FALSE');
    });

    it('treats an array in the body like a multi-value field', () => {
      const body = { tags: ['a', 'b'] };
      expect(compilePostsRule("@request.body.tags ?= 'a'", { body }).sql).toBe('TRUE');
      expect(compilePostsRule("@request.body.tags = 'a'", { body }).sql).toBe('FALSE');
      expect(compilePostsRule("@request.body.tags != 'c'", { body }).sql).toBe('TRUE');
    });
  });

  it('may use hidden fields, which are trusted in rules', () => {
    expect(compilePostsRule("secret = 'x'", { canSeeHidden: false })).toEqual({
      sql: 't."secret" = $1',
      params: ['x'],
    });
    expect(compilePostsRule("author.tokenKey = 'k'", { canSeeHidden: false }).sql).toContain(
      'r1."tokenKey" = $1',
    );
  });

  it('applies view rules of related collections', () => {
    expect(compilePostsRule("author.name = 'Bob'", anonymous).sql).toBe(
      'EXISTS (SELECT 1 FROM "data"."users" AS r1 WHERE r1."id" = t."author" AND (r1."name" = $1) AND (r1."verified" = $2::boolean))',
    );
  });

  it('refuses unknown macros and fields', () => {
    for (const macro of [
      '@request.cookies.x',
      '@request.auth',
      '@request.body.nope.name',
      '@request.query.x.y',
      '@request.method.x',
    ]) {
      expect(filterErrorOf(() => compilePostsRule(`${macro} = 1`))).toMatchObject({
        code: 'FILTER_UNKNOWN_FIELD',
        field: macro,
      });
    }
    expect(filterErrorOf(() => compilePostsRule('nope = 1')).code).toBe('FILTER_UNKNOWN_FIELD');
  });

  it('follows a relation of the auth record or the body through bound ids (PocketBase 0.23+)', () => {
    const TEAM = '0190b6a1-7c2e-7a3b-9f00-0000000000f1';
    const auth = { ...signedIn, team: TEAM };
    expect(compilePostsRule('@request.auth.team.owner = @request.auth.id', { auth })).toEqual({
      sql: 'EXISTS (SELECT 1 FROM "data"."teams" AS r1 WHERE r1."id" = ANY($1::uuid[]) AND (r1."owner" = $2::uuid))',
      params: [[TEAM], USER_ID],
    });
    // Editors in the body: plain operators ask every submitted record (and one at least).
    const editors = compilePostsRule("@request.body.editors.name = 'Ada'", { body: { editors: [USER_ID] } });
    expect(editors.sql).toBe(
      '(EXISTS (SELECT 1 FROM "data"."users" AS r1 WHERE r1."id" = ANY($1::uuid[]) AND (r1."name" = $2)) AND ' +
        'NOT EXISTS (SELECT 1 FROM "data"."users" AS r1 WHERE r1."id" = ANY($1::uuid[]) AND (r1."name" = $2) IS NOT TRUE))',
    );
    expect(editors.params).toEqual([[USER_ID], 'Ada']);
    // The records named are read like @collection rows; a relation walked on from them passes its view rule.
    expect(compilePostsRule("@request.body.author.team.name = 'x'", { body: { author: USER_ID } }).sql).toBe(
      'EXISTS (SELECT 1 FROM "data"."users" AS r1 WHERE r1."id" = ANY($1::uuid[]) AND (EXISTS (SELECT 1 FROM "data"."teams" AS r2 WHERE r2."id" = r1."team" AND (r2."name" = $2))))',
    );
    expect(compilePostsRule('@request.auth.team.owner = @request.auth.id', user)).toEqual({
      sql: 'FALSE',
      params: [],
    });
  });

  it('compiles the same rule afresh for each caller', () => {
    const a = makeCtx({ auth: { id: USER_ID } });
    const b = makeCtx({ auth: { id: '0190b6a1-7c2e-7a3b-9f00-00000000000b' } });
    expect(rendered(compileRule('author = @request.auth.id', posts, 't', a))).toEqual({
      sql: 't."author" = $1::uuid',
      params: [USER_ID],
    });
    expect(rendered(compileRule('author = @request.auth.id', posts, 'x', b))).toEqual({
      sql: 'x."author" = $1::uuid',
      params: ['0190b6a1-7c2e-7a3b-9f00-00000000000b'],
    });
  });
});

describe('validateRuleSyntax', () => {
  it('accepts valid rules, null and empty', () => {
    expect(() => validateRuleSyntax(null, posts, schema)).not.toThrow();
    expect(() => validateRuleSyntax('', posts, schema)).not.toThrow();
    expect(() =>
      validateRuleSyntax(
        "@request.auth.id != '' && (author = @request.auth.id || editors ?= @request.auth.id) && views > @request.body.views",
        posts,
        schema,
      ),
    ).not.toThrow();
    expect(() => validateRuleSyntax("secret != '' && author.tokenKey != ''", posts, schema)).not.toThrow();
    expect(() =>
      validateRuleSyntax(
        "@request.auth.team.owner = @request.auth.id && @request.body.author.team.name != ''",
        posts,
        schema,
      ),
    ).not.toThrow();
  });

  it('does not blame a rule for a related collection whose own rule is broken', () => {
    expect(() => validateRuleSyntax("target.name = 'x'", linksToBroken, schema)).not.toThrow();
  });

  it.each([
    ['author = ', 'FILTER_SYNTAX'],
    ['nope = 1', 'FILTER_UNKNOWN_FIELD'],
    ["author.nope = 'x'", 'FILTER_UNKNOWN_FIELD'],
    ["views > 'many'", 'FILTER_TYPE_MISMATCH'],
    ['@request.cookies.x = 1', 'FILTER_UNKNOWN_FIELD'],
    ['@request.body.author.nope = 1', 'FILTER_UNKNOWN_FIELD'],
    ['@request.body.title.name = 1', 'FILTER_TYPE_MISMATCH'],
    [`${'views = 1 || '.repeat(200)}views = 1`, 'FILTER_TOO_COMPLEX'],
  ])('refuses %s with %s', (rule, code) => {
    expect(filterErrorOf(() => validateRuleSyntax(rule, posts, schema)).code).toBe(code);
  });
});
