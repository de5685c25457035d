import { AppError, type Sql } from '@plinth/core';
import type { CollectionsRegistry } from '../registry/collections.registry.js';
import type { CompiledCollection } from '../registry/compiled-collection.js';
import { isMultiple } from '../schema/collection.types.js';
import type { Row } from './record-sql.js';
import type { RecordsRepository } from './records.repository.js';

const MAX_EXPAND_DEPTH = 6;
const MAX_EXPAND_PATHS = 10;

export type ExpandTree = Map<string, { children: ExpandTree; target: string; multiple: boolean }>;

/** What one answer may still expand: records serialised, each repetition counted (issue 16). */
export interface ExpandBudget {
  limit: number;
  left: number;
}

/**
 * How the caller sees a related collection: its view rule as SQL and how its rows are shown;
 * undefined when the caller may not view that collection at all.
 */
export type ViewOf = (target: CompiledCollection) => { where: Sql; present(row: Row): Row } | undefined;

/** Parses `expand` (`author,comments.author`) into a tree of relation fields; 400 for unknown ones. */
export function parseExpand(
  registry: CollectionsRegistry,
  c: CompiledCollection,
  raw: string,
  canSeeHidden: boolean,
): ExpandTree {
  const tree: ExpandTree = new Map();
  const paths = raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (paths.length > MAX_EXPAND_PATHS) {
    throw new AppError('INVALID_EXPAND', `expand takes at most ${MAX_EXPAND_PATHS} paths.`);
  }
  for (const path of paths) {
    const parts = path.split('.');
    if (parts.length > MAX_EXPAND_DEPTH)
      throw new AppError(
        'INVALID_EXPAND',
        `expand "${path.slice(0, 100)}" is deeper than ${MAX_EXPAND_DEPTH} levels.`,
      );
    let node = tree;
    let current = c;
    for (const part of parts) {
      const field = current.def.fields.find((f) => f.name === part);
      // PocketBase ignores a path that names no (visible) relation; so do we, from that point on.
      if (!field || field.type !== 'relation' || (field.hidden && !canSeeHidden)) break;
      const target = registry.get(field.collection!);
      let child = node.get(part);
      if (!child) {
        child = { children: new Map(), target: target.def.id, multiple: isMultiple(field) };
        node.set(part, child);
      }
      node = child.children;
      current = target;
    }
  }
  return tree;
}

/**
 * Attaches `expand` to each record; every expanded record passes its own collection's view rule.
 * A record expanded under several parents is serialised once per parent, so `weights` (how often
 * each of `records` will be serialised) count what the answer grows by against the budget.
 */
export async function expandRecords(
  registry: CollectionsRegistry,
  repository: RecordsRepository,
  records: Row[],
  tree: ExpandTree,
  viewOf: ViewOf,
  budget: ExpandBudget,
  weights: number[] = records.map(() => 1),
): Promise<void> {
  for (const [fieldName, node] of tree) {
    const target = registry.findById(node.target);
    if (!target) continue;
    const wanted = new Map<string, number>();
    records.forEach((r, i) => {
      const v = r[fieldName];
      for (const id of Array.isArray(v) ? v : v ? [v] : []) {
        if (typeof id === 'string') wanted.set(id, (wanted.get(id) ?? 0) + weights[i]!);
      }
    });
    if (!wanted.size) continue;
    // Each record read is serialised at least once (unless a rule hides it): no reads past the budget.
    if (wanted.size > budget.left) throw expandTooLarge(budget);
    const view = viewOf(target);
    if (!view) continue; // the caller may not view that collection at all: nothing to expand
    const rows = await repository.findMany(target, [...wanted.keys()], view.where);
    const found = rows.map((row) => view.present(row));
    const foundWeights = found.map((r) => wanted.get(r.id as string)!);
    budget.left -= foundWeights.reduce((a, b) => a + b, 0);
    if (budget.left < 0) throw expandTooLarge(budget);
    if (node.children.size) {
      await expandRecords(registry, repository, found, node.children, viewOf, budget, foundWeights);
    }
    const byId = new Map(found.map((r) => [r.id as string, r]));
    for (const r of records) {
      const v = r[fieldName];
      const value = node.multiple
        ? ((v as string[] | null) ?? []).map((id) => byId.get(id)).filter(Boolean)
        : typeof v === 'string'
          ? byId.get(v)
          : undefined;
      if (value === undefined || (Array.isArray(value) && !value.length)) continue;
      r.expand = { ...((r.expand as Row) ?? {}), [fieldName]: value };
    }
  }
}

function expandTooLarge(budget: ExpandBudget): AppError {
  const message = `would return more than ${budget.limit} expanded records (each repetition counts)`;
  return new AppError(
    'EXPAND_TOO_LARGE',
    `This expand ${message}, the most one answer may hold (PLINTH_EXPAND_BUDGET). Expand fewer levels or relations, or ask for a smaller perPage.`,
    { errors: [{ path: 'expand', code: 'EXPAND_TOO_LARGE', message }] },
  );
}
