/** The import path of one collection, next to its create operation (same rule, validation and problems). */

const fieldProblem = {
  type: 'object',
  required: ['path', 'code', 'message'],
  properties: { path: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } },
};

/** The answer of a records import. */
export const importReportSchema = {
  type: 'object',
  required: [
    'format',
    'mode',
    'atomic',
    'dryRun',
    'committed',
    'total',
    'inserted',
    'updated',
    'failedCount',
    'failed',
    'columns',
    'unknownColumns',
    'ignoredColumns',
  ],
  additionalProperties: false,
  properties: {
    format: { type: 'string', enum: ['csv', 'json', 'ndjson', 'xlsx'] },
    mode: { type: 'string', enum: ['insert', 'upsert'] },
    atomic: { type: 'boolean' },
    dryRun: { type: 'boolean' },
    committed: {
      type: 'boolean',
      description:
        'Whether rows were written: false for a dry run and for an atomic import with a failed row.',
    },
    total: { type: 'integer', description: 'Data rows in the file.' },
    inserted: { type: 'integer', description: 'Records created (a dry run: that would be).' },
    updated: { type: 'integer', description: 'Records updated by id (upsert).' },
    failedCount: { type: 'integer' },
    failed: {
      type: 'array',
      description:
        'The first 1000 failed rows: the data row number (from 1, the header not counted) and its problems.',
      items: {
        type: 'object',
        required: ['row', 'errors'],
        additionalProperties: false,
        properties: { row: { type: 'integer' }, errors: { type: 'array', items: fieldProblem } },
      },
    },
    columns: {
      type: 'object',
      description: 'Each column of the file and the field it set, or null when skipped.',
      additionalProperties: { type: ['string', 'null'] },
    },
    unknownColumns: {
      type: 'array',
      items: { type: 'string' },
      description: 'Columns that name no field and were not mapped: skipped.',
    },
    ignoredColumns: {
      type: 'array',
      items: { type: 'string' },
      description:
        'Columns skipped on purpose: server-made values (created, updated, ...), file and autodate fields.',
    },
  },
};

export const IMPORT_FORM_DESCRIPTION =
  'multipart/form-data: the file as the `file` part (CSV with a header row, a JSON array of objects, ' +
  'NDJSON or XLSX, first sheet with a header row; told by `format`, else the file name, else its type). ' +
  'Options as parts or query parameters: `mode` insert (default) or upsert (by id), `atomic` true ' +
  '(default: all rows or none) or false (the good rows, the others reported), `dryRun` true (check ' +
  'every row, write nothing), `mapping` a JSON object column → field (null skips a column).';

export const importFormSchema = {
  type: 'object',
  required: ['file'],
  properties: {
    file: { type: 'string', format: 'binary' },
    format: { type: 'string', enum: ['csv', 'json', 'ndjson', 'xlsx'] },
    mode: { type: 'string', enum: ['insert', 'upsert'] },
    atomic: { type: 'string', enum: ['true', 'false'] },
    dryRun: { type: 'string', enum: ['true', 'false'] },
    mapping: { type: 'string', description: 'A JSON object: column → field name, or null to skip it.' },
  },
};

interface CreateOperation {
  operationId: string;
  description: string;
  tags: string[];
  security: unknown[];
  responses: Record<string, unknown>;
}

export function importOperation(name: string, create: CreateOperation): Record<string, unknown> {
  const { '200': _record, ...problems } = create.responses;
  return {
    operationId: create.operationId.replace(/^create(.*)Record$/, 'import$1Records'),
    summary: `Import records into ${name} from CSV, JSON, NDJSON or XLSX`,
    description:
      `${create.description} Each row is a create (upsert: an update of the record with its id) with the ` +
      'same validation, rules and events; failed rows are reported with their number and field errors. ' +
      'A file that cannot be read, over PLINTH_IMPORT_MAX_BYTES or PLINTH_IMPORT_MAX_ROWS: 400.',
    tags: create.tags,
    security: create.security,
    requestBody: {
      required: true,
      description: IMPORT_FORM_DESCRIPTION,
      content: { 'multipart/form-data': { schema: importFormSchema } },
    },
    responses: {
      '200': {
        description: 'The import report.',
        content: { 'application/json': { schema: importReportSchema } },
      },
      ...problems,
    },
  };
}
