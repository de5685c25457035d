import { RULE_NAMES, type CollectionDef, type FieldDef, type IndexDef } from './collection.types.js';

/** One value that differs: `from` is absent for a new setting, `to` for a removed one. */
export interface ValueChange {
  key: string;
  from?: unknown;
  to?: unknown;
}

export interface FieldSummary {
  name: string;
  type: string;
}

export interface FieldChange extends FieldSummary {
  /** The field's former name when it was renamed (matched by id). */
  previousName?: string;
  /** Each option (type included) whose value differs. */
  changes: ValueChange[];
}

/** A rule whose text differs; `null` is "admins only", `""` is "anyone"; no `from` on a new collection. */
export interface RuleChange {
  rule: string;
  from?: string | null;
  to: string | null;
}

/** One line of an import plan: what happens to which collection, in detail. */
export interface SchemaChange {
  collection: string;
  action: 'create' | 'update' | 'delete';
  /** The names of the fields added, changed or removed (every field on create and delete). */
  fields: string[];
  previousName?: string;
  added: FieldSummary[];
  /** Their column and the data in it are dropped from every record. */
  removed: FieldSummary[];
  changed: FieldChange[];
  rules: RuleChange[];
  indexes: { added: IndexDef[]; removed: IndexDef[] };
  /** Other collection settings: type, auth options (client secrets blanked). */
  options: ValueChange[];
  /** True when fields are only reordered. */
  reordered?: boolean;
}

/**
 * JSON with object keys sorted: stored definitions come back from jsonb with their keys reordered,
 * so a plain JSON.stringify would see every stored field as changed.
 */
export function canonicalJson(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(
            Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
          )
        : v,
    ) ?? 'undefined'
  );
}

const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);
const summary = (f: FieldDef): FieldSummary => ({ name: f.name, type: f.type });
const RULE_KEYS: readonly string[] = [...RULE_NAMES, 'authRule', 'manageRule'];
/** Keys shown apart (or never): every other key of a collection is an option. */
const NOT_OPTIONS = new Set([
  ...RULE_KEYS,
  'id',
  'name',
  'fields',
  'indexes',
  'created',
  'updated',
  'viewFileSources',
]);

/** The keys of `a` and `b` whose values differ, in a stable order. */
function diffValues(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
  keys: Iterable<string>,
): ValueChange[] {
  const out: ValueChange[] = [];
  for (const key of keys) {
    if (same(a[key], b[key])) continue;
    out.push({
      key,
      ...(a[key] !== undefined ? { from: a[key] } : {}),
      ...(b[key] !== undefined ? { to: b[key] } : {}),
    });
  }
  return out;
}

function fieldChange(prev: FieldDef, next: FieldDef): FieldChange | null {
  const { id: _a, name: prevName, ...p } = prev;
  const { id: _b, name, ...n } = next;
  // Type first, then the options by name: stored fields come back from jsonb with their keys reordered.
  const keys = [
    'type',
    ...[...new Set([...Object.keys(p), ...Object.keys(n)])].filter((k) => k !== 'type').sort(),
  ];
  const changes = diffValues(p, n, keys);
  if (!changes.length && prevName === name) return null;
  return { ...summary(next), ...(prevName !== name ? { previousName: prevName } : {}), changes };
}

const indexKey = (ix: IndexDef) => canonicalJson({ fields: ix.fields, unique: ix.unique === true });

/**
 * What a schema change does to one collection, field by field (matched by id), rule by rule, for the
 * import preview. `view` hides secrets in the values shown; `null` when nothing changes.
 */
export function describeSchemaChange(
  prev: CollectionDef | null,
  next: CollectionDef | null,
  view: (def: CollectionDef) => CollectionDef = (d) => d,
): SchemaChange | null {
  const def = (next ?? prev)!;
  const empty = { added: [], removed: [], changed: [], options: [] };
  const rulesOf = (c: CollectionDef | null) =>
    RULE_KEYS.filter((k) => c && (k in c || RULE_NAMES.includes(k as never))).map((rule) => ({
      rule,
      value: c ? ((c as unknown as Record<string, string | null | undefined>)[rule] ?? null) : null,
    }));
  if (!prev || !next) {
    return {
      collection: def.name,
      action: prev ? 'delete' : 'create',
      fields: def.fields.map((f) => f.name),
      ...empty,
      [prev ? 'removed' : 'added']: def.fields.map(summary),
      rules: next ? rulesOf(next).map(({ rule, value }) => ({ rule, to: value })) : [],
      indexes: { added: next ? next.indexes : [], removed: [] },
    };
  }
  const added = next.fields.filter((f) => !prev.fields.some((p) => p.id === f.id));
  const removed = prev.fields.filter((p) => !next.fields.some((f) => f.id === p.id));
  const changed = next.fields
    .map((f) => {
      const p = prev.fields.find((x) => x.id === f.id);
      return p ? fieldChange(p, f) : null;
    })
    .filter((c): c is FieldChange => c !== null);
  const prevRules = new Map(rulesOf(prev).map((r) => [r.rule, r.value]));
  const rules = rulesOf(next)
    .filter(({ rule, value }) => prevRules.get(rule) !== value)
    .map(({ rule, value }) => ({ rule, from: prevRules.get(rule) ?? null, to: value }));
  const indexes = {
    added: next.indexes.filter((ix) => !prev.indexes.some((p) => indexKey(p) === indexKey(ix))),
    removed: prev.indexes.filter((p) => !next.indexes.some((ix) => indexKey(p) === indexKey(ix))),
  };
  const raw = {
    prev: prev as unknown as Record<string, unknown>,
    next: next as unknown as Record<string, unknown>,
  };
  const optionKeys = [...new Set([...Object.keys(raw.prev), ...Object.keys(raw.next)])].filter(
    (k) => !NOT_OPTIONS.has(k),
  );
  const changedOptions = diffValues(raw.prev, raw.next, optionKeys.sort());
  const shown = {
    prev: view(prev) as unknown as Record<string, unknown>,
    next: view(next) as unknown as Record<string, unknown>,
  };
  const options = changedOptions.map(({ key }) => ({
    key,
    ...(shown.prev[key] !== undefined ? { from: shown.prev[key] } : {}),
    ...(shown.next[key] !== undefined ? { to: shown.next[key] } : {}),
  }));
  const kept = next.fields.filter((f) => prev.fields.some((p) => p.id === f.id)).map((f) => f.id);
  const reordered = !same(
    prev.fields.filter((p) => kept.includes(p.id)).map((p) => p.id),
    kept,
  );
  const renamed = prev.name !== next.name;
  if (
    !added.length &&
    !removed.length &&
    !changed.length &&
    !rules.length &&
    !indexes.added.length &&
    !indexes.removed.length &&
    !options.length &&
    !reordered &&
    !renamed
  )
    return null;
  return {
    collection: next.name,
    action: 'update',
    fields: [
      ...next.fields
        .filter((f) => added.includes(f) || changed.some((c) => c.name === f.name))
        .map((f) => f.name),
      ...removed.map((f) => f.name),
    ],
    ...(renamed ? { previousName: prev.name } : {}),
    added: added.map(summary),
    removed: removed.map(summary),
    changed,
    rules,
    indexes,
    options,
    ...(reordered ? { reordered } : {}),
  };
}
