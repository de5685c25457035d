/**
 * Record body validation: the schemas of record-schemas.ts compiled by one shared ajv instance, once
 * per collection version (the def object), plus the checks JSON Schema cannot express. Errors come
 * back as `{ path, code, message }`, one per failing path, ready for a VALIDATION_FAILED problem.
 */
import type { Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { createAjv } from '@plinth/core';

import { ALL_UUID, idTypeOf, type IdTypes } from '../fields/id-field.js';
import { isMultiple } from '../schema/collection.types.js';
import type { CollectionDef, FieldDef, FieldType } from '../schema/collection.types.js';
import { buildRecordSchemas, parseModifierKey } from './record-schemas.js';
import type { JSONSchema, RecordSchemas } from './record-schemas.js';

export const RECORD_ERROR_CODES = [
  'REQUIRED',
  'UNKNOWN_FIELD',
  'INVALID_TYPE',
  'TOO_SHORT',
  'TOO_LONG',
  'TOO_SMALL',
  'TOO_LARGE',
  'PATTERN_MISMATCH',
  'INVALID_FORMAT',
  'INVALID_VALUE',
  'TOO_MANY_ITEMS',
  'NOT_UNIQUE_ITEMS',
  'NOT_AN_INTEGER',
  'PASSWORDS_DONT_MATCH',
] as const;
export type RecordErrorCode = (typeof RECORD_ERROR_CODES)[number];

/** `path` is the field name, or `field.index` / `field.key` inside a value; '' is the body itself. */
export interface RecordFieldError {
  path: string;
  code: RecordErrorCode;
  message: string;
}

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

/** json fields may nest at most this deep (PostgreSQL's jsonb parser recurses). */
export const MAX_JSON_DEPTH = 64;
/** At most this many errors are reported for one body. */
export const MAX_REPORTED_ERRORS = 100;

const DATE_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:[Zz]|([+-])(\d{2})(?::?(\d{2}))?))?$/;
const MAX_SHOWN_KEY = 100;
const MAX_LISTED_NAMES = 50;

/** Single-value fields for which a not-required `""` means null. */
const EMPTY_STRING_IS_NULL: ReadonlySet<FieldType> = new Set([
  'select',
  'relation',
  'file',
  'email',
  'url',
  'date',
]);
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

type Op = 'create' | 'update';

interface OpContext {
  def: CollectionDef;
  op: Op;
  auth: boolean;
  fields: Map<string, FieldDef>;
  validate: ValidateFunction;
  /** Keys for which null / '' / [] is reported as REQUIRED rather than as a type or length error. */
  nonEmpty: Set<string>;
  knownFieldsText: string;
  /** Whether a relation field's ids (or the record id, for null) are UUIDs, which read lower-cased. */
  uuidIds: (f: FieldDef | null) => boolean;
}

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
      nonEmpty: new Set([
        ...required,
        ...(auth ? (op === 'create' ? ['email', 'password', 'passwordConfirm'] : ['email']) : []),
      ]),
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

class Collector {
  private readonly byPath = new Map<string, RecordFieldError>();
  private readonly tops = new Set<string>();

  add(segments: readonly string[], code: RecordErrorCode, message: string): void {
    const path = segments.join('.');
    if (this.byPath.has(path) || this.byPath.size >= MAX_REPORTED_ERRORS) return;
    this.byPath.set(path, { path, code, message });
    this.tops.add(segments[0] ?? '');
  }

  hasTop(key: string): boolean {
    return this.tops.has(key);
  }

  get size(): number {
    return this.byPath.size;
  }

  list(): RecordFieldError[] {
    return [...this.byPath.values()];
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const isEmpty = (v: unknown): boolean => v === null || v === '' || (Array.isArray(v) && v.length === 0);

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
    if (!Object.hasOwn(input, f.name)) {
      if (ctx.op === 'create' && f.default !== undefined) input[f.name] = structuredClone(f.default);
      continue;
    }
    if (!f.required && !isMultiple(f) && input[f.name] === '' && EMPTY_STRING_IS_NULL.has(f.type)) {
      input[f.name] = null;
    }
  }
  return input;
}

// ---------------------------------------------------------------------------------------------
// ajv errors → { path, code, message }

const KEYWORD_PRIORITY = [
  'required',
  'additionalProperties',
  'type',
  'enum',
  'const',
  'not',
  'maxLength',
  'minLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'format',
  'pattern',
  'minItems',
  'maxItems',
  'uniqueItems',
];
const SUMMARY_KEYWORDS = new Set(['anyOf', 'oneOf', 'if']);

const priority = (e: ErrorObject): number => {
  const i = KEYWORD_PRIORITY.indexOf(e.keyword);
  return i < 0 ? KEYWORD_PRIORITY.length : i;
};

function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function errorSegments(e: ErrorObject): string[] {
  const segments = pointerSegments(e.instancePath);
  if (e.keyword === 'required')
    segments.push(String((e.params as { missingProperty: string }).missingProperty));
  if (e.keyword === 'additionalProperties') {
    segments.push(String((e.params as { additionalProperty: string }).additionalProperty));
  }
  return segments;
}

function valueAt(root: unknown, segments: readonly string[]): unknown {
  let v = root;
  for (const s of segments) {
    if (Array.isArray(v)) v = v[Number(s)];
    else if (isObject(v) && Object.hasOwn(v, s)) v = v[s];
    else return undefined;
  }
  return v;
}

function mapAjvErrors(
  ctx: OpContext,
  ajvErrors: ErrorObject[],
  input: Record<string, unknown>,
  out: Collector,
): void {
  const groups = new Map<string, { segments: string[]; errors: ErrorObject[] }>();
  for (const e of ajvErrors) {
    const segments = errorSegments(e);
    const key = JSON.stringify(segments);
    const group = groups.get(key);
    if (group) group.errors.push(e);
    else groups.set(key, { segments, errors: [e] });
  }
  const all = [...groups.values()];
  for (const { segments, errors } of all) {
    // An anyOf that failed inside an array (e.g. `tags+: ["ok", "bad"]`) is reported at the item.
    const hasDeeper = () =>
      all.some((g) => g.segments.length > segments.length && segments.every((s, i) => g.segments[i] === s));
    if (errors.some((e) => SUMMARY_KEYWORDS.has(e.keyword)) && hasDeeper()) continue;
    const mapped = describeError(ctx, segments, errors, input);
    out.add(mapped.segments, mapped.code, mapped.message);
  }
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
  array: 'an array',
  object: 'an object',
  null: 'null',
};

function typePhrase(types: string[]): string {
  const unique = [...new Set(types)];
  return unique.map((t) => TYPE_WORDS[t] ?? t).join(' or ');
}

function formatMessage(fieldType: FieldType | undefined, format: string): string {
  if (fieldType === 'date' || format === 'date-time') {
    return 'must be a date-time like 2024-01-31T10:00:00Z, or a date like 2024-01-31';
  }
  switch (format) {
    case 'email':
      return 'must be a valid email address';
    case 'uri':
      return 'must be a valid http:// or https:// URL';
    case 'uuid':
      return 'must be a record id (a UUID)';
    default:
      return `must be a valid ${format}`;
  }
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function allowedText(values: unknown[]): string {
  const shown = values.filter((v) => v !== null).map((v) => JSON.stringify(v));
  const list = shown.length > 20 ? `${shown.slice(0, 20).join(', ')}, …` : shown.join(', ');
  return `must be one of ${list}${values.includes(null) ? ', or null' : ''}`;
}

function shownKey(key: string): string {
  return key.length > MAX_SHOWN_KEY ? `${key.slice(0, MAX_SHOWN_KEY)}…` : key;
}

function describeError(
  ctx: OpContext,
  segments: string[],
  errors: ErrorObject[],
  input: Record<string, unknown>,
): { segments: string[]; code: RecordErrorCode; message: string } {
  let list = errors.filter((e) => !SUMMARY_KEYWORDS.has(e.keyword));
  if (list.length === 0) list = errors;
  // Inside an anyOf, a branch that failed on type is noise when another branch got further; when
  // every branch failed on type, the type errors together say what was expected.
  const branchOf = (e: ErrorObject): string | undefined => /^.*\/anyOf\/\d+/.exec(e.schemaPath)?.[0];
  const wrongType = new Set(list.filter((e) => e.keyword === 'type').map(branchOf));
  const kept = list.filter((e) => {
    const branch = branchOf(e);
    return branch === undefined || !wrongType.has(branch);
  });
  list = kept.length > 0 ? kept : list.filter((e) => e.keyword === 'type');
  const e = [...list].sort((a, b) => priority(a) - priority(b))[0]!;

  const top = segments[0] ?? '';
  const field = ctx.fields.get(top) ?? ctx.fields.get(parseModifierKey(top)?.field ?? '');
  const atTop = segments.length === 1;
  const value = valueAt(input, segments);
  const params = e.params as Record<string, unknown>;
  const result = (code: RecordErrorCode, message: string) => ({ segments, code, message });

  if (e.keyword === 'required') return result('REQUIRED', 'is required');
  if (e.keyword === 'additionalProperties') {
    const key = shownKey(top);
    return {
      segments: [key],
      code: 'UNKNOWN_FIELD',
      message: `unknown field "${key}"; ${ctx.knownFieldsText}`,
    };
  }
  if (atTop && ctx.nonEmpty.has(top) && isEmpty(value)) {
    return result(
      'REQUIRED',
      value === null ? 'is required and cannot be null' : 'is required and cannot be empty',
    );
  }
  switch (e.keyword) {
    case 'type': {
      const types = list
        .filter((x) => x.keyword === 'type')
        .flatMap((x) => String((x.params as { type: string }).type).split(','));
      if (typeof value === 'number' && !Number.isFinite(value))
        return result('INVALID_VALUE', 'must be a finite number');
      if (typeof value === 'number' && types.includes('integer'))
        return result('NOT_AN_INTEGER', 'must be an integer');
      return result('INVALID_TYPE', `must be ${typePhrase(types)}`);
    }
    case 'enum':
      return result('INVALID_VALUE', allowedText((params.allowedValues as unknown[]) ?? []));
    case 'const':
      return result('INVALID_VALUE', `must be ${JSON.stringify(params.allowedValue)}`);
    case 'not':
      return result('INVALID_VALUE', value === null ? 'cannot be null' : 'is not allowed');
    case 'maxLength':
      return result('TOO_LONG', `must be at most ${plural(Number(params.limit), 'character')}`);
    case 'minLength':
      return result('TOO_SHORT', `must be at least ${plural(Number(params.limit), 'character')}`);
    case 'minimum':
      return result('TOO_SMALL', `must be at least ${String(params.limit)}`);
    case 'exclusiveMinimum':
      return result('TOO_SMALL', `must be greater than ${String(params.limit)}`);
    case 'maximum':
      return result('TOO_LARGE', `must be at most ${String(params.limit)}`);
    case 'exclusiveMaximum':
      return result('TOO_LARGE', `must be less than ${String(params.limit)}`);
    case 'format':
      return result('INVALID_FORMAT', formatMessage(field?.type, String(params.format)));
    case 'pattern':
      if (field && (field.type === 'url' || field.type === 'date')) {
        return result(
          'INVALID_FORMAT',
          formatMessage(field.type, field.type === 'url' ? 'uri' : 'date-time'),
        );
      }
      return result('PATTERN_MISMATCH', `must match the pattern /${String(params.pattern)}/`);
    case 'minItems':
      return Number(params.limit) <= 1
        ? result('REQUIRED', 'is required and must have at least one value')
        : result('TOO_SHORT', `must have at least ${plural(Number(params.limit), 'item')}`);
    case 'maxItems':
      return result('TOO_MANY_ITEMS', `must have at most ${plural(Number(params.limit), 'item')}`);
    case 'uniqueItems':
      return result(
        'NOT_UNIQUE_ITEMS',
        `must not contain duplicates (items ${Math.min(Number(params.i), Number(params.j))} and ${Math.max(Number(params.i), Number(params.j))} are equal)`,
      );
    default:
      return result('INVALID_VALUE', 'is invalid');
  }
}

// ---------------------------------------------------------------------------------------------
// checks JSON Schema cannot express

/** Finds the first string (or object key) containing NUL, or a json value nested too deeply. */
function scanValue(root: unknown, maxDepth: number): { segments: string[]; problem: 'nul' | 'depth' } | null {
  interface Node {
    value: unknown;
    depth: number;
    parent: Node | null;
    key: string;
  }
  const pathOf = (n: Node | null, extra?: string): string[] => {
    const out: string[] = extra === undefined ? [] : [extra];
    for (let p = n; p && p.parent; p = p.parent) out.unshift(p.key);
    return out;
  };
  const stack: Node[] = [{ value: root, depth: 0, parent: null, key: '' }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const v = node.value;
    if (typeof v === 'string') {
      if (v.includes('\0')) return { segments: pathOf(node), problem: 'nul' };
    } else if (typeof v === 'object' && v !== null) {
      const depth = node.depth + 1;
      if (depth > maxDepth) return { segments: pathOf(node), problem: 'depth' };
      if (Array.isArray(v)) {
        for (let i = v.length - 1; i >= 0; i--)
          stack.push({ value: v[i], depth, parent: node, key: String(i) });
      } else {
        const keys = Object.keys(v);
        for (let i = keys.length - 1; i >= 0; i--) {
          const k = keys[i]!;
          if (k.includes('\0')) return { segments: pathOf(node, shownKey(k)), problem: 'nul' };
          stack.push({ value: (v as Record<string, unknown>)[k], depth, parent: node, key: k });
        }
      }
    }
  }
  return null;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !isLeap(year) ? 1 : 0);
}

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/**
 * `2024-01-31`, `2024-01-31T10:00:00.123+02:00`, `2024-01-31 10:00:00Z` → the UTC ISO string
 * (millisecond precision), or null when it is not a real date between the years 1 and 9999.
 */
export function normalizeDate(text: string): string | null {
  const m = DATE_RE.exec(text);
  if (!m) return null;
  const [, ys, mos, ds, hs, mis, ss, frac, sign, ohs, oms] = m;
  const year = Number(ys);
  const month = Number(mos);
  const day = Number(ds);
  const hour = hs === undefined ? 0 : Number(hs);
  const minute = mis === undefined ? 0 : Number(mis);
  const second = ss === undefined ? 0 : Number(ss);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 60) return null;
  const offsetHours = ohs === undefined ? 0 : Number(ohs);
  const offsetMinutes = oms === undefined ? 0 : Number(oms);
  if (offsetHours > 23 || offsetMinutes > 59) return null;
  const ms = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  // A leap second (:60) is kept as the last millisecond of its minute.
  date.setUTCHours(hour, minute, Math.min(second, 59), second === 60 ? 999 : ms);
  const offset = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const utc = new Date(date.getTime() - offset);
  const utcYear = utc.getUTCFullYear();
  if (Number.isNaN(utc.getTime()) || utcYear < 1 || utcYear > 9999) return null;
  return utc.toISOString();
}

function postChecks(
  ctx: OpContext,
  input: Record<string, unknown>,
  errors: Collector,
  options: UpdateOptions,
): void {
  for (const key of Object.keys(input)) {
    if (errors.hasTop(key)) continue;
    const value = input[key];
    const field = ctx.fields.get(key);
    const found = scanValue(value, field?.type === 'json' ? MAX_JSON_DEPTH : Number.POSITIVE_INFINITY);
    if (found) {
      errors.add(
        [key, ...found.segments],
        'INVALID_VALUE',
        found.problem === 'nul'
          ? 'must not contain the NUL character (\\u0000)'
          : `is nested too deeply (at most ${MAX_JSON_DEPTH} levels)`,
      );
      continue;
    }
    if (field?.type === 'number' && typeof value === 'number' && !Number.isFinite(value)) {
      errors.add([key], 'INVALID_VALUE', 'must be a finite number');
    }
    if (field?.type === 'date' && typeof value === 'string' && normalizeDate(value) === null) {
      errors.add([key], 'INVALID_FORMAT', 'must be a real date between the years 0001 and 9999');
    }
  }

  if (!ctx.auth) return;
  const has = (k: string) => Object.hasOwn(input, k);
  if (ctx.op === 'create') {
    if (
      typeof input.password === 'string' &&
      typeof input.passwordConfirm === 'string' &&
      !errors.hasTop('passwordConfirm') &&
      input.password !== input.passwordConfirm
    ) {
      errors.add(['passwordConfirm'], 'PASSWORDS_DONT_MATCH', "passwords don't match");
    }
    return;
  }
  if (has('password') && !has('passwordConfirm')) {
    errors.add(['passwordConfirm'], 'REQUIRED', 'is required to change the password');
  } else if (
    (has('password') || has('passwordConfirm')) &&
    !errors.hasTop('passwordConfirm') &&
    input.password !== input.passwordConfirm
  ) {
    errors.add(['passwordConfirm'], 'PASSWORDS_DONT_MATCH', "passwords don't match");
  }
  if (has('password') && !has('oldPassword') && !options.isAdmin) {
    errors.add(['oldPassword'], 'REQUIRED', 'is required to change the password');
  }
}

// ---------------------------------------------------------------------------------------------
// the value handed back

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

const lower = (v: unknown): unknown => (typeof v === 'string' ? v.toLowerCase() : v);

function normalizeFieldValue(ctx: OpContext, f: FieldDef, v: unknown): unknown {
  const lowerIds = f.type === 'relation' && ctx.uuidIds(f);
  if (isMultiple(f)) {
    if (v === null || v === undefined) return [];
    return lowerIds && Array.isArray(v) ? v.map(lower) : v;
  }
  if (f.type === 'date' && typeof v === 'string') return normalizeDate(v);
  return lowerIds ? lower(v) : v;
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
      setOwn(out, key, target.type === 'relation' && ctx.uuidIds(target) ? list.map(lower) : list);
    } else if (key === 'id') {
      setOwn(out, key, ctx.uuidIds(null) ? lower(v) : v);
    } else {
      setOwn(out, key, v);
    }
  }
  if (ctx.op === 'create') {
    for (const f of ctx.def.fields) {
      if (isMultiple(f) && !Object.hasOwn(out, f.name)) setOwn(out, f.name, []);
    }
    if (ctx.auth && !Object.hasOwn(out, 'emailVisibility')) setOwn(out, 'emailVisibility', false);
  }
  return out;
}
