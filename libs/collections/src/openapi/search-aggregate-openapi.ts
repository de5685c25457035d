/** The OpenAPI of a collection's search parameters and aggregate path (docs/decisions/search-and-aggregates.md). */
import {
  AGGREGATE_FUNCTIONS,
  BUCKETS,
  DEFAULT_GROUPS_PER_PAGE,
  MAX_AGGREGATES,
  MAX_GROUP_FIELDS,
  MAX_GROUPS_PER_PAGE,
} from '../records/read/aggregate-query.js';
import { MAX_HIGHLIGHT_FIELDS } from '../records/read/search-plan.js';
import { MAX_SEARCH_LENGTH } from '../filter/search-sql.js';
import type { CollectionDef } from '../schema/collection.types.js';
import type { JSONSchema } from '../validation/record-schemas.js';
import { searchFieldsOf } from '../schema/search-column.js';

const query = (name: string, description: string, schema: Record<string, unknown> = { type: 'string' }) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
});

/** `search` and `highlight` of the list, when the collection has searchable fields. */
export function searchParameters(def: CollectionDef): unknown[] {
  const fields = searchFieldsOf(def).map((f) => f.name);
  if (fields.length === 0) return [];
  return [
    query(
      'search',
      `Full-text search over ${fields.join(', ')} (websearch syntax: "quoted phrase", -exclude, or); best match first unless sort says otherwise (\`@rank\` names the relevance and must come first). Each item then has \`meta: { rank: number, highlight?: { <field>: string } }\`. At most ${MAX_SEARCH_LENGTH} characters.`,
      { type: 'string', maxLength: MAX_SEARCH_LENGTH },
    ),
    query(
      'highlight',
      `With search: up to ${MAX_HIGHLIGHT_FIELDS} text, editor or email fields, comma-separated, whose matches come back in \`meta.highlight\` as HTML-escaped snippets with <mark>…</mark> around the words.`,
    ),
  ];
}

/**
 * A list item of a searchable collection: the record, and with `search` its `meta`; undefined for
 * a collection without searchable fields.
 */
export function searchHitSchema(def: CollectionDef, record: JSONSchema): JSONSchema | undefined {
  if (searchFieldsOf(def).length === 0) return undefined;
  return {
    ...record,
    properties: {
      ...record.properties,
      meta: {
        type: 'object',
        description: 'Only with search: the relevance (higher is better) and the highlighted snippets.',
        required: ['rank'],
        additionalProperties: false,
        properties: {
          rank: { type: 'number' },
          highlight: {
            type: 'object',
            description: 'Field → HTML-escaped text with <mark>…</mark> around the matched words.',
            additionalProperties: { type: 'string' },
          },
        },
      },
    },
  };
}

/** GET /api/collections/{name}/aggregate, answered whenever the list is. */
export function aggregateOperation(
  def: CollectionDef,
  list: { tags?: unknown; security?: unknown; description?: string },
  operationId: string,
) {
  return {
    operationId,
    summary: `Group and aggregate records of ${def.name}`,
    description: `${list.description ?? ''} The list rule narrows the records before they are grouped. Bad expressions answer 400 AGGREGATE_INVALID naming the parameter.`,
    tags: list.tags,
    security: list.security,
    parameters: [
      query(
        'groupBy',
        `Up to ${MAX_GROUP_FIELDS} fields, comma-separated; dates may take a bucket (${BUCKETS.join(', ')}; UTC): \`status,created:day\`.`,
      ),
      query(
        'fields',
        `Up to ${MAX_AGGREGATES} aggregates: count(), ${AGGREGATE_FUNCTIONS.filter((f) => f !== 'count')
          .map((f) => `${f}(field)`)
          .join(
            ', ',
          )}, count(field). Keys in the answer: \`count\`, \`<function>_<field>\`. Default count().`,
      ),
      query('filter', 'Which records count (with the list rule).'),
      query(
        'having',
        'Which groups are kept: a filter over the group fields and aggregate keys (`count > 5`).',
      ),
      query(
        'sort',
        'Over the group fields and aggregate keys (`-count,status`); default the group fields ascending.',
      ),
      query('page', 'Page number, from 1.', { type: 'integer', minimum: 1, default: 1 }),
      query('perPage', `Groups per page, at most ${MAX_GROUPS_PER_PAGE}.`, {
        type: 'integer',
        minimum: 1,
        maximum: MAX_GROUPS_PER_PAGE,
        default: DEFAULT_GROUPS_PER_PAGE,
      }),
    ],
    responses: {
      '200': {
        description: 'One page of groups.',
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['page', 'perPage', 'totalGroups', 'items'],
              additionalProperties: false,
              properties: {
                page: { type: 'integer' },
                perPage: { type: 'integer' },
                totalGroups: { type: 'integer' },
                items: {
                  type: 'array',
                  items: {
                    type: 'object',
                    description:
                      'The group fields by name (a bucket as its start, ISO 8601) and the aggregates by key.',
                    additionalProperties: true,
                  },
                },
              },
            },
          },
        },
      },
      '4XX': { $ref: '#/components/responses/Problem' },
      '5XX': { $ref: '#/components/responses/Problem' },
    },
  };
}
