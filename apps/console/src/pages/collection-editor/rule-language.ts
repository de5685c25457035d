import type { CollectionModel, FieldModel } from '@plinth/sdk';

/** What the rules editor knows of the filter language: names to offer, and identifiers to rewrite. */

export const MACROS = [
  '@now',
  '@todayStart',
  '@todayEnd',
  '@yesterday',
  '@tomorrow',
  '@monthStart',
  '@monthEnd',
  '@yearStart',
  '@yearEnd',
  '@second',
  '@minute',
  '@hour',
  '@weekday',
  '@day',
  '@month',
  '@year',
];
export const MODIFIERS = [
  { name: 'isset', hint: 'the request sent this body field' },
  { name: 'changed', hint: 'the request changes this body field' },
  { name: 'length', hint: 'number of items of a list field' },
  { name: 'each', hint: 'every item of a list field matches' },
  { name: 'lower', hint: 'compare in lower case' },
];
const SYSTEM_FIELDS = ['id', 'created', 'updated'];
const AUTH_FIELDS = ['email', 'emailVisibility', 'verified'];
const REQUEST_MISC = ['@request.method', '@request.context', '@request.query.', '@request.headers.'];

export interface Token {
  kind: 'name' | 'string' | 'other';
  start: number;
  end: number;
  text: string;
}

/** Splits a rule into names (`author.name`, `@request.auth.id`, `title:lower`), strings and the rest. */
export function tokenize(rule: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < rule.length) {
    const c = rule[i];
    const start = i;
    if (c === "'" || c === '"') {
      i++;
      while (i < rule.length && rule[i] !== c) i += rule[i] === '\\' ? 2 : 1;
      i = Math.min(i + 1, rule.length);
      out.push({ kind: 'string', start, end: i, text: rule.slice(start, i) });
    } else if (/[A-Za-z_@]/.test(c)) {
      while (i < rule.length && /[A-Za-z0-9_@.:]/.test(rule[i])) i++;
      out.push({ kind: 'name', start, end: i, text: rule.slice(start, i) });
    } else {
      i++;
      out.push({ kind: 'other', start, end: i, text: c });
    }
  }
  return out;
}

/** The name token at `position` (where an error points), for marking its whole extent. */
export function tokenAt(rule: string, position: number): Token | undefined {
  return tokenize(rule).find((t) => t.start <= position && position < t.end);
}

/** The field path of a name, without its modifier and alias: `author.name:lower` → ['author', 'name']. */
function pathOf(name: string): { path: string[]; suffix: string } {
  const colon = name.indexOf(':');
  const bare = colon < 0 ? name : name.slice(0, colon);
  return { path: bare.split('.'), suffix: colon < 0 ? '' : name.slice(colon) };
}

/**
 * Renames a field of `self` in a rule: plain names (`points`, `points.x`), `@request.body.points` and
 * `@collection.<self>.points`. String literals and other collections' fields are left alone.
 */
export function renameInRule(rule: string, self: string, from: string, to: string): string {
  let out = '';
  let at = 0;
  for (const t of tokenize(rule)) {
    if (t.kind !== 'name') continue;
    const { path, suffix } = pathOf(t.text);
    let index = -1;
    if (path[0] === from) index = 0;
    else if (path[0] === '@request' && path[1] === 'body' && path[2] === from) index = 2;
    else if (path[0] === '@collection' && path[1] === self && path[2] === from) index = 2;
    if (index < 0) continue;
    const next = [...path];
    next[index] = to;
    out += rule.slice(at, t.start) + next.join('.') + suffix;
    at = t.end;
  }
  return out + rule.slice(at);
}

/** Whether a rule names a field of `self` (as `renameInRule` finds it). */
export function ruleUses(rule: string, self: string, field: string): boolean {
  return renameInRule(rule, self, field, `${field}\u0000`) !== rule;
}

export interface Suggestion {
  /** The text that replaces the word being typed. */
  insert: string;
  /** What it is, shown beside it. */
  detail: string;
}

const fieldNames = (c: Pick<CollectionModel, 'type' | 'fields'>) => [
  ...SYSTEM_FIELDS,
  ...(c.type === 'auth' ? AUTH_FIELDS : []),
  ...c.fields.map((f) => f.name).filter(Boolean),
];
const fieldDetail = (c: Pick<CollectionModel, 'fields'>, name: string) => {
  const f = c.fields.find((x) => x.name === name);
  return f ? describeType(f) : SYSTEM_FIELDS.includes(name) ? 'system' : 'auth';
};
export const describeType = (f: FieldModel) =>
  f.type === 'relation' && f.collection ? `relation → ${f.collection}` : f.type;

/**
 * Everything that may follow where `word` is typed, best first: fields, relation paths, `@request.*`,
 * `@collection.*`, macros, and modifiers after `:`.
 */
export function suggest(word: string, self: CollectionModel, all: CollectionModel[]): Suggestion[] {
  const byName = (name?: string) => (name === self.name ? self : all.find((c) => c.name === name));
  const authCollection =
    self.type === 'auth' ? self : (all.find((c) => c.name === 'users') ?? all.find((c) => c.type === 'auth'));
  const colon = word.lastIndexOf(':');
  if (colon > 0) {
    const head = word.slice(0, colon + 1);
    return MODIFIERS.filter((m) => m.name.startsWith(word.slice(colon + 1))).map((m) => ({
      insert: head + m.name,
      detail: m.hint,
    }));
  }
  const out: Suggestion[] = [];
  const fieldsOf = (c: CollectionModel | undefined, prefix: string) => {
    if (!c) return;
    for (const n of fieldNames(c)) out.push({ insert: prefix + n, detail: fieldDetail(c, n) });
  };
  const parts = word.split('.');
  if (word.startsWith('@')) {
    if (parts[0] === '@request' && parts[1] === 'auth' && parts.length >= 3)
      fieldsOf(authCollection, '@request.auth.');
    else if (parts[0] === '@request' && parts[1] === 'body' && parts.length >= 3)
      fieldsOf(self, '@request.body.');
    else if (parts[0] === '@collection' && parts.length >= 3)
      fieldsOf(byName(parts[1]), `@collection.${parts[1]}.`);
    else if (parts[0] === '@collection' && parts.length === 2) {
      for (const c of all)
        out.push({ insert: `@collection.${c.name}.`, detail: 'any record of a collection' });
    } else {
      out.push({ insert: '@request.auth.id', detail: 'the signed-in user (empty when signed out)' });
      fieldsOf(authCollection, '@request.auth.');
      fieldsOf(self, '@request.body.');
      for (const r of REQUEST_MISC) out.push({ insert: r, detail: 'request' });
      out.push({ insert: '@collection.', detail: 'records of another collection' });
      for (const m of MACROS) out.push({ insert: m, detail: 'date macro' });
      if (self.fields.some((f) => f.searchable))
        out.push({ insert: '@search("', detail: 'full-text search of the searchable fields' });
    }
  } else {
    // Walk relations: `author.` lists the fields of the related collection.
    let at: CollectionModel | undefined = self;
    for (const p of parts.slice(0, -1)) {
      const rel: FieldModel | undefined = at?.fields.find((f) => f.name === p && f.type === 'relation');
      at = rel ? byName(rel.collection) : undefined;
    }
    fieldsOf(
      at,
      parts
        .slice(0, -1)
        .map((p) => `${p}.`)
        .join(''),
    );
  }
  const lower = word.toLowerCase();
  const seen = new Set<string>();
  return out.filter((s) => {
    if (seen.has(s.insert) || !s.insert.toLowerCase().startsWith(lower) || s.insert === word) return false;
    seen.add(s.insert);
    return true;
  });
}

/** The word being typed just before `caret`, and where it starts. */
export function wordBefore(text: string, caret: number): { word: string; start: number } {
  let start = caret;
  while (start > 0 && /[A-Za-z0-9_@.:]/.test(text[start - 1])) start--;
  return { word: text.slice(start, caret), start };
}
