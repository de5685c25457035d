import { FilterError, validateRuleSyntax } from '../filter/index.js';
import { FIELD_TYPES, type CollectionDef, type FieldDef, type FieldType } from './collection.types.js';
import { toFilterCollection, toFilterSchema } from './to-filter-schema.js';

export const RULE_OPERATIONS = ['list', 'view', 'create', 'update', 'delete', 'auth', 'manage'] as const;
export type RuleOperation = (typeof RULE_OPERATIONS)[number];

/** A collection as the editor holds it before saving: only what rules can see of it. */
export interface DraftCollection {
  name?: string;
  type?: string;
  fields?: Array<Record<string, unknown>>;
}

export type RuleCheck =
  | { ok: true; warnings: string[] }
  | { ok: false; code: string; message: string; position?: number; field?: string; warnings: string[] };

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * The collection a draft describes, leniently: fields without a valid name or type are left out, so a
 * rule is checked against the fields the editor already has right.
 */
export function draftToDef(draft: DraftCollection, existing?: CollectionDef): CollectionDef {
  const fields: FieldDef[] = [];
  for (const raw of draft.fields ?? []) {
    const name = typeof raw.name === 'string' ? raw.name : '';
    const type = raw.type as FieldType;
    if (!NAME.test(name) || !FIELD_TYPES.includes(type)) continue;
    const field: FieldDef = { id: typeof raw.id === 'string' ? raw.id : '', name, type };
    if (typeof raw.collection === 'string') field.collection = raw.collection;
    if (typeof raw.maxSelect === 'number') field.maxSelect = raw.maxSelect;
    if (raw.hidden === true) field.hidden = true;
    fields.push(field);
  }
  return {
    id: existing?.id ?? '',
    name: typeof draft.name === 'string' && draft.name ? draft.name : (existing?.name ?? 'draft'),
    type: draft.type === 'auth' ? 'auth' : draft.type === 'base' ? 'base' : (existing?.type ?? 'base'),
    fields,
    indexes: [],
    listRule: existing?.listRule ?? null,
    viewRule: existing?.viewRule ?? null,
    createRule: null,
    updateRule: null,
    deleteRule: null,
  };
}

/**
 * Checks a rule as the collection save would, against `self` and the other collections: `{ok: true}`
 * or the filter language's problem with the 0-based position it points at.
 */
export function checkRule(
  rule: string,
  self: CollectionDef,
  others: readonly CollectionDef[],
  operation?: RuleOperation,
): RuleCheck {
  const warnings: string[] = [];
  if (operation && ['list', 'view', 'delete'].includes(operation) && /@request\.body\b/.test(rule)) {
    warnings.push(
      `@request.body is empty in a ${operation} rule; it holds the sent fields of a create or update.`,
    );
  }
  const all = [...others.filter((c) => c.name !== self.name), self];
  const schema = toFilterSchema(all);
  try {
    validateRuleSyntax(rule, schema.collection(self.name) ?? toFilterCollection(self), schema);
    return { ok: true, warnings };
  } catch (error) {
    if (!(error instanceof FilterError)) throw error;
    const out: RuleCheck = { ok: false, code: error.code, message: error.message, warnings };
    if (error.position !== undefined) out.position = error.position;
    if (error.field !== undefined) out.field = error.field;
    return out;
  }
}
