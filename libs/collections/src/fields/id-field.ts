import { randomInt } from 'node:crypto';
import { isTextId, isUuidText } from '@plinth/core';
import * as ret from 'ret';
import type { SetTokens, Token } from 'ret';

// ret is CommonJS: its module.exports is the tokenizer, with the token types on it.
const tokenize = (ret as unknown as { default: typeof ret.tokenizer & { types: typeof ret.types } }).default;
const types = tokenize.types;

/**
 * A record id that is PocketBase's text id (`core/field_text.go` with `primaryKey`): a collection
 * with one has a text `id` column; one without keeps UUIDv7 ids (docs/decisions/text-ids.md).
 */
export interface TextIdField {
  /** The field's own id, as PocketBase names it (`text3208210256`). */
  id: string;
  min: number;
  max: number;
  pattern: string;
  autogeneratePattern: string;
}

export type RecordIdType = 'uuid' | 'text';

/** PocketBase's default id field (`initIdField` in core/collection_model.go). */
export const DEFAULT_TEXT_ID: Omit<TextIdField, 'id'> = {
  min: 15,
  max: 15,
  pattern: '^[a-z0-9]+$',
  autogeneratePattern: '[a-z0-9]{15}',
};
export const DEFAULT_ID_FIELD_ID = 'text3208210256';

/**
 * Ids end up in storage keys, URLs and realtime topics: whatever the pattern says, a text id is 1 to
 * 100 of these characters (PocketBase forbids `/`, `\`, `.` and more in ids for the same reason).
 */
export const MAX_TEXT_ID_LENGTH = 100;

export const idTypeOf = (def: { idField?: TextIdField }): RecordIdType => (def.idField ? 'text' : 'uuid');

/** Whether `value` could be an id of a collection with this id type (for lookups: no pattern check). */
export function isRecordIdOf(type: RecordIdType, value: unknown): value is string {
  if (type === 'uuid') return isUuidText(value);
  return isTextId(value);
}

/** Why `value` cannot be the id of a new record, or null when it can. */
export function newIdProblem(field: TextIdField, value: string): string | null {
  if (!isRecordIdOf('text', value))
    return `A record id is 1 to ${MAX_TEXT_ID_LENGTH} letters, digits, "_" or "-".`;
  const length = [...value].length;
  if (field.min > 0 && length < field.min) return `The id must be at least ${field.min} characters long.`;
  if (field.max > 0 && length > field.max) return `The id must be at most ${field.max} characters long.`;
  if (field.pattern && !new RegExp(field.pattern, 'u').test(value))
    return `The id does not match the collection's id pattern ${field.pattern}.`;
  return null;
}

/** A new id from the field's autogenerate pattern, or undefined when it has none (the client must give one). */
export function generateTextId(field: TextIdField): string | undefined {
  if (!field.autogeneratePattern) return undefined;
  for (let i = 0; i < 10; i++) {
    const id = randomStringByRegex(field.autogeneratePattern);
    if (newIdProblem(field, id) === null) return id;
  }
  throw new Error(`The id pattern ${field.autogeneratePattern} made no valid id in 10 tries`);
}

/** How many extra repetitions `*` and `+` may add: ids stay short. */
const OPEN_REPEAT = 10;

/**
 * A random string the regular expression matches (PocketBase's `security.RandomStringByRegex`):
 * literals, classes, groups, alternatives and counted repetition; anchors match nothing.
 */
export function randomStringByRegex(pattern: string): string {
  const root = tokenize(pattern);
  const out: string[] = [];
  const walk = (tokens: Token[]) => tokens.forEach(emit);
  const choose = (options: Token[][] | undefined, stack: Token[] | undefined) =>
    walk(options ? options[randomInt(options.length)]! : (stack ?? []));
  function emit(token: Token): void {
    switch (token.type) {
      case types.CHAR:
        out.push(String.fromCodePoint(token.value));
        return;
      case types.SET:
        out.push(pickFromSet(token.set, token.not));
        return;
      case types.GROUP:
        if (token.followedBy || token.notFollowedBy || token.lookBehind)
          throw new Error('look-arounds cannot generate values');
        choose(token.options, token.stack);
        return;
      case types.REPETITION: {
        const max = token.max === Infinity ? token.min + OPEN_REPEAT : token.max;
        const n = token.min + randomInt(max - token.min + 1);
        for (let i = 0; i < n; i++) emit(token.value);
        return;
      }
      case types.POSITION:
        return;
      default:
        throw new Error('back-references cannot generate values');
    }
  }
  choose(root.options, root.stack);
  return out.join('');
}

/** Printable ASCII: what a negated class or `.` draws from. */
const PRINTABLE = Array.from({ length: 95 }, (_, i) => 32 + i);

function codesOf(set: SetTokens): Set<number> {
  const codes = new Set<number>();
  for (const item of set) {
    if (item.type === types.CHAR) codes.add(item.value);
    else if (item.type === types.RANGE) for (let c = item.from; c <= item.to; c++) codes.add(c);
    else {
      const inner = codesOf(item.set);
      for (const c of item.not ? PRINTABLE.filter((p) => !inner.has(p)) : inner) codes.add(c);
    }
  }
  return codes;
}

function pickFromSet(set: SetTokens, not: boolean): string {
  const inner = codesOf(set);
  const pool = not ? PRINTABLE.filter((c) => !inner.has(c)) : [...inner];
  if (!pool.length) throw new Error('an empty character class cannot generate values');
  return String.fromCodePoint(pool[randomInt(pool.length)]!);
}

type Add = (path: string, code: 'INVALID_TYPE' | 'INVALID_VALUE' | 'OUT_OF_RANGE' | 'INVALID_PATTERN', message: string) => void;

/** The keys PocketBase sends on its id field; the fixed ones must hold its fixed values. */
const FIXED: Record<string, unknown> = { system: true, primaryKey: true, required: true, hidden: false };
const ID_FIELD_KEYS = new Set([
  'id',
  'name',
  'type',
  'min',
  'max',
  'pattern',
  'autogeneratePattern',
  'presentable',
  'unique',
  ...Object.keys(FIXED),
]);

/**
 * A `fields` entry named `id` (PocketBase's shape): `{name: "id", type: "text", min, max, pattern,
 * autogeneratePattern, primaryKey: true, system: true, ...}`. Omitted options take PocketBase's defaults.
 */
export function normalizeIdField(raw: Record<string, unknown>, path: string, add: Add): TextIdField | undefined {
  const before: string[] = [];
  const fail = (key: string, code: Parameters<Add>[1], message: string) => {
    before.push(key);
    add(`${path}.${key}`, code, message);
  };
  if (raw.type !== 'text')
    fail('type', 'INVALID_VALUE', 'The "id" field must be of type "text" (PocketBase\'s text ids); leave it out for UUIDv7 ids.');
  for (const key of Object.keys(raw)) {
    if (raw[key] === undefined) continue;
    if (!ID_FIELD_KEYS.has(key)) fail(key, 'INVALID_VALUE', `"${key}" is not an option of the "id" field; remove it.`);
    else if (key in FIXED && raw[key] !== FIXED[key])
      fail(key, 'INVALID_VALUE', `The "id" field always has "${key}": ${String(FIXED[key])}; remove "${key}" or set it so.`);
  }
  const int = (key: 'min' | 'max', dflt: number): number => {
    const v = raw[key];
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_TEXT_ID_LENGTH) {
      fail(key, 'OUT_OF_RANGE', `"${key}" of the id must be a whole number from 0 to ${MAX_TEXT_ID_LENGTH}.`);
      return dflt;
    }
    return v;
  };
  const str = (key: 'pattern' | 'autogeneratePattern' | 'id', dflt: string): string => {
    const v = raw[key];
    if (v === undefined || v === '') return dflt;
    if (typeof v !== 'string' || v.length > 512) {
      fail(key, 'INVALID_TYPE', `"${key}" must be a string of at most 512 characters.`);
      return dflt;
    }
    return v;
  };
  const field: TextIdField = {
    id: str('id', DEFAULT_ID_FIELD_ID),
    min: int('min', DEFAULT_TEXT_ID.min),
    max: int('max', DEFAULT_TEXT_ID.max),
    pattern: str('pattern', DEFAULT_TEXT_ID.pattern),
    // An explicit "" means "the client always supplies the id" (PocketBase's own meaning).
    autogeneratePattern: raw.autogeneratePattern === '' ? '' : str('autogeneratePattern', DEFAULT_TEXT_ID.autogeneratePattern),
  };
  if (field.max > 0 && field.min > field.max) fail('max', 'OUT_OF_RANGE', `"max" (${field.max}) is smaller than "min" (${field.min}).`);
  for (const key of ['pattern', 'autogeneratePattern'] as const) {
    try {
      if (field[key]) new RegExp(field[key], 'u');
    } catch {
      fail(key, 'INVALID_PATTERN', `"${key}" is not a valid regular expression; correct it.`);
    }
  }
  if (before.length) return undefined;
  if (field.autogeneratePattern) {
    try {
      generateTextId(field);
    } catch {
      fail(
        'autogeneratePattern',
        'INVALID_PATTERN',
        `"autogeneratePattern" ${field.autogeneratePattern} does not make ids that pass min, max, pattern and the safe characters (letters, digits, "_", "-"); correct it.`,
      );
      return undefined;
    }
  }
  return field;
}

/** The id field as PocketBase shows it, first in a collection's `fields`. */
export function presentIdField(field: TextIdField): Record<string, unknown> {
  return {
    id: field.id,
    name: 'id',
    type: 'text',
    system: true,
    primaryKey: true,
    required: true,
    hidden: false,
    presentable: false,
    min: field.min,
    max: field.max,
    pattern: field.pattern,
    autogeneratePattern: field.autogeneratePattern,
  };
}

/** The record id type of each collection, by name (relations name their targets). */
export type IdTypes = (collectionName: string) => RecordIdType;

export const ALL_UUID: IdTypes = () => 'uuid';

export function idTypesIn(defs: ReadonlyArray<{ name: string; idField?: TextIdField }>): IdTypes {
  const text = new Set(defs.filter((d) => d.idField).map((d) => d.name));
  return (name) => (text.has(name) ? 'text' : 'uuid');
}
