/**
 * The part of the OpenAPI 3.1 document that one collection contributes: its record schemas
 * (the same JSON Schemas that validate requests, see validation/record-schemas.ts) and its five
 * records paths with the list query documented. Pure; the server merges it into the static document.
 */
import { fieldModule } from '../fields/registry.js';
import type { CollectionDef, RuleName } from '../schema/collection.types.js';
import { ALL_UUID, type IdTypes } from '../fields/id-field.js';
import { buildRecordSchemas, type JSONSchema } from '../validation/record-schemas.js';
import { DEFAULT_PER_PAGE, MAX_PER_PAGE } from '../records/list-query.js';
import { VIEW_WRITE_RULES, viewRecordSchema } from '../views/view-openapi.js';
import { exportOperation } from './export-openapi.js';
import { importOperation } from './import-openapi.js';
import { aggregateOperation, searchHitSchema, searchParameters } from './search-aggregate-openapi.js';

export interface CollectionOpenApi {
  paths: Record<string, Record<string, unknown>>;
  schemas: Record<string, JSONSchema>;
}

/** `posts` → `Posts`, `blog_posts` → `BlogPosts`: for operation ids. */
export function pascalCase(name: string): string {
  return name
    .split('_')
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const problems = {
  '4XX': { $ref: '#/components/responses/Problem' },
  '5XX': { $ref: '#/components/responses/Problem' },
};

const expandParam = {
  name: 'expand',
  in: 'query',
  required: false,
  description:
    'Relation fields to expand, comma-separated, with dots for nested levels (`author,comments.author`). Expanded records pass their own collection view rule.',
  schema: { type: 'string' },
};
const fieldsParam = {
  name: 'fields',
  in: 'query',
  required: false,
  description: 'Only these fields in the answer, comma-separated (`id,title,expand.author`).',
  schema: { type: 'string' },
};
const idParam = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'The record id.',
  schema: { type: 'string' },
};

const RULE_TEXT: Record<RuleName, string> = {
  listRule: 'list',
  viewRule: 'view',
  createRule: 'create',
  updateRule: 'update',
  deleteRule: 'delete',
};

/** Rule text names hidden fields and the logic guarding records, so only admins read it. */
function ruleNote(def: CollectionDef, rule: RuleName, admin: boolean): string {
  const r = def[rule];
  if (r === null || r === undefined) return `Admins only (the ${RULE_TEXT[rule]} rule is null).`;
  if (r === '') return `Anyone may ${RULE_TEXT[rule]} (the rule is empty).`;
  if (!admin) return `The collection's ${RULE_TEXT[rule]} rule applies (its text is shown to admins only).`;
  return `Rule: \`${r}\`.`;
}

/** Adds the `x-plinth-*` annotations typegen reads, without touching the validation schemas. */
function annotate(def: CollectionDef, schema: JSONSchema, kind: 'record' | 'create' | 'update'): JSONSchema {
  const out: JSONSchema = { ...schema, title: `${def.name}.${kind}`, 'x-plinth-collection-type': def.type };
  const props: Record<string, JSONSchema> = { ...(schema.properties ?? {}) };
  for (const f of def.fields) {
    const p = props[f.name];
    if (!p) continue;
    const a: JSONSchema = { ...p, 'x-plinth-type': f.type, ...fieldModule(f).annotations?.(f) };
    props[f.name] = a;
  }
  for (const system of ['created', 'updated']) {
    if (props[system]) props[system] = { ...props[system], 'x-plinth-type': 'autodate' };
  }
  out.properties = props;
  return out;
}

/** Drops hidden fields from a schema (what non-admins see). */
function withoutHidden(schema: JSONSchema): JSONSchema {
  const props = Object.fromEntries(Object.entries(schema.properties ?? {}).filter(([, s]) => !s['x-hidden']));
  return {
    ...schema,
    properties: props,
    ...(schema.required ? { required: schema.required.filter((k) => k in props) } : {}),
  };
}

/**
 * The schemas and paths of one collection as `viewer` may use it: admins get every operation and
 * hidden fields; others only the operations whose rule is not null, without hidden fields.
 * Answers null when a non-admin may do nothing with the collection.
 */
export function buildCollectionOpenApi(
  def: CollectionDef,
  viewer: { admin: boolean },
  idTypes: IdTypes = ALL_UUID,
): CollectionOpenApi | null {
  const isView = def.type === 'view';
  const allowed = (rule: RuleName) =>
    !(isView && VIEW_WRITE_RULES.has(rule)) &&
    (viewer.admin || (def[rule] !== null && def[rule] !== undefined));
  if (
    !viewer.admin &&
    !(['listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule'] as const).some(allowed)
  ) {
    return null;
  }
  const built = buildRecordSchemas(def, idTypes);
  const strip = viewer.admin ? (s: JSONSchema) => s : withoutHidden;
  const names = { record: `${def.name}.record`, create: `${def.name}.create`, update: `${def.name}.update` };
  const response = isView ? viewRecordSchema(def, built.response) : built.response;
  const schemas: Record<string, JSONSchema> = { [names.record]: annotate(def, strip(response), 'record') };
  if (!isView) {
    schemas[names.create] = annotate(def, strip(built.create), 'create');
    schemas[names.update] = annotate(def, strip(built.update), 'update');
  }
  // A searchable collection's list items may carry `meta` (rank, highlights) when `search` is given.
  const listItem = searchHitSchema(def, schemas[names.record]!);
  if (listItem) schemas[`${def.name}.searchHit`] = listItem;
  const P = pascalCase(def.name);
  const tags = [`collection: ${def.name}`];
  const security = [{}, { userToken: [] }, { adminToken: [] }, { apiKey: [] }];
  const recordAnswer = (description: string) => ({
    description,
    content: { 'application/json': { schema: ref(names.record) } },
  });
  const body = (name: string, description: string) => ({
    required: true,
    description: `${description} As multipart/form-data: files under their field names, other fields as text (JSON-encoded for json and multi-value fields).`,
    content: {
      'application/json': { schema: ref(name) },
      'multipart/form-data': { schema: ref(name) },
    },
  });

  const collectionPath: Record<string, unknown> = {};
  const recordPath: Record<string, unknown> = {};
  if (allowed('listRule')) {
    collectionPath.get = {
      operationId: `list${P}Records`,
      summary: `List records of ${def.name}`,
      description: `${ruleNote(def, 'listRule', viewer.admin)} The list rule filters: records it hides are left out.`,
      tags,
      security,
      parameters: [
        {
          name: 'filter',
          in: 'query',
          required: false,
          description:
            "Filter expression (`published = true && views > 500`, `title ~ 'news'`, `author.name = 'x'`); at most 4,096 characters, 200 terms, nesting 32.",
          schema: { type: 'string', maxLength: 4096 },
        },
        {
          name: 'sort',
          in: 'query',
          required: false,
          description: 'Sort fields, comma-separated, `-` for descending (`-views,title`).',
          schema: { type: 'string' },
        },
        {
          name: 'page',
          in: 'query',
          required: false,
          description: 'Page number, from 1.',
          schema: { type: 'integer', minimum: 1, default: 1 },
        },
        {
          name: 'perPage',
          in: 'query',
          required: false,
          description: `Records per page; at most ${MAX_PER_PAGE} (larger values are clamped).`,
          schema: { type: 'integer', minimum: 1, default: DEFAULT_PER_PAGE },
        },
        {
          name: 'skipTotal',
          in: 'query',
          required: false,
          description: 'Skip counting: totalItems and totalPages are -1 (faster on large collections).',
          schema: { type: 'boolean', default: false },
        },
        fieldsParam,
        expandParam,
        ...searchParameters(def),
      ],
      responses: {
        '200': {
          description: 'One page of records.',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['page', 'perPage', 'totalItems', 'totalPages', 'items'],
                additionalProperties: false,
                properties: {
                  page: { type: 'integer' },
                  perPage: { type: 'integer' },
                  totalItems: { type: 'integer', description: '-1 with skipTotal.' },
                  totalPages: { type: 'integer', description: '-1 with skipTotal.' },
                  items: {
                    type: 'array',
                    items: ref(listItem ? `${def.name}.searchHit` : names.record),
                  },
                },
              },
            },
          },
        },
        ...problems,
      },
    };
  }
  if (allowed('createRule')) {
    collectionPath.post = {
      operationId: `create${P}Record`,
      summary: `Create a record in ${def.name}`,
      description: `${ruleNote(def, 'createRule', viewer.admin)} Refused by the rule: 403 RULE_REFUSED.`,
      tags,
      security,
      requestBody: body(names.create, `A new ${def.name} record.`),
      responses: { '200': recordAnswer('The created record.'), ...problems },
    };
  }
  if (allowed('viewRule')) {
    recordPath.get = {
      operationId: `view${P}Record`,
      summary: `View a record of ${def.name}`,
      description: `${ruleNote(def, 'viewRule', viewer.admin)} A record the rule hides answers 404.`,
      tags,
      security,
      parameters: [idParam, fieldsParam, expandParam],
      responses: { '200': recordAnswer('The record.'), ...problems },
    };
  }
  if (allowed('updateRule')) {
    recordPath.patch = {
      operationId: `update${P}Record`,
      summary: `Update a record of ${def.name}`,
      description: `${ruleNote(def, 'updateRule', viewer.admin)} Hidden by the view rule: 404; visible but refused: 403 RULE_REFUSED.`,
      tags,
      security,
      parameters: [idParam],
      requestBody: body(names.update, `The fields to change.`),
      responses: { '200': recordAnswer('The updated record.'), ...problems },
    };
  }
  if (allowed('deleteRule')) {
    recordPath.delete = {
      operationId: `delete${P}Record`,
      summary: `Delete a record of ${def.name}`,
      description: `${ruleNote(def, 'deleteRule', viewer.admin)} Hidden by the view rule: 404; visible but refused: 403 RULE_REFUSED.`,
      tags,
      security,
      parameters: [idParam],
      responses: { '204': { description: 'Deleted.' }, ...problems },
    };
  }
  const paths: Record<string, Record<string, unknown>> = {};
  if (Object.keys(collectionPath).length) paths[`/api/collections/${def.name}/records`] = collectionPath;
  if (Object.keys(recordPath).length) paths[`/api/collections/${def.name}/records/{id}`] = recordPath;
  if (collectionPath.get) {
    const list = collectionPath.get as Parameters<typeof exportOperation>[1];
    paths[`/api/collections/${def.name}/records/export`] = {
      get: exportOperation(def.name, list, ref(names.record).$ref),
    };
    paths[`/api/collections/${def.name}/aggregate`] = {
      get: aggregateOperation(def, list, `aggregate${P}Records`),
    };
  }
  if (collectionPath.post) {
    const create = collectionPath.post as Parameters<typeof importOperation>[1];
    paths[`/api/collections/${def.name}/records/import`] = { post: importOperation(def.name, create) };
  }
  return { paths, schemas };
}
