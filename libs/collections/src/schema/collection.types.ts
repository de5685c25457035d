import type { TextIdField } from '../fields/id-field.js';

/** The collection model as the API, the schema file and the database metadata see it (DESIGN §3). */

export const FIELD_TYPES = [
  'text',
  'number',
  'bool',
  'email',
  'url',
  'date',
  'select',
  'json',
  'relation',
  'file',
  'editor',
  'autodate',
  'geoPoint',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export type OnDelete = 'cascade' | 'restrict' | 'set-null';

/** A field; options sit flat on it. `id` is server-assigned and survives renames. */
export interface FieldDef {
  id: string;
  name: string;
  type: FieldType;
  required?: boolean;
  unique?: boolean;
  hidden?: boolean;
  /** text: min/max length; number: min/max value; select/relation/file multi: min/max items handled by maxSelect. */
  min?: number;
  max?: number;
  /** text: a regular expression the value must match. */
  pattern?: string;
  default?: unknown;
  /** number: integers only. */
  onlyInt?: boolean;
  /** select: the allowed values. */
  values?: string[];
  /** select, relation, file: 1 = single value (the default), > 1 = multiple (stored as an array). */
  maxSelect?: number;
  /** relation: target collection name (stored by id in metadata, shown by name). */
  collection?: string;
  onDelete?: OnDelete;
  /** file options (used by the storage lib). */
  maxSize?: number;
  mimeTypes?: string[];
  thumbs?: string[];
  protected?: boolean;
  /** file: serve PDFs inline (shown in the browser) rather than as downloads. */
  inlinePdf?: boolean;
  /** editor: PocketBase's dashboard hint for links (kept, not used by the server); maxSize is in bytes. */
  convertURLs?: boolean;
  /**
   * text, editor, email: part of the collection's full-text search vector (a generated `_search`
   * column with a GIN index), stemmed with `language` (a PostgreSQL text search configuration).
   */
  searchable?: boolean;
  language?: string;
  /** text: a pg_trgm GIN index, so `~` (ILIKE) is served by an index on large tables. */
  trigram?: boolean;
  /** autodate: set when the record is created / updated. */
  onCreate?: boolean;
  onUpdate?: boolean;
}

export interface IndexDef {
  fields: string[];
  unique?: boolean;
}

/** `view`: read-only records from a SELECT (libs/collections/src/views, docs/decisions/view-collections.md). */
export type CollectionType = 'base' | 'auth' | 'view';

export const RULE_NAMES = ['listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule'] as const;
export type RuleName = (typeof RULE_NAMES)[number];

export interface CollectionDef {
  id: string;
  name: string;
  type: CollectionType;
  fields: FieldDef[];
  indexes: IndexDef[];
  listRule: string | null;
  viewRule: string | null;
  createRule: string | null;
  updateRule: string | null;
  deleteRule: string | null;
  /** PocketBase's text record ids; absent: UUIDv7 ids. Answers show it as the first entry of `fields`. */
  idField?: TextIdField;
  /** auth collections: social sign-in (DESIGN §10), at the top level as in PocketBase. */
  oauth2?: Record<string, unknown>;
  /** auth collections: password sign-in on or off, and the fields an identity is looked up in. */
  passwordAuth?: { enabled: boolean; identityFields: string[] };
  /** auth collections: PocketBase's email one-time codes (and Plinth's magic links: linkAllowList). */
  otp?: OtpOptions;
  /** auth collections: PocketBase's multi-factor sign-in (a second, different factor after the first). */
  mfa?: MfaOptions;
  /** auth collections: PocketBase's access token settings (kept for its clients; PLINTH_ACCESS_TOKEN_TTL rules). */
  authToken?: { duration: number };
  /** auth collections: a rule the account must pass to sign in (null: nobody; "": everybody). */
  authRule?: string | null;
  /** auth collections: PocketBase's manage rule (kept; admins manage accounts in Plinth). */
  manageRule?: string | null;
  /** auth collections: the app's own pages for the account mails' links (`{TOKEN}` templates). */
  mailLinks?: Record<string, string | null>;
  /** view collections: the SELECT (PostgreSQL's dialect) their records are read from. */
  viewQuery?: string;
  /** view collections: whether the query has `created` / `updated` columns (records lack them otherwise). */
  viewDates?: { created: boolean; updated: boolean };
  /**
   * view collections (internal, never answered): the source collection and file field each file
   * field of the view shows straight, so its files are served from the source record.
   */
  viewFileSources?: Record<string, ViewFileSource>;
  created?: string;
  updated?: string;
}

/** Where a view's file field comes from: a collection (by name; a view too) and its file field. */
export interface ViewFileSource {
  collection: string;
  field: string;
}

/** The auth collection settings PocketBase keeps at a collection's top level (stored together). */
export const AUTH_OPTION_KEYS = [
  'oauth2',
  'passwordAuth',
  'authToken',
  'authRule',
  'manageRule',
  'mailLinks',
  'otp',
  'mfa',
] as const;

/** PocketBase's `otp` of an auth collection, plus `linkAllowList` (app URLs a magic link may open). */
export interface OtpOptions {
  enabled: boolean;
  /** Seconds a code lives (PocketBase's default 180). */
  duration: number;
  /** Digits of a code (PocketBase's default 8). */
  length: number;
  /** The mail's subject and text; `{OTP}` and `{APP_NAME}` are filled in. Empty: Plinth's wording. */
  emailTemplate: { subject: string; body: string };
  /** Where magic links may point: a `redirect` must start with one of these. Empty: no magic links. */
  linkAllowList: string[];
}

/** PocketBase's `mfa` of an auth collection. */
export interface MfaOptions {
  enabled: boolean;
  /** Seconds between the first factor and the second (PocketBase's default 1800). */
  duration: number;
  /** Who must give a second factor: "" everyone, else a rule over the account. */
  rule: string;
}

export const DEFAULT_OTP: OtpOptions = {
  enabled: false,
  duration: 180,
  length: 8,
  emailTemplate: { subject: '', body: '' },
  linkAllowList: [],
};
export const DEFAULT_MFA: MfaOptions = { enabled: false, duration: 1800, rule: '' };

/** Columns every record has; no field may take these names. */
export const SYSTEM_COLUMNS = ['id', 'created', 'updated'] as const;

/** Extra columns of auth collections (DESIGN §3); `password_hash` and `token_key` are never returned. */
export const AUTH_COLUMNS = ['email', 'emailVisibility', 'verified', 'password_hash', 'token_key'] as const;

/** Names a field may not take (system columns, auth columns, API words). */
export const RESERVED_FIELD_NAMES = new Set<string>([
  ...SYSTEM_COLUMNS,
  ...AUTH_COLUMNS,
  'password',
  'passwordConfirm',
  'oldPassword',
  'tokenKey',
  'collectionId',
  'collectionName',
  'expand',
]);

export const NAME_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;
export const FIELD_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;

/** PostgreSQL and API words a collection may not be named (`export`: GET /api/collections/export). */
export const RESERVED_COLLECTION_NAMES = new Set<string>([
  'collections',
  'export',
  'import',
  'admins',
  'keys',
  'batch',
  'files',
  'push',
  'realtime',
  'settings',
  'health',
  'ready',
  'metrics',
  'select',
  'table',
  'user',
  'order',
  'group',
  'where',
  'from',
  'limit',
  'offset',
  'default',
  'null',
  'true',
  'false',
  'all',
  'any',
  'and',
  'or',
  'not',
  'primary',
  'references',
  'check',
  'constraint',
  'create',
  'drop',
  'alter',
  'grant',
  'role',
  'schema',
]);

export const isMultiple = (f: FieldDef): boolean =>
  (f.type === 'select' || f.type === 'relation' || f.type === 'file') && (f.maxSelect ?? 1) > 1;
