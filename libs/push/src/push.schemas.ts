import { PLATFORMS } from './push.types.js';

/** JSON Schemas of the push routes' bodies and answers (reused by the OpenAPI document). */

export const TOPIC_PATTERN = '^[A-Za-z0-9_.~-]{1,100}$';

export const registerDeviceSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['platform'],
  properties: {
    platform: { enum: [...PLATFORMS] },
    token: { type: 'string', minLength: 1, maxLength: 4096 },
    subscription: {
      type: 'object',
      required: ['endpoint', 'keys'],
      properties: {
        endpoint: { type: 'string', minLength: 1, maxLength: 2048 },
        expirationTime: { type: ['number', 'null'] },
        keys: {
          type: 'object',
          required: ['p256dh', 'auth'],
          properties: {
            p256dh: { type: 'string', maxLength: 200 },
            auth: { type: 'string', maxLength: 100 },
          },
        },
      },
    },
    appId: { type: 'string', minLength: 1, maxLength: 200 },
    locale: { type: 'string', minLength: 1, maxLength: 35 },
  },
};

export const deviceResponseSchema = {
  type: 'object',
  required: ['id', 'platform', 'userId', 'active', 'created', 'updated'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    userId: { type: 'string', description: 'The user record id (a UUID, or a text id for PocketBase-style collections).' },
    collectionId: { type: 'string' },
    platform: { enum: [...PLATFORMS] },
    token: { type: 'string' },
    endpoint: { type: 'string' },
    appId: { type: ['string', 'null'] },
    locale: { type: ['string', 'null'] },
    active: { type: 'boolean' },
    inactiveReason: { type: ['string', 'null'] },
    topics: { type: 'array', items: { type: 'string' } },
    created: { type: 'string', format: 'date-time' },
    updated: { type: 'string', format: 'date-time' },
  },
};

export const devicesListResponseSchema = {
  type: 'object',
  required: ['page', 'perPage', 'totalItems', 'totalPages', 'items'],
  properties: {
    page: { type: 'integer' },
    perPage: { type: 'integer' },
    totalItems: { type: 'integer' },
    totalPages: { type: 'integer' },
    items: { type: 'array', items: deviceResponseSchema },
  },
};

export const topicSubscriptionSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { deviceId: { type: 'string', format: 'uuid' } },
};

export const topicSubscriptionResponseSchema = {
  type: 'object',
  required: ['topic', 'devices'],
  properties: {
    topic: { type: 'string' },
    devices: { type: 'array', items: { type: 'string', format: 'uuid' } },
  },
};

const uuidList = (max: number) => ({
  type: 'array',
  maxItems: max,
  items: { type: 'string', format: 'uuid' },
});

const notificationSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    title: { type: 'string', maxLength: 1000 },
    body: { type: 'string', maxLength: 4000 },
    image: { type: 'string', maxLength: 2000, pattern: '^https?://' },
    badge: { type: 'integer', minimum: 0, maximum: 1_000_000 },
    sound: { type: 'string', maxLength: 200 },
    clickUrl: { type: 'string', maxLength: 2000 },
  },
};

const targetsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    users: {
      type: 'array',
      maxItems: 1000,
      items: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,100}$' },
      description: 'User record ids (UUIDs, or text ids of PocketBase-style collections).',
    },
    devices: uuidList(1000),
    topics: { type: 'array', maxItems: 100, items: { type: 'string', pattern: TOPIC_PATTERN } },
    filter: { type: 'string', maxLength: 4096 },
    collection: { type: 'string', maxLength: 63 },
  },
};

export const sendPushSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['targets'],
  properties: {
    targets: targetsSchema,
    notification: notificationSchema,
    data: { type: 'object' },
    overrides: {
      type: 'object',
      additionalProperties: false,
      properties: { fcm: { type: 'object' }, apns: { type: 'object' }, webpush: { type: 'object' } },
    },
    ttl: { type: 'integer', minimum: 0, maximum: 2_419_200 },
    priority: { enum: ['high', 'normal'] },
    collapseKey: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,32}$' },
    scheduledAt: { type: 'string', format: 'date-time' },
    idempotencyKey: { type: 'string', minLength: 1, maxLength: 200 },
  },
};

export const sendPushResponseSchema = {
  type: 'object',
  required: ['id', 'recipients'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    recipients: { type: 'integer', description: 'Active devices addressed; 0 means nobody receives it.' },
  },
};

export const pushRecipientsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['targets'],
  properties: { targets: targetsSchema },
};

const perPlatform = (type: string) => ({
  type: 'object',
  required: [...PLATFORMS],
  properties: Object.fromEntries(PLATFORMS.map((p) => [p, { type }])),
});

export const pushRecipientsResponseSchema = {
  type: 'object',
  required: ['devices', 'platforms', 'providers'],
  properties: {
    devices: { type: 'integer', description: 'Active devices the targets reach now.' },
    platforms: { ...perPlatform('integer'), description: 'Of those, per platform.' },
    providers: {
      ...perPlatform('boolean'),
      description: "Whether each platform's provider has its credentials.",
    },
  },
};

const countsSchema = {
  type: 'object',
  required: ['total', 'pending', 'sent', 'failed'],
  properties: {
    total: { type: 'integer' },
    pending: { type: 'integer' },
    sent: { type: 'integer' },
    failed: { type: 'integer' },
  },
};

const MESSAGE_STATUSES = ['scheduled', 'sending', 'sent', 'partial', 'failed'];

export const pushMessageSummarySchema = {
  type: 'object',
  required: ['id', 'status', 'counts', 'source', 'created'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    status: { enum: MESSAGE_STATUSES },
    counts: countsSchema,
    source: { type: 'string' },
    notification: { type: 'object' },
    scheduledAt: { type: ['string', 'null'], format: 'date-time' },
    created: { type: 'string', format: 'date-time' },
  },
};

export const pushMessagesListResponseSchema = {
  ...devicesListResponseSchema,
  properties: {
    ...devicesListResponseSchema.properties,
    items: { type: 'array', items: pushMessageSummarySchema },
  },
};

export const pushMessageResponseSchema = {
  type: 'object',
  required: [...pushMessageSummarySchema.required, 'deliveries'],
  properties: {
    ...pushMessageSummarySchema.properties,
    deliveries: {
      type: 'array',
      items: {
        type: 'object',
        required: ['deviceId', 'platform', 'status', 'attempts'],
        properties: {
          deviceId: { type: ['string', 'null'], format: 'uuid' },
          platform: { enum: [...PLATFORMS] },
          status: { enum: ['pending', 'sent', 'failed'] },
          attempts: { type: 'integer' },
          error: { type: 'string' },
          sentAt: { type: 'string', format: 'date-time' },
          nextAttemptAt: { type: 'string', format: 'date-time' },
        },
      },
    },
  },
};

export const retryPushResponseSchema = {
  type: 'object',
  required: ['id', 'retried'],
  properties: { id: { type: 'string', format: 'uuid' }, retried: { type: 'integer' } },
};

export const vapidPublicKeyResponseSchema = {
  type: 'object',
  required: ['publicKey'],
  properties: { publicKey: { type: 'string' } },
};

const template = { type: 'string', maxLength: 4000 };

export const pushTriggersSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['triggers'],
  properties: {
    triggers: {
      type: 'array',
      maxItems: 20,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['on', 'notification'],
        properties: {
          on: {
            type: 'array',
            minItems: 1,
            uniqueItems: true,
            items: { enum: ['create', 'update', 'delete'] },
          },
          /** A relation field to an auth collection (or `id` on an auth collection): its users get the push. */
          userField: { type: 'string', minLength: 1, maxLength: 63 },
          /** A topic; may use {{field}} like the templates. */
          topic: { type: 'string', minLength: 1, maxLength: 200 },
          notification: {
            type: 'object',
            additionalProperties: false,
            properties: {
              title: template,
              body: template,
              image: template,
              sound: { type: 'string', maxLength: 200 },
              clickUrl: template,
            },
          },
          data: { type: 'object', additionalProperties: template },
        },
      },
    },
  },
};

export const pushTriggersResponseSchema = {
  type: 'object',
  required: ['collection', 'triggers'],
  properties: { collection: { type: 'string' }, triggers: pushTriggersSchema.properties.triggers },
};
