import { normalizeIdField, type TextIdField } from '../fields/id-field.js';
import type { CollectionDef } from './collection.types.js';
import type { SchemaIssue } from './schema-issue.js';

type Json = Record<string, unknown>;

/** What PocketBase's collection shape becomes before Plinth's own validation reads it. */
export interface PocketBaseAdapted {
  body: Json;
  /** The `id` entry of `fields`, when the body has one (undefined when it was invalid: see issues). */
  idField?: TextIdField;
  idFieldGiven: boolean;
  issues: SchemaIssue[];
  /** The original index of each entry left in `body.fields`, so problems name the client's index. */
  origin: number[];
}

const isJson = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** PocketBase's built-in fields that are Plinth's own columns (same meaning), by name and type. */
const BUILT_IN: Record<'base' | 'auth', Record<string, string>> = {
  base: { created: 'autodate', updated: 'autodate' },
  auth: {
    created: 'autodate',
    updated: 'autodate',
    email: 'email',
    emailVisibility: 'bool',
    verified: 'bool',
    password: 'password',
    tokenKey: 'text',
  },
};

/** Whether an entry speaks PocketBase (its zero-valued options then mean "no limit", as there). */
const PB_MARKERS = ['system', 'presentable', 'primaryKey', 'autogeneratePattern', 'collectionId', 'noDecimal'];

/** Options whose zero value PocketBase sends on every field; only their zero value maps. */
const ZERO_ONLY: Record<string, (v: unknown) => boolean> = {
  autogeneratePattern: (v) => v === '',
  primaryKey: (v) => v === false,
  exceptDomains: (v) => v === null || (Array.isArray(v) && v.length === 0),
  onlyDomains: (v) => v === null || (Array.isArray(v) && v.length === 0),
  minSelect: (v) => v === 0 || v === null,
  help: (v) => v === '',
};

/**
 * Maps PocketBase 0.23+'s collection shape (what the `pocketbase` SDK sends) onto Plinth's: the
 * `id` field, relation `collectionId`/`cascadeDelete`, `noDecimal`, `system`/`presentable`, built-in
 * auth and autodate fields, zero-valued options. What cannot be honoured is refused by name.
 */
export function fromPocketBaseShape(
  input: Json,
  existing: CollectionDef | null,
  all: readonly CollectionDef[],
): PocketBaseAdapted {
  const issues: SchemaIssue[] = [];
  const add = (path: string, code: SchemaIssue['code'], message: string) => issues.push({ path, code, message });
  const body: Json = { ...input };
  const out: PocketBaseAdapted = { body, idFieldGiven: false, issues, origin: [] };
  if (body.system !== undefined && body.system !== false)
    add('system', 'INVALID_VALUE', 'Plinth has no system collections; remove "system".');
  delete body.system;
  if (!Array.isArray(input.fields)) return out;

  const type = (input.type ?? existing?.type) === 'auth' ? 'auth' : 'base';
  const selfIds = new Set([existing?.id, typeof input.id === 'string' ? input.id : undefined]);
  const fields: unknown[] = [];
  input.fields.forEach((raw: unknown, i) => {
    const path = `fields.${i}`;
    if (!isJson(raw)) {
      fields.push(raw);
      out.origin.push(i);
      return;
    }
    if (raw.name === 'id') {
      out.idFieldGiven = true;
      out.idField = normalizeIdField(raw, path, add);
      return;
    }
    const builtIn = typeof raw.name === 'string' ? BUILT_IN[type][raw.name] : undefined;
    if (builtIn !== undefined && raw.type === builtIn && (raw.system === true || builtIn === 'autodate')) return;

    const f: Json = { ...raw };
    const speaksPb = PB_MARKERS.some((k) => f[k] !== undefined);
    if (f.system !== undefined && f.system !== false)
      add(`${path}.system`, 'INVALID_VALUE', 'Plinth has no system fields besides "id" and its built-in ones; remove "system".');
    delete f.system;
    if (typeof f.presentable === 'boolean') delete f.presentable; // a hint for PocketBase's dashboard only
    for (const [key, isZero] of Object.entries(ZERO_ONLY)) {
      if (f[key] === undefined) continue;
      if (!isZero(f[key]))
        add(`${path}.${key}`, 'OPTION_NOT_ALLOWED', `Plinth cannot honour "${key}" yet; remove it.`);
      delete f[key];
    }
    if (f.noDecimal !== undefined && f.type === 'number') {
      if (f.onlyInt === undefined) f.onlyInt = f.noDecimal;
      delete f.noDecimal;
    }
    if (speaksPb) {
      // PocketBase writes "no limit" as 0 (or null); Plinth leaves the option out.
      for (const key of ['min', 'max', 'maxSize'] as const) {
        if (f[key] === 0 || f[key] === null || f[key] === '') delete f[key];
      }
      if (f.maxSelect === 0 || f.maxSelect === null) f.maxSelect = 1;
      for (const key of ['mimeTypes', 'thumbs', 'values'] as const) if (f[key] === null) delete f[key];
    }
    if (f.type === 'relation') relation(f, path, selfIds, input, all, add);
    fields.push(f);
    out.origin.push(i);
  });
  body.fields = fields;
  return out;
}

function relation(
  f: Json,
  path: string,
  selfIds: Set<string | undefined>,
  input: Json,
  all: readonly CollectionDef[],
  add: (path: string, code: SchemaIssue['code'], message: string) => void,
): void {
  if (f.collectionId !== undefined) {
    const id = f.collectionId;
    const target =
      typeof id === 'string' && selfIds.has(id)
        ? (input.name as string | undefined)
        : all.find((c) => c.id === id || c.name === id)?.name;
    if (target === undefined) {
      add(
        `${path}.collectionId`,
        'RELATION_TARGET_NOT_FOUND',
        `There is no collection with the id ${JSON.stringify(String(id)).slice(0, 60)} to relate to; create it first or correct "collectionId".`,
      );
    } else if (f.collection !== undefined && f.collection !== target) {
      add(`${path}.collectionId`, 'INVALID_VALUE', '"collectionId" and "collection" name different collections; give one.');
    } else {
      f.collection = target;
    }
    delete f.collectionId;
  }
  if (f.cascadeDelete !== undefined) {
    if (typeof f.cascadeDelete !== 'boolean') {
      add(`${path}.cascadeDelete`, 'INVALID_TYPE', '"cascadeDelete" must be true or false.');
    } else if (f.onDelete === undefined && f.cascadeDelete) {
      f.onDelete = 'cascade';
    } else if (f.onDelete !== undefined && (f.onDelete === 'cascade') !== f.cascadeDelete) {
      add(`${path}.cascadeDelete`, 'INVALID_VALUE', '"cascadeDelete" and "onDelete" disagree; give one.');
    }
    delete f.cascadeDelete;
  }
}
