import { sql } from '@plinth/core';
import { compileFilter, quoteIdent } from './compile-filter.js';
import {
  compilePosts,
  filterErrorOf,
  makeCtx,
  NOW,
  odd,
  posts,
  rendered,
  USER_ID,
} from './filter.fixture.js';
import { parseFilter } from './parse-filter.js';

describe('compileFilter', () => {
  it('answers TRUE without params for an empty or blank filter', () => {
    expect(compilePosts('')).toEqual({ sql: 'TRUE', params: [] });
    expect(compilePosts(' \n\t ')).toEqual({ sql: 'TRUE', params: [] });
  });

  it('accepts a parsed AST as well as text', () => {
    expect(rendered(compileFilter(parseFilter("title = 'x'"), posts, 'p', makeCtx()))).toEqual({
      sql: 'p."title" = $1',
      params: ['x'],
    });
  });

  it('refuses an alias that is not a plain identifier', () => {
    expect(() => compileFilter("title = 'x'", posts, 't; DROP', makeCtx())).toThrow('Invalid SQL alias');
  });

  it('numbers placeholders after values bound earlier in the statement', () => {
    const where = compileFilter("title = 'x' && views > 3", posts, 't', makeCtx());
    expect(rendered(sql`${'earlier'} ${2} ${where}`)).toEqual({
      sql: '$1 $2 (t."title" = $3 AND t."views" > $4::double precision)',
      params: ['earlier', 2, 'x', 3],
    });
  });

  describe('text fields', () => {
    it.each([
      ["title = 'a'", 't."title" = $1'],
      ["title != 'a'", 't."title" IS DISTINCT FROM $1'],
      ["title > 'a'", 't."title" > $1'],
      ["title >= 'a'", 't."title" >= $1'],
      ["title < 'a'", 't."title" < $1'],
      ["title <= 'a'", 't."title" <= $1'],
      ["title ?= 'a'", 't."title" = $1'],
      ["title ?!= 'a'", 't."title" IS DISTINCT FROM $1'],
      ["title ?> 'a'", 't."title" > $1'],
      ["title ?>= 'a'", 't."title" >= $1'],
      ["title ?< 'a'", 't."title" < $1'],
      ["title ?<= 'a'", 't."title" <= $1'],
    ])('%s → %s', (filter, sql) => {
      expect(compilePosts(filter)).toEqual({ sql, params: ['a'] });
    });

    it.each([
      ["title ~ 'a'", `t."title" ILIKE $1 ESCAPE '\\'`],
      ["title ?~ 'a'", `t."title" ILIKE $1 ESCAPE '\\'`],
      ["title !~ 'a'", `COALESCE(t."title", '') NOT ILIKE $1 ESCAPE '\\'`],
      ["title ?!~ 'a'", `COALESCE(t."title", '') NOT ILIKE $1 ESCAPE '\\'`],
    ])('%s is contains: %s with %%a%%', (filter, sql) => {
      expect(compilePosts(filter)).toEqual({ sql, params: ['%a%'] });
    });

    it('makes %, _ and \\ in a ~ value literal', () => {
      expect(compilePosts("title ~ '100%_a\\\\b'").params).toEqual(['%100\\%\\_a\\\\b%']);
    });

    it('compares numbers and booleans with text as their text', () => {
      expect(compilePosts('title = 5 || title = true || title ~ 1.5')).toEqual({
        sql: `(t."title" = $1 OR t."title" = $2 OR t."title" ILIKE $3 ESCAPE '\\')`,
        params: ['5', 'true', '%1.5%'],
      });
    });

    it("treats null and '' alike: empty means NULL or ''", () => {
      const empty = `(t."title" IS NULL OR t."title" = '')`;
      expect(compilePosts('title = null')).toEqual({ sql: empty, params: [] });
      expect(compilePosts("title = ''")).toEqual({ sql: empty, params: [] });
      expect(compilePosts('null = title')).toEqual({ sql: empty, params: [] });
      expect(compilePosts('title != null')).toEqual({ sql: `t."title" <> ''`, params: [] });
      expect(compilePosts("title != ''")).toEqual({ sql: `t."title" <> ''`, params: [] });
    });

    it('never orders against null, but does against the empty string', () => {
      expect(compilePosts('title > null')).toEqual({ sql: 'FALSE', params: [] });
      expect(compilePosts("title > ''")).toEqual({ sql: 't."title" > $1', params: [''] });
    });

    it('flips the operator when the value is on the left', () => {
      expect(compilePosts("'m' < title").sql).toBe('t."title" > $1');
      expect(compilePosts("'m' ?>= title").sql).toBe('t."title" <= $1');
      expect(compilePosts("'m' = title").sql).toBe('t."title" = $1');
    });

    it('reads a value on the left of ~ as "the value contains the field"', () => {
      expect(compilePosts("'Hello World' ~ title")).toEqual({
        sql: `$1::text ILIKE ('%' || replace(replace(replace(t."title", '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%') ESCAPE '\\'`,
        params: ['Hello World'],
      });
      expect(compilePosts("'x' !~ title").sql).toBe(
        `$1::text NOT ILIKE ('%' || replace(replace(replace(COALESCE(t."title", ''), '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%') ESCAPE '\\'`,
      );
    });
  });

  describe('number fields', () => {
    it.each([
      ['views = 5', 't."views" = $1::double precision', [5]],
      ['views != 5', 't."views" IS DISTINCT FROM $1::double precision', [5]],
      ['views > -1.5', 't."views" > $1::double precision', [-1.5]],
      ['views >= 0', 't."views" >= $1::double precision', [0]],
      ['views < 10', 't."views" < $1::double precision', [10]],
      ['views <= 10', 't."views" <= $1::double precision', [10]],
      ['views ?> 3', 't."views" > $1::double precision', [3]],
      ["views = '7'", 't."views" = $1::double precision', [7]],
      ["views = ' 2.5e3 '", 't."views" = $1::double precision', [2500]],
      ['views ~ 12', `t."views"::text ILIKE $1 ESCAPE '\\'`, ['%12%']],
      ["views !~ '1'", `COALESCE(t."views"::text, '') NOT ILIKE $1 ESCAPE '\\'`, ['%1%']],
      ['views = null', 't."views" IS NULL', []],
      ["views = ''", 't."views" IS NULL', []],
      ['views != null', 't."views" IS NOT NULL', []],
      ['views < null', 'FALSE', []],
      ['3 < views', 't."views" > $1::double precision', [3]],
    ])('%s → %s', (filter, sql, params) => {
      expect(compilePosts(filter)).toEqual({ sql, params });
    });

    it.each([
      ["views = 'abc'"],
      ['views > true'],
      ["views > ''"],
      ["views = '1,5'"],
      ["'abc' < views"],
      ['views > @now'],
    ])('%s is FILTER_TYPE_MISMATCH naming the field', (filter) => {
      const error = filterErrorOf(() => compilePosts(filter));
      expect(error).toMatchObject({ code: 'FILTER_TYPE_MISMATCH', field: 'views' });
      expect(error.message).toMatch(
        /^The field "views" holds numbers; .+ cannot be compared with it using "[<>=]+"\.$/,
      );
    });

    it('reports the position of the comparison', () => {
      expect(filterErrorOf(() => compilePosts("title = 'a' && views = 'abc'")).position).toBe(15);
    });
  });

  describe('bool fields', () => {
    it.each([
      ['published = true', 't."published" = $1::boolean', [true]],
      ['published != false', 't."published" IS DISTINCT FROM $1::boolean', [false]],
      ["published = 'true'", 't."published" = $1::boolean', [true]],
      ['published ?= false', 't."published" = $1::boolean', [false]],
      ['published = null', 't."published" IS NULL', []],
      ["published ~ 'ru'", `t."published"::text ILIKE $1 ESCAPE '\\'`, ['%ru%']],
    ])('%s → %s', (filter, sql, params) => {
      expect(compilePosts(filter)).toEqual({ sql, params });
    });

    it.each([['published = 1'], ["published = 'yes'"], ["published != 'TRUE '"]])(
      '%s is FILTER_TYPE_MISMATCH',
      (filter) => {
        expect(filterErrorOf(() => compilePosts(filter))).toMatchObject({
          code: 'FILTER_TYPE_MISMATCH',
          field: 'published',
        });
      },
    );
  });

  describe('date fields', () => {
    it.each([
      [
        "publishAt > '2024-01-31 10:00:00.000Z'",
        't."publishAt" > $1::timestamptz',
        ['2024-01-31T10:00:00.000Z'],
      ],
      ["publishAt <= '2024-01-31'", 't."publishAt" <= $1::timestamptz', ['2024-01-31T00:00:00.000Z']],
      ["publishAt = '2024-01-31T10:00'", 't."publishAt" = $1::timestamptz', ['2024-01-31T10:00:00.000Z']],
      [
        "created >= '2024-01-01T00:00:00+02:00'",
        't."created" >= $1::timestamptz',
        ['2023-12-31T22:00:00.000Z'],
      ],
      [
        "updated != '2024-01-01 12:00:00.5-0130'",
        't."updated" IS DISTINCT FROM $1::timestamptz',
        ['2024-01-01T13:30:00.500Z'],
      ],
      ['publishAt < @now', 't."publishAt" < $1::timestamptz', [NOW.toISOString()]],
      ['@now >= publishAt', 't."publishAt" <= $1::timestamptz', [NOW.toISOString()]],
      ['publishAt = null', 't."publishAt" IS NULL', []],
      ["publishAt ~ '2024'", `t."publishAt"::text ILIKE $1 ESCAPE '\\'`, ['%2024%']],
    ])('%s → %s', (filter, sql, params) => {
      expect(compilePosts(filter)).toEqual({ sql, params });
    });

    it.each([
      ["publishAt < '2024-02-30'"],
      ["publishAt < '2023-02-29'"],
      ["publishAt < '2024-13-01'"],
      ["publishAt < '2024-01-01 24:00'"],
      ["publishAt > 'tomorrow'"],
      ['publishAt > 20240101'],
      ['publishAt = true'],
    ])('%s is FILTER_TYPE_MISMATCH', (filter) => {
      expect(filterErrorOf(() => compilePosts(filter))).toMatchObject({
        code: 'FILTER_TYPE_MISMATCH',
        field: 'publishAt',
      });
    });

    it('accepts a leap day', () => {
      expect(compilePosts("publishAt = '2024-02-29'").params).toEqual(['2024-02-29T00:00:00.000Z']);
    });
  });

  describe('uuid fields', () => {
    const id = USER_ID;

    it.each([
      [`author = '${id}'`, 't."author" = $1::uuid', [id]],
      [`author != '${id}'`, 't."author" IS DISTINCT FROM $1::uuid', [id]],
      [`author ?= '${id}'`, 't."author" = $1::uuid', [id]],
      [`id = '${id.toUpperCase()}'`, 't."id" = $1::uuid', [id]],
      [`id > '${id}'`, 't."id" > $1::uuid', [id]],
      ['author = null', 't."author" IS NULL', []],
      ["author = ''", 't."author" IS NULL', []],
      ['author != null', 't."author" IS NOT NULL', []],
      ["author ~ '0190'", `t."author"::text ILIKE $1 ESCAPE '\\'`, ['%0190%']],
    ])('%s → %s', (filter, sql, params) => {
      expect(compilePosts(filter)).toEqual({ sql, params });
    });

    it.each([
      ["author = 'abc'", 'FALSE'],
      ["author ?= 'abc'", 'FALSE'],
      ["author > 'abc'", 'FALSE'],
      ['author = 42', 'FALSE'],
      ["author != 'abc'", 'TRUE'],
      ["author ?!= 'abc'", 'TRUE'],
      [`author = '${id}x'`, 'FALSE'],
    ])('a value that is no uuid never reaches PostgreSQL: %s → %s', (filter, sql) => {
      expect(compilePosts(filter)).toEqual({ sql, params: [] });
    });
  });

  describe('json fields', () => {
    it.each([
      ["meta = 'x'", 't."meta" = $1::jsonb', ['"x"']],
      ['meta = 5', 't."meta" = $1::jsonb', ['5']],
      ['meta != true', 't."meta" IS DISTINCT FROM $1::jsonb', ['true']],
      ["meta > 'a\"b'", 't."meta" > $1::jsonb', ['"a\\"b"']],
      ["meta ~ 'k'", `t."meta"::text ILIKE $1 ESCAPE '\\'`, ['%k%']],
      [
        'meta = null',
        `(t."meta" IS NULL OR t."meta" IN ('null'::jsonb, '""'::jsonb, '[]'::jsonb, '{}'::jsonb))`,
        [],
      ],
      ['meta != null', `t."meta" NOT IN ('null'::jsonb, '""'::jsonb, '[]'::jsonb, '{}'::jsonb)`, []],
    ])('%s → %s', (filter, sql, params) => {
      expect(compilePosts(filter)).toEqual({ sql, params });
    });
  });

  describe('multi-value fields (arrays)', () => {
    it.each([
      ["tags ?= 'a'", '$1 = ANY(t."tags")'],
      ["tags ?!= 'a'", '(COALESCE(cardinality(t."tags"), 0) = 0 OR $1 <> ANY(t."tags"))'],
      ["tags ?> 'a'", '$1 < ANY(t."tags")'],
      ["tags ?>= 'a'", '$1 <= ANY(t."tags")'],
      ["tags ?< 'a'", '$1 > ANY(t."tags")'],
      ["tags ?<= 'a'", '$1 >= ANY(t."tags")'],
      ["tags = 'a'", '(cardinality(t."tags") > 0 AND $1 = ALL(t."tags"))'],
      ["tags != 'a'", '(t."tags" IS NULL OR $1 <> ALL(t."tags"))'],
      ["tags > 'a'", '(cardinality(t."tags") > 0 AND $1 < ALL(t."tags"))'],
      ["tags <= 'a'", '(cardinality(t."tags") > 0 AND $1 >= ALL(t."tags"))'],
      ["'a' ?= tags", '$1 = ANY(t."tags")'],
    ])('%s → %s', (filter, sql) => {
      expect(compilePosts(filter)).toEqual({ sql, params: ['a'] });
    });

    it('casts the value to the element type', () => {
      expect(compilePosts('scores ?> 5 && scores < 10')).toEqual({
        sql: '($1::double precision < ANY(t."scores") AND (cardinality(t."scores") > 0 AND $2::double precision > ALL(t."scores")))',
        params: [5, 10],
      });
      expect(compilePosts(`editors ?= '${USER_ID}'`)).toEqual({
        sql: '$1::uuid = ANY(t."editors")',
        params: [USER_ID],
      });
    });

    it('matches an empty array (or NULL) with = null, in both forms', () => {
      const empty = '(t."tags" IS NULL OR cardinality(t."tags") = 0)';
      expect(compilePosts('tags = null').sql).toBe(empty);
      expect(compilePosts('tags ?= null').sql).toBe(empty);
      expect(compilePosts("tags = ''").sql).toBe(empty);
      expect(compilePosts('tags != null').sql).toBe('cardinality(t."tags") > 0');
      expect(compilePosts('tags ?!= null').sql).toBe('cardinality(t."tags") > 0');
      expect(compilePosts('tags > null').sql).toBe('FALSE');
    });

    it('counts a single relation as 0 or 1 and compares its one value with :each (PocketBase)', () => {
      expect(compilePosts('author:length = 1')).toEqual({
        sql: '(CASE WHEN t."author" IS NULL THEN 0 ELSE 1 END) = $1::double precision',
        params: [1],
      });
      expect(compilePosts(`author:each = '${USER_ID}'`)).toEqual(compilePosts(`author = '${USER_ID}'`));
      expect(() => compilePosts('title:length = 1')).toThrow(/select, relation or file/);
    });

    it('asks ~ of each element: any for ?~, all (and at least one) for ~', () => {
      expect(compilePosts("tags ?~ 'a'")).toEqual({
        sql: `EXISTS (SELECT 1 FROM unnest(t."tags") AS e1(v) WHERE (e1.v ILIKE $1 ESCAPE '\\'))`,
        params: ['%a%'],
      });
      expect(compilePosts("tags ~ 'a'").sql).toBe(
        `(EXISTS (SELECT 1 FROM unnest(t."tags") AS e1(v) WHERE (e1.v ILIKE $1 ESCAPE '\\')) AND ` +
          `NOT EXISTS (SELECT 1 FROM unnest(t."tags") AS e1(v) WHERE (e1.v ILIKE $1 ESCAPE '\\') IS NOT TRUE))`,
      );
      expect(compilePosts("tags !~ 'a'").sql).toBe(
        `NOT EXISTS (SELECT 1 FROM unnest(t."tags") AS e1(v) WHERE (COALESCE(e1.v, '') NOT ILIKE $1 ESCAPE '\\') IS NOT TRUE)`,
      );
      expect(compilePosts("tags ?!~ 'a'").sql).toBe(
        `(NOT EXISTS (SELECT 1 FROM unnest(t."tags") AS e1(v)) OR ` +
          `EXISTS (SELECT 1 FROM unnest(t."tags") AS e1(v) WHERE (COALESCE(e1.v, '') NOT ILIKE $1 ESCAPE '\\')))`,
      );
      expect(compilePosts('scores ?~ 5').sql).toBe(
        `EXISTS (SELECT 1 FROM unnest(t."scores") AS e1(v) WHERE (e1.v::text ILIKE $1 ESCAPE '\\'))`,
      );
    });

    it('refuses a literal of the wrong type for the elements', () => {
      expect(filterErrorOf(() => compilePosts("scores ?= 'many'"))).toMatchObject({
        code: 'FILTER_TYPE_MISMATCH',
        field: 'scores',
      });
    });

    it('answers without PostgreSQL for a value that is no uuid', () => {
      expect(compilePosts("editors ?= 'abc'").sql).toBe('FALSE');
      expect(compilePosts("editors = 'abc'").sql).toBe('FALSE');
      expect(compilePosts("editors != 'abc'").sql).toBe('TRUE');
      expect(compilePosts("editors ?!= 'abc'").sql).toBe('TRUE');
    });
  });

  describe('field against field', () => {
    it('compares text null-safely, with NULL equal to empty', () => {
      expect(compilePosts('title = subtitle')).toEqual({
        sql: `COALESCE(t."title", '') = COALESCE(t."subtitle", '')`,
        params: [],
      });
      expect(compilePosts('title != subtitle').sql).toBe(
        `COALESCE(t."title", '') <> COALESCE(t."subtitle", '')`,
      );
    });

    it('compares other types with IS [NOT] DISTINCT FROM and orders directly', () => {
      expect(compilePosts('created = updated').sql).toBe('t."created" IS NOT DISTINCT FROM t."updated"');
      expect(compilePosts('created != updated').sql).toBe('t."created" IS DISTINCT FROM t."updated"');
      expect(compilePosts('updated > created').sql).toBe('t."updated" > t."created"');
    });

    it('compares ids with text as text', () => {
      expect(compilePosts('author = title').sql).toBe(
        `COALESCE(t."author"::text, '') = COALESCE(t."title", '')`,
      );
    });

    it('uses ~ between two fields as contains, with the right side escaped', () => {
      expect(compilePosts('title ~ subtitle').sql).toBe(
        `t."title" ILIKE ('%' || replace(replace(replace(t."subtitle", '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%') ESCAPE '\\'`,
      );
    });

    it('refuses fields of different types', () => {
      const error = filterErrorOf(() => compilePosts('views = published'));
      expect(error).toMatchObject({ code: 'FILTER_TYPE_MISMATCH', field: 'views', position: 0 });
      expect(error.message).toBe(
        'The fields "views" and "published" hold different types and cannot be compared.',
      );
    });

    it('asks each element of an array field', () => {
      expect(compilePosts('editors ?= author').sql).toBe(
        'EXISTS (SELECT 1 FROM unnest(t."editors") AS e1(v) WHERE (e1.v IS NOT DISTINCT FROM t."author"))',
      );
      expect(compilePosts('editors != author').sql).toBe(
        'NOT EXISTS (SELECT 1 FROM unnest(t."editors") AS e1(v) WHERE (e1.v IS DISTINCT FROM t."author") IS NOT TRUE)',
      );
    });
  });

  describe('known values on both sides', () => {
    it.each([
      ['1 = 1', 'TRUE'],
      ["1 = '1'", 'TRUE'],
      ["'a' != 'a'", 'FALSE'],
      ["null = ''", 'TRUE'],
      ['2 > 10', 'FALSE'],
      ["'b' > 'a'", 'TRUE'],
      ["'Hello' ~ 'ELL'", 'TRUE'],
      ["'Hello' !~ 'ell'", 'FALSE'],
      ["@now > '2025-01-01'", 'TRUE'],
      ["@now < '2025-01-01'", 'FALSE'],
      ['true = false', 'FALSE'],
    ])('%s → %s without params', (filter, sql) => {
      expect(compilePosts(filter)).toEqual({ sql, params: [] });
    });
  });

  describe('&&, || and parentheses', () => {
    it('keeps the precedence of && over || in the SQL', () => {
      expect(compilePosts("title = 'a' || views > 1 && published = true")).toEqual({
        sql: '(t."title" = $1 OR (t."views" > $2::double precision AND t."published" = $3::boolean))',
        params: ['a', 1, true],
      });
    });

    it('follows parentheses', () => {
      expect(compilePosts("(title = 'a' || views > 1) && published = true")).toEqual({
        sql: '((t."title" = $1 OR t."views" > $2::double precision) AND t."published" = $3::boolean)',
        params: ['a', 1, true],
      });
    });

    it('drops neutral constants and keeps the rest', () => {
      expect(compilePosts("1 = 1 && title = 'a'")).toEqual({ sql: 't."title" = $1', params: ['a'] });
      expect(compilePosts("1 = 2 || title = 'a'")).toEqual({ sql: 't."title" = $1', params: ['a'] });
    });

    it('folds a decided group and takes back the params it no longer uses', () => {
      // PostgreSQL refuses a statement with bound values it does not reference.
      expect(compilePosts("title = 'a' && 1 = 2")).toEqual({ sql: 'FALSE', params: [] });
      expect(compilePosts("(title = 'a' && author = 'nope') || views > 3")).toEqual({
        sql: 't."views" > $1::double precision',
        params: [3],
      });
      expect(compilePosts("views = 1 || (title = 'a' || 1 = 1)")).toEqual({ sql: 'TRUE', params: [] });
    });

    it('still checks every term of a decided group', () => {
      expect(filterErrorOf(() => compilePosts("1 = 2 && nope = 'x'")).code).toBe('FILTER_UNKNOWN_FIELD');
    });
  });

  describe('identifiers', () => {
    it('knows id, created and updated on every collection', () => {
      expect(compilePosts("created > '2024-01-01' && updated < @now && id != null").sql).toBe(
        '(t."created" > $1::timestamptz AND t."updated" < $2::timestamptz AND t."id" IS NOT NULL)',
      );
    });

    it('quotes schema identifiers with quoteIdent, doubling quotes', () => {
      expect(quoteIdent('plain')).toBe('"plain"');
      expect(quoteIdent('a"b""c')).toBe('"a""b""""c"');
      expect(compilePosts("x = 'v'", {}, odd).sql).toBe('t."x""y" = $1');
    });

    it.each([['nope'], ['Title'], ['constructor'], ['__proto__'], ['toString']])(
      'refuses the unknown field %s, naming only it',
      (name) => {
        const error = filterErrorOf(() => compilePosts(`${name} = 1`));
        expect(error).toMatchObject({ code: 'FILTER_UNKNOWN_FIELD', field: name, position: 0 });
        expect(error.message).toBe(`Unknown field "${name}".`);
      },
    );

    it('refuses a hidden field unless the caller may see hidden fields', () => {
      const error = filterErrorOf(() => compilePosts("views > 1 && secret = 'x'"));
      expect(error).toMatchObject({ code: 'FILTER_HIDDEN_FIELD', field: 'secret', position: 13 });
      expect(error.message).toBe('The field "secret" cannot be used in a filter.');
      expect(compilePosts("secret = 'x'", { canSeeHidden: true }).sql).toBe('t."secret" = $1');
    });

    it('refuses @request.* in a client filter, naming the macro', () => {
      for (const macro of ['@request.auth.id', '@request.body.title', '@request.headers.x']) {
        const error = filterErrorOf(() => compilePosts(`title = ${macro}`));
        expect(error).toMatchObject({ code: 'FILTER_FORBIDDEN_MACRO', field: macro, position: 8 });
        expect(error.message).toBe(
          `@request.* (${macro}) can only be used in access rules and by admins, not in filters.`,
        );
      }
    });

    it('allows @now in a client filter and refuses unknown macros', () => {
      expect(compilePosts('created < @now').params).toEqual([NOW.toISOString()]);
      expect(filterErrorOf(() => compilePosts('created < @someday'))).toMatchObject({
        code: 'FILTER_UNKNOWN_FIELD',
        field: '@someday',
      });
      expect(filterErrorOf(() => compilePosts('created < @now.x')).code).toBe('FILTER_UNKNOWN_FIELD');
    });
  });
});

describe('search()', () => {
  const searchable = { ...posts, search: { column: '_search', languages: ['english', 'simple'] } };
  const compile = (filter: string, ctx = makeCtx()) => rendered(compileFilter(filter, searchable, 't', ctx));
  const match =
    "t.\"_search\" @@ (websearch_to_tsquery('english'::regconfig, $1::text) || websearch_to_tsquery('simple'::regconfig, $2::text))";

  it('is a condition of its own, also written @search, and = false negates it', () => {
    expect(compile('search("quick fox")')).toEqual({ sql: `(${match})`, params: ['quick fox', 'quick fox'] });
    expect(compile('@search("a") && views > 1').sql).toBe(
      `((${match}) AND t."views" > $3::double precision)`,
    );
    expect(compile('search("a") = false').sql).toBe(`(${match}) IS NOT TRUE`);
  });

  it('takes a request value; one that is not text matches nothing', () => {
    const ctx = makeCtx({ allowRequestMacros: true, request: { query: { q: 'fox' } } });
    expect(compile('search(@request.query.q)', ctx).params).toEqual(['fox', 'fox']);
    expect(compile('search(@request.query.missing)', ctx).sql).toBe('FALSE');
  });

  it('refuses what it cannot search with the problem named', () => {
    expect(filterErrorOf(() => compilePosts('search("x")')).code).toBe('SEARCH_NOT_AVAILABLE');
    expect(filterErrorOf(() => compile('search(views)')).code).toBe('FILTER_SYNTAX');
    expect(filterErrorOf(() => compile('search("a", "b")')).code).toBe('FILTER_SYNTAX');
    expect(filterErrorOf(() => compile(`search("${'w '.repeat(600)}")`)).code).toBe('SEARCH_INVALID');
    expect(filterErrorOf(() => compile('search("a") > 1')).code).toBe('FILTER_TYPE_MISMATCH');
  });
});
