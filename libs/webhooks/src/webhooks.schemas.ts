/** JSON Schemas of the webhook routes' bodies and answers (reused by the OpenAPI document). */
import { AUTH_EVENT_KINDS } from '@plinth/auth';
import { pageSchema } from '@plinth/core';
import { bodySchemas, itemsSchema, timestampProperties } from './signed-endpoints.js';

/** Record events of any collection. */
export const RECORD_ACTIONS = ['create', 'update', 'delete'] as const;
/** Files of a collection's records: uploaded with a create or update, removed by an update or delete. */
export const FILE_EVENTS = ['file.create', 'file.delete'] as const;
/** Push outcomes (the worker's): `push.*` takes both. */
export const PUSH_EVENTS = ['push.delivery.failed', 'push.message.completed'] as const;

const escape = (s: string) => s.replaceAll('.', '\\.');

/**
 * `*`, `<collection>.*`, `<collection>.create|update|delete|file.create|file.delete`, `<auth
 * collection>.signup|signin|password-reset|verified|email-changed`, `push.*` or a push event.
 */
export const EVENT_PATTERN = `^(\\*|push\\.\\*|${PUSH_EVENTS.map(escape).join('|')}|[A-Za-z_][A-Za-z0-9_]{0,62}\\.(\\*|${[...RECORD_ACTIONS, ...FILE_EVENTS.map(escape), ...AUTH_EVENT_KINDS].join('|')}))$`;

const webhookFields = {
  name: { type: 'string', maxLength: 200, description: 'A label for people.' },
  url: {
    type: 'string',
    minLength: 1,
    maxLength: 2048,
    description:
      'Where events are POSTed (http or https; private addresses only with PLINTH_WEBHOOKS_ALLOW_PRIVATE_ENDPOINTS).',
  },
  events: {
    type: 'array',
    minItems: 1,
    maxItems: 100,
    uniqueItems: true,
    items: { type: 'string', pattern: EVENT_PATTERN },
    description:
      'Record events (`posts.create`, `posts.update`, `posts.delete`), file events of records (`posts.file.create`, ' +
      '`posts.file.delete`, one per file uploaded or removed), account events of auth collections ' +
      '(`users.signup`, `users.signin`, `users.password-reset`, `users.verified`, `users.email-changed`), ' +
      'push events (`push.delivery.failed`, `push.message.completed`), `<collection>.*`, `push.*`, or `*` (everything).',
  },
  filter: {
    type: 'string',
    maxLength: 2000,
    description:
      'Only records (and accounts) that match this filter (record filter grammar), e.g. `status = "paid" && total > 100`; push events carry no record and ignore it.',
  },
  includeHidden: { type: 'boolean', description: 'Send hidden fields too (default false).' },
  enabled: { type: 'boolean' },
};

export const { create: createWebhookSchema, update: updateWebhookSchema } = bodySchemas(webhookFields, [
  'url',
  'events',
]);

export const webhookResponseSchema = {
  type: 'object',
  required: [
    'id',
    'name',
    'url',
    'events',
    'filter',
    'includeHidden',
    'enabled',
    'consecutiveFailures',
    'created',
    'updated',
  ],
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    url: { type: 'string' },
    events: { type: 'array', items: { type: 'string' } },
    filter: { type: 'string' },
    includeHidden: { type: 'boolean' },
    enabled: { type: 'boolean' },
    consecutiveFailures: { type: 'integer' },
    disabledReason: { type: ['string', 'null'], description: 'Why Plinth disabled it, when it did.' },
    previousSecretValidUntil: { type: ['string', 'null'], format: 'date-time' },
    secret: {
      type: 'string',
      description: 'The signing secret (`whsec_...`): only in the answer that created or rotated it.',
    },
    ...timestampProperties,
  },
};

export const webhooksListResponseSchema = itemsSchema(webhookResponseSchema);

const deliveryProperties = {
  id: { type: 'string', format: 'uuid', description: 'The `webhook-id` header is `msg_<id>`.' },
  type: { type: 'string' },
  status: { enum: ['pending', 'sending', 'delivered', 'dead'] },
  attempts: { type: 'integer' },
  nextAttemptAt: { type: ['string', 'null'], format: 'date-time' },
  lastAttemptAt: { type: ['string', 'null'], format: 'date-time' },
  lastStatus: { type: ['integer', 'null'], description: "The endpoint's HTTP status at the last attempt." },
  lastError: { type: ['string', 'null'] },
  created: { type: 'string', format: 'date-time' },
};

export const deliveriesListResponseSchema = pageSchema({
  type: 'object',
  required: ['id', 'type', 'status', 'attempts', 'created'],
  properties: deliveryProperties,
});

export const deliveryResponseSchema = {
  type: 'object',
  required: ['id', 'type', 'status', 'attempts', 'created', 'payload', 'attemptLog'],
  properties: {
    ...deliveryProperties,
    payload: {
      type: 'object',
      description:
        'The body sent: `{type, timestamp, data}`; data is `{collection, record, previous?, auth?, method?}` for record and account events (plus `file: {field, name}` for file events), `{messageId, deliveryId, deviceId, platform, userId, error}` for push.delivery.failed, `{messageId, counts}` for push.message.completed.',
    },
    attemptLog: {
      type: 'array',
      items: {
        type: 'object',
        required: ['attempt', 'at', 'durationMs', 'status', 'response', 'error'],
        properties: {
          attempt: { type: 'integer' },
          at: { type: 'string', format: 'date-time' },
          durationMs: { type: 'integer' },
          status: { type: ['integer', 'null'] },
          response: { type: 'string', description: "The first KiB of the endpoint's answer." },
          error: { type: ['string', 'null'] },
        },
      },
    },
  },
};

export const replayResponseSchema = {
  type: 'object',
  required: ['queued'],
  properties: { queued: { type: 'integer', description: 'Deliveries queued again.' } },
};

export const testEventResponseSchema = {
  type: 'object',
  required: ['deliveryId'],
  properties: { deliveryId: { type: 'string', format: 'uuid' } },
};
