/**
 * A minimal WHATWG EventSource over fetch, for SDKs that expect the browser global (the pocketbase
 * JS SDK's realtime) under Node 20, which ships none without --experimental-eventsource.
 */
type Listener = (e: { data: string; lastEventId: string; type: string }) => void;

export class FetchEventSource {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  readyState = FetchEventSource.CONNECTING;
  onerror: ((e: unknown) => void) | null = null;
  onopen: ((e: unknown) => void) | null = null;
  private readonly listeners = new Map<string, Listener[]>();
  private readonly abort = new AbortController();

  constructor(readonly url: string) {
    void this.run();
  }

  addEventListener(type: string, fn: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }

  removeEventListener(type: string, fn: Listener): void {
    this.listeners.set(
      type,
      (this.listeners.get(type) ?? []).filter((l) => l !== fn),
    );
  }

  close(): void {
    this.readyState = FetchEventSource.CLOSED;
    this.abort.abort();
  }

  private async run(): Promise<void> {
    try {
      const res = await fetch(this.url, {
        headers: { accept: 'text/event-stream' },
        signal: this.abort.signal,
      });
      if (res.status !== 200 || !res.body) throw new Error(`SSE status ${res.status}`);
      this.readyState = FetchEventSource.OPEN;
      this.onopen?.({});
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let type = 'message';
          let id = '';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            const colon = line.indexOf(':');
            if (colon <= 0) continue;
            const key = line.slice(0, colon);
            const value = line.slice(colon + 1).replace(/^ /, '');
            if (key === 'event') type = value;
            else if (key === 'id') id = value;
            else if (key === 'data') data.push(value);
          }
          for (const fn of this.listeners.get(type) ?? [])
            fn({ type, data: data.join('\n'), lastEventId: id });
        }
      }
    } catch (err) {
      if (this.readyState !== FetchEventSource.CLOSED) this.onerror?.(err);
    }
    this.readyState = FetchEventSource.CLOSED;
  }
}
