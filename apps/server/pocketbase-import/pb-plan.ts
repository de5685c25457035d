import { randomBytes } from 'node:crypto';
import { checkRule, normalizeCollection, type CollectionDef, type RuleOperation } from '@plinth/collections';
import type { MappedCollection } from './pb-mapping.js';

const RULES: Array<[key: string, op: RuleOperation]> = [
  ['listRule', 'list'],
  ['viewRule', 'view'],
  ['createRule', 'create'],
  ['updateRule', 'update'],
  ['deleteRule', 'delete'],
  ['authRule', 'auth'],
  ['manageRule', 'manage'],
];

const fieldId = () => 'f' + randomBytes(6).toString('hex');

/** The collection's definition as Plinth's normaliser makes it, or its problems in one sentence. */
function normalize(
  m: MappedCollection,
  body: Record<string, unknown>,
  others: CollectionDef[],
): { def?: CollectionDef; problem?: string } {
  const result = normalizeCollection(body, null, others, { newId: () => m.id, newFieldId: fieldId });
  if (result.ok) return { def: result.value };
  return { problem: result.errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; ') };
}

/**
 * Checks the mapped collections with Plinth's own normaliser and rule compiler, before anything is
 * written: each rule that does not compile becomes null (admins only, never wider) and is noted;
 * a collection the normaliser refuses is a problem that stops the import.
 */
export function planCollections(mapped: MappedCollection[]): { problems: string[] } {
  const problems: string[] = [];
  const live = mapped.filter((m) => !m.skipped);
  // Without relations and rules first, so relations resolve whatever the order.
  const stubs: CollectionDef[] = [];
  for (const m of live) {
    const fields = (m.body.fields as Array<Record<string, unknown>>).filter((f) => f.type !== 'relation');
    const stub = normalize(m, { name: m.body.name, type: m.body.type, fields }, stubs);
    if (stub.def) stubs.push(stub.def);
    else problems.push(`${m.pb.name}: ${stub.problem}`);
  }
  if (problems.length) return { problems };
  const bare = (m: MappedCollection) => {
    const body = { ...m.body };
    for (const [key] of RULES) if (key in body) body[key] = null;
    return body;
  };
  const drafts = live.map((m) =>
    normalize(
      m,
      bare(m),
      stubs.filter((s) => s.id !== m.id),
    ),
  );
  const defs = drafts.map((d) => d.def).filter((d): d is CollectionDef => !!d);
  live.forEach((m, i) => {
    const self = drafts[i]!.def;
    if (!self) {
      problems.push(`${m.pb.name}: ${drafts[i]!.problem}`);
      return;
    }
    for (const [key, op] of RULES) {
      const rule = m.body[key];
      if (typeof rule !== 'string' || rule === '') continue;
      const verdict = checkRule(rule, self, defs, op);
      if (verdict.ok) continue;
      m.body[key] = null;
      m.notes.push({
        kind: 'limited',
        what: key,
        why: `the rule does not compile in Plinth (${verdict.message}); it is now null (admins only). PocketBase's text: ${rule.replace(/\s+/g, ' ').slice(0, 300)}`,
      });
    }
    const others = defs.filter((d) => d.id !== m.id);
    const final = normalizeCollection(m.body, null, others, { newId: () => m.id, newFieldId: fieldId });
    if (final.ok) return;
    // The save checks rules once more, against the whole schema: a rule it refuses becomes null too.
    for (const e of final.errors) {
      const key = e.path.split('.')[0]!;
      const rule = m.body[key];
      if (!RULES.some(([k]) => k === key) || rule === null) continue;
      m.body[key] = null;
      m.notes.push({
        kind: 'limited',
        what: key,
        why: `the rule does not compile in Plinth (${e.message}); it is now null (admins only). PocketBase's text: ${String(rule).replace(/\s+/g, ' ').slice(0, 300)}`,
      });
    }
    const retry = normalize(m, m.body, others);
    if (!retry.def) problems.push(`${m.pb.name}: ${retry.problem}`);
  });
  return { problems };
}
