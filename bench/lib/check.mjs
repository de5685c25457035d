// Checks once, before any load, that both servers answer every operation with the same rows.

const FIELDS = ['id', 'title', 'body', 'views', 'published', 'author', 'owner'];

function pick(record, skip = []) {
  const out = {};
  for (const f of FIELDS) if (!skip.includes(f) && record && f in record) out[f] = record[f];
  return out;
}

const keys = (r) =>
  Object.keys(r ?? {})
    .sort()
    .join(',');

function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * cases: [{ name, base: () => Promise<{status, body}>, plinth: () => Promise<{status, body}>, kind }]
 * kind: 'record' | 'list' | 'write' (a new record: ids and times differ)
 * → [{ name, ok, detail }]
 */
export async function compareAnswers(cases) {
  const results = [];
  for (const c of cases) {
    const [a, b] = [await c.base(), await c.plinth()];
    const problems = [];
    if (a.status !== 200 || b.status !== 200) {
      problems.push(
        `HTTP ${a.status} (baseline) vs ${b.status} (Plinth): ${JSON.stringify(b.body).slice(0, 300)}`,
      );
    } else if (c.kind === 'list') {
      for (const k of ['page', 'perPage', 'totalItems', 'totalPages']) {
        if (a.body[k] !== b.body[k]) problems.push(`${k}: ${a.body[k]} vs ${b.body[k]}`);
      }
      if (keys(a.body) !== keys(b.body)) problems.push(`envelope keys ${keys(a.body)} vs ${keys(b.body)}`);
      const ia = a.body.items.map((r) => pick(r));
      const ib = b.body.items.map((r) => pick(r));
      if (ia.length !== ib.length) problems.push(`${ia.length} vs ${ib.length} items`);
      else if (!ia.length) problems.push('no items: nothing compared');
      else if (!same(ia, ib)) {
        const i = ia.findIndex((r, k) => !same(r, ib[k]));
        problems.push(`item ${i} differs: ${JSON.stringify(ia[i])} vs ${JSON.stringify(ib[i])}`);
      }
      if (a.body.items[0] && keys(a.body.items[0]) !== keys(b.body.items[0])) {
        problems.push(`record keys ${keys(a.body.items[0])} vs ${keys(b.body.items[0])}`);
      }
    } else {
      const skip = c.kind === 'write' ? ['id'] : [];
      if (!same(pick(a.body, skip), pick(b.body, skip))) {
        problems.push(`${JSON.stringify(pick(a.body, skip))} vs ${JSON.stringify(pick(b.body, skip))}`);
      }
      if (keys(a.body) !== keys(b.body)) problems.push(`record keys ${keys(a.body)} vs ${keys(b.body)}`);
    }
    results.push({ name: c.name, ok: problems.length === 0, detail: problems.join('; ') });
  }
  return results;
}
