import { dateTime, objectSchema, pageSchema, str } from '@plinth/core';
import { FIELD_TYPES } from '../schema/collection.types.js';

const rule = {
  type: ['string', 'null'],
  description:
    'null: admins only; "": anyone; otherwise a filter expression (@request.auth.*, @request.body.*, @now).',
};

/** A field as the API shows it (options flat on the field). The server checks each option against the type. */
export const fieldSchema = {
  type: 'object',
  required: ['name', 'type'],
  additionalProperties: false,
  properties: {
    id: { ...str, description: 'Server-assigned; kept on rename. Send it to rename or change a field.' },
    name: str,
    type: { type: 'string', enum: [...FIELD_TYPES] },
    required: { type: 'boolean' },
    unique: { type: 'boolean' },
    hidden: { type: 'boolean', description: 'Never returned except to admins.' },
    min: { type: 'number' },
    max: { type: 'number' },
    pattern: str,
    default: {},
    onlyInt: { type: 'boolean' },
    values: { type: 'array', items: str },
    maxSelect: { type: 'integer', minimum: 1 },
    collection: { ...str, description: 'relation: the target collection name.' },
    onDelete: { type: 'string', enum: ['cascade', 'restrict', 'set-null'] },
    maxSize: { type: 'integer', minimum: 1 },
    mimeTypes: { type: 'array', items: str },
    thumbs: { type: 'array', items: str },
    protected: { type: 'boolean' },
    inlinePdf: {
      type: 'boolean',
      description: 'file: show PDFs in the browser (inline) instead of downloading them. Default false.',
    },
    convertURLs: {
      type: 'boolean',
      description:
        "editor: PocketBase's dashboard hint for links; kept, not used by the server. Default false.",
    },
    searchable: {
      type: 'boolean',
      description:
        "text, editor, email: part of the collection's full-text search (`?search=`, `search()` in filters). Not on hidden fields.",
    },
    language: {
      ...str,
      description:
        'With searchable: a PostgreSQL text search configuration (pg_ts_config) the words are stemmed in: simple (the default), english, german…',
    },
    trigram: {
      type: 'boolean',
      description:
        'text: a pg_trgm index that serves `~` on large tables (the extension is created if it may be).',
    },
    onCreate: { type: 'boolean', description: 'autodate: set when the record is created. Default true.' },
    onUpdate: { type: 'boolean', description: 'autodate: set when the record is updated. Default false.' },
    autogeneratePattern: {
      ...str,
      description:
        "The `id` field of a text-id collection (PocketBase's): new record ids are made from this pattern.",
    },
    primaryKey: { type: 'boolean', description: 'true on the `id` field of a text-id collection.' },
    system: { type: 'boolean', description: 'true on the `id` field of a text-id collection.' },
    presentable: { type: 'boolean', description: "PocketBase's dashboard hint; accepted and not kept." },
  },
};

const indexSchema = objectSchema(
  { fields: { type: 'array', items: str, minItems: 1 }, unique: { type: 'boolean' } },
  { optional: ['unique'] },
);

export const collectionSchema = {
  type: 'object',
  description: 'A collection: a real table with fields, indexes and five access rules.',
  required: [
    'id',
    'name',
    'type',
    'fields',
    'indexes',
    'listRule',
    'viewRule',
    'createRule',
    'updateRule',
    'deleteRule',
  ],
  additionalProperties: false,
  properties: {
    id: str,
    name: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$' },
    type: { type: 'string', enum: ['base', 'auth', 'view'] },
    fields: { type: 'array', items: fieldSchema },
    indexes: { type: 'array', items: indexSchema },
    listRule: rule,
    viewRule: rule,
    createRule: rule,
    updateRule: rule,
    deleteRule: rule,
    oauth2: {
      type: 'object',
      additionalProperties: true,
      description:
        'auth collections: social sign-in {enabled, redirectAllowList, providers}; client secrets are answered as "".',
    },
    passwordAuth: {
      type: 'object',
      required: ['enabled', 'identityFields'],
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean' },
        identityFields: { type: 'array', items: { type: 'string' } },
      },
      description: 'auth collections: password sign-in on or off, and the unique fields an identity may be.',
    },
    authToken: {
      type: 'object',
      additionalProperties: true,
      properties: { duration: { type: 'integer', minimum: 1 } },
      description:
        "auth collections: PocketBase's token settings; duration (s) caps the access tokens' lifetime under PLINTH_ACCESS_TOKEN_TTL.",
    },
    authRule: { ...rule, description: 'auth collections: a rule an account must pass to sign in.' },
    manageRule: {
      ...rule,
      description:
        'auth collections: who may set password (without oldPassword), verified and email of a record they may update.',
    },
    mailLinks: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(
        ['verification', 'passwordReset', 'emailChange'].map((k) => [k, { type: ['string', 'null'] }]),
      ),
      description:
        "auth collections: the app's own pages for the account mails' links, URL templates with {TOKEN} (and {COLLECTION}); unset: Plinth's pages at /_/account/.",
    },
    otp: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean' },
        duration: { type: 'integer', minimum: 30, maximum: 86400 },
        length: { type: 'integer', minimum: 6, maximum: 12 },
        emailTemplate: {
          type: 'object',
          additionalProperties: false,
          properties: { subject: { type: 'string' }, body: { type: 'string' } },
        },
        linkAllowList: { type: 'array', items: { type: 'string' } },
      },
      description:
        "auth collections: PocketBase's email one-time codes (duration s, length digits, mail template with {OTP}); linkAllowList: app URLs magic links may open.",
    },
    mfa: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean' },
        duration: { type: 'integer', minimum: 60, maximum: 86400 },
        rule: { type: 'string' },
      },
      description:
        'auth collections: PocketBase\'s multi-factor sign-in: a second, different factor within duration s, for the accounts the rule matches ("": all).',
    },
    viewQuery: {
      type: 'string',
      maxLength: 20000,
      description:
        'view collections: one SELECT in PostgreSQL\'s dialect over collections, with an "id" column; the fields are inferred from it.',
    },
    viewDates: {
      type: 'object',
      required: ['created', 'updated'],
      additionalProperties: false,
      properties: { created: { type: 'boolean' }, updated: { type: 'boolean' } },
      description: 'view collections (answer only): whether the records have created / updated.',
    },
    options: {
      type: 'object',
      additionalProperties: true,
      description: 'Deprecated input: {oauth2, mailLinks} are read as the top-level keys. Never answered.',
    },
    created: dateTime,
    updated: dateTime,
  },
};

/** Create and update bodies: the collection shape; on PATCH every key is optional and fields match by id. */
const { required: _required, ...collectionWithoutRequired } = collectionSchema;
export const collectionBodySchema = {
  ...collectionWithoutRequired,
  description:
    'A collection definition. PATCH is partial; fields are matched by id (a known id with a new name renames).',
};

export const collectionPageSchema = pageSchema(collectionSchema);

const partItems = (what: string) => ({
  type: 'array',
  items: { type: 'object', additionalProperties: true },
  description: `${what}, without secrets (a webhook, hook or schedule made by an import gets a new secret: rotate it to see it).`,
});

export const exportSchema = objectSchema(
  {
    collections: { type: 'array', items: collectionSchema },
    webhooks: partItems('Webhooks'),
    hooks: partItems('Blocking hooks'),
    schedules: partItems('Schedules'),
  },
  { optional: ['webhooks', 'hooks', 'schedules'] },
);

const partChanges = {
  type: 'array',
  items: objectSchema(
    { id: str, name: str, action: { type: 'string', enum: ['create', 'update', 'delete'] } },
    { optional: ['id'] },
  ),
};

const valueChange = objectSchema(
  { key: str, from: { description: 'Absent: newly set.' }, to: { description: 'Absent: removed.' } },
  { optional: ['from', 'to'] },
);
const fieldSummary = objectSchema({ name: str, type: str });
const changeDetail = {
  previousName: { ...str, description: 'The former name of a renamed collection.' },
  added: { type: 'array', items: fieldSummary, description: 'New fields (every field of a new collection).' },
  removed: {
    type: 'array',
    items: fieldSummary,
    description: 'Fields dropped with their data in every record (every field of a deleted collection).',
  },
  changed: {
    type: 'array',
    description: 'Fields kept (matched by id) whose type or options differ.',
    items: objectSchema(
      {
        name: str,
        type: str,
        previousName: { ...str, description: 'The former name of a renamed field.' },
        changes: { type: 'array', items: valueChange },
      },
      { optional: ['previousName'] },
    ),
  },
  rules: {
    type: 'array',
    description: 'Rules whose text differs (every rule of a new collection, without `from`).',
    items: objectSchema({ rule: str, from: rule, to: rule }, { optional: ['from'] }),
  },
  indexes: objectSchema({
    added: { type: 'array', items: indexSchema },
    removed: { type: 'array', items: indexSchema },
  }),
  options: {
    type: 'array',
    items: valueChange,
    description: 'Other collection settings that differ (auth options; client secrets blanked).',
  },
  reordered: { type: 'boolean', description: 'true: the fields were reordered.' },
};

export const importResultSchema = objectSchema(
  {
    changes: {
      type: 'array',
      items: objectSchema(
        {
          collection: str,
          action: { type: 'string', enum: ['create', 'update', 'delete'] },
          fields: {
            type: 'array',
            items: str,
            description: 'Names of the fields added, changed or removed (all of them on create and delete).',
          },
          ...changeDetail,
        },
        { additional: true, optional: ['previousName', 'reordered'] },
      ),
    },
    webhooks: { ...partChanges, description: 'What the import did (or would do) to webhooks.' },
    hooks: { ...partChanges, description: 'What the import did (or would do) to blocking hooks.' },
    schedules: { ...partChanges, description: 'What the import did (or would do) to schedules.' },
  },
  { optional: ['webhooks', 'hooks', 'schedules'] },
);
