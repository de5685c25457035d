/** JSON Schemas of the blocking hook routes' bodies and answers (reused by the OpenAPI document). */
import { bodySchemas, itemsSchema, timestampProperties } from '../signed-endpoints.js';

/** `<collection>.create|update|delete`, `<auth collection>.signup`. */
export const HOOK_EVENT_PATTERN = '^[A-Za-z_][A-Za-z0-9_]{0,62}\\.(create|update|delete|signup)$';

export const HOOK_TIMEOUT_DEFAULT_MS = 2000;
export const HOOK_TIMEOUT_MIN_MS = 50;
export const HOOK_TIMEOUT_MAX_MS = 30_000;

const hookFields = {
  name: { type: 'string', maxLength: 200, description: 'A label for people.' },
  url: {
    type: 'string',
    minLength: 1,
    maxLength: 2048,
    description:
      'Where writes are POSTed for a verdict (http or https; private addresses only with PLINTH_WEBHOOKS_ALLOW_PRIVATE_ENDPOINTS).',
  },
  events: {
    type: 'array',
    minItems: 1,
    maxItems: 100,
    uniqueItems: true,
    items: { type: 'string', pattern: HOOK_EVENT_PATTERN },
    description:
      'The writes judged: `posts.create`, `posts.update`, `posts.delete`, or `users.signup` (a new account of an auth collection).',
  },
  filter: {
    type: 'string',
    maxLength: 2000,
    description:
      'Only records that match this filter (record filter grammar), judged on the record as it would be stored, e.g. `total > 100`.',
  },
  timeoutMs: {
    type: 'integer',
    minimum: HOOK_TIMEOUT_MIN_MS,
    maximum: HOOK_TIMEOUT_MAX_MS,
    description: `How long the write waits for the answer (default ${HOOK_TIMEOUT_DEFAULT_MS} ms).`,
  },
  failurePolicy: {
    enum: ['deny', 'allow'],
    description:
      'What a timeout, network error, non-2xx status or unreadable answer means: `deny` (default) refuses the write with 400 HOOK_REFUSED, `allow` lets it through.',
  },
  enabled: { type: 'boolean' },
};

export const { create: createHookSchema, update: updateHookSchema } = bodySchemas(hookFields, [
  'url',
  'events',
]);

export const hookResponseSchema = {
  type: 'object',
  required: [
    'id',
    'name',
    'url',
    'events',
    'filter',
    'timeoutMs',
    'failurePolicy',
    'enabled',
    'created',
    'updated',
  ],
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    url: { type: 'string' },
    events: { type: 'array', items: { type: 'string' } },
    filter: { type: 'string' },
    timeoutMs: { type: 'integer' },
    failurePolicy: { enum: ['deny', 'allow'] },
    enabled: { type: 'boolean' },
    previousSecretValidUntil: { type: ['string', 'null'], format: 'date-time' },
    secret: {
      type: 'string',
      description: 'The signing secret (`whsec_...`): only in the answer that created or rotated it.',
    },
    ...timestampProperties,
  },
};

export const hooksListResponseSchema = itemsSchema(hookResponseSchema);
