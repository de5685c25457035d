import { AppError, type FieldProblem } from '@plinth/core';
import { type FieldDef, isMultiple } from '../../schema/collection.types.js';

/** Columns an export writes that an import never sets: the server makes them. */
const SERVER_COLUMNS = new Set(['created', 'updated', 'collectionId', 'collectionName', 'expand']);
/** Auth collections' own keys, besides their fields. */
const AUTH_KEYS = ['email', 'emailVisibility', 'verified', 'password', 'passwordConfirm'];
const AUTH_BOOLS = new Set(['emailVisibility', 'verified']);

/** The import's columns: what each sets (a field or key), what it skips and why. */
export interface ColumnPlan {
  /** Column → the field or key it sets, or null when it is skipped. */
  mapping: Record<string, string | null>;
  /** Columns that name nothing of the collection and were not mapped: skipped, named in the answer. */
  unknownColumns: string[];
  /** Columns left out on purpose: server-made values (created, updated, ...), file and autodate fields. */
  ignoredColumns: string[];
}

export interface ImportTarget {
  fields: readonly FieldDef[];
  isAuth: boolean;
}

/** What a column may set on `target`: `id`, a field that clients write, or an auth key. */
function writable(target: ImportTarget, name: string): FieldDef | 'key' | 'skip' | undefined {
  if (name === 'id') return 'key';
  if (target.isAuth && AUTH_KEYS.includes(name)) return 'key';
  const field = target.fields.find((f) => f.name === name);
  if (!field) return SERVER_COLUMNS.has(name) ? 'skip' : undefined;
  return field.type === 'file' || field.type === 'autodate' ? 'skip' : field;
}

/**
 * The columns' plan: `mapping` (column → field name, or null/"" to skip) overrides the default,
 * which maps each column to the field of its name. A mapping to nothing the collection has is a 400.
 */
export function planColumns(
  target: ImportTarget,
  columns: readonly string[],
  mapping: Record<string, unknown> | undefined,
): ColumnPlan {
  const plan: ColumnPlan = { mapping: {}, unknownColumns: [], ignoredColumns: [] };
  const problems: FieldProblem[] = [];
  const used = new Map<string, string>();
  for (const column of columns) {
    const given = mapping && Object.hasOwn(mapping, column) ? mapping[column] : undefined;
    if (given === null || given === '') {
      plan.mapping[column] = null;
      continue;
    }
    const name = given === undefined ? column : given;
    const what = typeof name === 'string' ? writable(target, name) : undefined;
    if (given !== undefined && (typeof name !== 'string' || !what || what === 'skip')) {
      problems.push({
        path: `mapping.${column}`,
        code: 'INVALID_VALUE',
        message: `names "${String(name).slice(0, 100)}", which is no field that an import can set`,
      });
      continue;
    }
    if (!what) plan.unknownColumns.push(column);
    else if (what === 'skip') plan.ignoredColumns.push(column);
    const to = what && what !== 'skip' ? (name as string) : null;
    if (to && used.has(to)) {
      problems.push({
        path: `mapping.${column}`,
        code: 'INVALID_VALUE',
        message: `sets "${to}", which column "${used.get(to)}" sets already`,
      });
      continue;
    }
    if (to) used.set(to, column);
    plan.mapping[column] = to;
  }
  for (const key of Object.keys(mapping ?? {})) {
    if (!columns.includes(key)) {
      problems.push({ path: `mapping.${key}`, code: 'INVALID_VALUE', message: 'is no column of the file' });
    }
  }
  if (problems.length) {
    throw new AppError('RECORDS_IMPORT_INVALID', 'The column mapping does not fit the file and collection.', {
      errors: problems,
    });
  }
  return plan;
}

/**
 * A record body from one row. `typed` (JSON, NDJSON): values are taken as they are. Otherwise (CSV,
 * XLSX) text is read as the field's type: numbers, true/false, JSON arrays of multi-value fields
 * (or one value), JSON of json fields; an empty cell is the field's empty value; the export's
 * `'` before `= + - @` (CSV injection) is taken off again. Unreadable cells are field problems.
 */
export function rowBody(
  target: ImportTarget,
  plan: ColumnPlan,
  values: Record<string, unknown>,
  typed: boolean,
): { body: Record<string, unknown>; problems: FieldProblem[] } {
  const body: Record<string, unknown> = {};
  const problems: FieldProblem[] = [];
  for (const [column, to] of Object.entries(plan.mapping)) {
    if (!to || !Object.hasOwn(values, column)) continue;
    const raw = values[column];
    if (typed) {
      body[to] = raw;
      continue;
    }
    if (to === 'id') {
      const id = cellText(raw);
      if (id !== '') body.id = id;
      continue;
    }
    const field = target.fields.find((f) => f.name === to);
    try {
      const value = field ? fromCell(field, raw) : AUTH_BOOLS.has(to) ? toBool(cellText(raw)) : cellText(raw);
      if (value !== undefined) body[to] = value;
    } catch (err) {
      problems.push({ path: to, code: 'INVALID_VALUE', message: (err as Error).message });
    }
  }
  return { body, problems };
}

/** A cell as text, with the export's formula escape taken off. */
function cellText(raw: unknown): string {
  const text = raw === null || raw === undefined ? '' : typeof raw === 'string' ? raw : String(raw);
  return /^'[=+\-@\t\r]/.test(text) ? text.slice(1) : text;
}

function toBool(text: string): boolean | string {
  const v = text.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off', ''].includes(v)) return false;
  return text; // validation answers what a bool takes
}

function fromCell(field: FieldDef, raw: unknown): unknown {
  if (typeof raw === 'number' && field.type === 'number') return raw;
  if (typeof raw === 'boolean' && field.type === 'bool') return raw;
  const text = cellText(raw);
  if (isMultiple(field)) {
    if (text.trim() === '') return [];
    if (text.trimStart().startsWith('[')) {
      const list = parseJson(text, 'must be a JSON array of values, or one value');
      if (!Array.isArray(list)) throw new Error('must be a JSON array of values, or one value');
      return list;
    }
    return [text];
  }
  switch (field.type) {
    case 'number': {
      if (text.trim() === '') return null;
      const n = Number(text);
      return Number.isFinite(n) ? n : text;
    }
    case 'bool':
      return toBool(text);
    case 'json':
    case 'geoPoint':
      return text.trim() === '' ? null : parseJson(text, 'must hold JSON text');
    default:
      return text;
  }
}

function parseJson(text: string, message: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(message);
  }
}
