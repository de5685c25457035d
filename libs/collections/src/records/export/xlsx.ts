import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Row } from '../record-sql.js';

/** Cells a spreadsheet would run as a formula when typed in: the CSV export's escape, kept in XLSX. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One exported value as an XLSX cell: numbers and booleans as such, null empty, lists and objects as
 * JSON text, text that starts like a formula prefixed with `'` (as CSV: a cell edited and confirmed in
 * a spreadsheet would otherwise become a formula). Strings are always written as text, never formulas.
 */
export function xlsxValue(value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string') return FORMULA_START.test(value) ? `'${value}` : value;
  return JSON.stringify(value);
}

function drainedOrClosed(out: PassThrough): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done).off('close', done);
      resolve();
    };
    out.on('drain', done).on('close', done);
  });
}

/**
 * An XLSX workbook of one sheet (the columns, then a row per record), written by exceljs' streaming
 * writer batch by batch: the rows are never all in memory, and the next batch is read only when the
 * output drained.
 */
export async function* xlsxChunks(
  sheet: string,
  columns: string[],
  source: AsyncGenerator<Row[]>,
): AsyncGenerator<Buffer> {
  const out = new PassThrough();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: false,
    useSharedStrings: false,
  });
  const worksheet = workbook.addWorksheet(sheet.slice(0, 31) || 'records');
  let stopped = false;
  const write = (async () => {
    worksheet.addRow(columns).commit();
    for await (const rows of source) {
      if (stopped) break;
      for (const r of rows) worksheet.addRow(columns.map((k) => xlsxValue(r[k]))).commit();
      // Let the archive compress this batch, then wait while the socket is behind.
      await new Promise((resolve) => setImmediate(resolve));
      while (!stopped && !out.destroyed && out.writableNeedDrain) {
        await drainedOrClosed(out);
      }
    }
    worksheet.commit();
    await workbook.commit();
  })().catch((err: unknown) => {
    out.destroy(err as Error);
  });
  try {
    for await (const chunk of out) yield chunk as Buffer;
    await write;
  } finally {
    stopped = true;
    if (!out.destroyed) out.destroy();
    await source.return(undefined);
  }
}
