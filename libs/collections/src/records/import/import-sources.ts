import { createReadStream } from 'node:fs';
import { AppError } from '@plinth/core';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';

export const IMPORT_FORMATS = ['csv', 'json', 'ndjson', 'xlsx'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** One data row of an import file: `row` counts data rows from 1 (a CSV's or sheet's header is row 0). */
export interface SourceRow {
  row: number;
  /** Column → cell: text from CSV, typed values from JSON and NDJSON, cells from XLSX. */
  values: Record<string, unknown>;
}

/** A JSON item or NDJSON line larger than this is refused (a record body's size, as PLINTH_BODY_LIMIT). */
const MAX_ITEM_CHARS = 4 * 1024 * 1024;

export function invalidFile(detail: string): AppError {
  return new AppError('RECORDS_IMPORT_INVALID', detail);
}

/** The format from `format`, else the file's extension, else its content type, else its first bytes. */
export function importFormatOf(
  given: string | undefined,
  fileName: string,
  contentType: string,
  head: Buffer,
): ImportFormat {
  if (given) {
    if ((IMPORT_FORMATS as readonly string[]).includes(given)) return given as ImportFormat;
    throw new AppError('RECORDS_IMPORT_INVALID', `format: must be one of ${IMPORT_FORMATS.join(', ')}.`, {
      errors: [
        { path: 'format', code: 'INVALID_VALUE', message: `must be one of ${IMPORT_FORMATS.join(', ')}` },
      ],
    });
  }
  const ext = /\.([a-z]+)$/i.exec(fileName)?.[1]?.toLowerCase();
  if (ext === 'jsonl') return 'ndjson';
  if (ext && (IMPORT_FORMATS as readonly string[]).includes(ext)) return ext as ImportFormat;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'text/csv') return 'csv';
  if (type === 'application/json') return 'json';
  if (type === 'application/x-ndjson' || type === 'application/jsonl') return 'ndjson';
  if (type === 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet') return 'xlsx';
  if (head.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) return 'xlsx';
  const first = head
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart()[0];
  if (first === '[') return 'json';
  if (first === '{') return 'ndjson';
  return 'csv';
}

/** The file as UTF-8 text, chunk by chunk; invalid UTF-8 is a 400 naming the byte offset. */
async function* utf8Text(path: string): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let offset = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) {
    const bytes = chunk as Buffer;
    try {
      const text = decoder.decode(bytes, { stream: true });
      if (text) yield text;
    } catch {
      throw notUtf8(offset);
    }
    offset += bytes.length;
  }
  try {
    const rest = decoder.decode();
    if (rest) yield rest;
  } catch {
    throw notUtf8(offset);
  }
}

function notUtf8(offset: number): AppError {
  return invalidFile(
    `The file is not UTF-8 text (an invalid byte near byte ${offset}). Save or export it as UTF-8 ` +
      '(in Excel: "CSV UTF-8"), or upload the .xlsx itself.',
  );
}

/** The rows of an import file, streamed; a file that cannot be read as its format throws a 400. */
export function readRows(
  path: string,
  format: ImportFormat,
  onColumns: (names: string[]) => void = () => undefined,
): AsyncGenerator<SourceRow> {
  switch (format) {
    case 'csv':
      return csvRows(path, onColumns);
    case 'json':
      return jsonArrayRows(path);
    case 'ndjson':
      return ndjsonRows(path);
    case 'xlsx':
      return xlsxRows(path, onColumns);
  }
}

/** Header names: trimmed, a BOM dropped; empty or repeated names are refused. */
function header(cells: unknown[], where: string): string[] {
  const names = cells.map((c) =>
    (c === null || c === undefined ? '' : String(c)).replace(/^\uFEFF/, '').trim(),
  );
  const seen = new Set<string>();
  for (const [i, name] of names.entries()) {
    if (!name)
      throw invalidFile(`${where}: column ${i + 1} of the header row has no name. Name every column.`);
    if (seen.has(name)) throw invalidFile(`${where}: the header row names "${name.slice(0, 100)}" twice.`);
    seen.add(name);
  }
  return names;
}

function tooManyCells(row: number, columns: number): AppError {
  return invalidFile(`Row ${row} has more cells than the header row has columns (${columns}).`);
}

async function* csvRows(path: string, onColumns: (names: string[]) => void): AsyncGenerator<SourceRow> {
  const parser = parse({
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: MAX_ITEM_CHARS,
  });
  // The decoded text is written into the parser; a parser that stopped (an error, the reader gone) ends it.
  const feed = (async () => {
    try {
      for await (const text of utf8Text(path)) {
        if (parser.destroyed) return;
        if (!parser.write(text)) {
          await new Promise<void>((resolve) => {
            const done = () => {
              parser.off('drain', done).off('close', done);
              resolve();
            };
            parser.on('drain', done).on('close', done);
          });
        }
      }
      if (!parser.destroyed) parser.end();
    } catch (err) {
      parser.destroy(err as Error);
    }
  })();
  let columns: string[] | undefined;
  let row = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (!columns) {
        columns = header(record, 'CSV');
        onColumns(columns);
        continue;
      }
      row++;
      if (record.length > columns.length && record.slice(columns.length).some((c) => c !== '')) {
        throw tooManyCells(row, columns.length);
      }
      const values: Record<string, unknown> = {};
      for (const [i, name] of columns.entries()) values[name] = record[i] ?? '';
      yield { row, values };
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    const e = err as { code?: string; message?: string; lines?: number };
    if (e.code?.startsWith('CSV_')) {
      throw invalidFile(
        `The CSV cannot be read near line ${e.lines ?? '?'}: ${e.message ?? e.code}. Check its quotes: ` +
          'a quoted field ends with a quote, and quotes inside it are doubled.',
      );
    }
    throw err;
  } finally {
    parser.destroy();
    await feed;
  }
  if (!columns) throw invalidFile('The CSV is empty: its first line must name the columns.');
}

async function* ndjsonRows(path: string): AsyncGenerator<SourceRow> {
  let rest = '';
  let line = 0;
  let row = 0;
  const one = (text: string): SourceRow | undefined => {
    line++;
    if (!text.trim()) return undefined;
    row++;
    return { row, values: jsonObject(text, `Line ${line}`) };
  };
  for await (const text of utf8Text(path)) {
    const lines = (rest + text).split('\n');
    rest = lines.pop()!;
    if (rest.length > MAX_ITEM_CHARS)
      throw invalidFile(`Line ${line + 1} is longer than ${MAX_ITEM_CHARS} characters.`);
    for (const l of lines) {
      const r = one(l);
      if (r) yield r;
    }
  }
  const r = one(rest);
  if (r) yield r;
}

function jsonObject(text: string, where: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidFile(`${where} is not valid JSON.`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidFile(`${where} is not a JSON object: each record is one object of field values.`);
  }
  return value as Record<string, unknown>;
}

/**
 * A JSON array of objects, one item at a time: the scanner finds where each top-level item ends
 * (strings and nesting tracked) and parses only that item, so the whole file is never in memory.
 */
async function* jsonArrayRows(path: string): AsyncGenerator<SourceRow> {
  let state = 'start' as 'start' | 'item' | 'in' | 'after' | 'end';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let item = '';
  let row = 0;
  const where = () => `Item ${row + 1} of the JSON array`;
  for await (const text of utf8Text(path)) {
    let from = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (state === 'in') {
        if (inString) {
          if (escaped) escaped = false;
          else if (ch === '\\') escaped = true;
          else if (ch === '"') inString = false;
        } else if (ch === '"') inString = true;
        else if (ch === '{' || ch === '[') depth++;
        else if (ch === '}' || ch === ']') {
          depth--;
          if (depth === 0) {
            item += text.slice(from, i + 1);
            row++;
            yield { row, values: jsonObject(item, `Item ${row} of the JSON array`) };
            item = '';
            state = 'after';
          }
        }
        continue;
      }
      if (ch === ' ' || ch === '\n' || ch === '\r' || ch === '\t' || ch === '\uFEFF') continue;
      if (state === 'start' && ch === '[') state = 'item';
      else if (state === 'item' && ch === '{') {
        state = 'in';
        depth = 1;
        from = i;
      } else if (state === 'item' && ch === ']' && row === 0) state = 'end';
      else if (state === 'after' && ch === ',') state = 'item';
      else if (state === 'after' && ch === ']') state = 'end';
      else if (state === 'item')
        throw invalidFile(`${where()} is not a JSON object: each record is one object.`);
      else if (state === 'start')
        throw invalidFile('The JSON file is not an array: send [ {record}, {record}, ... ].');
      else throw invalidFile(`The JSON array is not valid after item ${row}.`);
    }
    if (state === 'in') {
      item += text.slice(from);
      if (item.length > MAX_ITEM_CHARS)
        throw invalidFile(`${where()} is longer than ${MAX_ITEM_CHARS} characters.`);
    }
  }
  if (state !== 'end')
    throw invalidFile('The JSON array ends early: the file is cut off or not one JSON array.');
}

/** A cell as exceljs reads it: rich text, formulas and hyperlinks become their text or result. */
function xlsxCell(value: unknown): unknown {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value !== 'object') return value;
  const v = value as {
    richText?: Array<{ text: string }>;
    result?: unknown;
    formula?: string;
    text?: unknown;
    error?: string;
  };
  if (v.richText) return v.richText.map((r) => r.text).join('');
  if ('formula' in v || 'sharedFormula' in v) return xlsxCell(v.result);
  if (v.text !== undefined) return xlsxCell(v.text);
  if (v.error) return v.error;
  return JSON.stringify(value);
}

/** The first worksheet: its first row with values names the columns; `row` is the sheet row − 1. */
async function* xlsxRows(path: string, onColumns: (names: string[]) => void): AsyncGenerator<SourceRow> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    entries: 'ignore',
  });
  let columns: string[] | undefined;
  let headerAt = 0;
  try {
    for await (const sheet of reader) {
      for await (const r of sheet as unknown as AsyncIterable<{ number: number; values: unknown[] }>) {
        const cells = Array.isArray(r.values) ? r.values.slice(1) : [];
        if (!columns) {
          while (cells.length && (cells[cells.length - 1] === undefined || cells[cells.length - 1] === null))
            cells.pop();
          if (!cells.length) continue;
          columns = header(cells, 'The sheet');
          onColumns(columns);
          headerAt = r.number;
          continue;
        }
        const row = r.number - headerAt;
        if (cells.length > columns.length && cells.slice(columns.length).some((c) => xlsxCell(c) !== '')) {
          throw tooManyCells(row, columns.length);
        }
        const values: Record<string, unknown> = {};
        for (const [i, name] of columns.entries()) values[name] = xlsxCell(cells[i]);
        yield { row, values };
      }
      break; // only the first worksheet
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw invalidFile(
      `The XLSX file cannot be read (${(err as Error).message?.slice(0, 200) ?? 'unknown error'}). ` +
        'Save it again from your spreadsheet as an Excel workbook (.xlsx).',
    );
  }
  if (!columns) throw invalidFile('The first worksheet is empty: its first row must name the columns.');
}
