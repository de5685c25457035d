import { FilterError, validateRuleSyntax } from '../filter/index.js';
import { get, isPlainObject, Issues, type Json } from '../fields/option-reader.js';
import { normalizeAuthOptions } from './normalize-auth-options.js';
import {
  AUTH_OPTION_KEYS,
  UNSUPPORTED_AUTH_KEYS,
  type CollectionDef,
  type CollectionType,
  NAME_PATTERN,
  RESERVED_COLLECTION_NAMES,
  RULE_NAMES,
  type RuleName,
} from './collection.types.js';
import { normalizeField, type Context, type FieldDraft } from './normalize-field.js';
import { normalizeIndexes } from './normalize-indexes.js';
import { jsonTypeOf, type SchemaIssue, show } from './schema-issue.js';
import { toFilterCollection, toFilterSchema } from './to-filter-schema.js';

export { MAX_INDEX_FIELDS, MAX_INDEXES } from './normalize-indexes.js';
export { MAX_PATTERN_LENGTH } from '../fields/text.field.js';
export { MAX_SELECT_VALUE_LENGTH, MAX_SELECT_VALUES } from '../fields/select.field.js';
export { DEFAULT_MAX_FILE_SIZE, MAX_FILE_OPTION_ITEMS, MAX_THUMB_SIDE } from '../fields/file.field.js';
export { MAX_RELATION_SELECT } from '../fields/relation.field.js';

export const MAX_FIELDS = 500;

export interface NormalizeOptions {
  newId(): string;
  newFieldId(): string;
}

export type NormalizeResult = { ok: true; value: CollectionDef } | { ok: false; errors: SchemaIssue[] };

const COLLECTION_TYPES: readonly CollectionType[] = ['base', 'auth'];

const COLLECTION_KEYS = [
  'id',
  'name',
  'type',
  'fields',
  'indexes',
  ...RULE_NAMES,
  ...AUTH_OPTION_KEYS,
  ...UNSUPPORTED_AUTH_KEYS,
  'options',
  'created',
  'updated',
] as const;

const RESERVED_COLLECTION_NAMES_LOWER = new Set([...RESERVED_COLLECTION_NAMES].map((n) => n.toLowerCase()));

/**
 * Validates an untrusted collection body (POST: existing = null; PATCH: existing given, absent
 * keys keep their value, `fields` is the complete new list matched by id) and returns the
 * normalized definition with ids and defaults, or every problem found.
 */
export function normalizeCollection(
  input: unknown,
  existing: CollectionDef | null,
  all: readonly CollectionDef[],
  opts: NormalizeOptions,
): NormalizeResult {
  const issues = new Issues();
  if (!isPlainObject(input)) {
    issues.add('', 'INVALID_TYPE', `The collection must be a JSON object, not ${jsonTypeOf(input)}.`);
    return { ok: false, errors: issues.all };
  }
  const body = input;
  const others = all.filter((c) => c.id !== existing?.id);
  issues.unknownKeys(body, '', new Set(COLLECTION_KEYS), 'A collection');

  // id, created, updated are server-managed: accepted so a GET answer can be sent back.
  const id = issues.string(body, 'id', '');
  if (id !== undefined && existing && id !== existing.id) {
    issues.add(
      'id',
      'ID_MISMATCH',
      `The body's id ${show(id)} is not the id of collection "${existing.name}"; leave "id" out.`,
    );
  }
  issues.string(body, 'created', '');
  issues.string(body, 'updated', '');

  const name = normalizeName(body, existing, others, issues);
  const selfName = name ?? existing?.name ?? (typeof body.name === 'string' ? body.name : '');
  const { type, typeKnown } = normalizeType(body, existing, issues);

  const resolveTarget = (target: string): string | undefined => {
    if (target === selfName || (existing !== null && target === existing.name)) return selfName;
    return others.some((c) => c.name === target) ? target : undefined;
  };
  const ctx: Context = {
    issues,
    existing,
    existingFieldIds: new Set(existing?.fields.map((f) => f.id) ?? []),
    seenFieldIds: new Set(),
    resolveTarget,
  };

  // fields
  let fieldsKnown = true;
  let fieldInputs: readonly unknown[] = [];
  const rawFields = get(body, 'fields');
  if (rawFields === undefined) {
    fieldInputs = existing?.fields ?? [];
  } else if (!Array.isArray(rawFields)) {
    issues.add(
      'fields',
      'INVALID_TYPE',
      `"fields" must be an array of fields, not ${jsonTypeOf(rawFields)}.`,
    );
    fieldsKnown = false;
  } else {
    fieldInputs = rawFields;
    if (rawFields.length > MAX_FIELDS) {
      issues.add(
        'fields',
        'OUT_OF_RANGE',
        `A collection may have at most ${MAX_FIELDS} fields; this one has ${rawFields.length}.`,
      );
    }
  }
  const drafts: FieldDraft[] = [];
  const namesSeen = new Map<string, number>();
  fieldInputs.forEach((raw, i) => {
    const draft = normalizeField(raw, `fields.${i}`, ctx);
    if (!draft) return;
    if (draft.rawName !== undefined && draft.nameValid) {
      const lower = draft.rawName.toLowerCase();
      const first = namesSeen.get(lower);
      if (first !== undefined) {
        issues.add(
          `fields.${i}.name`,
          'DUPLICATE_FIELD_NAME',
          `Field ${i} is named ${show(draft.rawName)} like field ${first} (names are compared ignoring case); rename one of them.`,
        );
        draft.usable = false;
      } else {
        namesSeen.set(lower, i);
      }
    }
    drafts.push(draft);
  });

  const indexes = normalizeIndexes(body, existing, drafts, type, fieldsKnown, issues);
  const rules = normalizeRules(body, existing, issues);
  const identityCandidates = new Set(
    drafts
      .filter((d) => d.usable && d.field.unique && (d.field.type === 'text' || d.field.type === 'email'))
      .map((d) => d.field.name),
  );
  const authOptions = normalizeAuthOptions(
    body,
    existing,
    type,
    typeKnown,
    identityCandidates,
    (p, code, m) => issues.add(p, code, m),
  );

  // Rules compile against the fields as they will be (only those with a valid name and type).
  if (fieldsKnown) {
    const draftDef: CollectionDef = {
      id: existing?.id ?? '',
      name: selfName,
      type,
      fields: drafts.filter((d) => d.usable).map((d) => ({ id: d.id ?? '', ...d.field })),
      indexes: [],
      ...rules.values,
    };
    const filterCollection = toFilterCollection(draftDef);
    const filterSchema = toFilterSchema([...others, draftDef]);
    for (const rule of RULE_NAMES) {
      if (!rules.valid.has(rule)) continue;
      try {
        validateRuleSyntax(rules.values[rule], filterCollection, filterSchema);
      } catch (error) {
        if (!(error instanceof FilterError)) throw error;
        issues.add(rule, 'INVALID_RULE', error.message);
      }
    }
    for (const rule of ['authRule', 'manageRule'] as const) {
      if (authOptions[rule] === undefined || get(body, rule) === undefined) continue;
      try {
        validateRuleSyntax(authOptions[rule], filterCollection, filterSchema);
      } catch (error) {
        if (!(error instanceof FilterError)) throw error;
        issues.add(rule, 'INVALID_RULE', error.message);
      }
    }
  }

  if (issues.count > 0) return { ok: false, errors: issues.all };

  const value: CollectionDef = {
    id: existing?.id ?? opts.newId(),
    name: name ?? selfName,
    type,
    fields: drafts.map((d) => ({ id: d.id ?? opts.newFieldId(), ...d.field })),
    indexes,
    ...rules.values,
    ...authOptions,
  };
  if (existing?.created !== undefined) value.created = existing.created;
  if (existing?.updated !== undefined) value.updated = existing.updated;
  return { ok: true, value };
}

function normalizeName(
  body: Json,
  existing: CollectionDef | null,
  others: readonly CollectionDef[],
  issues: Issues,
): string | undefined {
  const raw = get(body, 'name');
  if (raw === undefined) {
    if (!existing) issues.add('name', 'REQUIRED', 'A collection needs a "name", e.g. "posts".');
    return existing?.name;
  }
  if (typeof raw !== 'string') {
    issues.add('name', 'INVALID_TYPE', `"name" must be a string, not ${jsonTypeOf(raw)}.`);
  } else if (!NAME_PATTERN.test(raw)) {
    issues.add(
      'name',
      'INVALID_NAME',
      `The collection name ${show(raw)} is not allowed: use 1 to 63 lowercase letters, digits and underscores, starting with a letter (e.g. "blog_posts").`,
    );
  } else if (RESERVED_COLLECTION_NAMES_LOWER.has(raw.toLowerCase())) {
    issues.add(
      'name',
      'RESERVED_NAME',
      `"${raw}" is a reserved word and cannot name a collection; choose another name.`,
    );
  } else if (others.some((c) => c.name.toLowerCase() === raw.toLowerCase())) {
    issues.add(
      'name',
      'COLLECTION_NAME_TAKEN',
      `A collection named "${raw}" already exists; choose another name.`,
    );
  } else {
    return raw;
  }
  return undefined;
}

function normalizeType(
  body: Json,
  existing: CollectionDef | null,
  issues: Issues,
): { type: CollectionType; typeKnown: boolean } {
  const raw = get(body, 'type');
  const current = existing?.type ?? 'base';
  if (raw === undefined) return { type: current, typeKnown: true };
  if (typeof raw !== 'string') {
    issues.add('type', 'INVALID_TYPE', `"type" must be "base" or "auth", not ${jsonTypeOf(raw)}.`);
  } else if (!(COLLECTION_TYPES as readonly string[]).includes(raw)) {
    issues.add('type', 'INVALID_VALUE', `Unknown collection type ${show(raw)}; use "base" or "auth".`);
  } else if (existing && raw !== existing.type) {
    issues.add(
      'type',
      'COLLECTION_TYPE_IMMUTABLE',
      `A collection's type cannot change (it is "${existing.type}"). Create a new ${raw} collection and move the records instead.`,
    );
  } else {
    return { type: raw as CollectionType, typeKnown: true };
  }
  return { type: current, typeKnown: existing !== null };
}

function normalizeRules(
  body: Json,
  existing: CollectionDef | null,
  issues: Issues,
): { values: Record<RuleName, string | null>; valid: Set<RuleName> } {
  const values = {} as Record<RuleName, string | null>;
  const valid = new Set<RuleName>();
  for (const rule of RULE_NAMES) {
    const raw = get(body, rule);
    const value = raw === undefined ? (existing?.[rule] ?? null) : raw;
    if (value !== null && typeof value !== 'string') {
      issues.add(
        rule,
        'INVALID_TYPE',
        `"${rule}" must be null (admins only), "" (everyone) or a filter expression, not ${jsonTypeOf(value)}.`,
      );
      values[rule] = null;
      continue;
    }
    values[rule] = value !== null && value.trim() === '' ? '' : value;
    valid.add(rule);
  }
  return { values, valid };
}
