import { isUuidText } from '@plinth/core';
import { FilterError, validateRuleSyntax } from '../filter/index.js';
import { normalizeAuthOptions } from './normalize-auth-options.js';
import {
  AUTH_OPTION_KEYS,
  UNSUPPORTED_AUTH_KEYS,
  type CollectionDef,
  type CollectionType,
  FIELD_NAME_PATTERN,
  FIELD_TYPES,
  type FieldDef,
  type FieldType,
  type IndexDef,
  NAME_PATTERN,
  type OnDelete,
  RESERVED_COLLECTION_NAMES,
  RESERVED_FIELD_NAMES,
  RULE_NAMES,
  type RuleName,
  SYSTEM_COLUMNS,
  isMultiple,
} from './collection.types.js';
import { jsonTypeOf, type SchemaIssue, type SchemaIssueCode, show } from './schema-issue.js';
import { idTypesIn } from '../fields/id-field.js';
import { fromPocketBaseShape } from './pocketbase-shape.js';
import { toFilterCollection, toFilterSchema } from './to-filter-schema.js';

export const MAX_FIELDS = 500;
export const MAX_INDEXES = 20;
export const MAX_INDEX_FIELDS = 8;
export const MAX_PATTERN_LENGTH = 512;
export const MAX_SELECT_VALUES = 100;
export const MAX_SELECT_VALUE_LENGTH = 200;
export const MAX_THUMB_SIDE = 2000;
/** Longest mimeTypes / thumbs list. */
export const MAX_FILE_OPTION_ITEMS = 100;
/** Ids a multi relation may hold: bounds what one record expands to and what filters through it read (issue 16). */
export const MAX_RELATION_SELECT = 1000;
export const DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024;

export interface NormalizeOptions {
  newId(): string;
  newFieldId(): string;
}

export type NormalizeResult = { ok: true; value: CollectionDef } | { ok: false; errors: SchemaIssue[] };

const COLLECTION_TYPES: readonly CollectionType[] = ['base', 'auth'];
const ON_DELETE: readonly OnDelete[] = ['cascade', 'restrict', 'set-null'];

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

const TYPE_OPTIONS: Record<FieldType, readonly string[]> = {
  text: ['min', 'max', 'pattern'],
  number: ['min', 'max', 'onlyInt'],
  bool: [],
  email: [],
  url: [],
  date: [],
  select: ['values', 'maxSelect'],
  json: [],
  relation: ['collection', 'maxSelect', 'onDelete'],
  file: ['maxSelect', 'maxSize', 'mimeTypes', 'thumbs', 'protected', 'inlinePdf'],
};

const FIELD_BASE_KEYS = ['id', 'name', 'type', 'required', 'unique', 'hidden'];
const FIELD_KEYS = new Set([...FIELD_BASE_KEYS, 'default', ...Object.values(TYPE_OPTIONS).flat()]);

function fieldKeysOf(type: FieldType): Set<string> {
  return new Set([...FIELD_BASE_KEYS, ...(type === 'file' ? [] : ['default']), ...TYPE_OPTIONS[type]]);
}

/** PostgreSQL's own system columns: a user column with one of these names cannot be created. */
const PG_SYSTEM_COLUMNS = ['tableoid', 'xmin', 'cmin', 'xmax', 'cmax', 'ctid', 'oid'];
const RESERVED_FIELD_NAMES_LOWER = new Set(
  [...RESERVED_FIELD_NAMES, ...PG_SYSTEM_COLUMNS].map((n) => n.toLowerCase()),
);
/** Reserved in auth collections only: base collections may have fields of these names (as in PocketBase). */
const AUTH_ONLY_NAMES_LOWER = new Set(['email', 'emailvisibility', 'verified']);
const RESERVED_COLLECTION_NAMES_LOWER = new Set([...RESERVED_COLLECTION_NAMES].map((n) => n.toLowerCase()));

/** Auth columns a declared index may use besides the fields and id/created/updated. */
const AUTH_INDEXABLE = ['email', 'emailVisibility', 'verified'];

const MIME_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;
/** PocketBase's thumbnail sizes: `WxH` (centre crop), `WxHt`/`WxHb` (top/bottom crop), `WxHf` (fit), `0xH`/`Wx0` (scale). */
const THUMB = /^(0|[1-9][0-9]{0,3})x(0|[1-9][0-9]{0,3})([tbf]?)$/;
const EMAIL = /^[^\s@]+@[^\s@]+$/;
const ISO_DATE =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

type Json = Record<string, unknown>;

function isPlainObject(value: unknown): value is Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** An own property; undefined counts as absent (JSON never produces it). */
function get(obj: Json, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

const at = (path: string, key: string | number): string => (path === '' ? String(key) : `${path}.${key}`);

const list = (items: readonly string[]): string => items.join(', ');

class Issues {
  readonly all: SchemaIssue[] = [];

  add(path: string, code: SchemaIssueCode, message: string): void {
    this.all.push({ path, code, message });
  }

  get count(): number {
    return this.all.length;
  }

  unknownKeys(obj: Json, path: string, allowed: ReadonlySet<string>, what: string): void {
    for (const key of Object.keys(obj)) {
      if (obj[key] === undefined || allowed.has(key)) continue;
      this.add(
        at(path, key),
        'UNKNOWN_KEY',
        `Unknown key ${show(key)}. ${what} may have: ${list([...allowed])}.`,
      );
    }
  }

  bool(obj: Json, key: string, path: string): boolean | undefined {
    const value = get(obj, key);
    if (value === undefined || typeof value === 'boolean') return value;
    this.add(at(path, key), 'INVALID_TYPE', `"${key}" must be true or false, not ${jsonTypeOf(value)}.`);
    return undefined;
  }

  /** A whole number from `min` to `max`. */
  int(obj: Json, key: string, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const value = get(obj, key);
    if (value === undefined) return undefined;
    const p = at(path, key);
    if (typeof value !== 'number') {
      this.add(p, 'INVALID_TYPE', `"${key}" must be a whole number, not ${jsonTypeOf(value)}.`);
    } else if (!Number.isInteger(value)) {
      this.add(p, 'INVALID_VALUE', `"${key}" must be a whole number; ${value} is not.`);
    } else if (value < min || value > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`;
      this.add(p, 'OUT_OF_RANGE', `"${key}" must be ${range}; ${value} is out of range.`);
    } else {
      return value;
    }
    return undefined;
  }

  number(obj: Json, key: string, path: string): number | undefined {
    const value = get(obj, key);
    if (value === undefined) return undefined;
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    this.add(at(path, key), 'INVALID_TYPE', `"${key}" must be a number, not ${jsonTypeOf(value)}.`);
    return undefined;
  }

  string(obj: Json, key: string, path: string): string | undefined {
    const value = get(obj, key);
    if (value === undefined || typeof value === 'string') return value;
    this.add(at(path, key), 'INVALID_TYPE', `"${key}" must be a string, not ${jsonTypeOf(value)}.`);
    return undefined;
  }

  /** An array of distinct strings; `check` returns an entry's problem, or null when it is fine. */
  stringList(
    obj: Json,
    key: string,
    path: string,
    limits: { min: number; max: number },
    check: (item: string) => [SchemaIssueCode, string] | null,
  ): string[] | undefined {
    const value = get(obj, key);
    if (value === undefined) return undefined;
    const p = at(path, key);
    if (!Array.isArray(value)) {
      this.add(p, 'INVALID_TYPE', `"${key}" must be an array of strings, not ${jsonTypeOf(value)}.`);
      return undefined;
    }
    const before = this.count;
    if (value.length < limits.min || value.length > limits.max) {
      const range = limits.min === 0 ? `at most ${limits.max}` : `${limits.min} to ${limits.max}`;
      this.add(p, 'OUT_OF_RANGE', `"${key}" must list ${range} entries; it has ${value.length}.`);
    }
    const seen = new Set<string>();
    value.forEach((item: unknown, i) => {
      const itemPath = at(p, i);
      if (typeof item !== 'string') {
        this.add(
          itemPath,
          'INVALID_TYPE',
          `Each entry of "${key}" must be a string, not ${jsonTypeOf(item)}.`,
        );
      } else if (seen.has(item)) {
        this.add(itemPath, 'DUPLICATE_VALUE', `${show(item)} is listed twice in "${key}"; list it once.`);
      } else {
        seen.add(item);
        const problem = check(item);
        if (problem) this.add(itemPath, ...problem);
      }
    });
    return this.count === before ? (value as string[]).slice() : undefined;
  }
}

/** What the field loop learned about one input field. */
interface FieldDraft {
  /** Known for fields matched to an existing one; new fields get theirs at the end. */
  id: string | undefined;
  field: Omit<FieldDef, 'id'>;
  /** The name is valid (and not reserved). */
  nameValid: boolean;
  /** Name and type are valid and the name is not a duplicate, so rules and indexes can refer to the field. */
  usable: boolean;
  /** Set when name is a string, valid or not; indexes referring to it are then not blamed. */
  rawName: string | undefined;
}

interface Context {
  issues: Issues;
  existing: CollectionDef | null;
  existingFieldIds: ReadonlySet<string>;
  seenFieldIds: Set<string>;
  resolveTarget(name: string): string | undefined;
  /** Auth collections have email, emailVisibility and verified columns of their own. */
  isAuth: boolean;
}

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
  const givenId = existing || id === undefined || id === '' ? undefined : collectionIdProblem(id, others, issues);
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
  const ctx: Context = {
    issues,
    existing,
    existingFieldIds: new Set(existing?.fields.map((f) => f.id) ?? []),
    seenFieldIds: new Set(),
    resolveTarget,
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
function collectionIdProblem(id: string, others: readonly CollectionDef[], issues: Issues): string | undefined {
  // Index names carry the id lowercased without "-": two ids that differ only so would clash.
  const tag = (s: string) => s.replace(/-/g, '').toLowerCase();
  if (!COLLECTION_ID.test(id)) {
    issues.add('id', 'INVALID_VALUE', `The collection id ${show(id)} is not allowed: use 1 to 40 letters, digits, "_" or "-", or leave "id" out.`);
  } else if (others.some((c) => tag(c.id) === tag(id) || c.name === id)) {
    issues.add('id', 'COLLECTION_NAME_TAKEN', `The collection id ${show(id)} is already taken by another collection's id or name; choose another one or leave "id" out.`);
  } else {
    return id;
  }
  return undefined;
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

function normalizeField(raw: unknown, path: string, ctx: Context): FieldDraft | null {
  const { issues } = ctx;
  if (!isPlainObject(raw)) {
    issues.add(path, 'INVALID_TYPE', `Each field must be an object, not ${jsonTypeOf(raw)}.`);
    return null;
  }

  // id: on PATCH it names the existing field (a new name = a rename); on POST it is ignored.
  let id: string | undefined;
  const rawId = issues.string(raw, 'id', path);
  if (rawId !== undefined && ctx.existing) {
    if (!ctx.existingFieldIds.has(rawId)) {
      issues.add(
        at(path, 'id'),
        'UNKNOWN_FIELD_ID',
        `Collection "${ctx.existing.name}" has no field with the id ${show(rawId)}. Leave "id" out to add a new field, or use the id of the field you mean to change.`,
      );
    } else if (ctx.seenFieldIds.has(rawId)) {
      issues.add(
        at(path, 'id'),
        'DUPLICATE_FIELD_ID',
        `The field id ${show(rawId)} appears twice; each existing field may be listed once.`,
      );
    } else {
      ctx.seenFieldIds.add(rawId);
      id = rawId;
    }
  }

  let nameValid = true;
  const rawName = get(raw, 'name');
  if (rawName === undefined) {
    issues.add(at(path, 'name'), 'REQUIRED', 'Every field needs a "name".');
    nameValid = false;
  } else if (typeof rawName !== 'string') {
    issues.add(at(path, 'name'), 'INVALID_TYPE', `"name" must be a string, not ${jsonTypeOf(rawName)}.`);
    nameValid = false;
  } else if (!FIELD_NAME_PATTERN.test(rawName)) {
    issues.add(
      at(path, 'name'),
      'INVALID_NAME',
      `The field name ${show(rawName)} is not allowed: use 1 to 63 letters, digits and underscores, starting with a letter (e.g. "publishedAt").`,
    );
    nameValid = false;
  } else if (
    RESERVED_FIELD_NAMES_LOWER.has(rawName.toLowerCase()) &&
    (ctx.isAuth || !AUTH_ONLY_NAMES_LOWER.has(rawName.toLowerCase()))
  ) {
    issues.add(
      at(path, 'name'),
      'RESERVED_NAME',
      `"${rawName}" is reserved (a system column or API word) and cannot name a field; choose another name.`,
    );
    nameValid = false;
  }

  const rawType = get(raw, 'type');
  let type: FieldType | undefined;
  if (rawType === undefined) {
    issues.add(at(path, 'type'), 'REQUIRED', `Every field needs a "type": one of ${list(FIELD_TYPES)}.`);
  } else if (typeof rawType !== 'string') {
    issues.add(at(path, 'type'), 'INVALID_TYPE', `"type" must be a string, not ${jsonTypeOf(rawType)}.`);
  } else if (!(FIELD_TYPES as readonly string[]).includes(rawType)) {
    issues.add(
      at(path, 'type'),
      'INVALID_VALUE',
      `Unknown field type ${show(rawType)}; use one of ${list(FIELD_TYPES)}.`,
    );
  } else {
    type = rawType as FieldType;
  }

  // Keys: unknown everywhere → UNKNOWN_KEY; an option of another type → OPTION_NOT_ALLOWED.
  const allowed = type ? fieldKeysOf(type) : FIELD_KEYS;
  for (const key of Object.keys(raw)) {
    if (raw[key] === undefined) continue;
    if (!FIELD_KEYS.has(key)) {
      issues.add(at(path, key), 'UNKNOWN_KEY', `Unknown field option ${show(key)}; remove it.`);
    } else if (!allowed.has(key)) {
      const message =
        key === 'default'
          ? `File fields cannot have a default value; remove "default".`
          : `"${key}" is not an option of ${type} fields; remove it.`;
      issues.add(at(path, key), 'OPTION_NOT_ALLOWED', message);
    }
  }

  const name = typeof rawName === 'string' ? rawName : '';
  const field: Omit<FieldDef, 'id'> = {
    name,
    type: type ?? 'text',
    required: issues.bool(raw, 'required', path) ?? false,
    unique: issues.bool(raw, 'unique', path) ?? false,
    hidden: issues.bool(raw, 'hidden', path) ?? false,
  };
  const draft: FieldDraft = {
    id,
    field,
    nameValid,
    usable: nameValid && type !== undefined,
    rawName: typeof rawName === 'string' ? rawName : undefined,
  };
  if (!type) return draft;

  const before = issues.count;
  switch (type) {
    case 'text':
      textOptions(raw, path, field, issues);
      break;
    case 'number':
      numberOptions(raw, path, field, issues);
      break;
    case 'select':
      selectOptions(raw, path, field, issues);
      break;
    case 'relation':
      relationOptions(raw, path, field, ctx);
      break;
    case 'file':
      fileOptions(raw, path, field, issues);
      break;
    default:
      break;
  }

  if (field.unique && (type === 'json' || isMultiple({ id: '', ...field }))) {
    issues.add(
      at(path, 'unique'),
      'OPTION_NOT_ALLOWED',
      type === 'json'
        ? 'json fields cannot be unique; remove "unique".'
        : `A ${type} field that holds several values cannot be unique; set "maxSelect" to 1 or remove "unique".`,
    );
  }

  const dflt = get(raw, 'default');
  if (dflt !== undefined && dflt !== null && allowed.has('default')) {
    // Checked against options that are themselves valid; otherwise the options' problem is enough.
    if (issues.count === before) {
      const problem = defaultProblem(field, dflt);
      if (problem) issues.add(at(path, 'default'), 'INVALID_DEFAULT', `${problem} Fix or remove "default".`);
      else field.default = structuredClone(dflt);
    }
  }
  return draft;
}

function checkRange(
  min: number | undefined,
  max: number | undefined,
  path: string,
  issues: Issues,
  unit: string,
): void {
  if (min !== undefined && max !== undefined && min > max) {
    issues.add(
      at(path, 'max'),
      'INVALID_RANGE',
      `"max" (${max}) is smaller than "min" (${min}); make max at least min${unit}.`,
    );
  }
}

function textOptions(raw: Json, path: string, field: Omit<FieldDef, 'id'>, issues: Issues): void {
  const min = issues.int(raw, 'min', path, 0);
  const max = issues.int(raw, 'max', path, 0);
  checkRange(min, max, path, issues, '');
  if (min !== undefined) field.min = min;
  if (max !== undefined) field.max = max;
  const pattern = issues.string(raw, 'pattern', path);
  if (pattern === undefined || pattern === '') return;
  if (pattern.length > MAX_PATTERN_LENGTH) {
    issues.add(
      at(path, 'pattern'),
      'OUT_OF_RANGE',
      `"pattern" is ${pattern.length} characters long; at most ${MAX_PATTERN_LENGTH} are allowed.`,
    );
    return;
  }
  // Record validation may compile it in unicode mode (as ajv does), so it must compile both ways.
  for (const flags of ['', 'u']) {
    try {
      new RegExp(pattern, flags);
    } catch (error) {
      const reason = String((error as Error).message).replace(/^.*: /, '');
      issues.add(
        at(path, 'pattern'),
        'INVALID_PATTERN',
        `"pattern" is not a valid JavaScript regular expression${flags ? ' in unicode mode' : ''} (${reason}); correct it or remove it.`,
      );
      return;
    }
  }
  field.pattern = pattern;
}

function numberOptions(raw: Json, path: string, field: Omit<FieldDef, 'id'>, issues: Issues): void {
  const min = issues.number(raw, 'min', path);
  const max = issues.number(raw, 'max', path);
  checkRange(min, max, path, issues, '');
  if (min !== undefined) field.min = min;
  if (max !== undefined) field.max = max;
  field.onlyInt = issues.bool(raw, 'onlyInt', path) ?? false;
}

function selectOptions(raw: Json, path: string, field: Omit<FieldDef, 'id'>, issues: Issues): void {
  const values = issues.stringList(raw, 'values', path, { min: 1, max: MAX_SELECT_VALUES }, (item) =>
    item.length === 0 || item.length > MAX_SELECT_VALUE_LENGTH
      ? [
          'OUT_OF_RANGE',
          `Each value must be 1 to ${MAX_SELECT_VALUE_LENGTH} characters long; ${show(item)} has ${item.length}.`,
        ]
      : null,
  );
  if (get(raw, 'values') === undefined) {
    issues.add(at(path, 'values'), 'REQUIRED', 'A select field needs "values": the list of allowed choices.');
  }
  field.values = values ?? [];
  field.maxSelect = issues.int(raw, 'maxSelect', path, 1) ?? 1;
}

function relationOptions(raw: Json, path: string, field: Omit<FieldDef, 'id'>, ctx: Context): void {
  const { issues } = ctx;
  const target = issues.string(raw, 'collection', path);
  if (get(raw, 'collection') === undefined) {
    issues.add(
      at(path, 'collection'),
      'REQUIRED',
      'A relation field needs "collection": the name of the collection it points to.',
    );
  } else if (target !== undefined) {
    const resolved = ctx.resolveTarget(target);
    if (resolved === undefined) {
      issues.add(
        at(path, 'collection'),
        'RELATION_TARGET_NOT_FOUND',
        `There is no collection ${show(target)} to relate to; create it first or correct the name.`,
      );
    }
    field.collection = resolved ?? target;
  }
  field.maxSelect = issues.int(raw, 'maxSelect', path, 1, MAX_RELATION_SELECT) ?? 1;

  const onDelete = issues.string(raw, 'onDelete', path);
  if (onDelete !== undefined && !(ON_DELETE as readonly string[]).includes(onDelete)) {
    issues.add(
      at(path, 'onDelete'),
      'INVALID_VALUE',
      `Unknown onDelete ${show(onDelete)}; use "cascade", "restrict" or "set-null".`,
    );
    return;
  }
  if (onDelete === 'set-null' && field.required) {
    issues.add(
      at(path, 'onDelete'),
      'ON_DELETE_CONFLICT',
      'A required relation cannot be cleared when its target is deleted; use "cascade" or "restrict", or make the field optional.',
    );
  }
  // Without a choice, a required relation blocks the delete (PocketBase's behaviour) rather than breaking "required".
  field.onDelete = (onDelete as OnDelete | undefined) ?? (field.required ? 'restrict' : 'set-null');
}

function fileOptions(raw: Json, path: string, field: Omit<FieldDef, 'id'>, issues: Issues): void {
  field.maxSelect = issues.int(raw, 'maxSelect', path, 1) ?? 1;
  field.maxSize = issues.int(raw, 'maxSize', path, 1) ?? DEFAULT_MAX_FILE_SIZE;
  const limits = { min: 0, max: MAX_FILE_OPTION_ITEMS };
  field.mimeTypes =
    issues.stringList(raw, 'mimeTypes', path, limits, (item) =>
      MIME_TYPE.test(item)
        ? null
        : ['INVALID_VALUE', `${show(item)} is not a MIME type; write it as type/subtype, e.g. "image/png".`],
    ) ?? [];
  field.thumbs =
    issues.stringList(raw, 'thumbs', path, limits, (item) => {
      const m = THUMB.exec(item);
      const [w, h] = [Number(m?.[1]), Number(m?.[2])];
      const zero = w === 0 || h === 0;
      if (m && w <= MAX_THUMB_SIDE && h <= MAX_THUMB_SIDE && !(w === 0 && h === 0) && !(zero && m[3]))
        return null;
      return [
        'INVALID_VALUE',
        `${show(item)} is not a thumbnail size; write WIDTHxHEIGHT with each side from 1 to ${MAX_THUMB_SIDE}, e.g. "100x100" (a t, b or f suffix crops from the top, the bottom or fits inside; 0 for one side keeps the aspect ratio).`,
      ];
    }) ?? [];
  field.protected = issues.bool(raw, 'protected', path) ?? false;
  field.inlinePdf = issues.bool(raw, 'inlinePdf', path) ?? false;
}

/** Why `value` cannot be the default of `field`, or null when it can. */
function defaultProblem(field: Omit<FieldDef, 'id'>, value: unknown): string | null {
  const multiple = isMultiple({ id: '', ...field });
  const kind = `a ${field.type} field${multiple ? ' holding several values' : ''}`;
  const wrong = (expected: string) => `The default of ${kind} must be ${expected}, not ${jsonTypeOf(value)}.`;
  switch (field.type) {
    case 'text': {
      if (typeof value !== 'string') return wrong('a string');
      const length = [...value].length;
      if (field.min !== undefined && length < field.min)
        return `The default is ${length} characters long, shorter than "min" (${field.min}).`;
      if (field.max !== undefined && length > field.max)
        return `The default is ${length} characters long, longer than "max" (${field.max}).`;
      if (field.pattern !== undefined && !new RegExp(field.pattern, 'u').test(value))
        return 'The default does not match "pattern".';
      return null;
    }
    case 'email':
      if (typeof value !== 'string') return wrong('a string');
      return EMAIL.test(value) ? null : `The default ${show(value)} is not an email address.`;
    case 'url':
      if (typeof value !== 'string') return wrong('a string');
      return isHttpUrl(value) ? null : `The default ${show(value)} is not an http(s) URL.`;
    case 'number':
      if (typeof value !== 'number') return wrong('a number');
      if (field.onlyInt && !Number.isInteger(value))
        return `The default ${value} is not a whole number ("onlyInt").`;
      if (field.min !== undefined && value < field.min)
        return `The default ${value} is below "min" (${field.min}).`;
      if (field.max !== undefined && value > field.max)
        return `The default ${value} is above "max" (${field.max}).`;
      return null;
    case 'bool':
      return typeof value === 'boolean' ? null : wrong('true or false');
    case 'date':
      if (typeof value !== 'string') return wrong('an ISO 8601 date string');
      return ISO_DATE.test(value) && !Number.isNaN(Date.parse(value))
        ? null
        : `The default ${show(value)} is not an ISO 8601 date such as "2025-01-31T12:00:00Z".`;
    case 'select':
      return listDefaultProblem(
        value,
        multiple,
        field.maxSelect ?? 1,
        (item) => (field.values ?? []).includes(item),
        'one of "values"',
        kind,
      );
    case 'relation':
      return listDefaultProblem(
        value,
        multiple,
        field.maxSelect ?? 1,
        (item) => isUuidText(item),
        'a record id',
        kind,
      );
    case 'json':
      return null;
    default:
      return `${field.type} fields cannot have a default value.`;
  }
}

function listDefaultProblem(
  value: unknown,
  multiple: boolean,
  maxSelect: number,
  ok: (item: string) => boolean,
  what: string,
  kind: string,
): string | null {
  if (!multiple) {
    if (typeof value !== 'string')
      return `The default of ${kind} must be a string, not ${jsonTypeOf(value)}.`;
    return ok(value) ? null : `The default ${show(value)} is not ${what}.`;
  }
  if (!Array.isArray(value)) return `The default of ${kind} must be an array, not ${jsonTypeOf(value)}.`;
  if (value.length > maxSelect)
    return `The default lists ${value.length} values; "maxSelect" allows ${maxSelect}.`;
  const seen = new Set<string>();
  for (const item of value as unknown[]) {
    if (typeof item !== 'string' || !ok(item)) {
      return `The default's entry ${typeof item === 'string' ? show(item) : jsonTypeOf(item)} is not ${what}.`;
    }
    if (seen.has(item)) return `The default lists ${show(item)} twice.`;
    seen.add(item);
  }
  return null;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function normalizeIndexes(
  body: Json,
  existing: CollectionDef | null,
  drafts: readonly FieldDraft[],
  type: CollectionType,
  fieldsKnown: boolean,
  issues: Issues,
): IndexDef[] {
  const system = [...SYSTEM_COLUMNS, ...(type === 'auth' ? AUTH_INDEXABLE : [])];
  const raw = get(body, 'indexes');
  if (raw === undefined) return existing ? carryIndexes(existing, drafts, system) : [];
  if (!Array.isArray(raw)) {
    issues.add('indexes', 'INVALID_TYPE', `"indexes" must be an array, not ${jsonTypeOf(raw)}.`);
    return [];
  }
  if (raw.length > MAX_INDEXES) {
    issues.add(
      'indexes',
      'OUT_OF_RANGE',
      `A collection may declare at most ${MAX_INDEXES} indexes; this one has ${raw.length}.`,
    );
  }
  const usable = new Set([...system, ...drafts.filter((d) => d.usable).map((d) => d.field.name)]);
  // Fields with a bad name are already reported; an index naming them is not blamed again.
  const reported = new Set(drafts.filter((d) => !d.usable && d.rawName !== undefined).map((d) => d.rawName));
  const seen = new Map<string, number>();
  const out: IndexDef[] = [];
  raw.forEach((item: unknown, i) => {
    const path = `indexes.${i}`;
    if (!isPlainObject(item)) {
      issues.add(
        path,
        'INVALID_TYPE',
        `Each index must be an object like {"fields": ["status"]}, not ${jsonTypeOf(item)}.`,
      );
      return;
    }
    issues.unknownKeys(item, path, new Set(['fields', 'unique']), 'An index');
    const unique = issues.bool(item, 'unique', path) ?? false;
    if (get(item, 'fields') === undefined) {
      issues.add(
        at(path, 'fields'),
        'REQUIRED',
        'An index needs "fields": the field names it covers, in order.',
      );
      return;
    }
    const fields = issues.stringList(item, 'fields', path, { min: 1, max: MAX_INDEX_FIELDS }, (name) =>
      usable.has(name) || !fieldsKnown || reported.has(name)
        ? null
        : [
            'UNKNOWN_INDEX_FIELD',
            `The index names ${show(name)}, which is not a field of this collection; use a field name or id, created, updated.`,
          ],
    );
    if (!fields) return;
    const key = JSON.stringify([unique, fields]);
    const first = seen.get(key);
    if (first !== undefined) {
      issues.add(path, 'DUPLICATE_INDEX', `Index ${i} is the same as index ${first}; remove one of them.`);
      return;
    }
    seen.set(key, i);
    out.push({ fields, unique });
  });
  return out;
}

/** PATCH without "indexes": keep the existing ones, following renames; drop those over removed fields. */
function carryIndexes(
  existing: CollectionDef,
  drafts: readonly FieldDraft[],
  system: readonly string[],
): IndexDef[] {
  const nameById = new Map(drafts.filter((d) => d.id !== undefined).map((d) => [d.id!, d.field.name]));
  const idByOldName = new Map(existing.fields.map((f) => [f.name, f.id]));
  const out: IndexDef[] = [];
  for (const index of existing.indexes) {
    const fields = index.fields.map((name) => {
      if (system.includes(name)) return name;
      const id = idByOldName.get(name);
      return id === undefined ? undefined : nameById.get(id);
    });
    if (fields.every((f): f is string => f !== undefined))
      out.push({ fields, unique: index.unique === true });
  }
  return out;
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
