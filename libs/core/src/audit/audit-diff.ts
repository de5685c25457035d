/** One changed value of an audited change; a secret says only that it changed. */
export interface AuditChange {
  path: string;
  before?: unknown;
  after?: unknown;
  secret?: true;
}

/** Names whose values are never shown, at any depth (settings, provider options, webhook secrets). */
const SECRET_NAME =
  /secret|password|passwd|private_?key|privatekey|token|credential|serviceaccount|apikey|^key$|^keys$/i;
/** A value longer than this (as JSON) is stored as its beginning. */
const MAX_VALUE = 2000;
export const MAX_CHANGES = 200;

const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
// A missing value and null read the same (a new collection's null rule is no change).
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function capped(value: unknown): unknown {
  if (value === undefined) return null;
  const json = JSON.stringify(value);
  return json !== undefined && json.length > MAX_VALUE ? `${json.slice(0, MAX_VALUE)}…` : value;
}

/** Arrays of objects with ids (fields, indexes with names) are matched by id, shown by name. */
function keyed(list: unknown[]): Map<string, Record<string, unknown>> | undefined {
  const out = new Map<string, Record<string, unknown>>();
  for (const item of list) {
    if (!isPlain(item) || typeof item.id !== 'string') return undefined;
    out.set(item.id, item);
  }
  return out;
}

export interface DiffOptions {
  /** Top-level keys left out (timestamps). */
  ignore?: readonly string[];
  /** Further paths whose values are secret (a settings section's declared secrets). */
  secrets?: ReadonlySet<string>;
}

/**
 * The leaves that differ between two JSON values, as `path: before → after`; values under a secret
 * name are never copied, only marked as changed. Capped in number and size (they are stored).
 */
export function diffValues(before: unknown, after: unknown, options: DiffOptions = {}): AuditChange[] {
  const out: AuditChange[] = [];
  const walk = (a: unknown, b: unknown, path: string, name: string) => {
    if (out.length >= MAX_CHANGES || same(a, b)) return;
    if (SECRET_NAME.test(name) || options.secrets?.has(path)) {
      out.push({ path, secret: true });
      return;
    }
    if (isPlain(a) && isPlain(b)) {
      const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
      for (const k of keys) {
        if (!path && options.ignore?.includes(k)) continue;
        walk(a[k], b[k], path ? `${path}.${k}` : k, k);
      }
      return;
    }
    if (Array.isArray(a) && Array.isArray(b)) {
      const ka = keyed(a);
      const kb = keyed(b);
      if (ka && kb) {
        for (const id of new Set([...ka.keys(), ...kb.keys()])) {
          const label = String(kb.get(id)?.name ?? ka.get(id)?.name ?? id);
          walk(ka.get(id), kb.get(id), `${path}[${label}]`, '');
        }
        return;
      }
    }
    // An added or removed object: member by member, so that its secrets stay out of the record too.
    if ((isPlain(a) && b === undefined) || (isPlain(b) && a === undefined)) {
      walk(a ?? {}, b ?? {}, path, name);
      return;
    }
    out.push({ path, before: capped(redact(a)), after: capped(redact(b)) });
  };
  walk(before, after, '', '');
  return out;
}

/** A whole value with its secret-named members blanked (an array or object shown as one change). */
function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (!isPlain(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, SECRET_NAME.test(k) && v ? '(secret)' : redact(v)]),
  );
}
