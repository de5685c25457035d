const note = {
  type: 'object',
  required: ['kind', 'what', 'why'],
  properties: {
    kind: { enum: ['mapped', 'limited', 'skipped'] },
    what: { type: 'string' },
    why: { type: 'string' },
  },
} as const;

/** The import's report (`--json` on the command line, the admin route's answer). */
export const importReportSchema = {
  type: 'object',
  required: ['dryRun', 'source', 'collections', 'admins', 'externalAuths', 'settings', 'notes'],
  properties: {
    dryRun: { type: 'boolean' },
    source: { type: 'string' },
    collections: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'id', 'type', 'status', 'records', 'files', 'notes'],
        properties: {
          name: { type: 'string' },
          id: { type: 'string' },
          type: { type: 'string' },
          status: { enum: ['imported', 'planned', 'skipped'] },
          skipped: { type: 'string' },
          records: { type: 'integer' },
          files: { type: 'integer' },
          notes: { type: 'array', items: note },
        },
      },
    },
    admins: {
      type: 'object',
      required: ['imported', 'skipped'],
      properties: {
        imported: { type: 'integer' },
        skipped: {
          type: 'array',
          items: {
            type: 'object',
            required: ['email', 'why'],
            properties: { email: { type: 'string' }, why: { type: 'string' } },
          },
        },
      },
    },
    externalAuths: {
      type: 'object',
      required: ['imported', 'skipped'],
      properties: { imported: { type: 'integer' }, skipped: { type: 'integer' } },
    },
    settings: { type: 'array', items: note },
    notes: { type: 'array', items: note },
  },
} as const;
