/**
 * JSON Schemas (draft 2020-12, usable as OpenAPI 3.1 component schemas) derived from a collection's
 * field definitions, one per operation: create, update, response (DESIGN §3). The same objects are
 * compiled by ajv in record-validator.ts, so the documentation cannot drift from the behaviour.
 * Pure functions; no ajv here.
 */
import { isMultiple } from '../schema/collection.types.js';
import type { CollectionDef, FieldDef } from '../schema/collection.types.js';
import { authResponseProperties, authWriteProperties } from '../fields/auth-fields.js';
import { maxSelectOf, nullable } from '../fields/field-helpers.js';
import type { JSONSchema } from '../fields/json-schema.js';
import { ALL_UUID, idTypeOf, MAX_TEXT_ID_LENGTH, type IdTypes, type RecordIdType } from '../fields/id-field.js';
import { fieldModule } from '../fields/registry.js';

export type { JSONSchema, JSONType } from '../fields/json-schema.js';
export {
  AUTH_CREATE_KEYS,
  AUTH_UPDATE_KEYS,
  EMAIL_MAX_LENGTH,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
} from '../fields/auth-fields.js';
export { DATE_PATTERN } from '../fields/date.field.js';
export { URL_PATTERN } from '../fields/url.field.js';

export interface RecordSchemas {
  create: JSONSchema;
  update: JSONSchema;
  response: JSONSchema;
}

/** The keys PocketBase accepts in update bodies to change a multi-value field in place. */
export type ModifierOp = 'append' | 'prepend' | 'remove';

export function modifierKey(field: string, op: ModifierOp): string {
  return op === 'append' ? `${field}+` : op === 'prepend' ? `+${field}` : `${field}-`;
}

/** `tags+` → append, `+tags` → prepend, `tags-` → remove; anything else → null. */
export function parseModifierKey(key: string): { field: string; op: ModifierOp } | null {
  if (key.length < 2) return null;
  if (key.startsWith('+')) return { field: key.slice(1), op: 'prepend' };
  if (key.endsWith('+')) return { field: key.slice(0, -1), op: 'append' };
  if (key.endsWith('-')) return { field: key.slice(0, -1), op: 'remove' };
  return null;
}

/** A record id of a collection with this id type: a UUID, or PocketBase's text id (safe characters). */
export function recordIdSchema(type: RecordIdType): JSONSchema {
  return type === 'uuid'
    ? { type: 'string', format: 'uuid' }
    : { type: 'string', minLength: 1, maxLength: MAX_TEXT_ID_LENGTH, pattern: '^[A-Za-z0-9_-]+$' };
}

/** Whether `f` is a relation to a text-id collection (its values are text ids, not UUIDs). */
type TextRelation = (f: FieldDef) => boolean;

/** The schema of one element of a multi-value field (also what `field+` / `field-` take). */
const itemSchema = (f: FieldDef, textRel: TextRelation): JSONSchema =>
  textRel(f) ? recordIdSchema('text') : (fieldModule(f).itemSchema?.(f) ?? { type: 'string', minLength: 1 });

/** The schema of a field's value in create and update bodies (without description). */
function writeValueSchema(f: FieldDef, textRel: TextRelation): JSONSchema {
  if (isMultiple(f)) {
    const s: JSONSchema = {
      type: nullable(f, 'array'),
      items: itemSchema(f, textRel),
      uniqueItems: true,
      maxItems: maxSelectOf(f),
    };
    if (f.required) s.minItems = 1;
    return s;
  }
  if (textRel(f)) return { ...recordIdSchema('text'), type: nullable(f, 'string') };
  return fieldModule(f).writeSchema(f);
}

/**
 * The schema of a field's value in a response. Empty values read as PocketBase's: the type's zero
 * value ('' for single text, email, url, date, select, relation and file; [] for multi-value
 * fields; 0; false), never null, except for json.
 */
function responseValueSchema(f: FieldDef, textRel: TextRelation): JSONSchema {
  if (isMultiple(f)) {
    const items = itemSchema(f, textRel);
    delete items.minLength;
    return { type: 'array', items };
  }
  if (textRel(f)) return { type: 'string' };
  return fieldModule(f).responseSchema(f);
}

/** A sentence or two saying the field's constraints, for the OpenAPI document. */
export function describeField(f: FieldDef, mode: 'write' | 'response'): string {
  const module = fieldModule(f);
  const parts = [module.describe(f, mode)];
  const multi = isMultiple(f);
  if (mode === 'write') {
    if (f.required)
      parts.push(multi ? 'Required: at least one value.' : 'Required; may not be null or empty.');
    else if (multi) parts.push('Optional; null means no values (stored as []).');
    else if (module.emptyStringIsNull) parts.push('Optional; null or "" means empty.');
    else parts.push('Optional; may be null.');
    if (f.default !== undefined) parts.push(`Default: ${JSON.stringify(f.default)}.`);
    if (f.unique) parts.push('Unique across the collection.');
  }
  if (f.hidden) parts.push('Hidden: returned only to admins.');
  return parts.join(' ');
}

function withMeta(schema: JSONSchema, f: FieldDef, mode: 'write' | 'response'): JSONSchema {
  const s: JSONSchema = { ...schema, description: describeField(f, mode) };
  if (mode === 'write' && f.default !== undefined) s.default = f.default;
  if (f.hidden) s['x-hidden'] = true;
  return s;
}

function modifierProperties(f: FieldDef, textRel: TextRelation): Record<string, JSONSchema> {
  const item = itemSchema(f, textRel);
  const value = (verb: string): JSONSchema => ({
    anyOf: [item, { type: 'array', items: item }],
    description: `${verb} ${f.name} (one value or an array).`,
    ...(f.hidden ? { 'x-hidden': true } : {}),
  });
  return {
    [modifierKey(f.name, 'append')]: value('Values to append to'),
    [modifierKey(f.name, 'prepend')]: value('Values to prepend to'),
    [modifierKey(f.name, 'remove')]: value('Values to remove from'),
  };
}

/** Builds the three schemas of a collection. Fresh objects on every call; callers may cache. */
export function buildRecordSchemas(def: CollectionDef, idTypes: IdTypes = ALL_UUID): RecordSchemas {
  const auth = def.type === 'auth';
  const textRel: TextRelation = (f) =>
    f.type === 'relation' &&
    (f.collection === def.name ? idTypeOf(def) : idTypes(f.collection ?? '')) === 'text';

  // create
  const createProps: Record<string, JSONSchema> = { id: createIdSchema(def) };
  const createRequired: string[] = [];
  if (auth) {
    Object.assign(createProps, authWriteProperties('create'));
    createRequired.push('email', 'password', 'passwordConfirm');
  }
  // Fields only the server writes (autodate) are not part of the write bodies.
  const writable = def.fields.filter((f) => !fieldModule(f).serverValue);
  for (const f of writable) {
    createProps[f.name] = withMeta(writeValueSchema(f, textRel), f, 'write');
    if (f.required && f.default === undefined) createRequired.push(f.name);
  }

  // update
  const updateProps: Record<string, JSONSchema> = {};
  if (auth) Object.assign(updateProps, authWriteProperties('update'));
  for (const f of writable) {
    const s = withMeta(writeValueSchema(f, textRel), f, 'write');
    delete s.default;
    updateProps[f.name] = s;
  }
  for (const f of def.fields) if (isMultiple(f)) Object.assign(updateProps, modifierProperties(f, textRel));

  // response
  const responseProps: Record<string, JSONSchema> = {
    id: def.idField
      ? { type: 'string', description: 'The record id (PocketBase text id).' }
      : { type: 'string', format: 'uuid', description: 'The record id (UUIDv7).' },
    collectionId: { type: 'string', const: def.id, description: 'The id of the collection.' },
    collectionName: { type: 'string', const: def.name, description: 'The name of the collection.' },
    created: { type: 'string', format: 'date-time', description: 'When the record was created (UTC).' },
    updated: { type: 'string', format: 'date-time', description: 'When the record was last changed (UTC).' },
  };
  const responseRequired = ['id', 'collectionId', 'collectionName', 'created', 'updated'];
  if (auth) {
    Object.assign(responseProps, authResponseProperties());
    responseRequired.push('emailVisibility', 'verified');
  }
  for (const f of def.fields) {
    responseProps[f.name] = withMeta(responseValueSchema(f, textRel), f, 'response');
    if (!f.hidden) responseRequired.push(f.name);
  }
  responseProps.expand = {
    type: 'object',
    additionalProperties: true,
    description: 'Related records requested with ?expand=, by relation field name.',
  };

  return {
    create: {
      title: `${def.name}.create`,
      description: `The body to create a record in "${def.name}".`,
      type: 'object',
      properties: createProps,
      required: createRequired,
      additionalProperties: false,
    },
    update: {
      title: `${def.name}.update`,
      description: `The body to update a record in "${def.name}"; every property is optional.`,
      type: 'object',
      properties: updateProps,
      additionalProperties: false,
    },
    response: {
      title: `${def.name}.response`,
      description: `A record of "${def.name}".`,
      type: 'object',
      properties: responseProps,
      required: responseRequired,
      additionalProperties: false,
    },
  };
}

/** The record id a create body may bring: a UUID, or a text id as the collection's id field says. */
function createIdSchema(def: CollectionDef): JSONSchema {
  if (!def.idField) {
    return {
      type: 'string',
      format: 'uuid',
      description: 'Optional client-chosen record id (a UUID); generated by the server when absent.',
    };
  }
  return {
    type: 'string',
    minLength: Math.max(1, def.idField.min),
    maxLength: def.idField.max || MAX_TEXT_ID_LENGTH,
    ...(def.idField.pattern ? { pattern: def.idField.pattern } : {}),
    description: def.idField.autogeneratePattern
      ? 'Optional client-chosen record id (PocketBase text id); generated by the server when absent.'
      : 'The record id (PocketBase text id), chosen by the client.',
  };
}
