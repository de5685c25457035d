import type { paths } from './generated/openapi.js';

/** Fields every record has. */
export interface BaseRecord {
  id: string;
  collectionId: string;
  collectionName: string;
  created: string;
  updated: string;
}

/** A record when no generated Schema says more. */
export interface RecordModel extends BaseRecord {
  expand?: Record<string, unknown>;
  [field: string]: unknown;
}

/** The types of one collection, as `plinth typegen` writes them. */
export interface CollectionTypes {
  type?: 'base' | 'auth' | 'view';
  record: object;
  create: object;
  update: object;
  expand: object;
}

/** The Schema of a client without generated types: any collection, loosely typed records. */
export interface UntypedCollection {
  type?: 'base' | 'auth' | 'view';
  record: RecordModel;
  create: Record<string, unknown>;
  update: Record<string, unknown>;
  expand: Record<string, unknown>;
}

export type { DefaultSchema } from './default-schema.js';

/** Collection names a client accepts: those of its Schema, or any string without one. */
export type CollectionName<S> = string extends keyof S ? string : Extract<keyof S, string>;

/** The types of collection `N` of Schema `S`. */
export type CollectionOf<S, N extends string> = N extends keyof S
  ? S[N] extends CollectionTypes
    ? S[N]
    : UntypedCollection
  : UntypedCollection;

/** A record as lists and views answer it: with the relations asked for through `expand`. */
export type RecordWithExpand<C extends CollectionTypes> = WithoutExpand<C['record']> & {
  expand?: Partial<C['expand']>;
};

/** `Omit` would flatten a record with an index signature (RecordModel) to `{ [k: string]: unknown }`. */
type WithoutExpand<R> = string extends keyof R ? R : Omit<R, 'expand'>;

/** The list envelope (PocketBase's shape); totals are -1 with `skipTotal`. */
export interface ListResult<T> {
  page: number;
  perPage: number;
  totalItems: number;
  totalPages: number;
  items: T[];
}

/** Options every call takes. */
export interface RequestOptions {
  /** Aborts the request; the call then rejects with a PlinthError whose `isAbort` is true. */
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

export interface RecordViewOptions extends RequestOptions {
  /** Relations to expand: `author,comments.author`. */
  expand?: string;
  /** Top-level keys to return: `id,title`. */
  fields?: string;
}

export interface ListOptions extends RecordViewOptions {
  /** A filter expression; bind values with `client.filter()`. */
  filter?: string;
  /** `-created,title`. */
  sort?: string;
  /** Skip counting: faster, totals are -1. */
  skipTotal?: boolean;
  /**
   * Full-text search over the collection's searchable fields (quoted phrases, `-word`, `or`); best
   * match first unless `sort` says otherwise (`@rank` names the relevance). Items carry
   * `meta: { rank, highlight? }` (see SearchMeta).
   */
  search?: string;
  /** With `search`: fields whose matches come back as HTML snippets in `meta.highlight` (`<mark>`). */
  highlight?: string | string[];
}

/** What each item of a search carries besides the record. */
export interface SearchMeta {
  /** Relevance, higher is better. */
  rank: number;
  /** Field name → a snippet of it, HTML-escaped, with the matched words in `<mark>…</mark>`. */
  highlight?: Record<string, string>;
}

/** `count()`, `sum(total)`, `count_distinct(owner)`… as the aggregate endpoint names them. */
export type AggregateExpression =
  'count()' | `${'count' | 'count_distinct' | 'sum' | 'avg' | 'min' | 'max'}(${string})`;

/** Options of `collection(name).aggregate()`. */
export interface AggregateOptions extends RequestOptions {
  /** Group fields; dates may take a bucket: `['status', 'created:day']` (hour, day, week, month, year; UTC). */
  groupBy?: string | string[];
  /** At most 10; default `count()`. */
  fields?: AggregateExpression | AggregateExpression[];
  /** Which records count (with the list rule, applied before grouping). */
  filter?: string;
  /** Which groups are kept, over the group fields and aggregate keys: `count > 5 && sum_total >= 100`. */
  having?: string;
  /** Over the group fields and aggregate keys: `-count,status`; default the group fields ascending. */
  sort?: string;
  page?: number;
  /** Groups per page, 1 to 1,000 (default 100). */
  perPage?: number;
}

/**
 * One group: its group fields by name (a bucketed date as the bucket's start, ISO 8601 UTC) and its
 * aggregates by key (`count`, `sum_total`, `avg_total`, `min_created`, `count_distinct_owner`).
 */
export type AggregateGroup = Record<string, string | number | boolean | null>;

export interface AggregateResult {
  page: number;
  perPage: number;
  /** Groups in all (after `having`). */
  totalGroups: number;
  items: AggregateGroup[];
}

/** Options of `collection(name).export()`: the list's filter, sort, fields and expand, and the file format. */
export interface ExportOptions extends Omit<ListOptions, 'skipTotal'> {
  /** csv (the default), json (one array), ndjson (one record per line) or xlsx (Excel). */
  format?: 'csv' | 'json' | 'ndjson' | 'xlsx';
}

/** Options of `collection(name).import(file)`. */
export interface ImportOptions extends RequestOptions {
  /** The file's format; by default told from its name, then its type. */
  format?: 'csv' | 'json' | 'ndjson' | 'xlsx';
  /** insert (the default) creates every row; upsert updates the record with a row's id when it exists. */
  mode?: 'insert' | 'upsert';
  /** true (the default): every row or none; false: the good rows, the others reported. */
  atomic?: boolean;
  /** Check every row (validation, rules, unique values) and write nothing. */
  dryRun?: boolean;
  /** Column → field name; null skips a column. Columns named as fields map to them by default. */
  mapping?: Record<string, string | null>;
  /** The file name sent (tells the format); defaults to the File's own name. */
  fileName?: string;
}

/** The answer of a records import. */
export interface ImportReport {
  format: 'csv' | 'json' | 'ndjson' | 'xlsx';
  mode: 'insert' | 'upsert';
  atomic: boolean;
  dryRun: boolean;
  /** Whether rows were written: false for a dry run and for an atomic import with a failed row. */
  committed: boolean;
  total: number;
  inserted: number;
  updated: number;
  failedCount: number;
  /** The first 1000 failed rows: the data row number (from 1) and its problems. */
  failed: Array<{ row: number; errors: Array<{ path: string; code: string; message: string }> }>;
  columns: Record<string, string | null>;
  unknownColumns: string[];
  ignoredColumns: string[];
}

export interface FullListOptions extends ListOptions {
  /** Records per request (default 500, the server's maximum). */
  batch?: number;
}

/** `{ token, refreshToken, record }` from sign-in and refresh (`meta.isNew` after a social sign-in). */
export interface AuthResult<R = RecordModel> {
  token: string;
  refreshToken: string;
  record: R;
  meta?: { isNew?: boolean };
}

// ---- answers of the static API, from sdk/openapi.json (openapi-typescript) ----

type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never;

/** The JSON answer of `method path` with `status`, as the server's OpenAPI document describes it. */
export type ApiAnswer<
  P extends keyof paths,
  M extends 'get' | 'post' | 'put' | 'patch' | 'delete',
  S extends number = 200,
> = paths[P][M] extends { responses: infer Rs } ? (S extends keyof Rs ? JsonOf<Rs[S]> : never) : never;

export type AdminModel = ApiAnswer<'/api/admins/auth-with-password', 'post'>['admin'];

export type AuthMethods = ApiAnswer<'/api/collections/{collection}/auth-methods', 'get'>;

/** An account's authenticator (TOTP second factor). */
export interface TotpStatus {
  enrolled: boolean;
  confirmed: boolean;
  confirmedAt: string | null;
  recoveryCodesLeft: number;
}

// ---- admin API (the console's calls) ----

export type FieldType =
  | 'text'
  | 'number'
  | 'bool'
  | 'email'
  | 'url'
  | 'date'
  | 'select'
  | 'json'
  | 'relation'
  | 'file'
  | 'editor'
  | 'autodate'
  | 'geoPoint';

/** A geoPoint field's value; `{ lon: 0, lat: 0 }` is empty. */
export interface GeoPoint {
  lon: number;
  lat: number;
}

/** A field of a collection; options sit flat on it (DESIGN §3). */
export interface FieldModel {
  id?: string;
  name: string;
  type: FieldType;
  required?: boolean;
  unique?: boolean;
  hidden?: boolean;
  min?: number;
  max?: number;
  pattern?: string;
  default?: unknown;
  onlyInt?: boolean;
  values?: string[];
  maxSelect?: number;
  collection?: string;
  onDelete?: 'cascade' | 'restrict' | 'set-null';
  maxSize?: number;
  mimeTypes?: string[];
  thumbs?: string[];
  protected?: boolean;
  inlinePdf?: boolean;
  /** editor: PocketBase's dashboard hint for links (maxSize is the editor's limit in bytes). */
  convertURLs?: boolean;
  /** autodate: set by the server on create and/or update. */
  onCreate?: boolean;
  onUpdate?: boolean;
  /** text, editor, email: part of the collection's full-text search, stemmed in `language`. */
  searchable?: boolean;
  /** A PostgreSQL text search configuration: simple (the default), english, german… */
  language?: string;
  /** text: a pg_trgm index that serves `~` on large tables. */
  trigram?: boolean;
  [option: string]: unknown;
}

export interface CollectionModel {
  id?: string;
  name: string;
  type: 'base' | 'auth' | 'view';
  fields: FieldModel[];
  indexes?: Array<{ fields: string[]; unique?: boolean }>;
  listRule?: string | null;
  viewRule?: string | null;
  createRule?: string | null;
  updateRule?: string | null;
  deleteRule?: string | null;
  /** auth collections (PocketBase's top-level settings): social sign-in; secrets are answered as "". */
  oauth2?: Record<string, unknown>;
  passwordAuth?: { enabled: boolean; identityFields: string[] };
  authToken?: { duration: number };
  authRule?: string | null;
  manageRule?: string | null;
  /** auth collections: PocketBase's email one-time codes, plus the app URLs magic links may open. */
  otp?: {
    enabled: boolean;
    duration?: number;
    length?: number;
    emailTemplate?: { subject: string; body: string };
    linkAllowList?: string[];
  };
  /** auth collections: PocketBase's multi-factor sign-in ("" rule: every account). */
  mfa?: { enabled: boolean; duration?: number; rule?: string };
  /** view collections: the SELECT their read-only records come from; fields are inferred from it. */
  viewQuery?: string;
  /** view collections (answers): whether records have created / updated. */
  viewDates?: { created: boolean; updated: boolean };
  created?: string;
  updated?: string;
}

/**
 * One line of an import plan: what happens to which collection, field by field (added, removed with
 * their data, changed options), rule by rule, and to its indexes and options.
 */
export type SchemaChange = ApiAnswer<'/api/collections/import', 'put'>['changes'][number];

export type ApiKeyModel = ApiAnswer<'/api/keys', 'get'>['items'][number];

/** The answer of `keys.create`: the only time `key` is shown. */
export type NewApiKey = ApiAnswer<'/api/keys', 'post'>;

export type SettingsModel = Record<string, Record<string, unknown>>;

/** Which secrets are stored (never their values) and where the app's name and URLs come from. */
export type SettingsStatus = ApiAnswer<'/api/settings/status', 'get'>;

/** "On create/update/delete of a record of this collection, send this push" (admin). */
export type PushTrigger = ApiAnswer<'/api/push/triggers/{collection}', 'get'>['triggers'][number];

// ---- push ----

export interface WebPushSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export type DeviceRegistration =
  | { platform: 'fcm' | 'apns'; token: string; appId?: string; locale?: string }
  | {
      platform: 'webpush';
      /** `{endpoint, keys}`, or the browser's PushSubscription itself. */
      subscription: WebPushSubscription | { toJSON(): unknown };
      appId?: string;
      locale?: string;
    };

export type DeviceModel = ApiAnswer<'/api/push/devices', 'post'>;

export interface PushNotification {
  title: string;
  body?: string;
  [key: string]: unknown;
}

/** Who a push goes to: users' devices, devices, topic subscribers, users a filter over `collection` (default `users`) matches. */
export interface PushTargets {
  users?: string[];
  devices?: string[];
  topics?: string[];
  filter?: string;
  collection?: string;
}

export interface PushSendInput {
  targets: PushTargets;
  notification: PushNotification;
  data?: Record<string, string>;
  idempotencyKey?: string;
  scheduledAt?: string | Date;
}

export type PushMessageModel = ApiAnswer<'/api/push/messages/{id}', 'get'>;

/** The answer of `push.send`: the message id and how many active devices it was addressed to. */
export type PushSendResult = ApiAnswer<'/api/push/send', 'post', 202>;

/** What a send to some targets would reach now (`push.recipients`). */
export type PushRecipients = ApiAnswer<'/api/push/recipients', 'post'>;
