import type { BodySchema } from '../validation/validate-body.js';

/** RFC 9457 problem details as every non-2xx answer carries them (DESIGN §4). */
export const problemSchema: BodySchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code', 'requestId', 'message', 'data'],
  properties: {
    type: { type: 'string', description: 'A URI naming the kind of problem.' },
    title: { type: 'string', description: 'A short summary of the kind of problem.' },
    status: { type: 'integer', description: 'The HTTP status.' },
    detail: { type: 'string', description: 'What went wrong and what to do about it, for a person.' },
    code: {
      type: 'string',
      description: 'A stable SCREAMING_SNAKE code (VALIDATION_FAILED, COLLECTION_NOT_FOUND, ...).',
    },
    errors: {
      type: 'array',
      description: 'One entry per failing input.',
      items: {
        type: 'object',
        required: ['path', 'code', 'message'],
        properties: {
          path: { type: 'string', description: 'Dotted path of the failing input (fields.2.name).' },
          code: { type: 'string' },
          message: { type: 'string' },
        },
      },
    },
    requestId: { type: 'string', description: 'The request id, also in the x-request-id header.' },
    message: {
      type: 'string',
      description: 'Extension member for PocketBase clients (their SDKs show it): the same text as detail.',
    },
    data: {
      type: 'object',
      description:
        'Extension member for PocketBase clients: {} or, for field errors, the same errors as `errors` keyed by ' +
        "top-level field with PocketBase's codes (validation_required, validation_not_unique, validation_is_email, ...).",
      additionalProperties: {
        type: 'object',
        required: ['code', 'message'],
        properties: { code: { type: 'string' }, message: { type: 'string' } },
      },
    },
    mfaId: {
      type: 'string',
      description:
        "With 401 MFA_REQUIRED (PocketBase's MFA): send it with a second, different factor to complete the sign-in.",
    },
  },
  additionalProperties: true,
};

/** The list envelope of every paged answer. */
export function pageSchema(items: BodySchema, description?: string): BodySchema {
  return {
    type: 'object',
    ...(description ? { description } : {}),
    required: ['page', 'perPage', 'totalItems', 'totalPages', 'items'],
    additionalProperties: false,
    properties: {
      page: { type: 'integer', minimum: 1 },
      perPage: { type: 'integer', minimum: 0 },
      totalItems: { type: 'integer', minimum: -1, description: '-1 with skipTotal.' },
      totalPages: { type: 'integer', minimum: -1, description: '-1 with skipTotal.' },
      items: { type: 'array', items },
    },
  };
}

/** Shorthand for an object schema whose listed properties are all present. */
export function objectSchema(
  properties: Record<string, BodySchema>,
  opts: { optional?: string[]; description?: string; additional?: boolean } = {},
): BodySchema {
  const optional = new Set(opts.optional ?? []);
  return {
    type: 'object',
    ...(opts.description ? { description: opts.description } : {}),
    required: Object.keys(properties).filter((k) => !optional.has(k)),
    properties,
    additionalProperties: opts.additional ?? false,
  };
}

export const dateTime: BodySchema = { type: 'string', format: 'date-time' };
export const uuid: BodySchema = { type: 'string', format: 'uuid' };
export const str: BodySchema = { type: 'string' };
export const bool: BodySchema = { type: 'boolean' };
export const int: BodySchema = { type: 'integer' };
