import { pageSchema } from '@plinth/core';
/** JSON Schemas of the request log's answers (the OpenAPI document). */

const text = (description: string) => ({ type: 'string', description });

export const logEntrySchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'id',
    'created',
    'method',
    'route',
    'url',
    'status',
    'duration',
    'size',
    'ip',
    'userAgent',
    'authKind',
    'authId',
    'requestId',
    'errorCode',
    'errorMessage',
  ],
  properties: {
    id: { type: 'string', format: 'uuid' },
    created: { type: 'string', format: 'date-time', description: 'When the answer was sent.' },
    method: text('GET, POST, ...'),
    route: text(
      'The route pattern, e.g. `/api/collections/:collection/records`; empty when no route matched.',
    ),
    url: text(
      'Path and query, with the values of secret parameters (`token`, `key`, `password`, ...) redacted.',
    ),
    status: { type: 'integer' },
    duration: { type: 'number', description: 'Milliseconds from the request to the answer.' },
    size: { type: 'integer', description: 'Bytes of the answer body (Content-Length; 0 when streamed).' },
    ip: text("The client's address (X-Forwarded-For only with PLINTH_TRUST_PROXY)."),
    userAgent: text('At most 512 characters, control characters removed.'),
    authKind: { enum: ['anonymous', 'admin', 'key', 'user'] },
    authId: text('The admin, API key or user id; empty for anonymous requests.'),
    requestId: text('The `x-request-id` of the answer.'),
    errorCode: text('The problem code of a 4xx/5xx answer, e.g. `RULE_REFUSED`; empty otherwise.'),
    errorMessage: text('The problem detail of a 4xx/5xx answer; empty otherwise.'),
  },
};

export const logListResponseSchema = pageSchema(logEntrySchema);
