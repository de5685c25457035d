import type { PlinthClient, QueryValue } from '../client.js';
import { PlinthError } from '../errors.js';
import type { RealtimeCallback, RealtimeSubscribeOptions, RealtimeUnsubscribe } from '../realtime.js';
import type {
  AggregateOptions,
  AggregateResult,
  AuthMethods,
  AuthResult,
  CollectionTypes,
  ExportOptions,
  FullListOptions,
  ImportOptions,
  ImportReport,
  ListOptions,
  ListResult,
  RecordViewOptions,
  RecordWithExpand,
  RequestOptions,
  TotpStatus,
} from '../types.js';

const MAX_PER_PAGE = 500;

function listQuery(opts: ListOptions & { page?: number; perPage?: number }): Record<string, QueryValue> {
  return {
    page: opts.page,
    perPage: opts.perPage,
    filter: opts.filter,
    sort: opts.sort,
    expand: opts.expand,
    fields: opts.fields,
    skipTotal: opts.skipTotal ? 'true' : undefined,
    search: opts.search,
    highlight: Array.isArray(opts.highlight) ? opts.highlight.join(',') : opts.highlight,
  };
}

const list = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(',') : value);

const req = (opts?: RequestOptions) => ({ signal: opts?.signal, headers: opts?.headers });

const isBlob = (v: unknown): v is Blob => typeof Blob !== 'undefined' && v instanceof Blob;

/**
 * A body object that carries files (Blob/File values, or arrays of them) becomes multipart: the
 * files under their field names, everything else as JSON in `@jsonPayload` (PocketBase's shape).
 */
function withFiles(body: unknown): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body) || isBlob(body)) return body;
  if (typeof FormData !== 'undefined' && body instanceof FormData) return body;
  const entries = Object.entries(body as Record<string, unknown>);
  const hasFile = (v: unknown) => isBlob(v) || (Array.isArray(v) && v.length > 0 && v.every(isBlob));
  if (!entries.some(([, v]) => hasFile(v))) return body;
  const form = new FormData();
  const json: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    if (!hasFile(value)) json[key] = value;
    else for (const file of Array.isArray(value) ? value : [value]) form.append(key, file as Blob);
  }
  form.append('@jsonPayload', JSON.stringify(json));
  return form;
}

/**
 * The records API of one collection (`client.collection('posts')`), typed by the collection's
 * generated types when the client has a Schema. Auth collections also sign users in through it.
 */
export class RecordService<C extends CollectionTypes> {
  constructor(
    private readonly client: PlinthClient<unknown>,
    readonly name: string,
  ) {}

  private path(suffix = ''): string {
    return `/api/collections/${encodeURIComponent(this.name)}${suffix}`;
  }

  private recordPath(id: string): string {
    return this.path(`/records/${encodeURIComponent(id)}`);
  }

  /** One page: `getList(1, 20, { filter, sort, expand })` or `getList({ page, perPage, ... })`. */
  getList(page?: number, perPage?: number, options?: ListOptions): Promise<ListResult<RecordWithExpand<C>>>;
  getList(
    options: ListOptions & { page?: number; perPage?: number },
  ): Promise<ListResult<RecordWithExpand<C>>>;
  getList(
    a?: number | (ListOptions & { page?: number; perPage?: number }),
    perPage?: number,
    options: ListOptions = {},
  ): Promise<ListResult<RecordWithExpand<C>>> {
    const opts =
      typeof a === 'object' && a !== null ? a : { ...options, page: a ?? 1, perPage: perPage ?? 30 };
    return this.client.send(this.path('/records'), { query: listQuery(opts), ...req(opts) });
  }

  /** Every record matching the options, fetched `batch` at a time (default 500) until the last page. */
  async getFullList(options: FullListOptions = {}): Promise<Array<RecordWithExpand<C>>> {
    const batch = Math.max(1, Math.min(MAX_PER_PAGE, Math.floor(options.batch ?? MAX_PER_PAGE)));
    const items: Array<RecordWithExpand<C>> = [];
    for (let page = 1; ; page++) {
      const result = await this.getList({ ...options, page, perPage: batch, skipTotal: true });
      items.push(...result.items);
      if (result.items.length < batch) return items;
    }
  }

  /**
   * Every record the list would give (the caller's list rule, `filter`, `sort`, `fields`, `expand`) as
   * a file: the server's streamed Response, unread (`await res.blob()`, `res.body` to stream it;
   * the file name is in Content-Disposition). A bad filter or format rejects with a PlinthError.
   */
  export(options: ExportOptions = {}): Promise<Response> {
    const { format, filter, sort, fields, expand } = options;
    return this.client.sendForResponse(this.path('/records/export'), {
      query: { format, filter, sort, fields, expand },
      ...req(options),
    });
  }

  /**
   * Imports records from a file (CSV with a header row, JSON array, NDJSON or XLSX): each row is a
   * create (upsert: an update of the record with its id) with the caller's rules. Resolves to the
   * report (counts, failed rows with their field errors); an unreadable file rejects with a PlinthError.
   */
  import(file: Blob, options: ImportOptions = {}): Promise<ImportReport> {
    const form = new FormData();
    if (options.format) form.append('format', options.format);
    if (options.mode) form.append('mode', options.mode);
    if (options.atomic !== undefined) form.append('atomic', String(options.atomic));
    if (options.dryRun !== undefined) form.append('dryRun', String(options.dryRun));
    if (options.mapping) form.append('mapping', JSON.stringify(options.mapping));
    const name =
      options.fileName ?? (file as Blob & { name?: string }).name ?? `import.${options.format ?? 'csv'}`;
    form.append('file', file, name);
    return this.client.send(this.path('/records/import'), { method: 'POST', body: form, ...req(options) });
  }

  /**
   * Groups and aggregates of the records the caller may list, computed by the server:
   * `aggregate({ groupBy: 'created:day', fields: ['count()', 'sum(total)'] })`. A bad expression
   * rejects with a 400 PlinthError naming it.
   */
  aggregate(options: AggregateOptions = {}): Promise<AggregateResult> {
    return this.client.send(this.path('/aggregate'), {
      query: {
        groupBy: list(options.groupBy),
        fields: list(options.fields),
        filter: options.filter,
        having: options.having,
        sort: options.sort,
        page: options.page,
        perPage: options.perPage,
      },
      ...req(options),
    });
  }

  /** One record by id; a missing (or hidden) record rejects with a 404 PlinthError. */
  getOne(id: string, options: RecordViewOptions = {}): Promise<RecordWithExpand<C>> {
    if (!id) return Promise.reject(notFound(this.name, 'getOne needs a record id.'));
    return this.client.send(this.recordPath(id), {
      query: { expand: options.expand, fields: options.fields },
      ...req(options),
    });
  }

  /** The first record matching `filter`; none rejects with a 404 PlinthError (`RECORD_NOT_FOUND`). */
  async getFirstListItem(filter: string, options: ListOptions = {}): Promise<RecordWithExpand<C>> {
    const result = await this.getList({ ...options, filter, page: 1, perPage: 1, skipTotal: true });
    const first = result.items[0];
    if (!first) throw notFound(this.name, `No record of "${this.name}" matches the filter.`);
    return first;
  }

  /**
   * Creates a record from an object or FormData. Blob/File values in an object are uploaded as
   * multipart with the other fields.
   */
  create(body: C['create'] | FormData, options: RecordViewOptions = {}): Promise<C['record']> {
    return this.client.send(this.path('/records'), {
      method: 'POST',
      body: withFiles(body),
      query: { expand: options.expand, fields: options.fields },
      ...req(options),
    });
  }

  /** Changes the given fields of a record (object, with Blob/File values for files, or FormData). */
  update(id: string, body: C['update'] | FormData, options: RecordViewOptions = {}): Promise<C['record']> {
    return this.client.send(this.recordPath(id), {
      method: 'PATCH',
      body: withFiles(body),
      query: { expand: options.expand, fields: options.fields },
      ...req(options),
    });
  }

  async delete(id: string, options: RequestOptions = {}): Promise<void> {
    await this.client.send(this.recordPath(id), { method: 'DELETE', ...req(options) });
  }

  /** Admin: ends every session of one user of an auth collection (new token key, refresh tokens revoked). */
  async revokeSessions(id: string, options: RequestOptions = {}): Promise<void> {
    await this.client.send(`${this.recordPath(id)}/revoke-sessions`, { method: 'POST', ...req(options) });
  }

  // ---- realtime ----

  /**
   * Calls `callback` with `{ action, record }` for every change the caller may see: `'*'` for the
   * whole collection, or a record id. Resolves once the server holds the subscription; the answer
   * unsubscribes. `options.filter` / `expand` narrow and enrich the events.
   */
  subscribe(
    topicOrStar: string,
    callback: RealtimeCallback<C['record']>,
    options: RealtimeSubscribeOptions = {},
  ): Promise<RealtimeUnsubscribe> {
    return this.client.realtime.subscribe(this.topic(topicOrStar), callback, options);
  }

  /** Drops every callback of `'*'` or of one record id. */
  unsubscribe(topicOrStar: string): Promise<void> {
    return this.client.realtime.unsubscribe(this.topic(topicOrStar));
  }

  private topic(topicOrStar: string): string {
    return topicOrStar === '*' ? this.name : `${this.name}/${topicOrStar}`;
  }

  // ---- auth collections ----

  /**
   * Signs a user in; the session goes into the client's auth store. When the account needs a second
   * factor this rejects with 401 `MFA_REQUIRED` whose `mfaIdOf(error)` goes with the second factor
   * (`authWithOtp`, `authWithTotp`); a password as the second factor takes `mfaId` here.
   */
  async authWithPassword(
    identity: string,
    password: string,
    options: RequestOptions & { mfaId?: string } = {},
  ): Promise<AuthResult<C['record']>> {
    const result = await this.client.send<AuthResult<C['record']>>(this.path('/auth-with-password'), {
      method: 'POST',
      body: { identity, password, ...(options.mfaId ? { mfaId: options.mfaId } : {}) },
      auth: false,
      ...req(options),
    });
    return this.keep(result);
  }

  /**
   * Mails a one-time sign-in code (or, with `redirect`, a magic link to that allow-listed app URL
   * carrying `?otpId=&code=`). The answer is the same whether or not the email has an account.
   */
  requestOtp(
    email: string,
    options: RequestOptions & { redirect?: string } = {},
  ): Promise<{ otpId: string }> {
    return this.client.send(this.path('/request-otp'), {
      method: 'POST',
      body: { email, ...(options.redirect ? { redirect: options.redirect } : {}) },
      auth: false,
      ...req(options),
    });
  }

  /** Signs in with a mailed code (or a magic link's `otpId` and `code`); `mfaId` when it is the second factor. */
  async authWithOtp(
    otpId: string,
    code: string,
    options: RequestOptions & { mfaId?: string } = {},
  ): Promise<AuthResult<C['record']>> {
    const result = await this.client.send<AuthResult<C['record']>>(this.path('/auth-with-otp'), {
      method: 'POST',
      body: { otpId, password: code, ...(options.mfaId ? { mfaId: options.mfaId } : {}) },
      auth: false,
      ...req(options),
    });
    return this.keep(result);
  }

  /** Completes a sign-in that answered `MFA_REQUIRED` with an authenticator code or a recovery code. */
  async authWithTotp(
    mfaId: string,
    code: string,
    options: RequestOptions = {},
  ): Promise<AuthResult<C['record']>> {
    const result = await this.client.send<AuthResult<C['record']>>(this.path('/auth-with-totp'), {
      method: 'POST',
      body: { mfaId, code },
      auth: false,
      ...req(options),
    });
    return this.keep(result);
  }

  /** The signed-in user's authenticator: whether enrolled and confirmed, recovery codes left. */
  totpStatus(options: RequestOptions = {}): Promise<TotpStatus> {
    return this.client.send(this.path('/totp'), req(options));
  }

  /** Starts an authenticator enrolment: the secret and an otpauth:// URI to show as a QR code. */
  enrollTotp(options: RequestOptions = {}): Promise<{ secret: string; uri: string }> {
    return this.client.send(this.path('/totp/enroll'), { method: 'POST', ...req(options) });
  }

  /** Confirms the enrolment with a first code; the recovery codes come back this once. */
  confirmTotp(code: string, options: RequestOptions = {}): Promise<{ recoveryCodes: string[] }> {
    return this.client.send(this.path('/totp/confirm'), { method: 'POST', body: { code }, ...req(options) });
  }

  /** Removes the authenticator, proven by a current code or a recovery code. */
  async removeTotp(code: string, options: RequestOptions = {}): Promise<void> {
    await this.client.send(this.path('/totp/remove'), { method: 'POST', body: { code }, ...req(options) });
  }

  /** Admins: a user's second factors. */
  getUserMfa(id: string, options: RequestOptions = {}): Promise<TotpStatus> {
    return this.client.send(`${this.recordPath(id)}/mfa`, req(options));
  }

  /** Admins: removes a user's authenticator and recovery codes (a lost phone). */
  async resetUserMfa(id: string, options: RequestOptions = {}): Promise<void> {
    await this.client.send(`${this.recordPath(id)}/mfa`, { method: 'DELETE', ...req(options) });
  }

  /**
   * Exchanges the stored refresh token for a new session (the client also does this by itself
   * before the token expires). A rejected refresh token → 401 `INVALID_REFRESH_TOKEN`.
   */
  authRefresh(options: RequestOptions = {}): Promise<AuthResult<C['record']>> {
    const refreshToken = this.client.authStore.refreshToken;
    if (!refreshToken) {
      return Promise.reject(
        new PlinthError({
          status: 401,
          code: 'INVALID_REFRESH_TOKEN',
          detail: 'There is no session to refresh: sign in first.',
        }),
      );
    }
    return this.client.refreshOnce(async () => {
      const result = await this.client.send<AuthResult<C['record']>>(this.path('/auth-refresh'), {
        method: 'POST',
        body: { refreshToken },
        auth: false,
        ...req(options),
      });
      // Signed out or into another session meanwhile (maybe in another tab): leave that one in the store.
      if (this.client.authStore.refreshToken !== refreshToken) return result;
      return this.keep(result);
    });
  }

  /** Finishes a social sign-in with the `?code=` the app URL received (`mfaId`: as the second factor). */
  async authWithOAuth2Code(
    code: string,
    options: RequestOptions & { mfaId?: string } = {},
  ): Promise<AuthResult<C['record']>> {
    const result = await this.client.send<AuthResult<C['record']>>(this.path('/auth-with-oauth2-code'), {
      method: 'POST',
      body: { code, ...(options.mfaId ? { mfaId: options.mfaId } : {}) },
      auth: false,
      ...req(options),
    });
    return this.keep(result);
  }

  /**
   * The URL to send the browser to for a social sign-in; the provider comes back to `redirect`
   * (which must be on the collection's allow-list) with `?code=` for `authWithOAuth2Code`.
   */
  oauth2StartUrl(provider: string, redirect: string): string {
    return this.client.buildUrl(this.path(`/auth/oauth2/${encodeURIComponent(provider)}`), { redirect });
  }

  /** The sign-in methods the collection offers (password, enabled social providers). */
  listAuthMethods(options: RequestOptions = {}): Promise<AuthMethods> {
    return this.client.send(this.path('/auth-methods'), { auth: false, ...req(options) });
  }

  /**
   * Ends this session on the server (`all: true`: every session of the user) and clears the auth
   * store. The store is cleared even when the server call fails.
   */
  async logout(options: RequestOptions & { all?: boolean } = {}): Promise<void> {
    const store = this.client.authStore;
    try {
      if (store.token && (options.all || store.refreshToken)) {
        await this.client.send(this.path('/auth-logout'), {
          method: 'POST',
          body: options.all ? { all: true } : { refreshToken: store.refreshToken },
          ...req(options),
        });
      }
    } finally {
      store.clear();
    }
  }

  async requestPasswordReset(email: string, options: RequestOptions = {}): Promise<void> {
    await this.client.send(this.path('/request-password-reset'), {
      method: 'POST',
      body: { email },
      auth: false,
      ...req(options),
    });
  }

  async confirmPasswordReset(
    token: string,
    password: string,
    passwordConfirm: string,
    options: RequestOptions = {},
  ): Promise<void> {
    await this.client.send(this.path('/confirm-password-reset'), {
      method: 'POST',
      body: { token, password, passwordConfirm },
      auth: false,
      ...req(options),
    });
  }

  async requestVerification(email: string, options: RequestOptions = {}): Promise<void> {
    await this.client.send(this.path('/request-verification'), {
      method: 'POST',
      body: { email },
      auth: false,
      ...req(options),
    });
  }

  async confirmVerification(token: string, options: RequestOptions = {}): Promise<void> {
    await this.client.send(this.path('/confirm-verification'), {
      method: 'POST',
      body: { token },
      auth: false,
      ...req(options),
    });
  }

  /** Asks for a link to change the signed-in user's email (mailed to the new address). */
  async requestEmailChange(newEmail: string, options: RequestOptions = {}): Promise<void> {
    await this.client.send(this.path('/request-email-change'), {
      method: 'POST',
      body: { newEmail },
      ...req(options),
    });
  }

  async confirmEmailChange(token: string, password: string, options: RequestOptions = {}): Promise<void> {
    await this.client.send(this.path('/confirm-email-change'), {
      method: 'POST',
      body: { token, password },
      auth: false,
      ...req(options),
    });
  }

  private keep<T extends AuthResult<C['record']>>(result: T): T {
    const record = result.record as { id: string; collectionName?: string };
    this.client.authStore.save(
      result.token,
      { ...record, id: record.id, collectionName: record.collectionName ?? this.name },
      result.refreshToken ?? '',
    );
    return result;
  }
}

function notFound(collection: string, detail: string): PlinthError {
  return new PlinthError({
    status: 404,
    code: 'RECORD_NOT_FOUND',
    title: 'Not found',
    detail,
    url: collection,
  });
}
