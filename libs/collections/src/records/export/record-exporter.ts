import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { AppError, type Principal } from '@plinth/core';
import { parseListQuery } from '../list-query.js';
import { type ListPlan, RecordReader } from '../read/record-reader.js';
import type { Row } from '../record-sql.js';
import { type RecordCursor, RecordsRepository } from '../records.repository.js';
import { csvLine } from './csv.js';
import { xlsxChunks } from './xlsx.js';

export const EXPORT_FORMATS = ['csv', 'json', 'ndjson', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Rows read from the cursor at a time: memory stays flat whatever the table's size. */
export const EXPORT_BATCH = 1000;

const CONTENT_TYPE: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** An export ready to stream: the first batch is read, so a failing query still answers a problem. */
export interface RecordExport {
  fileName: string;
  contentType: string;
  body: Readable;
}

/**
 * Exports of a collection's records as CSV, JSON, NDJSON or XLSX: the list's SQL for the caller (rule,
 * filter, sort, hidden fields; RecordReader.plan) read through a server-side cursor in a read-only
 * transaction on the request pool (every FETCH under its statement timeout), 1000 rows at a time,
 * and streamed with backpressure. A client that goes away stops the reading and frees the connection.
 */
@Injectable()
export class RecordExporter {
  /** Exports reading now: each holds a request-pool connection, so at most a quarter of the pool may. */
  private running = 0;

  constructor(
    private readonly reader: RecordReader,
    private readonly records: RecordsRepository,
  ) {}

  async open(
    collection: string,
    query: Record<string, unknown>,
    principal: Principal,
  ): Promise<RecordExport> {
    const format = parseFormat(query.format);
    const q = parseListQuery({
      filter: query.filter,
      sort: query.sort,
      fields: query.fields,
      expand: query.expand,
    });
    const plan = this.reader.plan(collection, q, principal);
    const max = Math.max(1, Math.floor((this.records.pool.options.max ?? 10) / 4));
    if (this.running >= max) {
      throw new AppError(
        'QUERY_TIMEOUT',
        `${max} exports are running on this server, the most it runs at once. Try again in a moment.`,
        { headers: { 'retry-after': '5' } },
      );
    }
    this.running++;
    let closed = false;
    let cursor: RecordCursor;
    let first: Row[];
    try {
      cursor = await this.records.openCursor(plan.c, plan.where, plan.order);
    } catch (err) {
      this.running--;
      throw err;
    }
    const release = async () => {
      if (closed) return;
      closed = true;
      this.running--;
      await cursor.close();
    };
    try {
      first = await cursor.fetch(EXPORT_BATCH);
    } catch (err) {
      await release();
      throw err;
    }
    const present = (rows: Row[]) => this.reader.present(plan, rows, q.fields, principal);
    const chunks = encode(format, plan, q.fields, batches(cursor, first, present, release));
    const body = Readable.from(chunks, { objectMode: false });
    // A stream destroyed before its first read never runs the generators' finally.
    body.once('close', () => void release());
    const date = new Date().toISOString().slice(0, 10);
    return {
      fileName: `${plan.c.def.name.replace(/[^\w-]/g, '_')}-${date}.${format}`,
      contentType: CONTENT_TYPE[format],
      body,
    };
  }
}

function parseFormat(raw: unknown): ExportFormat {
  const format = raw === undefined || raw === '' ? 'csv' : raw;
  if (typeof format === 'string' && (EXPORT_FORMATS as readonly string[]).includes(format)) {
    return format as ExportFormat;
  }
  const supported = EXPORT_FORMATS.join(', ');
  const message = `must be one of ${supported}`;
  throw new AppError('INVALID_QUERY', `format: ${message}.`, {
    errors: [{ path: 'format', code: 'INVALID_VALUE', message }],
  });
}

/** The records, presented, one batch at a time; the connection is freed when reading stops for any reason. */
async function* batches(
  cursor: RecordCursor,
  first: Row[],
  present: (rows: Row[]) => Promise<Row[]>,
  release: () => Promise<void>,
): AsyncGenerator<Row[]> {
  try {
    let rows = first;
    while (rows.length) {
      yield await present(rows);
      if (rows.length < EXPORT_BATCH) break;
      rows = await cursor.fetch(EXPORT_BATCH);
    }
  } finally {
    await release();
  }
}

/** CSV and XLSX columns: `fields` when given, else the record's own (without collectionId/Name), then expand. */
function csvColumns(plan: ListPlan, fields: string[] | undefined): string[] {
  const { c, caller } = plan;
  const own = ['id', 'created', 'updated'];
  if (c.isAuth) own.push('email', 'emailVisibility', 'verified');
  for (const col of caller.canSeeHidden ? c.fieldColumns : c.visibleColumns) own.push(col.name);
  if (plan.expand) own.push('expand');
  if (!fields || fields.includes('*')) return own;
  return [...new Set(fields.map((f) => f.split('.')[0]!))];
}

async function* encode(
  format: ExportFormat,
  plan: ListPlan,
  fields: string[] | undefined,
  source: AsyncGenerator<Row[]>,
): AsyncGenerator<string | Buffer> {
  if (format === 'xlsx') {
    yield* xlsxChunks(plan.c.def.name, csvColumns(plan, fields), source);
    return;
  }
  if (format === 'csv') {
    const columns = csvColumns(plan, fields);
    yield csvLine(columns);
    for await (const rows of source) yield rows.map((r) => csvLine(columns.map((k) => r[k]))).join('');
    return;
  }
  if (format === 'ndjson') {
    for await (const rows of source) yield rows.map((r) => `${JSON.stringify(r)}\n`).join('');
    return;
  }
  let sep = '[\n';
  for await (const rows of source) {
    yield rows.map((r, i) => `${i === 0 ? sep : ',\n'}${JSON.stringify(r)}`).join('');
    if (rows.length) sep = ',\n';
  }
  yield sep === '[\n' ? '[]\n' : '\n]\n';
}
