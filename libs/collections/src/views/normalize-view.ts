import {
  type CollectionDef,
  NAME_PATTERN,
  RESERVED_COLLECTION_NAMES,
  RULE_NAMES,
} from '../schema/collection.types.js';
import { jsonTypeOf, type SchemaIssue, show } from '../schema/schema-issue.js';
import { DEFAULT_ID_FIELD_ID, type TextIdField } from '../fields/id-field.js';
import { prepareViewQuery } from './view-query.js';
import { newCollectionIdProblem } from '../schema/normalize-collection.js';

/** A view's ids are text, whatever its query's id column holds (row numbers, record ids). */
export const VIEW_ID_FIELD: TextIdField = {
  id: DEFAULT_ID_FIELD_ID,
  min: 0,
  max: 0,
  pattern: '',
  autogeneratePattern: '',
};

export type NormalizeViewResult = { ok: true; value: CollectionDef } | { ok: false; errors: SchemaIssue[] };

/** Keys a view collection takes; `fields` (inferred), `indexes` (none) and timestamps are accepted back. */
const VIEW_KEYS = new Set([
  'id',
  'name',
  'type',
  'viewQuery',
  'fields',
  'indexes',
  ...RULE_NAMES,
  'viewDates',
  'options',
  'created',
  'updated',
]);

const WRITE_RULES = ['createRule', 'updateRule', 'deleteRule'] as const;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether a collection body (with the stored collection it changes) is a view collection. */
export function isViewInput(input: unknown, existing: CollectionDef | null): boolean {
  if (existing) return existing.type === 'view';
  return isObject(input) && input.type === 'view';
}

/**
 * Validates a view collection body (POST: existing = null; PATCH: absent keys keep their value).
 * The fields are not read here: the view sync infers them from the query in the database, and the
 * list and view rules are compiled against them there.
 */
export function normalizeViewCollection(
  input: unknown,
  existing: CollectionDef | null,
  all: readonly CollectionDef[],
  newId: () => string,
): NormalizeViewResult {
  const errors: SchemaIssue[] = [];
  const add = (path: string, code: SchemaIssue['code'], message: string) =>
    errors.push({ path, code, message });
  if (!isObject(input)) {
    add('', 'INVALID_TYPE', `The collection must be a JSON object, not ${jsonTypeOf(input)}.`);
    return { ok: false, errors };
  }
  for (const key of Object.keys(input))
    if (input[key] !== undefined && !VIEW_KEYS.has(key))
      add(
        key,
        'UNKNOWN_KEY',
        `Unknown key ${show(key)}. A view collection may have: ${[...VIEW_KEYS].join(', ')}.`,
      );
  if (input.type !== undefined && input.type !== 'view')
    add('type', 'COLLECTION_TYPE_IMMUTABLE', `A collection's type cannot change (it is "view").`);
  if (existing && input.id !== undefined && input.id !== existing.id)
    add('id', 'ID_MISMATCH', `The body's id is not the id of collection "${existing.name}"; leave "id" out.`);

  const name = input.name === undefined ? existing?.name : input.name;
  const others = all.filter((c) => c.id !== existing?.id);
  // A new view may bring its id, as other collections do (PocketBase's import keeps them).
  let givenId: string | undefined;
  if (!existing && input.id !== undefined && input.id !== '') {
    const problem =
      typeof input.id === 'string'
        ? newCollectionIdProblem(input.id, others)
        : { code: 'INVALID_TYPE' as const, message: `"id" must be a string, not ${jsonTypeOf(input.id)}.` };
    if (problem) add('id', problem.code, problem.message);
    else givenId = input.id as string;
  }
  if (name === undefined) add('name', 'REQUIRED', 'A collection needs a "name", e.g. "post_stats".');
  else if (typeof name !== 'string')
    add('name', 'INVALID_TYPE', `"name" must be a string, not ${jsonTypeOf(name)}.`);
  else if (!NAME_PATTERN.test(name))
    add(
      'name',
      'INVALID_NAME',
      `The collection name ${show(name)} is not allowed: use 1 to 63 lowercase letters, digits and underscores, starting with a letter (e.g. "post_stats").`,
    );
  else if (RESERVED_COLLECTION_NAMES.has(name))
    add(
      'name',
      'RESERVED_NAME',
      `"${name}" is a reserved word and cannot name a collection; choose another name.`,
    );
  else if (others.some((c) => c.name.toLowerCase() === name.toLowerCase()))
    add('name', 'COLLECTION_NAME_TAKEN', `A collection named "${name}" already exists; choose another name.`);

  const rawQuery = input.viewQuery === undefined ? existing?.viewQuery : input.viewQuery;
  let viewQuery = '';
  if (rawQuery === undefined)
    add(
      'viewQuery',
      'REQUIRED',
      'A view collection needs a "viewQuery": a SELECT, e.g. "SELECT id, title FROM posts".',
    );
  else if (typeof rawQuery !== 'string')
    add('viewQuery', 'INVALID_TYPE', `"viewQuery" must be a string, not ${jsonTypeOf(rawQuery)}.`);
  else {
    const prepared = prepareViewQuery(rawQuery);
    if (prepared.ok) viewQuery = prepared.query;
    else add('viewQuery', 'INVALID_VALUE', prepared.message);
  }

  if (Array.isArray(input.indexes) ? input.indexes.length > 0 : input.indexes !== undefined)
    add(
      'indexes',
      'OPTION_NOT_ALLOWED',
      'A view collection cannot have indexes; index its source collections instead.',
    );

  const rules: Record<string, string | null> = {};
  for (const rule of RULE_NAMES) {
    const raw = input[rule] === undefined ? (existing?.[rule] ?? null) : input[rule];
    if (raw !== null && typeof raw !== 'string') {
      add(
        rule,
        'INVALID_TYPE',
        `"${rule}" must be null (admins only), "" (everyone) or a filter expression, not ${jsonTypeOf(raw)}.`,
      );
      continue;
    }
    if ((WRITE_RULES as readonly string[]).includes(rule) && raw !== null) {
      add(rule, 'OPTION_NOT_ALLOWED', `A view collection is read-only: "${rule}" must be null.`);
      continue;
    }
    rules[rule] = raw !== null && raw.trim() === '' ? '' : raw;
  }
  if (errors.length) return { ok: false, errors };

  const value: CollectionDef = {
    id: existing?.id ?? givenId ?? newId(),
    name: name as string,
    type: 'view',
    fields: existing?.fields ?? [],
    indexes: [],
    listRule: rules.listRule ?? null,
    viewRule: rules.viewRule ?? null,
    createRule: null,
    updateRule: null,
    deleteRule: null,
    viewQuery,
    viewDates: existing?.viewDates ?? { created: false, updated: false },
    viewFileSources: existing?.viewFileSources ?? {},
    idField: VIEW_ID_FIELD,
  };
  if (existing?.created !== undefined) value.created = existing.created;
  if (existing?.updated !== undefined) value.updated = existing.updated;
  return { ok: true, value };
}
