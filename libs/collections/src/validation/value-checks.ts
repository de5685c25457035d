/** The checks of a record body JSON Schema cannot express: NUL characters, json depth, per-type value checks, passwords. */
import { passwordProblems } from '../fields/auth-fields.js';
import { fieldModule } from '../fields/registry.js';
import { type Collector, type OpContext, shownKey } from './record-errors.js';
import type { UpdateOptions } from './record-validator.js';

/** Finds the first string (or object key) containing NUL, or a json value nested too deeply. */
function scanValue(root: unknown, maxDepth: number): { segments: string[]; problem: 'nul' | 'depth' } | null {
  interface Node {
    value: unknown;
    depth: number;
    parent: Node | null;
    key: string;
  }
  const pathOf = (n: Node | null, extra?: string): string[] => {
    const out: string[] = extra === undefined ? [] : [extra];
    for (let p = n; p && p.parent; p = p.parent) out.unshift(p.key);
    return out;
  };
  const stack: Node[] = [{ value: root, depth: 0, parent: null, key: '' }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const v = node.value;
    if (typeof v === 'string') {
      if (v.includes('\0')) return { segments: pathOf(node), problem: 'nul' };
    } else if (typeof v === 'object' && v !== null) {
      const depth = node.depth + 1;
      if (depth > maxDepth) return { segments: pathOf(node), problem: 'depth' };
      if (Array.isArray(v)) {
        for (let i = v.length - 1; i >= 0; i--)
          stack.push({ value: v[i], depth, parent: node, key: String(i) });
      } else {
        const keys = Object.keys(v);
        for (let i = keys.length - 1; i >= 0; i--) {
          const k = keys[i]!;
          if (k.includes('\0')) return { segments: pathOf(node, shownKey(k)), problem: 'nul' };
          stack.push({ value: (v as Record<string, unknown>)[k], depth, parent: node, key: k });
        }
      }
    }
  }
  return null;
}

export function postChecks(
  ctx: OpContext,
  input: Record<string, unknown>,
  errors: Collector,
  options: UpdateOptions,
): void {
  for (const key of Object.keys(input)) {
    if (errors.hasTop(key)) continue;
    const value = input[key];
    const field = ctx.fields.get(key);
    const module = field ? fieldModule(field) : undefined;
    const found = scanValue(value, module?.maxDepth ?? Number.POSITIVE_INFINITY);
    if (found) {
      errors.add(
        [key, ...found.segments],
        'INVALID_VALUE',
        found.problem === 'nul'
          ? 'must not contain the NUL character (\\u0000)'
          : `is nested too deeply (at most ${module?.maxDepth} levels)`,
      );
      continue;
    }
    const problem = field && value !== null ? module?.checkValue?.(field, value) : null;
    if (problem) errors.add([key], problem.code, problem.message);
  }

  if (!ctx.auth) return;
  const confirmReported = errors.hasTop('passwordConfirm');
  for (const p of passwordProblems(ctx.op, input, confirmReported, options.isAdmin === true)) {
    errors.add([p.key], p.code, p.message);
  }
}
