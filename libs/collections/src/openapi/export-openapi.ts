/** The export path of one collection, built from its list operation (same rule, filter, sort, fields, expand). */

const EXPORT_PARAMS = new Set(['filter', 'sort', 'fields', 'expand']);

interface ListOperation {
  operationId: string;
  description: string;
  tags: string[];
  security: unknown[];
  parameters: Array<{ name: string }>;
  responses: Record<string, unknown>;
}

export function exportOperation(
  name: string,
  list: ListOperation,
  recordRef: string,
): Record<string, unknown> {
  const { '200': _page, ...problems } = list.responses;
  return {
    operationId: list.operationId.replace(/^list/, 'export'),
    summary: `Export records of ${name} as CSV, JSON, NDJSON or XLSX`,
    description:
      `${list.description} Every record the list would give (no paging), streamed as an attachment named ` +
      `${name}-<yyyy-mm-dd>.<format>. Relations are ids, dates ISO 8601. In CSV: a header row of the fields ` +
      '(`fields` chooses them), lists and objects as JSON, empty values empty, text starting with = + - @ ' +
      "prefixed with ' against CSV injection. XLSX: one sheet as the CSV, numbers and booleans as such.",
    tags: list.tags,
    security: list.security,
    parameters: [
      {
        name: 'format',
        in: 'query',
        required: false,
        description: 'csv (the default), json (one array), ndjson (one record per line) or xlsx (Excel).',
        schema: { type: 'string', enum: ['csv', 'json', 'ndjson', 'xlsx'], default: 'csv' },
      },
      ...list.parameters.filter((p) => EXPORT_PARAMS.has(p.name)),
    ],
    responses: {
      '200': {
        description: 'The records, streamed.',
        content: {
          'text/csv': { schema: { type: 'string' } },
          'application/json': { schema: { type: 'array', items: { $ref: recordRef } } },
          'application/x-ndjson': { schema: { type: 'string' } },
          'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
            schema: { type: 'string', format: 'binary' },
          },
        },
      },
      ...problems,
    },
  };
}
