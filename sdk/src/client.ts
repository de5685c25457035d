import { MemoryAuthStore, type AuthStore } from './auth-store.js';
import { PlinthError } from './errors.js';
import { bindFilter, type FilterValue } from './filter.js';
import { tokenExpiry } from './jwt.js';
import { RealtimeClient, type RealtimeClientOptions } from './realtime.js';
import { AdminsService } from './services/admins.js';
import { CollectionsService, KeysService, SettingsService } from './services/admin-api.js';
import { FilesService } from './services/files.js';
import { PushService } from './services/push.js';
import { WebhooksService } from './services/webhooks.js';
import { HooksService } from './services/hooks.js';
import { HostingService } from './services/hosting.js';
import { LogsService } from './services/logs.js';
import { AuditService } from './services/audit.js';
import { StatsService } from './services/stats.js';
import { SchedulesService } from './services/schedules.js';
import { RecordService } from './services/record-service.js';
import type {
  CollectionName,
  CollectionOf,
  CollectionTypes,
  DefaultSchema,
  RequestOptions,
} from './types.js';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface ClientOptions {
  /** The server's base URL: `https://api.example.com` (without `/api`). */
  url: string;
  /** Where the session is kept (default: in memory). Use `LocalAuthStore` in browsers. */
  authStore?: AuthStore;
  /** A fetch implementation (default: the global one). */
  fetch?: FetchLike;
  /** Refresh the access token before requests when it expires soon (default true). */
  autoRefresh?: boolean;
  /** How many seconds before expiry the token is refreshed (default 60). */
  refreshMargin?: number;
  /** Realtime tuning: reconnect delays, `onError`, `onConnect`. */
  realtime?: Omit<RealtimeClientOptions, 'baseUrl' | 'fetch' | 'getToken'>;
}

export type QueryValue = string | number | boolean | null | undefined;

export interface SendOptions extends RequestOptions {
  method?: string;
  query?: Record<string, QueryValue>;
  /** A plain value is sent as JSON; FormData, Blob, URLSearchParams and strings as they are. */
  body?: unknown;
  /** false: send no token and do not refresh first (sign-in calls). */
  auth?: boolean;
}

function isRawBody(body: unknown): body is NonNullable<RequestInit['body']> {
  return (
    typeof body === 'string' ||
    (typeof FormData !== 'undefined' && body instanceof FormData) ||
    (typeof Blob !== 'undefined' && body instanceof Blob) ||
    (typeof URLSearchParams !== 'undefined' && body instanceof URLSearchParams) ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body)
  );
}

function isAbortError(err: unknown, signal?: AbortSignal): boolean {
  return (
    !!signal?.aborted ||
    (!!err && typeof err === 'object' && (err as { name?: string }).name === 'AbortError')
  );
}

/** The typed client of one Plinth server. Create it with `createClient<Schema>({ url })`. */
export class PlinthClient<S = DefaultSchema> {
  readonly url: string;
  readonly authStore: AuthStore;
  /** Admin sign-in. */
  readonly admins: AdminsService;
  /** Admin: collections (the console's schema editor). */
  readonly collections: CollectionsService;
  /** Admin: API keys. */
  readonly keys: KeysService;
  /** Admin: run-time settings. */
  readonly settings: SettingsService;
  readonly files: FilesService;
  readonly push: PushService;
  /** Admin: webhooks and their delivery log. */
  readonly webhooks: WebhooksService;
  /** Admin: blocking hooks, asked before writes commit. */
  readonly hooks: HooksService;
  /** Admin: request logs. */
  readonly logs: LogsService;
  /** Admin: the audit trail (read-only). */
  readonly audit: AuditService;
  /** Admin: usage statistics. */
  readonly stats: StatsService;
  /** Admin: schedules (cron ticks to a signed URL or a built-in job) and their run log. */
  readonly schedules: SchedulesService;
  /** Admin: deploys of the site served at `/` (list, roll back, delete). */
  readonly hosting: HostingService;
  /** Server-Sent Events subscriptions; usually reached through `collection(name).subscribe()`. */
  readonly realtime: RealtimeClient;

  private readonly fetchImpl: FetchLike;
  private readonly autoRefresh: boolean;
  private readonly refreshMarginMs: number;
  private refreshing: Promise<unknown> | null = null;
  /** A refresh waiting for or holding the auth store's lock (`AuthStore.exclusive`). */
  private refreshingShared: Promise<void> | null = null;
  private readonly services = new Map<string, RecordService<CollectionTypes>>();

  constructor(options: ClientOptions) {
    if (!options?.url) throw new TypeError('createClient: `url` is required (the server base URL).');
    this.url = options.url.replace(/\/+$/, '').replace(/\/api$/, '');
    this.authStore = options.authStore ?? new MemoryAuthStore();
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.autoRefresh = options.autoRefresh ?? true;
    this.refreshMarginMs = (options.refreshMargin ?? 60) * 1000;
    this.admins = new AdminsService(this as PlinthClient<unknown>);
    this.collections = new CollectionsService(this as PlinthClient<unknown>);
    this.keys = new KeysService(this as PlinthClient<unknown>);
    this.settings = new SettingsService(this as PlinthClient<unknown>);
    this.files = new FilesService(this as PlinthClient<unknown>);
    this.push = new PushService(this as PlinthClient<unknown>);
    this.webhooks = new WebhooksService(this as PlinthClient<unknown>);
    this.hooks = new HooksService(this as PlinthClient<unknown>);
    this.logs = new LogsService(this as PlinthClient<unknown>);
    this.audit = new AuditService(this as PlinthClient<unknown>);
    this.stats = new StatsService(this as PlinthClient<unknown>);
    this.schedules = new SchedulesService(this as PlinthClient<unknown>);
    this.hosting = new HostingService(this as PlinthClient<unknown>);
    this.realtime = new RealtimeClient({
      ...options.realtime,
      baseUrl: this.url,
      fetch: ((input: string | URL | Request, init?: RequestInit) =>
        this.fetchImpl(
          typeof input === 'string' ? input : input instanceof URL ? input.href : input.url,
          init,
        )) as typeof fetch,
      // Refreshed first when it expires soon: the server ends a stream at its token's exp.
      getToken: async () => {
        await this.ensureFreshToken().catch(() => undefined);
        return this.authStore.token || undefined;
      },
    });
    // Events are judged by the caller's auth: the server learns of every sign-in, refresh and sign-out.
    this.authStore.onChange(() => {
      this.realtime.onAuthChange().catch(() => undefined);
    });
  }

  /** The records (and, for auth collections, sign-in) API of one collection. */
  collection<N extends CollectionName<S>>(name: N): RecordService<CollectionOf<S, N>> {
    let service = this.services.get(name);
    if (!service) {
      service = new RecordService(this as PlinthClient<unknown>, name);
      this.services.set(name, service);
    }
    return service as unknown as RecordService<CollectionOf<S, N>>;
  }

  /**
   * Binds values into a filter safely: `client.filter('title = {:t} && views > {:v}', { t, v })`.
   * Strings are quoted and escaped, Dates become ISO strings, null/booleans/numbers literals.
   */
  filter(expression: string, params?: Record<string, FilterValue>): string {
    return bindFilter(expression, params);
  }

  /** An absolute URL of this server with a query string (empty values left out). */
  buildUrl(path: string, query?: Record<string, QueryValue>): string {
    let url = this.url + (path.startsWith('/') ? path : `/${path}`);
    const qs = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined || value === null || value === '') continue;
      qs.append(key, String(value));
    }
    const s = qs.toString();
    if (s) url += (url.includes('?') ? '&' : '?') + s;
    return url;
  }

  /**
   * Sends a request and answers the Response itself, unread, when it succeeded (downloads and
   * streams, such as a records export); rejects with a PlinthError otherwise.
   */
  async sendForResponse(path: string, options: SendOptions = {}): Promise<Response> {
    const { res, url } = await this.request(path, options, '*/*');
    if (res.ok) return res;
    let data: unknown = null;
    try {
      const text = await res.text();
      data = text && /json/i.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : text || null;
    } catch (err) {
      if (isAbortError(err, options.signal)) throw this.transportError(err, url, options.signal);
    }
    throw PlinthError.fromResponse({ status: res.status, url }, data, res.headers.get('x-request-id') ?? '');
  }

  private async request(
    path: string,
    options: SendOptions,
    accept: string,
  ): Promise<{ res: Response; url: string }> {
    const auth = options.auth ?? true;
    if (auth) await this.ensureFreshToken();
    const url = this.buildUrl(path, options.query);
    const headers: Record<string, string> = { accept, ...options.headers };
    const hasAuthHeader = Object.keys(headers).some((h) => h.toLowerCase() === 'authorization');
    if (auth && !hasAuthHeader && this.authStore.token) {
      headers.authorization = `Bearer ${this.authStore.token}`;
    }
    let body: RequestInit['body'] | undefined;
    if (options.body !== undefined) {
      if (isRawBody(options.body)) body = options.body;
      else {
        body = JSON.stringify(options.body);
        headers['content-type'] = 'application/json';
      }
    }
    let res: Response;
    try {
      res = await this.fetchImpl(url, {
        method: options.method ?? 'GET',
        headers,
        body,
        signal: options.signal,
      });
    } catch (err) {
      throw this.transportError(err, url, options.signal);
    }
    return { res, url };
  }

  /** Sends a request to the server; rejects with a PlinthError for any failure. */
  async send<T = unknown>(path: string, options: SendOptions = {}): Promise<T> {
    const { res, url } = await this.request(path, options, 'application/json');
    let data: unknown = null;
    try {
      if (res.status !== 204) {
        const type = res.headers.get('content-type') ?? '';
        const text = await res.text();
        data = text && /json/i.test(type) ? JSON.parse(text) : text || null;
      }
    } catch (err) {
      if (isAbortError(err, options.signal)) throw this.transportError(err, url, options.signal);
      if (res.ok) {
        throw new PlinthError({
          status: res.status,
          code: 'INVALID_RESPONSE',
          detail: `The server's answer to ${url} could not be read as JSON.`,
          url,
          cause: err,
        });
      }
    }
    if (!res.ok)
      throw PlinthError.fromResponse(
        { status: res.status, url },
        data,
        res.headers.get('x-request-id') ?? '',
      );
    return (res.status === 204 ? undefined : data) as T;
  }

  /**
   * Runs one refresh at a time: callers that ask while one is running share its answer (a refresh
   * token may be used once; a second use would end the session).
   */
  refreshOnce<T>(run: () => Promise<T>): Promise<T> {
    if (!this.refreshing) {
      this.refreshing = run().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing as Promise<T>;
  }

  /**
   * Refreshes the session first when its access token expires within the refresh margin; a call made
   * while a refresh runs waits for it.
   */
  private async ensureFreshToken(): Promise<void> {
    const store = this.authStore;
    const token = store.token;
    if (!this.refreshing && !this.refreshingShared) {
      if (!this.needsRefresh()) return;
      if (store.exclusive) {
        // The session is shared (other tabs): refresh under the store's lock, and only if no other holder
        // refreshed it while this one waited, so each rotating refresh token is sent once.
        this.refreshingShared = store
          .exclusive(async () => {
            if (this.needsRefresh()) await this.startRefresh();
          })
          .finally(() => {
            this.refreshingShared = null;
          });
        this.refreshingShared.catch(() => undefined);
      } else {
        // Starts the shared refresh (sets this.refreshing); its errors are handled below.
        this.startRefresh().catch(() => undefined);
      }
    }
    const pending = this.refreshingShared ?? this.refreshing;
    if (!pending) return;
    try {
      await pending;
    } catch (err) {
      // The session is over (refresh token revoked, reused or expired; admin token expired or revoked):
      // say so instead of calling as nobody.
      if (err instanceof PlinthError && err.status === 401) {
        // Unless the store moved on meanwhile (a sign-out, another sign-in or refresh, maybe in another tab).
        if (store.token && store.token === token) store.clear();
        throw err;
      }
      // A network hiccup: the current token may still do.
      const exp = tokenExpiry(store.token);
      if (exp !== null && exp * 1000 <= Date.now()) throw err;
    }
  }

  /** The stored access token expires within the refresh margin and the session can be refreshed. */
  private needsRefresh(): boolean {
    const store = this.authStore;
    if (!this.autoRefresh || !store.token) return false;
    // Users refresh with their refresh token; admins with their (still valid) admin token.
    if (!store.isAdmin && (!store.refreshToken || !store.record?.collectionName)) return false;
    const exp = tokenExpiry(store.token);
    return exp !== null && exp * 1000 - Date.now() <= this.refreshMarginMs;
  }

  private startRefresh(): Promise<unknown> {
    const store = this.authStore;
    return store.isAdmin
      ? this.admins.authRefresh()
      : this.collection(store.record?.collectionName as CollectionName<S>).authRefresh();
  }

  private transportError(err: unknown, url: string, signal?: AbortSignal): PlinthError {
    if (err instanceof PlinthError) return err;
    if (isAbortError(err, signal)) {
      return new PlinthError({
        status: 0,
        code: 'ABORTED',
        detail: `The request to ${url} was aborted.`,
        url,
        isAbort: true,
        cause: err,
      });
    }
    return new PlinthError({
      status: 0,
      code: 'NETWORK_ERROR',
      detail: `Could not reach ${url}: ${(err as Error)?.message ?? String(err)}`,
      url,
      cause: err,
    });
  }
}

/** Creates a client; pass the type written by `plinth typegen` to get typed records. */
export function createClient<S = DefaultSchema>(options: ClientOptions): PlinthClient<S> {
  return new PlinthClient<S>(options);
}
