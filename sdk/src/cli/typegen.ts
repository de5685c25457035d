/**
 * Turns the per-collection component schemas of a Plinth OpenAPI document (`<name>.record`,
 * `<name>.create`, `<name>.update`, annotated with `x-plinth-*`) into a TypeScript module whose
 * `Schema` type makes `createClient<Schema>()` typed. Pure: no I/O.
 */

type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  description?: string;
  $ref?: string;
  'x-plinth-type'?: string;
  'x-plinth-collection'?: string;
  'x-plinth-max-select'?: number;
  'x-plinth-collection-type'?: string;
  [keyword: string]: unknown;
};

type Kind = 'record' | 'create' | 'update';
const KINDS: readonly Kind[] = ['record', 'create', 'update'];

interface CollectionSchemas {
  name: string;
  typeName: string;
  collectionType: 'base' | 'auth' | 'view';
  schemas: Partial<Record<Kind, JsonSchema>>;
}

/** `posts` → `Posts`, `blog_posts` → `BlogPosts`. */
export function pascalCase(name: string): string {
  const s = name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');
  return /^[A-Za-z_]/.test(s) ? s : `C${s}`;
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const propName = (name: string) => (IDENT.test(name) ? name : JSON.stringify(name));

function literal(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return JSON.stringify(v);
  return 'unknown';
}

function union(parts: string[]): string {
  const unique = [...new Set(parts)];
  if (unique.includes('unknown')) return 'unknown';
  return unique.length ? unique.join(' | ') : 'never';
}

function comment(text: string | undefined, indent: string): string {
  if (!text) return '';
  const clean = text.replace(/\*\//g, '*\\/').replace(/\r?\n/g, ' ').trim();
  return `${indent}/** ${clean} */\n`;
}

/** Collects the collections of a document, sorted by name. */
export function collectionsOf(doc: unknown): CollectionSchemas[] {
  const schemas = ((doc as { components?: { schemas?: Record<string, JsonSchema> } })?.components?.schemas ??
    {}) as Record<string, JsonSchema>;
  const byName = new Map<string, CollectionSchemas>();
  for (const [key, schema] of Object.entries(schemas)) {
    const dot = key.lastIndexOf('.');
    if (dot <= 0) continue;
    const suffix = key.slice(dot + 1);
    const kind: Kind | null =
      suffix === 'response' ? 'record' : KINDS.includes(suffix as Kind) ? (suffix as Kind) : null;
    if (!kind || !schema || typeof schema !== 'object') continue;
    const name = key.slice(0, dot);
    let entry = byName.get(name);
    if (!entry) {
      entry = { name, typeName: '', collectionType: 'base', schemas: {} };
      byName.set(name, entry);
    }
    // `.record` wins over an older `.response`.
    if (kind === 'record' && entry.schemas.record && suffix === 'response') continue;
    entry.schemas[kind] = schema;
    const type = schema['x-plinth-collection-type'];
    if (type === 'auth' || type === 'view') entry.collectionType = type;
  }
  const list = [...byName.values()]
    .filter((c) => c.schemas.record)
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const taken = new Set<string>();
  for (const c of list) {
    let typeName = pascalCase(c.name);
    for (let i = 2; taken.has(typeName); i++) typeName = `${pascalCase(c.name)}${i}`;
    taken.add(typeName);
    c.typeName = typeName;
  }
  return list;
}

/** The TypeScript type of a JSON Schema (the subset Plinth emits). */
function tsType(s: JsonSchema | boolean | undefined, refs: Map<string, string>): string {
  if (s === undefined || s === true || s === null || typeof s !== 'object')
    return s === false ? 'never' : 'unknown';
  if (typeof s.$ref === 'string') return refs.get(s.$ref.replace('#/components/schemas/', '')) ?? 'unknown';
  if ('const' in s) return literal(s.const);
  if (Array.isArray(s.enum)) return union(s.enum.map(literal));
  const types = Array.isArray(s.type) ? s.type : typeof s.type === 'string' ? [s.type] : [];
  if (!types.length) {
    const alternatives = s.anyOf ?? s.oneOf;
    if (Array.isArray(alternatives) && alternatives.length) {
      return union(alternatives.map((a) => tsType(a, refs)));
    }
    return 'unknown';
  }
  return union(
    types.map((t) => {
      switch (t) {
        case 'string':
          return 'string';
        case 'number':
        case 'integer':
          return 'number';
        case 'boolean':
          return 'boolean';
        case 'null':
          return 'null';
        case 'array':
          return `Array<${tsType(s.items, refs)}>`;
        case 'object':
          return objectType(s, refs, '');
        default:
          return 'unknown';
      }
    }),
  );
}

function objectType(s: JsonSchema, refs: Map<string, string>, indent: string): string {
  const props = Object.entries(s.properties ?? {});
  if (!props.length) return 'Record<string, unknown>';
  const required = new Set(s.required ?? []);
  const lines = props.map(
    ([k, v]) => `${indent}  ${propName(k)}${required.has(k) ? '' : '?'}: ${tsType(v, refs)};`,
  );
  return `{\n${lines.join('\n')}\n${indent}}`;
}

const SYSTEM_KEYS = [
  'id',
  'collectionId',
  'collectionName',
  'created',
  'updated',
  'email',
  'emailVisibility',
  'verified',
];

/** System keys first (in their usual order), then the fields as the document lists them. */
function orderedProperties(s: JsonSchema): Array<[string, JsonSchema]> {
  const entries = Object.entries(s.properties ?? {});
  const rank = (k: string) => (SYSTEM_KEYS.includes(k) ? SYSTEM_KEYS.indexOf(k) : SYSTEM_KEYS.length);
  return entries
    .map((e, i) => ({ e, i }))
    .sort((a, b) => rank(a.e[0]) - rank(b.e[0]) || a.i - b.i)
    .map(({ e }) => e);
}

/** File fields in create/update bodies: kept names, or Blob/File values the client uploads. */
function fileInputType(s: JsonSchema): string {
  const types = Array.isArray(s.type) ? s.type : [s.type];
  const nullable = types.includes('null') ? ' | null' : '';
  return types.includes('array') ? `Array<string | Blob>${nullable}` : `string | Blob${nullable}`;
}

/** The interface body for one of a collection's schemas. */
function interfaceBody(c: CollectionSchemas, kind: Kind, refs: Map<string, string>): string {
  const s = c.schemas[kind]!;
  const required = new Set(s.required ?? []);
  const lines: string[] = [];
  for (const [key, prop] of orderedProperties(s)) {
    if (kind === 'record' && key === 'expand') continue;
    let type: string;
    if (kind === 'record' && key === 'collectionId') type = 'string';
    else if (kind === 'record' && key === 'collectionName') type = JSON.stringify(c.name);
    else if (kind !== 'record' && prop?.['x-plinth-type'] === 'file') type = fileInputType(prop);
    else type = tsType(prop, refs);
    lines.push(
      comment(prop?.description, '  ') + `  ${propName(key)}${required.has(key) ? '' : '?'}: ${type};`,
    );
  }
  return lines.join('\n');
}

/** `expand` of a collection: each relation field → the target's record (array when multiple). */
function expandBody(c: CollectionSchemas, byName: Map<string, CollectionSchemas>): string {
  const lines: string[] = [];
  for (const [key, prop] of Object.entries(c.schemas.record?.properties ?? {})) {
    if (prop?.['x-plinth-type'] !== 'relation') continue;
    const target = byName.get(prop['x-plinth-collection'] ?? '');
    const types = Array.isArray(prop.type) ? prop.type : [prop.type];
    const multi = types.includes('array') || (prop['x-plinth-max-select'] ?? 1) > 1;
    const one = target
      ? `${target.typeName}Record & { expand?: Partial<${target.typeName}Expand> }`
      : 'Record<string, unknown>';
    lines.push(`  ${propName(key)}: ${multi ? `Array<${one}>` : one};`);
  }
  return lines.join('\n');
}

/** Generates the module text: one Record/Create/Update/Expand interface per collection and `Schema`. */
export function generateTypes(doc: unknown, options: { header?: string[] } = {}): string {
  const collections = collectionsOf(doc);
  const byName = new Map(collections.map((c) => [c.name, c]));
  const refs = new Map<string, string>();
  for (const c of collections) {
    refs.set(`${c.name}.record`, `${c.typeName}Record`);
    refs.set(`${c.name}.create`, `${c.typeName}Create`);
    refs.set(`${c.name}.update`, `${c.typeName}Update`);
  }
  const out: string[] = [
    ...(options.header ?? [
      "// Generated by `plinth typegen` from the server's OpenAPI document. Do not edit: run it again.",
      '// Use: `createClient<Schema>({ url })` from @plinth/sdk.',
    ]),
    '/* eslint-disable */',
    '',
  ];
  for (const c of collections) {
    const T = c.typeName;
    out.push(`/** A record of "${c.name}" (${c.collectionType} collection). */`);
    out.push(`export interface ${T}Record {\n${interfaceBody(c, 'record', refs)}\n}`, '');
    if (c.schemas.create) {
      out.push(`/** The body to create a record of "${c.name}". */`);
      out.push(`export interface ${T}Create {\n${interfaceBody(c, 'create', refs)}\n}`, '');
    } else out.push(`export type ${T}Create = Record<string, never>;`, '');
    if (c.schemas.update) {
      out.push(`/** The body to update a record of "${c.name}"; every field is optional. */`);
      out.push(`export interface ${T}Update {\n${interfaceBody(c, 'update', refs)}\n}`, '');
    } else out.push(`export type ${T}Update = Record<string, never>;`, '');
    const expand = expandBody(c, byName);
    out.push(`/** The relations of "${c.name}" that \`expand\` can fill. */`);
    out.push(
      expand
        ? `export interface ${T}Expand {\n${expand}\n}`
        : `export type ${T}Expand = Record<string, never>;`,
      '',
    );
  }
  out.push('/** Every collection of the server, for `createClient<Schema>()`. */');
  out.push('export interface Schema {');
  for (const c of collections) {
    const T = c.typeName;
    out.push(
      // A view collection is read-only: no body creates or updates its records.
      `  ${propName(c.name)}: { type: ${JSON.stringify(c.collectionType)}; record: ${T}Record; create: ${c.collectionType === 'view' ? 'never' : `${T}Create`}; update: ${c.collectionType === 'view' ? 'never' : `${T}Update`}; expand: ${T}Expand };`,
    );
  }
  out.push('}', '', 'export type CollectionName = keyof Schema;', '');
  return out.join('\n');
}

/**
 * The declaration of `default-schema` for a package served at GET /api/sdk.tgz: the generated types,
 * with `DefaultSchema` = `Schema`, so `createClient()` is typed without a type argument. With no
 * collection to show, the client stays untyped rather than accepting none.
 */
export function generateDefaultSchemaModule(doc: unknown): string {
  const typed = collectionsOf(doc).length > 0;
  return [
    generateTypes(doc, {
      header: [
        '// Generated by the server (GET /api/sdk.tgz) from its OpenAPI document as the caller sees it.',
        '// Install the package again after a schema change; `createClient()` uses this `Schema`.',
      ],
    }),
    "import type { UntypedCollection } from './types.js';",
    '',
    "/** The Schema of `createClient()` without a type argument: this server's collections. */",
    typed
      ? 'export type DefaultSchema = Schema;'
      : 'export type DefaultSchema = Record<string, UntypedCollection>;',
    '',
  ].join('\n');
}
