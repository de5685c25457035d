import { Injectable } from '@nestjs/common';
import { Converter } from '@apiture/openapi-down-convert';
import { buildCollectionOpenApi, CollectionsRegistry } from '@plinth/collections';
import { problemSchema } from '@plinth/core';
import { stringify } from 'yaml';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- an OpenAPI document is JSON of many shapes

/** Who reads the document: admins see every collection; `collections: false` leaves them all out. */
export interface Viewer {
  admin: boolean;
  collections?: boolean;
}

interface CacheEntry {
  generation: number;
  doc: Doc;
  json: string;
  json30?: string;
  yaml?: string;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
/** The generic records routes are replaced by one set of paths per collection. */
const GENERIC_RECORD_PATHS = [
  '/api/collections/{collection}/records',
  '/api/collections/{collection}/records/{id}',
  '/api/collections/{collection}/records/export',
  '/api/collections/{collection}/records/import',
  '/api/collections/{collection}/aggregate',
];

/** Recursively sorts object keys (not arrays): the document is deterministic byte for byte. */
export function sortDeep<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sortDeep) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortDeep((value as Record<string, unknown>)[k])]),
    ) as T;
  }
  return value;
}

/** JSON Schema keywords OpenAPI 3.0 lacks that the converter leaves in place. */
function strip30(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(strip30);
  if (!node || typeof node !== 'object') return;
  const o = node as Record<string, unknown>;
  for (const k of ['if', 'then', 'else', '$schema', '$id', 'unevaluatedProperties', 'contentMediaType']) {
    if (k in o && (k !== 'if' || typeof o.if === 'object')) delete o[k];
  }
  // 3.0 wants at least one entry in `required`.
  if (Array.isArray(o.required) && o.required.length === 0) delete o.required;
  for (const v of Object.values(o)) strip30(v);
}

/**
 * The OpenAPI document: the static part that @nestjs/swagger scans from the controllers once at boot,
 * merged with one set of schemas and paths per collection the viewer may use. Built once per
 * schema generation and viewer kind, so a collection change shows at once (every replica reloads
 * its registry through Redis) and an unchanged schema costs nothing.
 */
@Injectable()
export class OpenApiService {
  private base?: Doc;
  private cache = new Map<string, CacheEntry>();

  constructor(private readonly registry: CollectionsRegistry) {}

  /** Takes the scanned document and gives it the shared parts: problems, security schemes, tags. */
  setStaticDocument(scanned: Doc): void {
    const doc: Doc = structuredClone(scanned);
    for (const p of GENERIC_RECORD_PATHS) delete doc.paths[p];
    doc.components ??= {};
    doc.components.schemas = { ...(doc.components.schemas ?? {}), Problem: problemSchema };
    doc.components.responses = {
      Problem: {
        description: 'A problem (RFC 9457): what went wrong and what to do.',
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      },
    };
    doc.components.securitySchemes = {
      adminToken: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'An admin token from POST /api/admins/auth-with-password.',
      },
      userToken: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'An app user token from POST /api/collections/{collection}/auth-with-password.',
      },
      apiKey: {
        type: 'http',
        scheme: 'bearer',
        description: 'An API key (plk_...) from POST /api/keys; its scopes limit what it may do.',
      },
    };
    for (const item of Object.values(doc.paths ?? {}) as Doc[]) {
      for (const method of METHODS) {
        const op = item[method];
        if (!op) continue;
        op.responses ??= {};
        op.responses['4XX'] ??= { $ref: '#/components/responses/Problem' };
        op.responses['5XX'] ??= { $ref: '#/components/responses/Problem' };
        op.security ??= [{}, { userToken: [] }, { adminToken: [] }, { apiKey: [] }];
      }
    }
    this.base = doc;
    this.cache.clear();
  }

  /** The OpenAPI 3.1 document for an admin (everything) or anyone else (what the rules expose). */
  document(viewer: Viewer): Doc {
    return this.entry(viewer).doc;
  }

  json(viewer: Viewer): string {
    return this.entry(viewer).json;
  }

  /** The same document in YAML, for generators and tools that take YAML. */
  yaml(viewer: Viewer): string {
    const entry = this.entry(viewer);
    // No anchors/aliases: every generator reads the plain tree.
    entry.yaml ??= stringify(entry.doc, { aliasDuplicateObjects: false, lineWidth: 0 });
    return entry.yaml;
  }

  /** The same document as OpenAPI 3.0.3, for generators without 3.1 support. */
  json30(viewer: Viewer): string {
    const entry = this.entry(viewer);
    if (!entry.json30) {
      const converted = new Converter(structuredClone(entry.doc), { allOfTransform: false }).convert() as Doc;
      strip30(converted.components);
      strip30(converted.paths);
      converted.openapi = '3.0.3';
      delete converted.jsonSchemaDialect;
      entry.json30 = JSON.stringify(sortDeep(converted));
    }
    return entry.json30;
  }

  private entry(viewer: Viewer): CacheEntry {
    if (!this.base) throw new Error('The OpenAPI document is not built yet');
    const withCollections = viewer.collections !== false;
    const key = `${viewer.admin ? 'admin' : 'public'}:${withCollections}`;
    const generation = this.registry.generation;
    const hit = this.cache.get(key);
    if (hit && hit.generation === generation) return hit;
    const doc: Doc = structuredClone(this.base);
    const defs = withCollections ? this.registry.all() : [];
    for (const def of [...defs].sort((a, b) => a.name.localeCompare(b.name))) {
      const part = buildCollectionOpenApi(def, viewer, this.registry.idTypes);
      if (!part) continue;
      Object.assign(doc.paths, part.paths);
      Object.assign(doc.components.schemas, part.schemas);
      doc.tags = [
        ...(doc.tags ?? []),
        {
          name: `collection: ${def.name}`,
          description: `Records of the ${def.type} collection "${def.name}".`,
        },
      ];
    }
    const sorted = sortDeep(doc);
    const entry: CacheEntry = { generation, doc: sorted, json: JSON.stringify(sorted) };
    this.cache.set(key, entry);
    return entry;
  }
}
