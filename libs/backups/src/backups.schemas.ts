import { dateTime, int, objectSchema, str, type BodySchema } from '@plinth/core';

export const backupSchema: BodySchema = objectSchema(
  {
    name: {
      type: 'string',
      description: 'The archive name (`plinth-backup-<yyyymmdd>-<hhmmss>.zip`, or an upload).',
    },
    size: { type: 'integer', description: 'Bytes.' },
    created: dateTime,
  },
  { description: 'A backup archive in the backup location.' },
);

const progressProps: Record<string, BodySchema> = {
  stage: { enum: ['tables', 'files', 'done'], description: 'What is being written.' },
  done: int,
  total: int,
};

export const runningBackupSchema: BodySchema = objectSchema(
  { name: str, created: dateTime, ...progressProps },
  { description: 'The backup being written, with its progress (`done` of `total` tables or files).' },
);

export const backupListSchema: BodySchema = objectSchema({
  items: { type: 'array', items: backupSchema, description: 'Newest first.' },
  running: {
    ...runningBackupSchema,
    type: ['object', 'null'],
    description: 'The backup being written, with its progress; null when none is.',
  },
});

export const restoreReportSchema: BodySchema = objectSchema(
  {
    name: str,
    tables: { type: 'integer', description: 'Tables in the archive.' },
    rows: { type: 'integer', description: 'Rows restored.' },
    files: { type: 'integer', description: 'Stored files in the archive.' },
  },
  { description: 'The install now holds exactly what the backup held.' },
);
