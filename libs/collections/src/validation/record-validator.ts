/**
 * Record body validation: the schemas of record-schemas.ts compiled by one shared ajv instance, once
 * per collection version (the def object), plus the checks JSON Schema cannot express. Errors come
 * back as `{ path, code, message }`, one per failing path, ready for a VALIDATION_FAILED problem.
 */
import type { Ajv2020, ValidateFunction } from 'ajv/dist/2020.js';
import { createAjv } from '@plinth/core';

import { ALL_UUID, idTypeOf, type IdTypes } from '../fields/id-field.js';
import { authNonEmptyKeys } from '../fields/auth-fields.js';
import { fieldModule } from '../fields/registry.js';
import { isMultiple } from '../schema/collection.types.js';
import type { CollectionDef, FieldDef } from '../schema/collection.types.js';
import { mapAjvErrors } from './ajv-errors.js';
import { buildRecordSchemas, parseModifierKey } from './record-schemas.js';
import type { JSONSchema, RecordSchemas } from './record-schemas.js';
import { Collector, isObject, type Op, type OpContext, type RecordFieldError } from './record-errors.js';
import { postChecks } from './value-checks.js';

export { MAX_JSON_DEPTH } from '../fields/json.field.js';
export { normalizeDate } from '../fields/parse-date.js';
export { MAX_REPORTED_ERRORS, RECORD_ERROR_CODES } from './record-errors.js';
export type { RecordErrorCode, RecordFieldError } from './record-errors.js';

export type ValidationResult =
  { ok: true; value: Record<string, unknown> } | { ok: false; errors: RecordFieldError[] };

export interface UpdateOptions {
  /** Admins (and admin-scoped keys) may set a password without `oldPassword`. */
  isAdmin?: boolean;
}

export interface RecordValidators {
  create(body: unknown): ValidationResult;
  update(body: unknown, options?: UpdateOptions): ValidationResult;
  schemas: RecordSchemas;
}

const MAX_LISTED_NAMES = 50;

// ---------------------------------------------------------------------------------------------
// ajv

let sharedAjv: Ajv2020 | undefined;

function getAjv(): Ajv2020 {
  sharedAjv ??= createAjv('records');
  return sharedAjv;
}

/** Compiles without keeping the schema in ajv's cache, so old collection versions can be collected. */
function compileSchema(def: CollectionDef, schema: JSONSchema): ValidateFunction {
  const ajv = getAjv();
  try {
    return ajv.compile(schema);
  } catch (err) {
    throw new Error(
      `collection "${def.name}": cannot compile the ${String(schema.title)} schema: ${(err as Error).message}`,
      { cause: err },
    );
  } finally {
    ajv.removeSchema(schema);
  }
}

/** For tests: how many schemas the shared ajv instance holds on to. */
export function ajvCacheSizeForTests(): number {
  return (getAjv() as unknown as { _cache: Map<unknown, unknown> })._cache.size;
}

// ---------------------------------------------------------------------------------------------
// compile

const cache = new WeakMap<CollectionDef, RecordValidators>();

/**
 * The validators of one collection version. Cached per def object: compiling the same def again
 * returns the same object (and functions). A changed collection must be a new def object.
 */
export function compileRecordValidators(def: CollectionDef, idTypes: IdTypes = ALL_UUID): RecordValidators {
  const cached = cache.get(def);
  if (cached) return cached;

  const schemas = buildRecordSchemas(def, idTypes);
  const uuidIds = (f: FieldDef | null) =>
    (f === null || f.collection === def.name ? idTypeOf(def) : idTypes(f.collection ?? '')) === 'uuid';
  const fields = new Map(def.fields.map((f) => [f.name, f] as const));
  const auth = def.type === 'auth';
  const required = def.fields.filter((f) => f.required).map((f) => f.name);

  const context = (op: Op): OpContext => {
    const schema = schemas[op];
    const names = Object.keys(schema.properties ?? {}).filter((k) => fields.has(k) || !parseModifierKey(k));
    const listed =
      names.slice(0, MAX_LISTED_NAMES).join(', ') + (names.length > MAX_LISTED_NAMES ? ', …' : '');
    const modifiers = op === 'update' && def.fields.some(isMultiple);
    return {
      def,
      op,
      auth,
      fields,
      validate: compileSchema(def, schema),
      nonEmpty: new Set([...required, ...(auth ? authNonEmptyKeys(op) : [])]),
      uuidIds,
      knownFieldsText:
        (names.length ? `the fields are: ${listed}` : 'this collection has no writable fields') +
        (modifiers ? ' (multi-value fields also take field+, +field and field-)' : ''),
    };
  };

  const createCtx = context('create');
  const updateCtx = context('update');
  const validators: RecordValidators = {
    create: (body) => run(createCtx, body, {}),
    update: (body, options) => run(updateCtx, body, options ?? {}),
    schemas,
  };
  cache.set(def, validators);
  return validators;
}

// ---------------------------------------------------------------------------------------------
// run

function run(ctx: OpContext, body: unknown, options: UpdateOptions): ValidationResult {
  if (!isObject(body) || Object.prototype.toString.call(body) !== '[object Object]') {
    return {
      ok: false,
      errors: [{ path: '', code: 'INVALID_TYPE', message: 'the body must be a JSON object' }],
    };
  }
  const input = prepare(ctx, body);
  const errors = new Collector();
  if (!ctx.validate(input)) mapAjvErrors(ctx, ctx.validate.errors ?? [], input, errors);
  postChecks(ctx, input, errors, options);
  if (errors.size > 0) return { ok: false, errors: errors.list() };
  return { ok: true, value: buildValue(ctx, input) };
}

/** A null-prototype copy (so an own `__proto__` key stays a key), with `""` → null and create defaults. */
function prepare(ctx: OpContext, body: Record<string, unknown>): Record<string, unknown> {
  const input = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(body)) input[key] = body[key];
  for (const f of ctx.def.fields) {
    // Only the server writes these (autodate); a client's value is ignored, as PocketBase does.
    if (fieldModule(f).serverValue) {
      delete input[f.name];
      continue;
    }
    if (!Object.hasOwn(input, f.name)) {
      if (ctx.op === 'create' && f.default !== undefined) input[f.name] = structuredClone(f.default);
      continue;
    }
    if (!f.required && !isMultiple(f) && input[f.name] === '' && fieldModule(f).emptyStringIsNull) {
      input[f.name] = null;
    }
  }
  return input;
}

// ---------------------------------------------------------------------------------------------
// the value handed back

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A valid value as stored: each element (or the single value) through its type's coercion. */
function normalizeFieldValue(ctx: OpContext, f: FieldDef, v: unknown): unknown {
  const coerce = coerceOf(ctx, f);
  if (isMultiple(f)) {
    if (v === null || v === undefined) return [];
    return coerce && Array.isArray(v) ? v.map((item) => coerce(f, item)) : v;
  }
  return coerce && v !== null && v !== undefined ? coerce(f, v) : v;
}

/** The type's coercion; relations to text-id collections keep their ids as sent (UUIDs read lower-cased). */
function coerceOf(ctx: OpContext, f: FieldDef) {
  return f.type === 'relation' && !ctx.uuidIds(f) ? undefined : fieldModule(f).coerceValue;
}

function buildValue(ctx: OpContext, input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(input)) {
    const v = input[key];
    const field = ctx.fields.get(key);
    if (field) {
      setOwn(out, key, normalizeFieldValue(ctx, field, v));
      continue;
    }
    const modifier = parseModifierKey(key);
    const target = modifier ? ctx.fields.get(modifier.field) : undefined;
    if (target && isMultiple(target)) {
      const list = Array.isArray(v) ? v : [v];
      const coerce = coerceOf(ctx, target);
      setOwn(out, key, coerce ? list.map((item) => coerce(target, item)) : list);
    } else if (key === 'id') {
      setOwn(out, key, typeof v === 'string' && ctx.uuidIds(null) ? v.toLowerCase() : v);
    } else {
      setOwn(out, key, v);
    }
  }
  const now = new Date();
  for (const f of ctx.def.fields) {
    const set = fieldModule(f).serverValue?.(f, ctx.op, now);
    if (set !== undefined) setOwn(out, f.name, set);
  }
  if (ctx.op === 'create') {
    for (const f of ctx.def.fields) {
      if (isMultiple(f) && !Object.hasOwn(out, f.name)) setOwn(out, f.name, []);
    }
    if (ctx.auth && !Object.hasOwn(out, 'emailVisibility')) setOwn(out, 'emailVisibility', false);
  }
  return out;
}
