import { describe, expect, it } from '@jest/globals';
import { prepareViewQuery, queryTreeRefs, referenceProblems, starOfAuthProblem } from './view-query.js';

describe('prepareViewQuery', () => {
  it('trims the query and drops trailing semicolons', () => {
    expect(prepareViewQuery('  SELECT id FROM posts ;; \n')).toEqual({
      ok: true,
      query: 'SELECT id FROM posts',
    });
    expect(prepareViewQuery('-- stats\nWITH x AS (SELECT 1) SELECT * FROM x')).toMatchObject({ ok: true });
    expect(prepareViewQuery('(SELECT id FROM posts)')).toMatchObject({ ok: true });
  });

  it.each([
    ['', /empty/],
    ['  ;  ', /empty/],
    ['DELETE FROM posts', /must be a SELECT; it starts with "DELETE"/],
    ['/* x */ UPDATE posts SET a = 1', /must be a SELECT; it starts with "UPDATE"/],
    ['SELECT id, password_hash FROM users', /"password_hash"/],
    ['SELECT id, "TOKEN_KEY" FROM users', /"token_key"/],
    ['SELECT id, U&"password\\005fhash" FROM users', /U& escaped/],
    [`SELECT ${'x'.repeat(20_001)}`, /at most 20000/],
  ])('refuses %j', (query, message) => {
    const result = prepareViewQuery(query);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.message).toMatch(message);
  });
});

// Shapes of PostgreSQL's node tree text (pg_rewrite.ev_action) as nodeToString writes them.
const TREE =
  '({QUERY :commandType 1 :rtable ({RANGETBLENTRY :alias <> :rtekind 0 :relid 16401 :relkind r} ' +
  '{RANGETBLENTRY :rtekind 0 :relid 16420 :relkind v}) :targetList ({TARGETENTRY :expr {FUNCEXPR :funcid 871 ' +
  ':funcresulttype 25 :args ({VAR :varno 1 :varattno 2 :vartype 25})} :resno 1} {TARGETENTRY :expr {AGGREF ' +
  ':aggfnoid 2147 :aggtype 20} :resno 2} {TARGETENTRY :expr {WINDOWFUNC :winfnoid 3100} :resno 3}) :rowMarks <>})';

describe('queryTreeRefs', () => {
  it('finds the relations and functions of a query tree', () => {
    expect(queryTreeRefs(TREE)).toEqual({
      relations: [16401, 16420],
      functions: [871, 2147, 3100],
      rowLocks: false,
      wholeRow: false,
    });
  });

  it('sees row locks and whole-row references', () => {
    const refs = queryTreeRefs(
      '({QUERY :rtable ({RANGETBLENTRY :relid 5}) :targetList ({TARGETENTRY :expr {VAR :varno 1 :varattno 0 :vartype 16390}}) :rowMarks ({ROWMARKCLAUSE :rti 1})})',
    );
    expect(refs).toMatchObject({ relations: [5], rowLocks: true, wholeRow: true });
  });
});

describe('referenceProblems', () => {
  const collections = new Set(['posts', 'users']);
  const auth = new Set(['users']);
  const none = { relations: [], functions: [], rowLocks: false, wholeRow: false };

  it('accepts collections and harmless built-ins', () => {
    const problems = referenceProblems(
      none,
      [{ oid: 1, schema: 'data', name: 'posts' }],
      [
        { oid: 2, schema: 'pg_catalog', name: 'upper', volatility: 'i' },
        { oid: 3, schema: 'pg_catalog', name: 'now', volatility: 's' },
        { oid: 4, schema: 'pg_catalog', name: 'random', volatility: 'v' },
      ],
      collections,
      auth,
    );
    expect(problems).toEqual([]);
  });

  it('refuses system tables, other schemas and non-collection tables', () => {
    const problems = referenceProblems(
      none,
      [
        { oid: 1, schema: 'plinth', name: 'admin' },
        { oid: 2, schema: 'pg_catalog', name: 'pg_authid' },
        { oid: 3, schema: 'data', name: '_plinth_other' },
      ],
      [],
      collections,
      auth,
    );
    expect(problems).toEqual([
      expect.stringContaining('"plinth.admin", which is not a collection'),
      expect.stringContaining('"pg_catalog.pg_authid", which is not a collection'),
      expect.stringContaining('"data._plinth_other", which is not a collection'),
    ]);
  });

  it.each([
    ['pg_sleep', 'v', 'pg_catalog'],
    ['nextval', 'v', 'pg_catalog'],
    ['set_config', 'v', 'pg_catalog'],
    ['query_to_xml', 's', 'pg_catalog'],
    ['current_setting', 's', 'pg_catalog'],
    ['pg_read_file', 'v', 'pg_catalog'],
    ['has_table_privilege', 's', 'pg_catalog'],
    ['my_function', 'i', 'public'],
  ])('refuses %s()', (name, volatility, schema) => {
    const problems = referenceProblems(none, [], [{ oid: 9, schema, name, volatility }], collections, auth);
    expect(problems).toEqual([expect.stringContaining(`calls ${name}()`)]);
  });

  it('refuses row locks, and whole rows of auth collections only', () => {
    const users = [{ oid: 1, schema: 'data', name: 'users' }];
    const posts = [{ oid: 2, schema: 'data', name: 'posts' }];
    expect(referenceProblems({ ...none, rowLocks: true }, posts, [], collections, auth)).toEqual([
      expect.stringContaining('locks rows'),
    ]);
    expect(referenceProblems({ ...none, wholeRow: true }, users, [], collections, auth)).toEqual([
      expect.stringContaining('whole rows of an auth collection'),
    ]);
    expect(referenceProblems({ ...none, wholeRow: true }, posts, [], collections, auth)).toEqual([]);
  });
});

describe('starOfAuthProblem', () => {
  it('refuses alias.* only when an auth collection is read', () => {
    expect(starOfAuthProblem('SELECT u.id, to_jsonb(row(u.*)) FROM users u', true)).toMatch(/alias\.\*/);
    expect(starOfAuthProblem('SELECT p.* FROM posts p', false)).toBeUndefined();
    expect(starOfAuthProblem('SELECT u.id, count(*) AS n FROM users u', true)).toBeUndefined();
  });
});
