/** ajv's errors as `{ path, code, message }`: one per path, the most telling keyword first, in words. */
import type { ErrorObject } from 'ajv/dist/2020.js';
import { fieldModule } from '../fields/registry.js';
import { DATE_FORMAT_ERROR } from '../fields/date.field.js';
import type { FieldDef } from '../schema/collection.types.js';
import { parseModifierKey } from './record-schemas.js';
import {
  type Collector,
  isEmpty,
  isObject,
  type OpContext,
  type RecordErrorCode,
  shownKey,
} from './record-errors.js';

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

export function mapAjvErrors(
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

function formatMessage(field: FieldDef | undefined, format: string): string {
  const own = field ? fieldModule(field).formatError : undefined;
  if (own) return own;
  switch (format) {
    case 'date-time':
      return DATE_FORMAT_ERROR;
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
      return result('INVALID_FORMAT', formatMessage(field, String(params.format)));
    case 'pattern':
      // url and date use a pattern beside their format; its failure is a format error.
      if (field && fieldModule(field).formatError && field.type !== 'text') {
        return result('INVALID_FORMAT', formatMessage(field, ''));
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
