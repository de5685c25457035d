/** One Server-Sent Event as a client sees it. */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/**
 * A small SSE client over fetch streaming, for tests: collects every event, lets a test wait for
 * the next one matching a predicate, and reports the end of the stream.
 */
export class SseClient {
  readonly events: SseEvent[] = [];
  status = 0;
  headers?: Headers;
  private waiters: Array<{
    match: (e: SseEvent) => boolean;
    from: number;
    resolve: (e: SseEvent) => void;
    reject: (err: Error) => void;
  }> = [];
  private readonly abort = new AbortController();
  private endResolve!: () => void;
  /** Settles when the server ends the stream (or it fails). */
  readonly ended = new Promise<void>((resolve) => (this.endResolve = resolve));
  private isEnded = false;

  private constructor(readonly url: string) {}

  /** Opens the stream and waits for `PB_CONNECT`. */
  static async connect(url: string, init: { headers?: Record<string, string> } = {}): Promise<SseClient> {
    const client = new SseClient(url);
    const res = await fetch(url, {
      headers: { accept: 'text/event-stream', ...init.headers },
      signal: client.abort.signal,
    });
    client.status = res.status;
    client.headers = res.headers;
    if (res.status !== 200 || !res.body) {
      throw Object.assign(new Error(`SSE connect failed: ${res.status} ${await res.text()}`), {
        status: res.status,
      });
    }
    void client.read(res.body);
    await client.next((e) => e.event === 'PB_CONNECT');
    return client;
  }

  get clientId(): string {
    const connect = this.events.find((e) => e.event === 'PB_CONNECT');
    return (JSON.parse(connect!.data) as { clientId: string }).clientId;
  }

  get isClosed(): boolean {
    return this.isEnded;
  }

  /** Events other than PB_CONNECT, with their data parsed. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- event payloads are JSON of many shapes
  messages(): Array<{ event: string; data: any }> {
    return this.events
      .filter((e) => e.event !== 'PB_CONNECT')
      .map((e) => ({ event: e.event, data: JSON.parse(e.data) }));
  }

  /**
   * The first event at or after index `from` (default: any received so far or later) that
   * matches; waits for it. The Jest test timeout bounds the wait.
   */
  next(match: (e: SseEvent) => boolean = () => true, from = 0): Promise<SseEvent> {
    const found = this.events.slice(from).find(match);
    if (found) return Promise.resolve(found);
    if (this.isEnded) return Promise.reject(new Error(`SSE stream ${this.url} ended before the event`));
    return new Promise((resolve, reject) => this.waiters.push({ match, from, resolve, reject }));
  }

  /** Waits for an event named `name` whose parsed data satisfies `match`. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- event payloads are JSON of many shapes
  async nextData(name: string, match: (data: any) => boolean = () => true): Promise<any> {
    const e = await this.next((ev) => ev.event === name && match(JSON.parse(ev.data)));
    return JSON.parse(e.data);
  }

  close(): void {
    this.abort.abort();
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    let current: Partial<SseEvent> & { data?: string } = {};
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = buffer.search(/\r\n|\n|\r/)) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + (buffer.startsWith('\r\n', nl) ? 2 : 1));
          if (line === '') {
            if (current.data !== undefined) {
              this.push({ event: current.event ?? 'message', data: current.data, id: current.id });
            }
            current = {};
            continue;
          }
          if (line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          let value = colon < 0 ? '' : line.slice(colon + 1);
          if (value.startsWith(' ')) value = value.slice(1);
          if (field === 'event') current.event = value;
          else if (field === 'data')
            current.data = current.data === undefined ? value : `${current.data}\n${value}`;
          else if (field === 'id') current.id = value;
        }
      }
    } catch {
      // aborted or reset: the stream ended
    } finally {
      this.isEnded = true;
      this.endResolve();
      for (const w of this.waiters.splice(0)) w.reject(new Error(`SSE stream ${this.url} ended`));
    }
  }

  private push(event: SseEvent): void {
    this.events.push(event);
    const index = this.events.length - 1;
    this.waiters = this.waiters.filter((w) => {
      if (index >= w.from && w.match(event)) {
        w.resolve(event);
        return false;
      }
      return true;
    });
  }
}

/** The resume token of a stream's PB_CONNECT (sent back as Last-Event-ID to resume it). */
export function resumeTokenOf(client: SseClient): string {
  const connect = client.events.find((e) => e.event === 'PB_CONNECT');
  return (JSON.parse(connect!.data) as { resumeToken: string }).resumeToken;
}

/** `POST /api/realtime` with an optional bearer. */
export async function subscribe(
  baseUrl: string,
  clientId: string,
  subscriptions: string[],
  token?: string,
): Promise<Response> {
  return fetch(`${baseUrl}/api/realtime`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ clientId, subscriptions }),
  });
}

/** `POST /api/realtime` that fails the test unless the server answers 204. */
export async function subscribeOk(
  baseUrl: string,
  client: SseClient,
  subscriptions: string[],
  token?: string,
): Promise<void> {
  const res = await subscribe(baseUrl, client.clientId, subscriptions, token);
  if (res.status !== 204) throw new Error(`subscribe failed: ${res.status} ${await res.text()}`);
}

/** The streams a test file opened, so its afterAll closes every one. */
export class OpenStreams {
  readonly all: SseClient[] = [];

  async connect(
    baseUrl: string,
    path = '/api/realtime',
    headers?: Record<string, string>,
  ): Promise<SseClient> {
    const c = await SseClient.connect(baseUrl + path, { headers });
    this.all.push(c);
    return c;
  }

  closeAll(): void {
    for (const c of this.all) c.close();
  }
}
