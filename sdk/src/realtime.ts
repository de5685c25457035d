/**
 * Realtime subscriptions over Server-Sent Events, standalone and dependency-free: it needs only a
 * `fetch` whose response body streams (browsers, Node ≥ 18, Deno, Bun). It parses SSE itself
 * (no EventSource, so neither the bearer nor the client id goes into a URL), reconnects with
 * backoff, sends its subscriptions again after every reconnect and whenever the auth token
 * changes, and again before the token expires (the server ends a stream at its token's `exp`).
 *
 * Wire shape (PocketBase's): `GET /api/realtime` streams events, the first being `PB_CONNECT`
 * with `{clientId}`; `POST /api/realtime {clientId, subscriptions}` sets the topics; every other
 * event is named by the topic it answers and carries `{action, record}`.
 */

import { tokenExpiry } from './jwt.js';

export type RealtimeAction = 'create' | 'update' | 'delete';

export interface RealtimeEvent<T = Record<string, unknown>> {
  action: RealtimeAction;
  record: T;
}

export type RealtimeCallback<T = Record<string, unknown>> = (event: RealtimeEvent<T>) => void;

/** Unsubscribes this callback; the topic is dropped on the server when its last callback goes. */
export type RealtimeUnsubscribe = () => Promise<void>;

export interface RealtimeSubscribeOptions {
  /** Only records matching this filter (the filter language of list queries). */
  filter?: string;
  /** Relations to expand, as in list queries (`author,comments.user`). */
  expand?: string;
}

export interface RealtimeClientOptions {
  /** The server's origin, e.g. `https://api.example.com` (no trailing `/api`). */
  baseUrl: string;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  /**
   * The current access token, or undefined when signed out; read at every subscription change and
   * before the token expires (return a refreshed one then).
   */
  getToken?: () => string | undefined | Promise<string | undefined>;
  /** Milliseconds to wait before reconnect attempts 1, 2, …; the last repeats. */
  reconnectDelays?: number[];
  /** Called with errors that have no caller to throw to (a failed re-subscribe after reconnect). */
  onError?: (error: unknown) => void;
  /** Called after every (re)connect, once the server holds the subscriptions again. */
  onConnect?: (clientId: string) => void;
}

/** A refused realtime request (`POST /api/realtime`): the server's problem+json fields. */
export class RealtimeError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'RealtimeError';
  }
}

type Listener = (event: RealtimeEvent) => void;

const DEFAULT_DELAYS = [250, 500, 1000, 2000, 5000, 10000];
/** How long before its token expires the client subscribes again with a fresh one. */
const RENEW_BEFORE_MS = 30_000;

export class RealtimeClient {
  /** The server's id for this connection; kept across reconnects when the server resumes it. */
  clientId: string | undefined;
  /** PB_CONNECT's resume token, sent back as Last-Event-ID on reconnect. */
  private resumeToken: string | undefined;
  private renewTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly fetchFn: typeof fetch;
  private readonly baseUrl: string;
  private readonly listeners = new Map<string, Set<Listener>>();
  private abort: AbortController | undefined;
  private connected = false;
  private ready: Promise<void> | undefined;
  private resolveReady: (() => void) | undefined;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** The list and client id the server last accepted. */
  private synced = '';
  private syncChain: Promise<void> = Promise.resolve();

  constructor(private readonly options: RealtimeClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    const f = options.fetch ?? globalThis.fetch;
    if (!f) throw new Error('RealtimeClient needs a fetch implementation (pass options.fetch).');
    this.fetchFn = (input, init) => f(input, init);
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /**
   * Subscribes `callback` to `topic`: a collection (`posts`, or `posts/*`) or one record
   * (`posts/RECORD_ID`). Resolves once the server holds the subscription; rejects with a
   * RealtimeError when it refuses it (bad topic or filter).
   */
  async subscribe<T = Record<string, unknown>>(
    topic: string,
    callback: RealtimeCallback<T>,
    options: RealtimeSubscribeOptions = {},
  ): Promise<RealtimeUnsubscribe> {
    const key = topicKey(topic, options);
    const listener = callback as Listener;
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(listener);
    try {
      await this.connect();
      await this.sync();
    } catch (err) {
      this.removeListener(key, listener);
      if (!this.listeners.size) this.disconnect();
      throw err;
    }
    let done = false;
    return async () => {
      if (done) return;
      done = true;
      this.removeListener(key, listener);
      await this.afterRemoval();
    };
  }

  /** Drops every callback of `topic` (all topics when omitted). */
  async unsubscribe(topic?: string): Promise<void> {
    if (topic === undefined) this.listeners.clear();
    else
      for (const key of [...this.listeners.keys()]) if (keyTopic(key) === topic) this.listeners.delete(key);
    await this.afterRemoval();
  }

  /** Call after sign-in, sign-out or a token refresh: the server then judges events by the new auth. */
  async onAuthChange(): Promise<void> {
    if (!this.connected || !this.listeners.size) return;
    this.synced = '';
    await this.sync();
  }

  /** Closes the stream; a later subscribe connects again. */
  disconnect(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.clearRenewal();
    this.abort?.abort();
    this.abort = undefined;
    this.connected = false;
    this.ready = undefined;
    this.resolveReady = undefined;
    this.synced = '';
    this.attempt = 0;
  }

  // ---- connection ---------------------------------------------------------------------------

  private connect(): Promise<void> {
    if (this.ready) return this.ready;
    this.ready = new Promise<void>((resolve) => (this.resolveReady = resolve));
    this.open();
    return this.ready;
  }

  private open(): void {
    const abort = new AbortController();
    this.abort = abort;
    const resumeToken = this.resumeToken;
    void this.streamHeaders(resumeToken)
      .then((headers) => {
        // `cache` is in the DOM's RequestInit but not in Node's types; both runtimes accept it.
        const init: RequestInit & { cache?: string } = { headers, signal: abort.signal, cache: 'no-store' };
        return this.fetchFn(`${this.baseUrl}/api/realtime`, init as RequestInit);
      })
      .then(async (res) => {
        if (res.status === 401 && resumeToken === this.resumeToken) {
          // The token went stale meanwhile: connect afresh; PB_CONNECT subscribes with a new one.
          this.resumeToken = undefined;
          this.clientId = undefined;
        }
        if (!res.ok || !res.body) throw new Error(`The realtime stream answered ${res.status}.`);
        await this.read(res.body, abort);
      })
      .catch((err: unknown) => {
        if (!abort.signal.aborted) this.options.onError?.(err);
      })
      .finally(() => {
        if (this.abort !== abort) return; // disconnected or replaced meanwhile
        this.connected = false;
        this.scheduleReconnect();
      });
  }

  /**
   * A resume sends the stream's resume token with the credentials of the account the client is
   * bound to (the server resumes nothing for anyone else).
   */
  private async streamHeaders(resumeToken: string | undefined): Promise<Record<string, string>> {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (!resumeToken) return headers;
    headers['last-event-id'] = resumeToken;
    const token = await this.options.getToken?.();
    if (token) headers.authorization = `Bearer ${token}`;
    return headers;
  }

  private scheduleReconnect(): void {
    if (!this.listeners.size) {
      this.disconnect();
      return;
    }
    const delays = this.options.reconnectDelays?.length ? this.options.reconnectDelays : DEFAULT_DELAYS;
    const base = delays[Math.min(this.attempt, delays.length - 1)]!;
    this.attempt++;
    // Up to 20 % jitter, so clients of a restarted server do not all come back at once.
    const delay = Math.round(base * (1 + Math.random() * 0.2));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.ready) this.open();
    }, delay);
  }

  private async read(body: ReadableStream<Uint8Array>, abort: AbortController): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let event = '';
    let data: string[] = [];
    let id: string | undefined;
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let nl: number;
        while ((nl = buffer.search(/\r\n|\n|\r/)) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + (buffer.startsWith('\r\n', nl) ? 2 : 1));
          if (line === '') {
            if (data.length) this.dispatch(event || 'message', data.join('\n'), id);
            event = '';
            data = [];
            continue;
          }
          if (line.startsWith(':')) continue; // heartbeat
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          let fieldValue = colon < 0 ? '' : line.slice(colon + 1);
          if (fieldValue.startsWith(' ')) fieldValue = fieldValue.slice(1);
          if (field === 'event') event = fieldValue;
          else if (field === 'data') data.push(fieldValue);
          else if (field === 'id') id = fieldValue;
        }
      }
    } finally {
      if (!abort.signal.aborted) reader.cancel().catch(() => undefined);
    }
  }

  private dispatch(event: string, data: string, id: string | undefined): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return;
    }
    if (event === 'PB_CONNECT') {
      const connect = parsed as { clientId?: string; resumeToken?: string };
      const clientId = connect.clientId ?? id;
      if (!clientId) return;
      this.clientId = clientId;
      this.resumeToken = connect.resumeToken;
      this.connected = true;
      this.attempt = 0;
      this.synced = '';
      // After a reconnect the server may not know our topics (a new id): send them again.
      const resolve = this.resolveReady;
      const done = () => {
        resolve?.();
        this.options.onConnect?.(clientId);
      };
      if (this.listeners.size) {
        this.sync().then(done, (err: unknown) => {
          this.options.onError?.(err);
          done();
        });
      } else {
        done();
      }
      return;
    }
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(parsed as RealtimeEvent);
      } catch (err) {
        this.options.onError?.(err);
      }
    }
  }

  // ---- subscriptions ------------------------------------------------------------------------

  /** Sends the current topic list unless the server already holds it; one request at a time. */
  private sync(): Promise<void> {
    const run = this.syncChain.then(() => this.post());
    this.syncChain = run.catch(() => undefined);
    return run;
  }

  private async post(): Promise<void> {
    const clientId = this.clientId;
    if (!clientId || !this.connected) return;
    const subscriptions = [...this.listeners.keys()];
    const state = JSON.stringify([clientId, subscriptions]);
    if (state === this.synced) return;
    const token = await this.options.getToken?.();
    const res = await this.fetchFn(`${this.baseUrl}/api/realtime`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ clientId, subscriptions }),
    });
    if (res.ok) {
      this.synced = state;
      this.scheduleRenewal(token);
      return;
    }
    let body: { code?: string; detail?: string } | undefined;
    try {
      body = (await res.json()) as { code?: string; detail?: string };
    } catch {
      body = undefined;
    }
    const forgotten = res.status === 404 && body?.code === 'REALTIME_CLIENT_NOT_FOUND';
    // Bound to the account signed in before (a sign-out or another account since): a client of our own.
    const foreign = res.status === 403 && body?.code === 'REALTIME_CLIENT_FORBIDDEN';
    if ((forgotten || foreign) && this.clientId === clientId) {
      // Reconnect for a new id; PB_CONNECT resubscribes.
      this.clientId = undefined;
      this.resumeToken = undefined;
      this.abort?.abort();
      this.abort = undefined;
      this.connected = false;
      this.open();
      return;
    }
    throw new RealtimeError(
      res.status,
      body?.code,
      body?.detail ?? `Setting realtime subscriptions failed (${res.status}).`,
      body,
    );
  }

  /** Subscribes again shortly before `token` expires, so the server keeps the stream open. */
  private scheduleRenewal(token: string | undefined): void {
    this.clearRenewal();
    const exp = token ? tokenExpiry(token) : null;
    if (exp === null) return;
    const left = exp * 1000 - Date.now();
    const delay = Math.max(0, left > 2 * RENEW_BEFORE_MS ? left - RENEW_BEFORE_MS : left / 2);
    this.renewTimer = setTimeout(() => {
      this.renewTimer = undefined;
      if (!this.connected || !this.listeners.size) return;
      this.synced = '';
      this.sync().catch((err: unknown) => this.options.onError?.(err));
    }, delay);
    // A pending renewal alone keeps no process alive (Node).
    (this.renewTimer as { unref?: () => void }).unref?.();
  }

  private clearRenewal(): void {
    if (this.renewTimer) clearTimeout(this.renewTimer);
    this.renewTimer = undefined;
  }

  private removeListener(key: string, listener: Listener): void {
    const set = this.listeners.get(key);
    set?.delete(listener);
    if (set && !set.size) this.listeners.delete(key);
  }

  private async afterRemoval(): Promise<void> {
    if (!this.listeners.size) {
      // Nothing left to hear: tell the server (so it stops checking rules for us) and close.
      if (this.connected) await this.sync().catch(() => undefined);
      this.disconnect();
      return;
    }
    if (this.connected) await this.sync();
  }
}

/** The topic as the server sees it (and names its events): options go in PocketBase's form. */
export function topicKey(topic: string, options: RealtimeSubscribeOptions = {}): string {
  const query: Record<string, string> = {};
  if (options.filter) query.filter = options.filter;
  if (options.expand) query.expand = options.expand;
  if (!Object.keys(query).length) return topic;
  return `${topic}?options=${encodeURIComponent(JSON.stringify({ query }))}`;
}

function keyTopic(key: string): string {
  const q = key.indexOf('?');
  return q < 0 ? key : key.slice(0, q);
}
