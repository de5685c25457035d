/**
 * JSON Schemas (draft 2020-12, usable as OpenAPI 3.1 component schemas) derived from a collection's
 * field definitions, one per operation: create, update, response (DESIGN §3). The same objects are
 * compiled by ajv in record-validator.ts, so the documentation cannot drift from the behaviour.
 * Pure functions; no ajv here.
 */
import { ALL_UUID, idTypeOf, MAX_TEXT_ID_LENGTH, type IdTypes, type RecordIdType } from '../fields/id-field.js';
import { isMultiple } from '../schema/collection.types.js';
import type { CollectionDef, FieldDef } from '../schema/collection.types.js';

export type JSONType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';

/** The subset of JSON Schema 2020-12 these builders emit, plus `x-` extensions. */
export interface JSONSchema {
  title?: string;
  description?: string;
  type?: JSONType | JSONType[];
  properties?: Record<string, JSONSchema>;
  required?: string[];
  additionalProperties?: boolean | JSONSchema;
  items?: JSONSchema;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  anyOf?: JSONSchema[];
  not?: JSONSchema;
  if?: JSONSchema;
  then?: JSONSchema;
  default?: unknown;
  readOnly?: boolean;
  writeOnly?: boolean;
  /** Set on hidden fields: the caller strips them for everyone but admins. */
  'x-hidden'?: boolean;
  [keyword: string]: unknown;
}

export interface RecordSchemas {
  create: JSONSchema;
  update: JSONSchema;
  response: JSONSchema;
}

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;
/** RFC 5321's limit for a forward path. */
export const EMAIL_MAX_LENGTH = 254;

/** PocketBase's date forms besides RFC 3339: `2024-01-31` and `2024-01-31 10:00:00(.123)Z`. */
export const DATE_PATTERN = '^\\d{4}-\\d{2}-\\d{2}(?: \\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?Z)?$';
/** url fields: http(s) only, with a host. */
export const URL_PATTERN = '^https?://[^\\s/?#]+';

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

/** The keys of auth collections a client may write, per operation. */
export const AUTH_CREATE_KEYS = ['email', 'password', 'passwordConfirm', 'emailVisibility'] as const;
export const AUTH_UPDATE_KEYS = [
  'email',
  'password',
  'passwordConfirm',
  'oldPassword',
  'emailVisibility',
] as const;

const count = (n: number | undefined): number | undefined =>
  typeof n === 'number' && Number.isFinite(n) && n >= 0 ? Math.floor(n) : undefined;
const bound = (n: number | undefined): number | undefined =>
  typeof n === 'number' && Number.isFinite(n) ? n : undefined;

const maxSelectOf = (f: FieldDef): number => count(f.maxSelect) ?? 1;

function nullable(f: FieldDef, t: JSONType): JSONType | JSONType[] {
  return f.required ? t : [t, 'null'];
}

/** A record id of a collection with this id type: a UUID, or PocketBase's text id (safe characters). */
export function recordIdSchema(type: RecordIdType): JSONSchema {
  return type === 'uuid'
    ? { type: 'string', format: 'uuid' }
    : { type: 'string', minLength: 1, maxLength: MAX_TEXT_ID_LENGTH, pattern: '^[A-Za-z0-9_-]+$' };
}

/** The id type of a relation's target; 'uuid' for other fields. */
type TargetIdType = (f: FieldDef) => RecordIdType;

/** The schema of one element of a multi-value field (also what `field+` / `field-` take). */
function itemSchema(f: FieldDef, targetIdType: TargetIdType): JSONSchema {
  switch (f.type) {
    case 'select':
      return { type: 'string', enum: [...(f.values ?? [])] };
    case 'relation':
      return recordIdSchema(targetIdType(f));
    default:
      return { type: 'string', minLength: 1 };
  }
}

function textSchema(f: FieldDef): JSONSchema {
  const min = count(f.min) ?? 0;
  const max = count(f.max);
  const s: JSONSchema = { type: nullable(f, 'string') };
  if (max !== undefined) s.maxLength = max;
  if (f.required) {
    s.minLength = Math.max(1, min);
    if (f.pattern) s.pattern = f.pattern;
  } else if (min > 0 || f.pattern) {
    // An optional text may always be empty ('' or null); min and pattern apply to non-empty values.
    const then: JSONSchema = {};
    if (min > 0) then.minLength = min;
    if (f.pattern) then.pattern = f.pattern;
    s.if = { type: 'string', minLength: 1 };
    s.then = then;
  }
  return s;
}

/** The schema of a field's value in create and update bodies (without description). */
function writeValueSchema(f: FieldDef, targetIdType: TargetIdType): JSONSchema {
  if (isMultiple(f)) {
    const s: JSONSchema = {
      type: nullable(f, 'array'),
      items: itemSchema(f, targetIdType),
      uniqueItems: true,
      maxItems: maxSelectOf(f),
    };
    if (f.required) s.minItems = 1;
    return s;
  }
  switch (f.type) {
    case 'text':
      return textSchema(f);
    case 'email':
      return { type: nullable(f, 'string'), format: 'email' };
    case 'url':
      return { type: nullable(f, 'string'), format: 'uri', pattern: URL_PATTERN };
    case 'number': {
      const s: JSONSchema = { type: nullable(f, f.onlyInt ? 'integer' : 'number') };
      const min = bound(f.min);
      const max = bound(f.max);
      if (min !== undefined) s.minimum = min;
      if (max !== undefined) s.maximum = max;
      return s;
    }
    case 'bool':
      return { type: nullable(f, 'boolean') };
    case 'date':
      return { type: nullable(f, 'string'), anyOf: [{ format: 'date-time' }, { pattern: DATE_PATTERN }] };
    case 'select': {
      const values: unknown[] = [...(f.values ?? [])];
      return { type: nullable(f, 'string'), enum: f.required ? values : [...values, null] };
    }
    case 'json':
      return f.required ? { not: { type: 'null' } } : {};
    case 'relation':
      return { ...recordIdSchema(targetIdType(f)), type: nullable(f, 'string') };
    case 'file':
      return { type: nullable(f, 'string') };
  }
}

/** A string in `format`, or '' (the zero value an empty field reads as). */
const formatOrEmpty = (format: string): JSONSchema => ({
  type: 'string',
  anyOf: [{ format }, { enum: [''] }],
});

/**
 * The schema of a field's value in a response. Empty values read as PocketBase's: the type's zero
 * value ('' for single text, email, url, date, select, relation and file; [] for multi-value
 * fields; 0; false), never null, except for json.
 */
function responseValueSchema(f: FieldDef, targetIdType: TargetIdType): JSONSchema {
  if (isMultiple(f)) {
    const items = itemSchema(f, targetIdType);
    delete items.minLength;
    return { type: 'array', items };
  }
  switch (f.type) {
    case 'text':
    case 'file':
      return { type: 'string' };
    case 'email':
      return formatOrEmpty('email');
    case 'url':
      return formatOrEmpty('uri');
    case 'number':
      return { type: f.onlyInt ? 'integer' : 'number' };
    case 'bool':
      return { type: 'boolean' };
    case 'date':
      return formatOrEmpty('date-time');
    case 'select':
      return { type: 'string', enum: [...(f.values ?? []), ''] };
    case 'json':
      return {};
    case 'relation':
      return targetIdType(f) === 'uuid' ? formatOrEmpty('uuid') : { type: 'string' };
  }
}

const quoteList = (values: readonly string[]): string => values.map((v) => JSON.stringify(v)).join(', ');

function range(min: number | undefined, max: number | undefined, unit: string): string | undefined {
  if (min !== undefined && max !== undefined) return `${min} to ${max}${unit}`;
  if (min !== undefined) return `at least ${min}${unit}`;
  if (max !== undefined) return `at most ${max}${unit}`;
  return undefined;
}

/** A sentence or two saying the field's constraints, for the OpenAPI document. */
export function describeField(f: FieldDef, mode: 'write' | 'response'): string {
  const parts: string[] = [];
  const multi = isMultiple(f);
  const maxSelect = maxSelectOf(f);
  switch (f.type) {
    case 'text': {
      parts.push('Text.');
      if (mode === 'write') {
        const min = count(f.min);
        const r = range(f.required ? Math.max(1, min ?? 0) : min, count(f.max), ' characters');
        if (r) parts.push(`${r[0].toUpperCase()}${r.slice(1)}${f.required ? '' : ' when not empty'}.`);
        if (f.pattern)
          parts.push(
            `Must match the regular expression /${f.pattern}/${f.required ? '' : ' when not empty'}.`,
          );
      }
      break;
    }
    case 'email':
      parts.push('An email address.');
      break;
    case 'url':
      parts.push('An http:// or https:// URL.');
      break;
    case 'number': {
      parts.push(f.onlyInt ? 'An integer.' : 'A number.');
      const r = range(bound(f.min), bound(f.max), '');
      if (mode === 'write' && r) parts.push(`Range: ${r}.`);
      break;
    }
    case 'bool':
      parts.push('true or false.');
      break;
    case 'date':
      parts.push(
        mode === 'write'
          ? 'A date-time (RFC 3339, e.g. 2024-01-31T10:00:00Z), or 2024-01-31, or 2024-01-31 10:00:00Z; stored in UTC.'
          : 'A date-time in UTC (RFC 3339).',
      );
      break;
    case 'select':
      parts.push(
        multi
          ? `Up to ${maxSelect} distinct values out of ${quoteList(f.values ?? [])}.`
          : `One of ${quoteList(f.values ?? [])}.`,
      );
      break;
    case 'json':
      parts.push('Any JSON value.');
      break;
    case 'relation': {
      const target = f.collection ? ` of the "${f.collection}" collection` : '';
      parts.push(multi ? `Up to ${maxSelect} distinct record ids${target}.` : `A record id${target}.`);
      break;
    }
    case 'file':
      parts.push(
        multi
          ? `Up to ${maxSelect} file names (upload files with multipart/form-data).`
          : 'A file name (upload files with multipart/form-data).',
      );
      break;
  }
  if (mode === 'write') {
    if (f.required)
      parts.push(multi ? 'Required: at least one value.' : 'Required; may not be null or empty.');
    else if (multi) parts.push('Optional; null means no values (stored as []).');
    else if (f.type === 'text' || f.type === 'json') parts.push('Optional; may be null.');
    else if (f.type === 'number' || f.type === 'bool') parts.push('Optional; may be null.');
    else parts.push('Optional; null or "" means empty.');
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

const passwordSchema = (description: string): JSONSchema => ({
  type: 'string',
  minLength: PASSWORD_MIN_LENGTH,
  maxLength: PASSWORD_MAX_LENGTH,
  writeOnly: true,
  description,
});

function authWriteProperties(op: 'create' | 'update'): Record<string, JSONSchema> {
  const props: Record<string, JSONSchema> = {
    email: {
      type: 'string',
      format: 'email',
      maxLength: EMAIL_MAX_LENGTH,
      description: `The user's email address (at most ${EMAIL_MAX_LENGTH} characters).${op === 'create' ? ' Required.' : ''}`,
    },
    password: passwordSchema(
      `${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters.${op === 'create' ? ' Required.' : ' Setting it needs passwordConfirm and oldPassword.'}`,
    ),
    passwordConfirm: passwordSchema('Must equal password.'),
  };
  if (op === 'update') {
    props.oldPassword = {
      type: 'string',
      minLength: 1,
      maxLength: PASSWORD_MAX_LENGTH,
      writeOnly: true,
      description: 'The current password; required to set a new one (except for admins).',
    };
  }
  props.emailVisibility = {
    type: 'boolean',
    description:
      'Whether other users may see the email address.' + (op === 'create' ? ' Default: false.' : ''),
  };
  return props;
}

function modifierProperties(f: FieldDef, targetIdType: TargetIdType): Record<string, JSONSchema> {
  const item = itemSchema(f, targetIdType);
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
  const targetIdType: TargetIdType = (f) =>
    f.type !== 'relation' ? 'uuid' : f.collection === def.name ? idTypeOf(def) : idTypes(f.collection ?? '');

  // create
  const createProps: Record<string, JSONSchema> = {
    id: def.idField
      ? {
          type: 'string',
          minLength: Math.max(1, def.idField.min),
          maxLength: def.idField.max || MAX_TEXT_ID_LENGTH,
          ...(def.idField.pattern ? { pattern: def.idField.pattern } : {}),
          description: def.idField.autogeneratePattern
            ? 'Optional client-chosen record id (PocketBase text id); generated by the server when absent.'
            : 'The record id (PocketBase text id), chosen by the client.',
        }
      : {
          type: 'string',
          format: 'uuid',
          description: 'Optional client-chosen record id (a UUID); generated by the server when absent.',
        },
  };
  const createRequired: string[] = [];
  if (auth) {
    Object.assign(createProps, authWriteProperties('create'));
    createRequired.push('email', 'password', 'passwordConfirm');
  }
  for (const f of def.fields) {
    createProps[f.name] = withMeta(writeValueSchema(f, targetIdType), f, 'write');
    if (f.required && f.default === undefined) createRequired.push(f.name);
  }

  // update
  const updateProps: Record<string, JSONSchema> = {};
  if (auth) Object.assign(updateProps, authWriteProperties('update'));
  for (const f of def.fields) {
    const s = withMeta(writeValueSchema(f, targetIdType), f, 'write');
    delete s.default;
    updateProps[f.name] = s;
  }
  for (const f of def.fields) if (isMultiple(f)) Object.assign(updateProps, modifierProperties(f, targetIdType));

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
    responseProps.email = {
      type: 'string',
      format: 'email',
      description:
        "The user's email; absent unless emailVisibility is true or the viewer is the user or an admin.",
    };
    responseProps.emailVisibility = {
      type: 'boolean',
      description: 'Whether other users may see the email.',
    };
    responseProps.verified = { type: 'boolean', description: 'Whether the email address has been verified.' };
    responseRequired.push('emailVisibility', 'verified');
  }
  for (const f of def.fields) {
    responseProps[f.name] = withMeta(responseValueSchema(f, targetIdType), f, 'response');
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
