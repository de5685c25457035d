import { FilterError } from './filter-error.js';
import {
  castFor,
  coerceForKind,
  escapeLike,
  flipOperator,
  isAnyOf,
  isEmptyValue,
  NEGATIVE_OPERATORS,
  plainOperator,
  textForm,
} from './filter-values.js';
import type { ColumnOperand, ItemsOperand, Operand, PredicateOperand, ValueOperand } from './operands.js';
import { asText, emptySql, KIND_NOUNS, likeEscapeSql, notEmptySql } from './sql-fragments.js';
import type { FilterOperator } from './types.js';

// Comparisons of one column (or array element) with a value or another column, as SQL.

/** What the comparisons need from the compiler. */
export interface Binder {
  /** Position of the comparison being compiled, for errors. */
  readonly position: number | undefined;
  push(value: unknown): string;
  columnSql(column: ColumnOperand): string;
}

/** The answer when nothing can match: TRUE for the negative operators, FALSE otherwise. */
export function constant(op: FilterOperator): string {
  return NEGATIVE_OPERATORS.has(op) ? 'TRUE' : 'FALSE';
}

/** A single column against a known value. `op` is a plain operator. */
export function columnVersusValue(
  b: Binder,
  op: FilterOperator,
  column: ColumnOperand,
  value: ValueOperand,
): string {
  const col = b.columnSql(column);
  const kind = column.field.kind;
  if (op === '~' || op === '!~') {
    const text = textForm(value.value);
    if (text.includes('\0')) return constant(op);
    const p = b.push(`%${escapeLike(text)}%`);
    const colText = asText(col, kind);
    return op === '~'
      ? `${colText} ILIKE ${p} ESCAPE '\\'`
      : `COALESCE(${colText}, '') NOT ILIKE ${p} ESCAPE '\\'`;
  }
  if (isEmptyValue(value.value)) {
    if (op === '=') return emptySql(col, kind);
    if (op === '!=') return notEmptySql(col, kind);
    // Nothing is greater or smaller than null; '' goes on and is type-checked like any string.
    if (value.value === null || value.value === undefined) return 'FALSE';
  }
  const p = bind(b, op, column, value);
  if (p === undefined) return constant(op);
  switch (op) {
    case '=':
      return `${col} = ${p}`;
    case '!=':
      return `${col} IS DISTINCT FROM ${p}`;
    default:
      return `${col} ${op} ${p}`;
  }
}

/** An array column against a known value (not the `~` family). */
export function arrayVersusValue(
  b: Binder,
  op: FilterOperator,
  column: ColumnOperand,
  value: ValueOperand,
): string {
  const col = b.columnSql(column);
  const plain = plainOperator(op);
  if (isEmptyValue(value.value)) {
    if (plain === '=') return `(${col} IS NULL OR cardinality(${col}) = 0)`;
    if (plain === '!=') return `cardinality(${col}) > 0`;
    if (value.value === null || value.value === undefined) return 'FALSE';
  }
  const p = bind(b, op, column, value);
  if (p === undefined) return constant(op);
  // `p < ANY(col)` reads "some element > p": the value sits on the left, so the operator flips.
  const flipped = plainOperator(flipOperator(plain));
  if (isAnyOf(op)) {
    if (plain === '!=') return `(COALESCE(cardinality(${col}), 0) = 0 OR ${p} <> ANY(${col}))`;
    return `${p} ${flipped} ANY(${col})`;
  }
  if (plain === '!=') return `(${col} IS NULL OR ${p} <> ALL(${col}))`;
  return `(cardinality(${col}) > 0 AND ${p} ${flipped} ALL(${col}))`;
}

/** `'some text' ~ title`: the value contains the column's text. */
export function valueContainsColumn(
  b: Binder,
  op: FilterOperator,
  value: ValueOperand,
  column: ColumnOperand,
): string {
  const text = textForm(value.value);
  if (text.includes('\0')) return constant(op);
  const p = b.push(text);
  const colText = asText(b.columnSql(column), column.field.kind);
  return plainOperator(op) === '~'
    ? `${p}::text ILIKE ('%' || ${likeEscapeSql(colText)} || '%') ESCAPE '\\'`
    : `${p}::text NOT ILIKE ('%' || ${likeEscapeSql(`COALESCE(${colText}, '')`)} || '%') ESCAPE '\\'`;
}

export function columnVersusColumn(
  binder: Binder,
  op: FilterOperator,
  left: ColumnOperand,
  right: ColumnOperand,
): string {
  let a = binder.columnSql(left);
  let b = binder.columnSql(right);
  if (op === '~' || op === '!~') {
    const at = asText(a, left.field.kind);
    const bt = asText(b, right.field.kind);
    return op === '~'
      ? `${at} ILIKE ('%' || ${likeEscapeSql(bt)} || '%') ESCAPE '\\'`
      : `COALESCE(${at}, '') NOT ILIKE ('%' || ${likeEscapeSql(`COALESCE(${bt}, '')`)} || '%') ESCAPE '\\'`;
  }
  let kind = left.field.kind;
  if (kind !== right.field.kind) {
    const kinds = new Set([kind, right.field.kind]);
    if (!(kinds.has('text') && kinds.has('uuid'))) {
      throw new FilterError(
        'FILTER_TYPE_MISMATCH',
        `The fields "${left.label}" and "${right.label}" hold different types and cannot be compared.`,
        binder.position,
        left.label,
      );
    }
    a = asText(a, left.field.kind);
    b = asText(b, right.field.kind);
    kind = 'text';
  }
  if (op === '=')
    return kind === 'text' ? `COALESCE(${a}, '') = COALESCE(${b}, '')` : `${a} IS NOT DISTINCT FROM ${b}`;
  if (op === '!=')
    return kind === 'text' ? `COALESCE(${a}, '') <> COALESCE(${b}, '')` : `${a} IS DISTINCT FROM ${b}`;
  return `${a} ${op} ${b}`;
}

/**
 * The placeholder (with its cast) for `value` next to `column`; undefined when the value can
 * never equal such a column's contents. A client literal of the wrong type is the user's
 * mistake (FILTER_TYPE_MISMATCH), except against ids, where PocketBase answers "no match".
 */
function bind(b: Binder, op: FilterOperator, column: ColumnOperand, value: ValueOperand): string | undefined {
  const kind = column.field.kind;
  const coerced = coerceForKind(value.value, kind);
  if (!coerced.ok) {
    if (kind === 'uuid' || value.source === 'request') return undefined;
    throw new FilterError(
      'FILTER_TYPE_MISMATCH',
      `The field "${column.label}" holds ${KIND_NOUNS[kind]}; ${value.label} cannot be compared with it using "${op}".`,
      b.position,
      column.label,
    );
  }
  return b.push(coerced.param) + castFor(kind);
}

/** `@request.body.x:changed = true|false`: the predicate, or its negation. */
export function comparePredicate(b: Binder, op: FilterOperator, left: Operand, right: Operand): string {
  const [pred, other] = left.type === 'predicate' ? [left, right] : [right as PredicateOperand, left];
  const plain = plainOperator(op);
  if (other.type !== 'value' || typeof other.value !== 'boolean' || (plain !== '=' && plain !== '!=')) {
    throw new FilterError(
      'FILTER_TYPE_MISMATCH',
      `${pred.label} is true or false; compare it with "= true" or "= false".`,
      b.position,
      pred.label,
    );
  }
  const wantTrue = other.value === (plain === '=');
  if (pred.sql === 'TRUE' || pred.sql === 'FALSE')
    return (pred.sql === 'TRUE') === wantTrue ? 'TRUE' : 'FALSE';
  return wantTrue ? `(${pred.sql})` : `(${pred.sql}) IS NOT TRUE`;
}

/** `@request.body.tags:each op x`: plain forms hold when every item does (and there is one), `?` forms when one does. */
export function compareItems(
  b: Binder,
  op: FilterOperator,
  left: Operand,
  right: Operand,
  compare: (left: Operand, right: Operand) => string,
): string {
  const [items, other, onLeft] =
    left.type === 'items' ? [left, right, true] : [right as ItemsOperand, left, false];
  if (other.type === 'items' || other.type === 'predicate') {
    throw new FilterError(
      'FILTER_TYPE_MISMATCH',
      `${items.label} can only be compared with a field or a value.`,
      b.position,
      items.label,
    );
  }
  if (items.items.length === 0) return missingMatches(op, other) ? 'TRUE' : 'FALSE';
  const anyOf = isAnyOf(op);
  const parts: string[] = [];
  for (const item of items.items) {
    const sql = onLeft ? compare(item, other) : compare(other, item);
    if (sql === (anyOf ? 'TRUE' : 'FALSE')) return sql;
    if (sql !== (anyOf ? 'FALSE' : 'TRUE')) parts.push(sql);
  }
  if (parts.length === 0) return anyOf ? 'FALSE' : 'TRUE';
  return parts.length === 1 ? parts[0]! : `(${parts.join(anyOf ? ' OR ' : ' AND ')})`;
}

/**
 * Whether the comparison holds for a missing value (no related record, an empty array): as for
 * a NULL column, `= null` and the negative operators do, the others don't.
 */
export function missingMatches(op: FilterOperator, other: Operand): boolean {
  if (other.type !== 'value' || other.source === 'request') return NEGATIVE_OPERATORS.has(op);
  const plain = plainOperator(op);
  if (plain === '=') return isEmptyValue(other.value);
  if (plain === '!=') return !isEmptyValue(other.value);
  if (plain === '!~') return textForm(other.value) !== '';
  return false;
}
