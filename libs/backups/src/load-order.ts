/**
 * The order to fill tables in so each row's foreign keys find their targets: referenced tables first
 * (`edges` are [referencing, referenced]); tables in a cycle keep their given order at the end.
 */
export function loadOrder(tables: readonly string[], edges: ReadonlyArray<[string, string]>): string[] {
  const pending = new Set(tables);
  const out: string[] = [];
  const needs = (t: string) => edges.filter(([from, to]) => from === t && to !== t && pending.has(to));
  while (pending.size) {
    const ready = [...pending].filter((t) => needs(t).length === 0).sort();
    if (!ready.length) {
      out.push(...[...pending].sort());
      break;
    }
    for (const t of ready) {
      pending.delete(t);
      out.push(t);
    }
  }
  return out;
}
