/** JSON Schemas of the schedule routes' bodies and answers (reused by the OpenAPI document). */
import { pageSchema } from '@plinth/core';
import { bodySchemas, itemsSchema, timestampProperties } from '../signed-endpoints.js';
import { SCHEDULABLE_JOBS } from './schedules.repository.js';

const targetSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type'],
  properties: {
    type: { enum: ['url', 'job'], description: '`url` (then `url` is required) or `job` (then `job`).' },
    url: {
      type: 'string',
      minLength: 1,
      maxLength: 2048,
      description:
        'POSTed a signed `schedule.tick` on each tick (private addresses only with PLINTH_WEBHOOKS_ALLOW_PRIVATE_ENDPOINTS).',
    },
    job: { enum: [...SCHEDULABLE_JOBS], description: 'The built-in job to run.' },
  },
  description: 'A URL to call, or a built-in job to run.',
};

const scheduleFields = {
  name: { type: 'string', minLength: 1, maxLength: 200, description: 'Unique; a label for people.' },
  cron: {
    type: 'string',
    minLength: 1,
    maxLength: 200,
    description:
      'Five fields (minute hour day-of-month month day-of-week), e.g. `0 3 * * *`; a sixth, leading field is seconds.',
  },
  timezone: {
    type: 'string',
    maxLength: 100,
    description: 'IANA time zone the cron is read in (default UTC).',
  },
  enabled: { type: 'boolean', description: 'Default true.' },
  target: targetSchema,
};

export const { create: createScheduleSchema, update: updateScheduleSchema } = bodySchemas(scheduleFields, [
  'name',
  'cron',
  'target',
]);

const runStatus = { enum: ['queued', 'running', 'succeeded', 'failed'] };

export const scheduleResponseSchema = {
  type: 'object',
  required: [
    'id',
    'name',
    'cron',
    'timezone',
    'enabled',
    'target',
    'nextRunAt',
    'lastRun',
    'created',
    'updated',
  ],
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    cron: { type: 'string' },
    timezone: { type: 'string' },
    enabled: { type: 'boolean' },
    target: {
      type: 'object',
      required: ['type'],
      properties: { type: { enum: ['url', 'job'] }, url: { type: 'string' }, job: { type: 'string' } },
    },
    nextRunAt: { type: ['string', 'null'], format: 'date-time', description: 'Null while disabled.' },
    lastRun: {
      type: ['object', 'null'],
      required: ['status', 'scheduledFor'],
      properties: { status: runStatus, scheduledFor: { type: 'string', format: 'date-time' } },
    },
    secret: {
      type: 'string',
      description: 'The signing secret of URL calls (`whsec_...`): only in the answer that created it.',
    },
    ...timestampProperties,
  },
};

export const schedulesListResponseSchema = itemsSchema(scheduleResponseSchema);

export const runResponseSchema = {
  type: 'object',
  required: [
    'id',
    'trigger',
    'scheduledFor',
    'status',
    'startedAt',
    'finishedAt',
    'durationMs',
    'httpStatus',
    'response',
    'error',
  ],
  properties: {
    id: { type: 'string', format: 'uuid', description: 'A URL call carries `webhook-id: msg_<id>`.' },
    trigger: { enum: ['schedule', 'manual'], description: 'A tick, or run-now.' },
    scheduledFor: { type: 'string', format: 'date-time' },
    status: runStatus,
    startedAt: { type: ['string', 'null'], format: 'date-time' },
    finishedAt: { type: ['string', 'null'], format: 'date-time' },
    durationMs: { type: ['integer', 'null'] },
    httpStatus: { type: ['integer', 'null'], description: "The URL's HTTP status." },
    response: { type: 'string', description: "The first KiB of the URL's answer, or the job's result." },
    error: { type: ['string', 'null'] },
  },
};

export const runsListResponseSchema = pageSchema(runResponseSchema);

export const runNowResponseSchema = {
  type: 'object',
  required: ['runId'],
  properties: { runId: { type: 'string', format: 'uuid', description: 'Follow it in the run log.' } },
};
