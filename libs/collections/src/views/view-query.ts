/**
 * The safety checks of a view collection's `viewQuery` (docs/decisions/view-collections.md): a text
 * check before PostgreSQL sees it, then a check of what PostgreSQL resolved the query to (the stored
 * rule tree of a scratch view) — only collection tables and views of the `data` schema, only
 * built-in functions without side effects, no row locks.
 */

export const MAX_VIEW_QUERY_LENGTH = 20_000;

/** Columns of auth collections a view may never read (they are never answered for a record either). */
export const SECRET_COLUMNS = ['password_hash', 'token_key'] as const;

export type ViewQueryText = { ok: true; query: string } | { ok: false; message: string };

/**
 * The query as it is wrapped into the view: trimmed, trailing `;` removed. Refuses what is wrong
 * before PostgreSQL is asked: an empty or huge text, secret columns, unicode-escaped identifiers.
 */
export function prepareViewQuery(raw: string): ViewQueryText {
  const query = raw.trim().replace(/[\s;]+$/, '');
  if (!query)
    return {
      ok: false,
      message: 'The view query is empty; write a SELECT, e.g. "SELECT id, title FROM posts".',
    };
  if (query.length > MAX_VIEW_QUERY_LENGTH)
    return {
      ok: false,
      message: `The view query is ${query.length} characters long; at most ${MAX_VIEW_QUERY_LENGTH} are allowed.`,
    };
  const first = /^[a-z]+/i.exec(query.replace(/^(\s*(--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/))*\s*\(*\s*/, ''))?.[0];
  if (!first || !['select', 'with', 'values', 'table'].includes(first.toLowerCase()))
    return {
      ok: false,
      message: `The view query must be a SELECT; it starts with ${JSON.stringify((first ?? query).slice(0, 20))}.`,
    };
  const secret = SECRET_COLUMNS.find((c) => new RegExp(`\\b${c}\\b`, 'i').test(query));
  if (secret)
    return {
      ok: false,
      message: `The view query names "${secret}", a secret column of auth collections that views may not read; remove it.`,
    };
  // U&"..." spells an identifier with escapes, which would hide a secret column from the check above.
  if (/\bU&["']/i.test(query))
    return { ok: false, message: 'The view query uses a U& escaped name or string; write it plainly.' };
  return { ok: true, query };
}

/** What a stored query tree (`pg_rewrite.ev_action::text`) refers to. */
export interface QueryTreeRefs {
  relations: number[];
  functions: number[];
  /** FOR UPDATE / FOR SHARE somewhere in the query. */
  rowLocks: boolean;
  /** A whole row (`u`, `to_jsonb(u)`) is read somewhere. */
  wholeRow: boolean;
}

const oids = (tree: string, keys: string): number[] => {
  const found = new Set<number>();
  for (const m of tree.matchAll(new RegExp(`:(?:${keys}) (\\d+)`, 'g'))) {
    const oid = Number(m[1]);
    if (oid) found.add(oid);
  }
  return [...found];
};

/** Reads the object ids a query tree refers to (PostgreSQL's node tree text, `nodeToString`). */
export function queryTreeRefs(tree: string): QueryTreeRefs {
  return {
    relations: oids(tree, 'relid'),
    functions: oids(tree, 'funcid|aggfnoid|winfnoid'),
    rowLocks: /:rowMarks \(/.test(tree),
    wholeRow: /\{VAR [^{}]*:varattno 0\b/.test(tree),
  };
}

export interface RelationRef {
  oid: number;
  schema: string;
  name: string;
}

export interface FunctionRef {
  oid: number;
  schema: string;
  name: string;
  /** pg_proc.provolatile: i(mmutable), s(table), v(olatile). */
  volatility: string;
}

/** Volatile built-ins that read nothing and change nothing. */
const HARMLESS_VOLATILE = new Set([
  'random',
  'gen_random_uuid',
  'clock_timestamp',
  'timeofday',
  'random_normal',
]);

/** Built-ins that read the server's state, files or catalogs rather than the query's rows. */
const INTROSPECTION =
  /^(pg_|has_|current_setting$|set_config$|txid_|lo_|version$|inet_(client|server)_|(query|table|schema|database|cursor)_to_xml|to_reg|format_type$|(obj|col|shobj)_description$|current_(schema|schemas|database|query|user|role)$|session_user$|user$|system_user$)/;

/**
 * The problems of a resolved view query: what it reads must be collections (`collections`: their
 * names, `authCollections`: those with secret columns), and what it calls must be harmless built-ins.
 */
export function referenceProblems(
  refs: QueryTreeRefs,
  relations: readonly RelationRef[],
  functions: readonly FunctionRef[],
  collections: ReadonlySet<string>,
  authCollections: ReadonlySet<string>,
): string[] {
  const problems: string[] = [];
  for (const r of relations) {
    if (r.schema !== 'data' || !collections.has(r.name))
      problems.push(
        `The view query reads "${r.schema}.${r.name}", which is not a collection; a view may only read collections.`,
      );
  }
  for (const f of functions) {
    const builtIn = f.schema === 'pg_catalog';
    const sideEffects = f.volatility === 'v' && !HARMLESS_VOLATILE.has(f.name);
    if (!builtIn || sideEffects || INTROSPECTION.test(f.name))
      problems.push(
        `The view query calls ${f.name}(), which views may not use (only built-in functions that read no server state and change nothing).`,
      );
  }
  if (refs.rowLocks)
    problems.push('The view query locks rows (FOR UPDATE/SHARE); remove the locking clause.');
  const readsAuth = relations.some((r) => r.schema === 'data' && authCollections.has(r.name));
  if (refs.wholeRow && readsAuth)
    problems.push(
      'The view query reads whole rows of an auth collection (e.g. to_jsonb(u)); select the columns you need instead.',
    );
  return problems;
}

/** `.*` of an auth collection would bring its secret columns along inside an expression. */
export function starOfAuthProblem(query: string, readsAuth: boolean): string | undefined {
  if (!readsAuth || !/\.\s*\*/.test(query)) return undefined;
  return 'The view query uses "alias.*" while reading an auth collection; name the columns you need instead.';
}
