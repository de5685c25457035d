/** One field of a collection body: name, type, the keys it may have, its options and default. */
import {
  FIELD_NAME_PATTERN,
  FIELD_TYPES,
  type FieldDef,
  type FieldType,
  RESERVED_FIELD_NAMES,
  isMultiple,
} from './collection.types.js';
import type { RecordIdType } from '../fields/id-field.js';
import { fieldTypeOf } from '../fields/registry.js';
import { at, get, isPlainObject, list, type Issues } from '../fields/option-reader.js';
import type { CollectionDef } from './collection.types.js';
import { jsonTypeOf, show } from './schema-issue.js';

const FIELD_BASE_KEYS = ['id', 'name', 'type', 'required', 'unique', 'hidden'];
const FIELD_KEYS = new Set([
  ...FIELD_BASE_KEYS,
  'default',
  ...FIELD_TYPES.flatMap((type) => fieldTypeOf(type).options),
]);

function fieldKeysOf(type: FieldType): Set<string> {
  const module = fieldTypeOf(type);
  return new Set([...FIELD_BASE_KEYS, ...(module.takesDefault ? ['default'] : []), ...module.options]);
}

/** PostgreSQL's own system columns: a user column with one of these names cannot be created. */
const PG_SYSTEM_COLUMNS = ['tableoid', 'xmin', 'cmin', 'xmax', 'cmax', 'ctid', 'oid'];
const RESERVED_FIELD_NAMES_LOWER = new Set(
  [...RESERVED_FIELD_NAMES, ...PG_SYSTEM_COLUMNS].map((n) => n.toLowerCase()),
);
/** Reserved in auth collections only: base collections may have fields of these names (as in PocketBase). */
const AUTH_ONLY_NAMES_LOWER = new Set(['email', 'emailvisibility', 'verified']);

/** What the field loop learned about one input field. */
export interface FieldDraft {
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

export interface Context {
  issues: Issues;
  existing: CollectionDef | null;
  existingFieldIds: ReadonlySet<string>;
  seenFieldIds: Set<string>;
  resolveTarget(name: string): string | undefined;
  /** The id type of a (resolved) relation target, this collection included. */
  idTypeOf(name: string): RecordIdType;
  /** Auth collections have email, emailVisibility and verified columns of their own. */
  isAuth: boolean;
}

export function normalizeField(raw: unknown, path: string, ctx: Context): FieldDraft | null {
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
  const module = fieldTypeOf(type);
  module.readOptions?.(raw, field, { issues, path, resolveTarget: ctx.resolveTarget });

  if (field.unique) {
    const problem =
      module.uniqueProblem?.(field) ??
      (isMultiple({ id: '', ...field })
        ? `A ${type} field that holds several values cannot be unique; set "maxSelect" to 1 or remove "unique".`
        : null);
    if (problem) issues.add(at(path, 'unique'), 'OPTION_NOT_ALLOWED', problem);
  }

  const dflt = get(raw, 'default');
  if (dflt !== undefined && dflt !== null && allowed.has('default')) {
    // Checked against options that are themselves valid; otherwise the options' problem is enough.
    if (issues.count === before) {
      const problem = module.defaultProblem(field, dflt, { idTypeOf: ctx.idTypeOf });
      if (problem) issues.add(at(path, 'default'), 'INVALID_DEFAULT', `${problem} Fix or remove "default".`);
      else field.default = structuredClone(dflt);
    }
  }
  return draft;
}
