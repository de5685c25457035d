import { sql } from '@plinth/core';
import { compileFilter, compileRule } from './compile-filter.js';
import { FilterError } from './filter-error.js';
import { compileSort } from './compile-sort.js';
import {
  collection,
  compilePosts,
  field,
  rendered,
  filterErrorOf,
  makeCtx,
  posts,
  signedIn,
  USER_ID,
} from './filter.fixture.js';

/** Every placeholder $1..$n is used and there is no other: PostgreSQL refuses both mistakes. */
function expectPlaceholdersMatch(sql: string, params: unknown[]): void {
  const used = new Set([...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
  expect([...used].sort((a, b) => a - b)).toEqual(params.map((_, i) => i + 1));
}

describe('hostile filters', () => {
  it.each([
    ["title = '; DROP TABLE x; --'", '; DROP TABLE x; --'],
    ['title = "a\\" OR 1=1 --"', 'a" OR 1=1 --'],
    ["title = 'Robert\\'); DROP TABLE students;--'", "Robert'); DROP TABLE students;--"],
    ["title = '\\\\'' OR ''='", null],
    ["title ~ '%'' OR 1=1 --'", null],
    ['title = "$$ || pg_sleep(10) || $$"', '$$ || pg_sleep(10) || $$'],
    ['title = \'x" OR "1"="1\'', 'x" OR "1"="1'],
    ["title = '\\u0000 is not a NUL'", '\\u0000 is not a NUL'],
  ])('%s binds the payload and keeps it out of the SQL', (filter, payload) => {
    let result: { sql: string; params: unknown[] } | undefined;
    try {
      result = compilePosts(filter);
    } catch (error) {
      expect(error).toBeInstanceOf(FilterError);
      expect(payload).toBeNull();
      return;
    }
    expect(payload).not.toBeNull();
    expect(result.sql).toMatch(/^t\."title" (=|ILIKE) \$1( ESCAPE '\\')?$/);
    expect(result.params).toHaveLength(1);
    expect(String(result.params[0])).toContain(payload);
    expect(result.sql).not.toContain(payload!);
  });

  it.each([
    ["'; DROP TABLE x; --", 0],
    ["title = 'x' ) OR (1=1", 12],
    ["title = 'x' OR 1=1", 12],
    ["title = 'x'; DROP TABLE posts", 11],
    ["title = 'x' -- comment", 12],
    ["title/**/= 'x'", 5],
    ["ti\"tle = 'x'", 2],
    ['t."title" = \'x\'', 1],
    ["title = E'\\x41'", 9],
    ["title = 'a\u0000b'", 10],
    ["title\u0000 = 'x'", 5],
    ["tïtle = 'x'", 1],
    ["title = 'x' UNION SELECT password FROM users", 12],
    ["title = (SELECT 'x')", 8],
    ["title = 'x' || 1", 16],
    ['nope"; DROP TABLE x; -- = 1', 4],
  ])('%s is refused with FILTER_SYNTAX before any SQL is written', (filter, position) => {
    const ctx = makeCtx();
    const error = filterErrorOf(() => compileFilter(filter, posts, 't', ctx));
    expect(error).toMatchObject({ code: 'FILTER_SYNTAX', position });
    // Nothing was bound anywhere: the context the caller passed is as it was.
    expect(ctx).toEqual(makeCtx());
  });

  it('keeps unicode, right-to-left marks and emoji in values intact', () => {
    const value = 'ß 你好 🎉 \u202e gnp.exe \u200b';
    expect(compilePosts(`title = '${value}' || title ~ '${value}'`)).toEqual({
      sql: `(t."title" = $1 OR t."title" ILIKE $2 ESCAPE '\\')`,
      params: [value, `%${value}%`],
    });
  });

  it('does not read identifiers from the input: a quote in a field name never reaches SQL', () => {
    const error = filterErrorOf(() => compilePosts('author."name" = 1'));
    expect(error.code).toBe('FILTER_SYNTAX');
    expect(filterErrorOf(() => compilePosts('pg_sleep = 1')).code).toBe('FILTER_UNKNOWN_FIELD');
  });

  it('takes a body value full of SQL as a value', () => {
    const ctx = makeCtx({ auth: signedIn, body: { title: "x' OR '1'='1" } });
    expect(rendered(compileRule('title = @request.body.title', posts, 't', ctx))).toEqual({
      sql: 't."title" = $1',
      params: ["x' OR '1'='1"],
    });
  });

  it('echoes at most a short, escaped piece of the input in messages', () => {
    const error = filterErrorOf(() => compilePosts(`title = 1 ${'\u0001'.repeat(100)}`));
    expect(error.message).toBe('Unexpected character "\\u0001" at position 10.');
  });
});

/** A small deterministic PRNG so failures reproduce. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('fuzzing', () => {
  const operands = [
    'title',
    'views',
    'tags',
    'scores',
    'editors',
    'author',
    'author.name',
    'editors.name',
    'parent.title',
    'meta',
    'published',
    'publishAt',
    'created',
    'category.name',
    'secret',
    '@now',
    "'x'",
    '"y"',
    "'%_\\\\'",
    '1',
    '-2.5',
    'true',
    'null',
    "''",
    "'2024-01-01'",
    "'0190b6a1-7c2e-7a3b-9f00-0123456789ab'",
    '@request.auth.id',
  ];
  const operators = [
    '=',
    '!=',
    '>',
    '>=',
    '<',
    '<=',
    '~',
    '!~',
    '?=',
    '?!=',
    '?>',
    '?>=',
    '?<',
    '?<=',
    '?~',
    '?!~',
  ];
  const junk = ['&&', '||', '(', ')', ';', '--', '"', "'", '\\', '\u0000', '=', 'DROP', '/*'];

  it('answers random filters, with junk mixed in, with SQL or a FilterError, never anything else', () => {
    const next = random(42);
    const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
    let compiled = 0;
    let refused = 0;
    for (let i = 0; i < 3000; i++) {
      const pieces: string[] = [];
      const terms = 1 + Math.floor(next() * 5);
      for (let t = 0; t < terms; t++) {
        if (t > 0) pieces.push(pick(['&&', '||']));
        pieces.push(pick(operands), pick(operators), pick(operands));
      }
      if (next() < 0.3) pieces.splice(Math.floor(next() * pieces.length), 0, pick(junk));
      const input = pieces.join(next() < 0.5 ? ' ' : '');
      const ctx = makeCtx({ canSeeHidden: next() < 0.5, isAdmin: next() < 0.2 });
      try {
        const { sql, params } = rendered(compileFilter(input, posts, 't', ctx));
        expectPlaceholdersMatch(sql, params);
        compiled++;
      } catch (error) {
        if (!(error instanceof FilterError))
          throw new Error(`${input} threw ${String(error)}`, { cause: error });
        refused++;
      }
    }
    expect(compiled).toBeGreaterThan(300);
    expect(refused).toBeGreaterThan(300);
  });

  it('uses every bound value exactly where valid random filters and rules put them', () => {
    const next = random(7);
    const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
    const terms = [
      "title = 'a'",
      'views > 3',
      "tags ?= 'a'",
      "tags ~ 'b'",
      "editors.name = 'x'",
      "author.name != 'y'",
      "author = 'nope'",
      '1 = 1',
      '1 = 2',
      'publishAt < @now',
      "parent.author.name ~ 'z'",
      'scores > 1',
      'meta = null',
      "author.team.name ?= 'r'",
      "category.name = 'c'",
      "'q' ~ title",
      "@request.auth.id != ''",
      'author = @request.auth.id',
      'views = @request.body.v',
    ];
    const build = (depth: number): string => {
      if (depth > 3 || next() < 0.4) return pick(terms);
      const n = 2 + Math.floor(next() * 3);
      return `(${Array.from({ length: n }, () => build(depth + 1)).join(pick([' && ', ' || ']))})`;
    };
    for (let i = 0; i < 500; i++) {
      const rule = build(0);
      const ctx = makeCtx({ auth: next() < 0.5 ? signedIn : null, body: { v: pick(['x', 5, null]) } });
      const { sql, params } = rendered(compileRule(rule, posts, 't', ctx));
      expectPlaceholdersMatch(sql, params);
    }
  });
});

describe("an auth collection's email", () => {
  const members = collection(
    'members',
    [field('email', 'text'), field('emailVisibility', 'bool'), field('nick', 'text')],
    '',
  );

  it('reads as empty on rows whose emailVisibility is not true, for client filters', () => {
    expect(compilePosts("email ~ 'a'", {}, members)).toEqual({
      sql: `(CASE WHEN t."emailVisibility" IS TRUE THEN t."email" END) ILIKE $1 ESCAPE '\\'`,
      params: ['%a%'],
    });
  });

  it('is visible on the caller’s own record', () => {
    const me = { id: USER_ID, collectionName: 'members' };
    const { sql, params } = compilePosts("email = 'x@example.com'", { auth: me }, members);
    expect(sql).toBe(`(CASE WHEN t."emailVisibility" IS TRUE OR t."id" = $1::uuid THEN t."email" END) = $2`);
    expect(params).toEqual([USER_ID, 'x@example.com']);
  });

  it('is not guarded for admins and in rules', () => {
    expect(compilePosts("email = 'x'", { isAdmin: true }, members).sql).toBe('t."email" = $1');
    expect(rendered(compileRule("email = 'x'", members, 't', makeCtx())).sql.startsWith('t."email" = $')).toBe(
      true,
    );
  });

  it('is guarded for an API key that may not read the collection', () => {
    const push = { isAdmin: true, mayRead: () => false };
    expect(compilePosts("email = 'x'", push, members).sql).toBe(
      '(CASE WHEN t."emailVisibility" IS TRUE THEN t."email" END) = $1',
    );
    expect(compilePosts("email = 'x'", { isAdmin: true, mayRead: () => true }, members).sql).toBe(
      't."email" = $1',
    );
    expect(rendered(compileSort('email', members, 't', { canSeeHidden: false, ...push })).sql).toBe(
      '(CASE WHEN t."emailVisibility" IS TRUE THEN t."email" END) ASC, t."id" ASC',
    );
  });

  it('sorts as empty where it is hidden', () => {
    expect(rendered(compileSort('email', members, 't', { canSeeHidden: false })).sql).toBe(
      '(CASE WHEN t."emailVisibility" IS TRUE THEN t."email" END) ASC, t."id" ASC',
    );
    const own = compileSort('-email', members, 't', {
      canSeeHidden: false,
      auth: { id: USER_ID, collectionName: 'members' },
    });
    // Placed after a value bound earlier in the statement, its own value is numbered after it.
    const { sql: text, params } = rendered(sql`${'before'} ORDER BY ${own}`);
    expect(text).toBe(
      '$1 ORDER BY (CASE WHEN t."emailVisibility" IS TRUE OR t."id" = $2::uuid THEN t."email" END) DESC, t."id" DESC',
    );
    expect(params).toEqual(['before', USER_ID]);
    expect(rendered(compileSort('email', members, 't', { canSeeHidden: false, isAdmin: true })).sql).toBe(
      't."email" ASC, t."id" ASC',
    );
  });
});
