import { FilterError, validateRuleSyntax } from '../filter/index.js';
import { get, isPlainObject, Issues, type Json } from '../fields/option-reader.js';
import { normalizeAuthOptions } from './normalize-auth-options.js';
import {
  AUTH_OPTION_KEYS,
  type CollectionDef,
  type CollectionType,
  NAME_PATTERN,
  RESERVED_COLLECTION_NAMES,
  RULE_NAMES,
  type RuleName,
} from './collection.types.js';
import { idTypesIn } from '../fields/id-field.js';
import { normalizeField, type Context, type FieldDraft } from './normalize-field.js';
import { normalizeIndexes } from './normalize-indexes.js';
import { fromPocketBaseShape } from './pocketbase-shape.js';
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
  const pb = fromPocketBaseShape(input, existing, all);
  const body = pb.body;
  const others = all.filter((c) => c.id !== existing?.id);
  issues.unknownKeys(body, '', new Set(COLLECTION_KEYS), 'A collection');

  // id: a new collection may bring one (PocketBase's or another Plinth's); created, updated are
  // server-managed and accepted so a GET answer can be sent back.
  const id = issues.string(body, 'id', '');
  if (id !== undefined && existing && id !== existing.id) {
    issues.add(
      'id',
      'ID_MISMATCH',
      `The body's id ${show(id)} is not the id of collection "${existing.name}"; leave "id" out.`,
    );
  }
  const givenId =
    existing || id === undefined || id === '' ? undefined : collectionIdProblem(id, others, issues);
  const idField = recordIdField(existing, pb, issues);
  issues.string(body, 'created', '');
  issues.string(body, 'updated', '');

  const name = normalizeName(body, existing, others, issues);
  const selfName = name ?? existing?.name ?? (typeof body.name === 'string' ? body.name : '');
  const { type, typeKnown } = normalizeType(body, existing, issues);

  const resolveTarget = (target: string): string | undefined => {
    if (target === selfName || (existing !== null && target === existing.name)) return selfName;
    return others.some((c) => c.name === target) ? target : undefined;
  };
  const othersIdTypes = idTypesIn(others);
  const ctx: Context = {
    issues,
    existing,
    existingFieldIds: new Set(existing?.fields.map((f) => f.id) ?? []),
    seenFieldIds: new Set(),
    resolveTarget,
    idTypeOf: (target) => (target === selfName ? (idField ? 'text' : 'uuid') : othersIdTypes(target)),
    isAuth: type === 'auth',
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
      ...(idField ? { idField } : {}),
    };
    const filterCollection = toFilterCollection(draftDef, idTypesIn(others));
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
    const mfaRule = get(body, 'mfa') !== undefined ? authOptions.mfa?.rule : undefined;
    if (mfaRule) {
      try {
        validateRuleSyntax(mfaRule, filterCollection, filterSchema);
      } catch (error) {
        if (!(error instanceof FilterError)) throw error;
        issues.add('mfa.rule', 'INVALID_RULE', error.message);
      }
    }
  }

  if (issues.count > 0 || pb.issues.length > 0)
    return { ok: false, errors: [...pb.issues, ...issues.all.map((e) => atOrigin(e, pb.origin))] };

  const value: CollectionDef = {
    id: existing?.id ?? givenId ?? opts.newId(),
    name: name ?? selfName,
    type,
    fields: drafts.map((d) => ({ id: d.id ?? opts.newFieldId(), ...d.field })),
    indexes,
    ...rules.values,
    ...authOptions,
  };
  if (idField) value.idField = idField;
  if (existing?.created !== undefined) value.created = existing.created;
  if (existing?.updated !== undefined) value.updated = existing.updated;
  return { ok: true, value };
}

/** A collection id a client brings: PocketBase's (`pbc_2287844090`, `_pb_users_auth_`) or a UUID. */
const COLLECTION_ID = /^[A-Za-z0-9_-]{1,40}$/;

/** The id when it can be a new collection's id, else undefined with the problem added. */
function collectionIdProblem(
  id: string,
  others: readonly CollectionDef[],
  issues: Issues,
): string | undefined {
  const problem = newCollectionIdProblem(id, others);
  if (!problem) return id;
  issues.add('id', problem.code, problem.message);
  return undefined;
}

/** Why `id` cannot be the id a new collection brings (views too), or null when it can. */
export function newCollectionIdProblem(
  id: string,
  others: readonly CollectionDef[],
): { code: 'INVALID_VALUE' | 'COLLECTION_NAME_TAKEN'; message: string } | null {
  // Index names carry the id lowercased without "-": two ids that differ only so would clash.
  const tag = (s: string) => s.replace(/-/g, '').toLowerCase();
  if (!COLLECTION_ID.test(id)) {
    return {
      code: 'INVALID_VALUE',
      message: `The collection id ${show(id)} is not allowed: use 1 to 40 letters, digits, "_" or "-", or leave "id" out.`,
    };
  }
  if (others.some((c) => tag(c.id) === tag(id) || c.name === id)) {
    return {
      code: 'COLLECTION_NAME_TAKEN',
      message: `The collection id ${show(id)} is already taken by another collection's id or name; choose another one or leave "id" out.`,
    };
  }
  return null;
}

/** The record id field after this change: given ones are PocketBase's text ids; a collection's id type never changes. */
function recordIdField(
  existing: CollectionDef | null,
  pb: ReturnType<typeof fromPocketBaseShape>,
  issues: Issues,
): CollectionDef['idField'] {
  if (!pb.idFieldGiven) return existing?.idField;
  if (existing && !existing.idField) {
    issues.add(
      'fields',
      'INVALID_VALUE',
      `Collection "${existing.name}" has UUID record ids and cannot switch to text ids; remove the "id" field, or create a new collection with it and move the records.`,
    );
    return undefined;
  }
  return pb.idField;
}

/** A problem's path as the client numbered its fields (PocketBase's built-in entries were taken out). */
function atOrigin(issue: SchemaIssue, origin: readonly number[]): SchemaIssue {
  const m = /^fields\.(\d+)(.*)$/.exec(issue.path);
  const original = m ? origin[Number(m[1])] : undefined;
  return original === undefined ? issue : { ...issue, path: `fields.${original}${m![2]}` };
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
  } else if (others.some((c) => c.name.toLowerCase() === raw.toLowerCase() || c.id === raw)) {
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
