import { pageSchema } from '@plinth/core';
/** JSON Schemas of the audit trail's answers (the OpenAPI document). */

const text = (description: string) => ({ type: 'string', description });

export const auditEntrySchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'id',
    'created',
    'action',
    'targetType',
    'targetId',
    'targetName',
    'actorKind',
    'actorId',
    'actorName',
    'ip',
    'requestId',
    'summary',
    'changes',
  ],
  properties: {
    id: { type: 'string', format: 'uuid' },
    created: { type: 'string', format: 'date-time', description: 'When the change was made.' },
    action: text(
      '`collection.create|update|delete`, `settings.update`, `api_key.create|revoke`, `admin.create|delete`, `push.send`, `pocketbase.import`, `user.sessions_revoke`, `webhook.create|update|delete|rotate_secret`.',
    ),
    targetType: text('collection, settings, api_key, admin, push_message, import, user, webhook.'),
    targetId: text('The id of what changed; empty when it has none.'),
    targetName: text('Its name (collection, admin email, key name, webhook URL, settings sections).'),
    actorKind: {
      enum: ['admin', 'key', 'user', 'anonymous', 'system'],
      description: '`system`: the command line or a job.',
    },
    actorId: text('The admin, API key or user id.'),
    actorName: text("The admin's email or the key's name."),
    ip: text("The client's address (X-Forwarded-For only with PLINTH_TRUST_PROXY)."),
    requestId: text(
      'The `x-request-id` of the request that made the change (its request log entry has the same).',
    ),
    summary: text('One line a person reads.'),
    changes: {
      type: 'array',
      description: 'What changed, value by value; secrets only say that they changed, never their values.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['path'],
        properties: {
          path: text('e.g. `listRule`, `fields[title].max`, `mail.smtpPassword`.'),
          before: { description: 'The value before (null when there was none).' },
          after: { description: 'The value after (null when removed).' },
          secret: { type: 'boolean', description: 'A secret changed; its values are not recorded.' },
        },
      },
    },
  },
};

export const auditListResponseSchema = pageSchema(auditEntrySchema);
