import { FilterError } from './filter-error.js';
import { coerceForKind, isEmptyValue } from './filter-values.js';
import type { Operand } from './operands.js';
import { resolveField, withModifier } from './resolve-field.js';
import type { ResolveHost } from './resolve-operand.js';
import { asItems, requestValue } from './request-values.js';
import { lookupField } from './sql-fragments.js';
import type { FilterCollection, FilterOperand } from './types.js';

type MacroOperand = Extract<FilterOperand, { type: 'macro' }>;

/** Submitted or stored relation ids a rule follows at most (one bound array; the rest is refused). */
export const MAX_FOLLOWED_IDS = 1000;

/**
 * `@request.auth.<relation>.<field…>` and `@request.body.<relation>.<field…>` (PocketBase 0.23+): the
 * records whose ids the auth record holds, or the body submits, read like a relation of the record.
 * The ids are one bound array; a multi relation answers plain operators for every related record
 * (and at least one) and `?` forms for any, as a stored relation does. No ids → an empty value.
 */
export function followRequestRelation(
  host: ResolveHost,
  operand: MacroOperand,
  collection: FilterCollection,
  alias: string,
): Operand {
  const [, scope, name, ...rest] = operand.path as [string, 'auth' | 'body', string, ...string[]];
  const label = operand.modifier ? `${operand.name}:${operand.modifier}` : operand.name;
  const empty: Operand = { type: 'value', value: '', source: 'request', label };
  if (operand.modifier === 'isset' || operand.modifier === 'changed') {
    throw new FilterError(
      'FILTER_SYNTAX',
      `":${operand.modifier}" cannot be used on ${operand.name}; use it on @request.${scope}.${name}.`,
      operand.position,
      operand.name,
    );
  }
  const ctx = host.ctx;
  // Rules are checked when saved without a signed-in user: its collection, and so the path, is unknown.
  const source =
    scope === 'body'
      ? collection
      : typeof ctx.auth?.collectionName === 'string'
        ? ctx.schema.collection(ctx.auth.collectionName)
        : undefined;
  if (!source) return empty;
  const field = lookupField(source, name);
  // Another auth collection without this field reads it as empty, as PocketBase.
  if (!field && scope === 'auth') return empty;
  const target = field?.relationTo === undefined ? undefined : ctx.schema.collection(field.relationTo);
  if (!field || !target) {
    throw new FilterError(
      field ? 'FILTER_TYPE_MISMATCH' : 'FILTER_UNKNOWN_FIELD',
      field
        ? `${operand.name}: "${name}" is no relation field of "${source.name}"; only relations can be followed.`
        : `${operand.name}: "${source.name}" has no field "${name}".`,
      operand.position,
      operand.name,
    );
  }
  const column = withModifier(
    resolveField(host, { path: rest, position: operand.position }, target, alias, operand.name),
    operand.modifier,
    operand.position,
  );
  const idKind = lookupField(target, 'id')!.kind;
  const ids = new Set<unknown>();
  for (const item of asItems(requestValue(ctx, scope, name).value)) {
    const coerced = isEmptyValue(item) ? { ok: false as const } : coerceForKind(item, idKind);
    // An id that cannot be one of the target's names no record: nothing to follow.
    if (coerced.ok) ids.add(coerced.param);
  }
  if (ids.size === 0) return empty;
  if (ids.size > MAX_FOLLOWED_IDS) {
    throw new FilterError(
      'FILTER_TOO_COMPLEX',
      `${operand.name} follows ${ids.size} ids; rules follow at most ${MAX_FOLLOWED_IDS}.`,
      operand.position,
      operand.name,
    );
  }
  const hop = { field, target, ids: [...ids] };
  return { ...column, label, hops: [hop, ...column.hops] };
}
