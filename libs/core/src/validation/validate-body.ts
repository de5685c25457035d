import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { AppError, type FieldProblem } from '../errors/app-error.js';
import { createAjv } from './ajv.js';

const ajv = createAjv('bodies');
const cache = new WeakMap<object, ValidateFunction>();

export type BodySchema = Record<string, unknown>;

function toProblem(e: ErrorObject): FieldProblem {
  const base = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  switch (e.keyword) {
    case 'required': {
      const field = (e.params as { missingProperty: string }).missingProperty;
      return { path: base ? `${base}.${field}` : field, code: 'REQUIRED', message: 'is required' };
    }
    case 'additionalProperties': {
      const field = (e.params as { additionalProperty: string }).additionalProperty;
      return {
        path: base ? `${base}.${field}` : field,
        code: 'UNKNOWN_FIELD',
        message: 'is not a known field',
      };
    }
    case 'type':
      return {
        path: base || '(body)',
        code: 'INVALID_TYPE',
        message: `must be ${(e.params as { type: string }).type}`,
      };
    default:
      return { path: base || '(body)', code: 'INVALID_VALUE', message: e.message ?? 'is not valid' };
  }
}

/**
 * Checks a request body against a JSON Schema (compiled once per schema object) and returns it
 * typed; throws VALIDATION_FAILED listing every failing field.
 */
export function validateBody<T>(schema: BodySchema, body: unknown): T {
  let validate = cache.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    cache.set(schema, validate);
  }
  if (validate(body ?? {})) return (body ?? {}) as T;
  const errors = (validate.errors ?? []).map(toProblem);
  throw new AppError(
    'VALIDATION_FAILED',
    `The request body has ${errors.length} invalid field${errors.length === 1 ? '' : 's'}: ${errors
      .map((e) => `${e.path} ${e.message}`)
      .join('; ')}.`,
    { errors },
  );
}
