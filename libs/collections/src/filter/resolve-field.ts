import { sql, type Sql } from '@plinth/core';
import { FilterError } from './filter-error.js';
import type { ColumnOperand, Hop } from './operands.js';
import type { ResolveHost } from './resolve-operand.js';
import { asText, lookupField, visibilityGuard } from './sql-fragments.js';
import type { FilterCollection, FilterField, FilterModifier, FilterOperand } from './types.js';

// A record field (or a dot path through relations) as a column, and the modifiers on it.

type FieldOperand = Extract<FilterOperand, { type: 'field' }>;

export function resolveField(
  host: ResolveHost,
  operand: Pick<FieldOperand, 'path' | 'position'>,
  collection: FilterCollection,
  alias: string,
  label = operand.path.join('.'),
): ColumnOperand {
  const hops: Hop[] = [];
  let current = collection;
  for (let i = 0; ; i++) {
    const field = lookupField(current, operand.path[i]!);
    if (!field) {
      throw new FilterError('FILTER_UNKNOWN_FIELD', `Unknown field "${label}".`, operand.position, label);
    }
    if (field.hidden && !host.ctx.canSeeHidden) {
      throw new FilterError(
        'FILTER_HIDDEN_FIELD',
        `The field "${label}" cannot be used in a filter.`,
        operand.position,
        label,
      );
    }
    if (i === operand.path.length - 1) {
      const guard = visibilityGuard(current, field, host.ctx);
      return { type: 'column', alias, hops, field, label, ...(guard ? { guard } : {}) };
    }
    // `place.lon`: a numeric part of the field's value (geoPoint), not a hop through a relation.
    const partName = operand.path[i + 1]!;
    const part =
      i === operand.path.length - 2 && field.parts && Object.hasOwn(field.parts, partName)
        ? field.parts[partName]
        : undefined;
    if (part) {
      const guard = visibilityGuard(current, field, host.ctx);
      const number = { ...field, kind: 'number' as const, multiple: false, parts: undefined };
      return { type: 'column', alias, hops, field: number, label, wrap: part, ...(guard ? { guard } : {}) };
    }
    const target = field.relationTo === undefined ? undefined : host.ctx.schema.collection(field.relationTo);
    if (!target) {
      throw new FilterError('FILTER_UNKNOWN_FIELD', `Unknown field "${label}".`, operand.position, label);
    }
    hops.push({ field, target });
    current = target;
  }
}

/** `:each`, `:length`, `:lower` on a record field; the others only apply to `@request.*` values. */
export function withModifier(
  column: ColumnOperand,
  modifier: FilterModifier | undefined,
  position: number,
): ColumnOperand {
  if (modifier === undefined) return column;
  const label = `${column.label}:${modifier}`;
  const field = column.field;
  switch (modifier) {
    case 'each':
      // Plain operators on a multi-value field already ask every item (and `?` forms any item);
      // on a single select/relation/file the one value is compared, as PocketBase.
      requireMultiValued(field, column.label, modifier, position);
      return { ...column, label };
    case 'length':
      requireMultiValued(field, column.label, modifier, position);
      return {
        ...column,
        label,
        field: { ...field, kind: 'number', multiple: false },
        wrap: (col) => (field.multiple ? sql`COALESCE(cardinality(${col}), 0)` : singleLength(col, field)),
      };
    case 'lower':
      if (field.multiple || (field.kind !== 'text' && field.kind !== 'uuid')) {
        throw new FilterError(
          'FILTER_TYPE_MISMATCH',
          `":lower" applies to single text fields; "${column.label}" is not one.`,
          position,
          column.label,
        );
      }
      return {
        ...column,
        label,
        field: { ...field, kind: 'text' },
        wrap: (col) => sql`LOWER(${asText(col, field.kind)})`,
      };
    default:
      throw new FilterError(
        'FILTER_SYNTAX',
        `":${modifier}" applies to @request.body.* values only, not to the field "${column.label}".`,
        position,
        column.label,
      );
  }
}

/** PocketBase's MultiValuer: select, relation and file fields, single ones too. */
function isMultiValued(field: FilterField): boolean {
  return field.multiple || field.multiValued === true || field.relationTo !== undefined;
}

export function requireMultiValued(
  field: FilterField,
  label: string,
  modifier: string,
  position: number,
): void {
  if (isMultiValued(field)) return;
  throw new FilterError(
    'FILTER_TYPE_MISMATCH',
    `":${modifier}" applies to fields that can hold several values (select, relation or file); "${label}" is none.`,
    position,
    label,
  );
}

/** A single value has 0 items when empty, else 1 (PocketBase's json_array_length of it). */
function singleLength(col: Sql, field: FilterField): Sql {
  const empty = field.kind === 'text' ? sql`COALESCE(${col}, '') = ''` : sql`${col} IS NULL`;
  return sql`(CASE WHEN ${empty} THEN 0 ELSE 1 END)`;
}
